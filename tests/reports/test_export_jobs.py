"""Export jobs: requested within scope, built into place (temp file renamed), failures recorded,
downloads scope-checked, the quarter summary scheduled once per quarter."""

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from departments.models import Department
from reports.exports import services as jobs
from reports.exports.base import BuildResult
from reports.exports.scheduled import previous_quarter, quarter_summary_request_for
from reports.models import ExportJob, JobStatus, QuarterlyReport

pytestmark = pytest.mark.django_db


def fake_build(params, out: Path, progress) -> BuildResult:
    progress(50)
    out.write_bytes(b"content:" + str(params.get("year")).encode())
    return BuildResult("测试导出.xlsx", [{"title": "x", "revision": 1, "state_label": "已审定"}])


def broken_build(params, out: Path, progress) -> BuildResult:
    out.write_bytes(b"half")
    raise ValueError("数据不完整")


@pytest.fixture
def fake_builder(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(jobs, "builder_for", lambda kind: fake_build)


def test_a_job_is_built_in_place_and_downloadable_in_scope(client, demo, finance_admin, fake_builder,
                                                           django_capture_on_commit_callbacks, tmp_path):
    police = Department.objects.get(code="CG-GAFJ")
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.export_job_request(kind="district_scores", params={"year": 2021}, departments=[police],
                                      actor=finance_admin)
    job.refresh_from_db()
    assert (job.status, job.progress, job.filename) == (JobStatus.DONE, 100, "测试导出.xlsx")
    assert len(job.content_hash) == 64 and job.revisions[0]["state_label"] == "已审定"
    assert not list(Path(tmp_path).rglob("*.part"))
    client.force_login(finance_admin)
    response = client.get(reverse("reports:export_download", args=[job.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"content:2021"
    assert client.get(reverse("reports:export_status", args=[job.pk])).json()["done"] is True


def test_download_needs_scope_over_every_department(client, demo, finance_admin, outsider, finance_reviewer,
                                                    fake_builder):
    both = list(Department.objects.filter(code__in=["CG-GAFJ", "CG-JTJ"]))
    job = jobs.export_job_request(kind="district_scores", params={}, departments=both, actor=finance_admin)
    jobs.export_job_run(job.pk)
    for user in (outsider, finance_reviewer):  # the reviewer covers only the police bureau
        client.force_login(user)
        assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404
        assert client.get(reverse("reports:export_detail", args=[job.pk])).status_code == 404


def test_requesting_outside_scope_is_refused(demo, finance_reviewer):
    with pytest.raises(PermissionDenied):
        jobs.export_job_request(kind="district_scores", params={},
                                departments=[Department.objects.get(code="CG-JTJ")], actor=finance_reviewer)


def test_a_failed_build_is_recorded_and_leaves_no_file(demo, finance_admin, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(jobs, "builder_for", lambda kind: broken_build)
    job = jobs.export_job_request(kind="district_scores", params={},
                                  departments=[Department.objects.get(code="CG-GAFJ")], actor=finance_admin)
    with pytest.raises(ValueError):
        jobs.export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "数据不完整" in job.error
    assert not [p for p in Path(tmp_path).rglob("*") if p.is_file()]


def test_a_duplicate_task_delivery_does_nothing(demo, finance_admin, fake_builder):
    job = jobs.export_job_request(kind="district_scores", params={},
                                  departments=[Department.objects.get(code="CG-GAFJ")], actor=finance_admin)
    first = jobs.export_job_run(job.pk)
    again = jobs.export_job_run(job.pk)
    assert again.finished_at == first.finished_at and again.attempts == 1


def test_previous_quarter():
    assert previous_quarter(date(2022, 1, 1)) == (2021, 4)
    assert previous_quarter(date(2021, 7, 1)) == (2021, 2)
    assert previous_quarter(date(2021, 12, 31)) == (2021, 3)


def test_beat_requests_the_quarter_summary_once(demo, fake_builder):
    police = Department.objects.get(code="CG-GAFJ")
    QuarterlyReport.objects.create(department=police, unit=police, year=2021, quarter=4, is_main=True,
                                   due_on=date(2022, 1, 15))
    job = quarter_summary_request_for(date(2022, 1, 1))
    assert job.params["year"] == 2021 and job.params["quarter"] == 4 and job.requested_by is None
    assert quarter_summary_request_for(date(2022, 1, 1)).pk == job.pk
    assert ExportJob.objects.count() == 1
    assert quarter_summary_request_for(date(2021, 4, 1)) is None  # no Q1 reports


def test_the_file_names_who_requested_it(demo, finance_admin, fake_builder):
    from reports.exports.quarter_summary import Params

    police = Department.objects.get(code="CG-GAFJ")
    job = jobs.export_job_request(kind="quarter_summary", params={"year": 2021, "quarter": 4},
                                  departments=[police], actor=finance_admin)
    assert Params.parse(jobs._build_params(job)).requested_by == "刘洋"  # 说明's 生成人, not （未记录）
    QuarterlyReport.objects.create(department=police, unit=police, year=2021, quarter=4, is_main=True,
                                   due_on=date(2022, 1, 15))
    scheduled = quarter_summary_request_for(date(2022, 1, 1))
    assert Params.parse(scheduled.params).requested_by.startswith("系统")
