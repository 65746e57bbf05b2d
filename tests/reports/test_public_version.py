"""The 公开版: the approved report and its 自评表 in one zip, none of the internal texts, date recorded."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from reports.annual.scoring import score_adjust
from reports.exports.services import build_to_file, export_job_run
from reports.models import ExportJob, ExportKind, Report, ReportPublication
from reports.review.demo import EXPLANATIONS, FINANCE_RETURNS, LEADER_RETURN
from workflow.states import State

pytestmark = pytest.mark.django_db
REASON = "财政复核：破获数以公安部统计口径为准（内部审核意见）"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def approved(demo_report_loaded, finance_reviewer) -> Report:
    report = Report.objects.select_related("cycle__template", "department").get(
        cycle__year=2021, department__code="CG-GAFJ")
    score_adjust(report=report, row_name="毒品刑事案件破获数", score="9", reason=REASON, actor=finance_reviewer)
    report.sections.update(state=State.APPROVED)  # the data as it is once the finance bureau approved it all
    return report


def _texts(archive: zipfile.ZipFile) -> tuple[str, str]:
    names = archive.namelist()
    docx = Document(io.BytesIO(archive.read(next(n for n in names if n.endswith(".docx")))))
    parts = [p.text for p in docx.paragraphs] + [c.text for t in docx.tables for r in t.rows for c in r.cells]
    parts += [p.text for s in docx.sections for p in s.header.paragraphs]
    parts += [str(docx.core_properties.comments)]
    book = load_workbook(io.BytesIO(archive.read(next(n for n in names if n.endswith(".xlsx")))))
    cells = [str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    return "\n".join(parts), "\n".join(cells + book.sheetnames)


def _internal_texts() -> list[str]:
    texts = [REASON, "未审定", "财政审核调整", "数据来源", "陈静", "王建国", "赵卫东", "李芳", "张明", LEADER_RETURN[1]]
    texts += list(FINANCE_RETURNS.values())
    texts += [t for by_code in EXPLANATIONS.values() for t in by_code.values()]
    return texts


def test_the_zip_holds_the_report_and_the_self_evaluation_without_internal_texts(approved, tmp_path):
    result = build_to_file(ExportKind.PUBLIC_VERSION, {"report": approved.pk}, tmp_path / "public.zip")
    assert result.filename == "2021年度昆明市公安局呈贡分局整体支出绩效评价报告（公开版）.zip"
    with zipfile.ZipFile(tmp_path / "public.zip") as archive:
        assert sorted(archive.namelist()) == [
            "2021年度昆明市公安局呈贡分局整体支出绩效评价报告（公开版）.docx",
            "2021年度昆明市公安局呈贡分局部门整体支出绩效自评表（公开版）.xlsx",
        ]
        docx, xlsx = _texts(archive)
    assert "四、存在的问题" in docx and "毒品刑事案件破获数" in xlsx
    for text in _internal_texts():
        assert text not in docx, text
        assert text not in xlsx, text
    build_to_file(ExportKind.PUBLIC_VERSION, {"report": approved.pk}, tmp_path / "again.zip")
    assert (tmp_path / "again.zip").read_bytes() == (tmp_path / "public.zip").read_bytes()


def test_the_internal_export_still_carries_the_reviewers_reason(approved, tmp_path):
    build_to_file(ExportKind.REPORT_DOCX, {"report": approved.pk}, tmp_path / "internal.docx")
    assert any(REASON in p.text for p in Document(tmp_path / "internal.docx").paragraphs)


def test_an_unapproved_report_has_no_public_version(demo_report_loaded, tmp_path, client, coordinator):
    report = Report.objects.get(cycle__year=2021, department__code="CG-GAFJ")
    with pytest.raises(ValueError, match="尚未全部审定"):
        build_to_file(ExportKind.PUBLIC_VERSION, {"report": report.pk}, tmp_path / "p.zip")
    client.force_login(coordinator)
    response = client.post(reverse("reports:report_public", args=[report.pk]), {"published_on": "2022-06-30"})
    assert response.status_code == 400 and "尚未全部审定" in response.content.decode()
    assert not ReportPublication.objects.exists()


def test_the_coordinator_records_the_date_and_downloads_one_file(approved, media, client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("reports:report_public", args=[approved.pk]), {"published_on": "2022-06-30"})
    assert response.status_code == 302
    publication = ReportPublication.objects.get()
    assert str(publication.published_on) == "2022-06-30" and publication.recorded_by == coordinator
    job = ExportJob.objects.get(kind=ExportKind.PUBLIC_VERSION)
    export_job_run(job.pk)  # the task, queued on commit
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert len(archive.namelist()) == 2
    assert "2022-06-30 公开" in client.get(reverse("reports:report_public", args=[approved.pk])).content.decode()
