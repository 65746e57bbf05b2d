"""The annual exports read back: the .docx report, the 自评表 and the district table; jobs, views, command."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from departments.demo import demo_org_load
from departments.models import Department
from reports.annual import scoring
from reports.exports.base import no_progress
from reports.exports.services import build_to_file, export_job_request, export_job_run
from reports.models import ExportJob, ExportKind, JobStatus, Report, Section
from reports.review.demo import demo_report_load
from workflow.states import State

D = Decimal
HEADINGS = ["一、基本情况", "二、绩效评价工作情况", "三、主要绩效及评价结论", "四、存在的问题", "五、有关建议",
            "六、其他需要说明的问题"]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo's 2021 呈贡分局 report, loaded once, exported once; rolled back after the module."""
    out = tmp_path_factory.mktemp("annual")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_org_load()
            demo_report_load()
            report = Report.objects.get(cycle__year=2021, department__code="CG-GAFJ")
            docx = build_to_file(ExportKind.REPORT_DOCX, {"report": report.pk}, out / "report.docx")
            xlsx = build_to_file(ExportKind.SELF_EVALUATION, {"report": report.pk}, out / "self.xlsx")
            yield {"report": report.pk, "dir": out, "docx": docx, "xlsx": xlsx}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def report(built, db) -> Report:
    return Report.objects.select_related("template", "department").get(pk=built["report"])


@pytest.fixture(scope="module")
def document(built):
    return Document(str(built["dir"] / "report.docx"))


@pytest.fixture(scope="module")
def sheet(built):
    return load_workbook(built["dir"] / "self.xlsx")["自评表"]


def user(username: str):
    return get_user_model().objects.get(username=username)


def body_text(document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def table_with(document, text: str):
    return next(t for t in document.tables if any(text in c.text for row in t.rows for c in row.cells))


def row_with(table, text: str) -> list[str]:
    return next([c.text for c in row.cells] for row in table.rows if any(c.text == text for c in row.cells))


# --- the .docx ---------------------------------------------------------------------------------------

def test_docx_headings_are_in_outline_order_with_generated_numbers(document):
    level1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert level1 == HEADINGS
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == [("Heading 1", "一、基本情况"), ("Heading 2", "（一）部门整体支出概况"),
                            ("Heading 2", "（二）部门整体支出绩效目标")]
    assert ("Heading 3", "1.绩效目标") in headings and ("Heading 3", "5.“三公”经费支出情况") in headings
    assert ("Heading 4", "（3）始终保持严打高压态势") in headings
    assert ("Heading 5", "a.严打涉毒违法犯罪") in headings
    assert ("Heading 2", "（四）绩效指标完成情况及自评得分") in headings


def test_docx_title_body_and_list_items(document):
    title = document.paragraphs[0]
    assert title.style.name == "报告标题"
    assert title.text == "2021年度昆明市公安局呈贡分局整体支出绩效评价报告"
    text = body_text(document)
    for figure in ("37364.61", "269.35", "745.18", "5653.33"):
        assert figure in text
    assert "{" not in text  # every placeholder filled
    paragraphs = [p.text for p in document.paragraphs]
    assert "（1）依法预防、制止和侦查违法犯罪活动。" in paragraphs
    assert "（12）承办呈贡区委、区政府和上级公安机关交办的其他事项。" in paragraphs
    assert "（一）项目资金支出进度慢、绩效目标细化还不够细。" in paragraphs
    assert any(p.startswith("（二）提高预算资金使用率") for p in paragraphs)


def test_docx_tables_carry_the_figures(document):
    budget = table_with(document, "全年预算数（A）")
    assert row_with(budget, "全年预算数（A）") == ["全年预算数（A）", "37364.61", "全年执行数（B）", "37364.61"]
    assert row_with(budget, "到位率") == ["到位率", "100.00%", "执行率（B/A）", "100.00%"]
    three = table_with(document, "公务接待费")
    assert row_with(three, "合计")[3] == "269.35"
    assert row_with(three, "公务接待费")[3] == "0.15"
    indicators = table_with(document, "毒品刑事案件破获数")
    assert indicators.rows[0].cells[0].text == "一级指标"
    missed = row_with(indicators, "毒品刑事案件破获数")
    assert missed[:3] == ["产出", "数量", "毒品刑事案件破获数"] and missed[6:9] == ["56", "10", "9.33"]
    assert row_with(indicators, "产出指标小计")[7:9] == ["50", "49.33"]
    assert row_with(indicators, "绩效指标合计")[7:9] == ["90", "88.33"]


def test_docx_states_the_score_and_the_grade(document):
    summary = table_with(document, "评分项目")
    assert row_with(summary, "预算执行率")[:3] == ["预算执行率", "10", "10.00"]
    assert row_with(summary, "合计") == ["合计", "100", "98.33", "评价等级：优"]
    assert any("综合自评得分98.33分" in p.text and "评价等级为“优”" in p.text for p in document.paragraphs)


def test_docx_marks_the_unapproved_sections_and_the_draft(document, built):
    header = document.sections[0].header.paragraphs[0].text
    assert header == "未审定稿"
    marks = [p.text for p in document.paragraphs if p.style.name == "未审定标注"]
    sections = Section.objects.filter(report=built["report"])
    assert len(marks) == sections.exclude(state=State.APPROVED).count() and "〔未审定：已退回〕" in marks
    revisions = built["docx"].revisions
    assert len(revisions) == sections.count()
    assert {"title": "5.“三公”经费支出情况", "revision": 2, "state": "returned", "state_label": "已退回"}.items() \
        <= next(r for r in revisions if r["title"] == "5.“三公”经费支出情况").items()
    assert sum(r["state"] == State.APPROVED for r in revisions) == 14


def test_docx_page_fonts_and_page_numbers(document, built):
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4, stored in twips
    fonts = {name: document.styles[name].element.rPr.rFonts.get(qn("w:eastAsia"))
             for name in ("报告标题", "Heading 1", "Heading 2", "Normal")}
    assert fonts == {"报告标题": "方正小标宋简体", "Heading 1": "黑体", "Heading 2": "楷体", "Normal": "仿宋_GB2312"}
    indent = document.styles["Normal"].element.pPr.find(qn("w:ind"))
    assert indent.get(qn("w:firstLineChars")) == "200"
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and 'w:fldCharType="begin"' in footer
    with zipfile.ZipFile(built["dir"] / "report.docx") as package:
        font_table = package.read("word/fontTable.xml").decode()
    assert 'w:name="仿宋_GB2312"' in font_table and 'w:altName w:val="仿宋"' in font_table


def test_docx_of_a_final_report_has_no_draft_marks(report, tmp_path):
    Section.objects.filter(report=report).update(state=State.APPROVED)
    build_to_file(ExportKind.REPORT_DOCX, {"report": report.pk}, tmp_path / "final.docx")
    document = Document(str(tmp_path / "final.docx"))
    assert document.sections[0].header.paragraphs[0].text == ""
    assert not [p for p in document.paragraphs if p.style.name == "未审定标注"]
    assert "未审定" not in body_text(document)


def test_a_re_export_of_unchanged_data_is_byte_identical(report, built, tmp_path):
    for kind, name in ((ExportKind.REPORT_DOCX, "report.docx"), (ExportKind.SELF_EVALUATION, "self.xlsx")):
        build_to_file(kind, {"report": report.pk}, tmp_path / name)
        assert (tmp_path / name).read_bytes() == (built["dir"] / name).read_bytes()


def test_a_change_changes_the_export(report, built, tmp_path):
    scoring.score_adjust(report=report, row_name="服务对象满意度", score="8", reason="无满意度调查。",
                         actor=user("fin_reviewer"))
    build_to_file(ExportKind.REPORT_DOCX, {"report": report.pk}, tmp_path / "report.docx")
    document = Document(str(tmp_path / "report.docx"))
    assert row_with(table_with(document, "评分项目"), "合计")[2] == "97.33"
    assert any("经财政审核调整为8.00分" in p.text for p in document.paragraphs)
    assert document.core_properties.modified > Document(str(built["dir"] / "report.docx")).core_properties.modified


# --- the 自评表 -------------------------------------------------------------------------------------

def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def _find(sheet, label: str) -> int:
    return next(i for i, row in enumerate(sheet.iter_rows(values_only=True), start=1) if label in row)


def test_the_self_evaluation_form_has_the_header_and_the_funds_block(sheet):
    assert sheet["A1"].value == "部门整体支出绩效自评表" and sheet["A2"].value == "（2021年度）"
    assert (sheet["C3"].value, sheet["G3"].value) == ("昆明市公安局呈贡分局", 2021)
    total = _find(sheet, "年度资金总额")
    assert [sheet.cell(total, c).value for c in range(4, 10)] == pytest.approx([37364.61, 37364.61, 37364.61, 10, 1, 10])
    assert sheet.cell(total, 5).number_format == "#,##0.00"
    assert sheet.cell(total, 8).number_format == "0.00%"  # execution rate 100%
    assert sheet.cell(_find(sheet, "其中：当年财政拨款"), 5).value == pytest.approx(37364.61)
    assert sheet.cell(_find(sheet, "　　　上年结转资金"), 5).value == 0


def test_the_self_evaluation_form_adds_up(sheet):
    header = _find(sheet, "偏差原因分析及改进措施")
    assert [c.value for c in sheet[header]] == ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位",
                                               "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    groups, rows = {}, []
    for r in range(header + 1, sheet.max_row + 1):
        label = sheet.cell(r, 1).value or ""
        if label.endswith("指标小计"):
            groups[label.removesuffix("指标小计")] = (sheet.cell(r, 8).value, sheet.cell(r, 9).value)
            assert groups[label.removesuffix("指标小计")] == pytest.approx(
                (sum(w for w, _ in rows), sum(s for _, s in rows)))
            rows = []
        elif label == "绩效指标合计":
            break
        else:
            rows.append((sheet.cell(r, 8).value, sheet.cell(r, 9).value))
            assert sheet.cell(r, 9).number_format == "0.00"
    assert groups == {"产出": pytest.approx((50, 49.33)), "效益": pytest.approx((30, 30)), "满意度": pytest.approx((10, 9))}

    def value(label: str, column: int):
        return sheet.cell(_find(sheet, label), column).value

    assert value("绩效指标合计", 9) == pytest.approx(sum(s for _, s in groups.values())) == 88.33
    assert value("总分", 9) == pytest.approx(value("绩效指标合计", 9) + value("预算执行率得分", 9)) == 98.33
    assert value("总分", 8) == 100
    assert value("评价等级", 8) == "优"


def test_the_self_evaluation_form_prints_on_a4_landscape(sheet):
    setup = sheet.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 1)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    header = _find(sheet, "偏差原因分析及改进措施")
    assert sheet.print_title_rows == f"${header}:${header}"
    assert sheet.column_dimensions["J"].width >= 40 and sheet["C3"].border.left.style == "thin"


def test_the_self_evaluation_result_names_the_revisions_used(built):
    assert [(r["title"], r["revision"]) for r in built["xlsx"].revisions] == [
        ("部门整体支出概况", 1), ("绩效指标完成情况及自评得分", 1)]
    assert built["xlsx"].filename == "2021年度昆明市公安局呈贡分局部门整体支出绩效自评表.xlsx"


# --- the district table -----------------------------------------------------------------------------

def test_the_district_table_shows_each_departments_score_and_grade(report, tmp_path):
    departments = list(Department.objects.filter(kind="department").order_by("order", "code"))
    params = {"year": 2021, "department_ids": [d.pk for d in departments]}
    result = build_to_file(ExportKind.DISTRICT_SCORES, params, tmp_path / "district.xlsx")
    sheet = load_workbook(tmp_path / "district.xlsx").active
    header = [c.value for c in sheet[4]]
    assert header == ["序号", "部门", "预算执行率", "执行得分", "产出", "效益", "满意度", "总分", "等级", "报告状态", "结果应用"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=5, max_row=4 + len(departments), values_only=True)}
    police = rows["昆明市公安局呈贡分局"]
    assert police[2:8] == pytest.approx((1, 10, 49.33, 30, 9, 98.33)) and police[8] == "优"
    assert police[9] == "14/37 已审定"
    assert rows["呈贡区教育体育局（演示）"][7:9] == (0, "差")  # launched, nothing filled in yet
    assert sheet.cell(5, 3).number_format == "0.00%" and sheet.freeze_panes == "C5"
    assert report.department_id in result.department_ids
    build_to_file(ExportKind.DISTRICT_SCORES, params, tmp_path / "again.xlsx")
    assert (tmp_path / "again.xlsx").read_bytes() == (tmp_path / "district.xlsx").read_bytes()


# --- jobs, the request view with scope, the command ------------------------------------------------

@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_export_jobs_build_through_the_runner_and_repeat_the_same_content(report, media):
    jobs = [export_job_request(kind=kind, params={"report": report.pk}, departments=[report.department],
                               actor=user("coord_jwbz"))
            for kind in (ExportKind.REPORT_DOCX, ExportKind.REPORT_DOCX, ExportKind.SELF_EVALUATION)]
    done = [export_job_run(job.pk) for job in jobs]
    assert [j.status for j in done] == [JobStatus.DONE] * 3
    assert done[0].content_hash == done[1].content_hash != done[2].content_hash
    assert done[0].filename == "2021年度昆明市公安局呈贡分局整体支出绩效评价报告.docx"
    assert Path(done[0].file.path).is_file() and len(done[0].revisions) == Section.objects.filter(report=report).count()


def test_the_report_page_buttons_request_an_export_within_scope(client, report, media):
    client.force_login(user("fin_reviewer"))
    response = client.post(reverse("reports:export_request"), {"kind": "report_docx", "report": report.pk})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:export_detail", args=[job.pk])
    assert job.params == {"report": report.pk}
    export_job_run(job.pk)
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    client.force_login(user("other_clerk"))
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404
    for kind in ("report_docx", "self_evaluation"):
        assert client.post(reverse("reports:export_request"), {"kind": kind, "report": report.pk}).status_code == 404
    assert ExportJob.objects.count() == 1


def test_the_command_exports_with_the_same_builders(report, built, tmp_path):
    call_command("export_report", "--department", "CG-GAFJ", "--year", "2021", "--format", "docx",
                 "--out", str(tmp_path / "r.docx"), stdout=open(tmp_path / "log", "w"))
    assert (tmp_path / "r.docx").read_bytes() == (built["dir"] / "report.docx").read_bytes()
    assert "23 个未审定" in (tmp_path / "log").read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["--department", "NOPE"], "找不到编码为「NOPE」的部门"),
    (["--year", "2019"], "没有 2019 年度的绩效评价报告。已有年度：2020、2021"),
    (["--format", "pdf"], "不支持的格式「pdf」"),
])
def test_the_command_refuses_unknown_department_year_or_format(report, tmp_path, args, message):
    options = {"--department": "CG-GAFJ", "--year": "2021", "--format": "xlsx"}
    options |= dict(zip(args[::2], args[1::2], strict=True))
    flat = [x for pair in options.items() for x in pair] + ["--out", str(tmp_path / "x")]
    with pytest.raises(CommandError, match=message):
        call_command("export_report", *flat)


def test_builders_refuse_a_missing_report(db, tmp_path):
    from reports.exports import report_docx

    with pytest.raises(ValueError, match="不存在"):
        report_docx.build({"report": 999999}, tmp_path / "x.docx", no_progress)
