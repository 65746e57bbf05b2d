"""End to end on the real services: a quarter summary built by a Celery worker on Redis, then downloaded."""

import io
import time

import openpyxl
import pytest
from django.urls import reverse

from reports.models import ExportJob, JobStatus
from reports.quarterly.demo import demo_quarters_load
from reports.review.demo import demo_report_load

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_the_worker_builds_the_quarter_summary_and_the_admin_downloads_it(celery_worker, client, demo,
                                                                          finance_admin, monkeypatch):
    demo_report_load()
    demo_quarters_load()

    def not_here(*args, **kwargs):
        raise AssertionError("the export ran in the test process instead of the worker")

    monkeypatch.setattr("reports.exports.services.export_job_run", not_here)
    client.force_login(finance_admin)
    response = client.post(reverse("reports:export_request"),
                           {"kind": "quarter_summary", "year": "2021", "quarter": "2", "include_unapproved": ""})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:export_detail", args=[job.pk])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            break
        time.sleep(0.3)
    assert job.status == JobStatus.DONE, job.error
    assert client.get(reverse("reports:export_status", args=[job.pk])).json()["progress"] == 100
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert {"汇总", "指标进度", "三公经费", "预警", "说明"} <= set(workbook.sheetnames)
    assert any("昆明市公安局呈贡分局" in str(c.value) for row in workbook["汇总"].iter_rows() for c in row)
