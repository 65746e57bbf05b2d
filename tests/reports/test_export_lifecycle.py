"""Stuck jobs end: the sweeper fails jobs past the time limit, 取消 and 重新生成 (audited), stray
``.part`` files removed, a job given up after repeated crashes, ExportJob in the admin."""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from departments.models import AuditEntry, Department
from reports.exports import services as jobs
from reports.exports.base import BuildResult
from reports.models import ExportJob, JobStatus
from reports.tasks import export_jobs_sweep

pytestmark = pytest.mark.django_db


def fake_build(params, out: Path, progress) -> BuildResult:
    progress(50)
    out.write_bytes(b"ok")
    return BuildResult("测试.xlsx", [])


@pytest.fixture
def media(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(jobs, "builder_for", lambda kind: fake_build)
    return tmp_path


@pytest.fixture
def job(demo, finance_admin, media):
    return jobs.export_job_request(kind="district_scores", params={"year": 2021},
                                   departments=[Department.objects.get(code="CG-GAFJ")], actor=finance_admin)


def _running_since(job: ExportJob, seconds: int) -> None:
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=22, attempts=1,
                                               started_at=timezone.now() - timedelta(seconds=seconds))


def test_the_sweeper_fails_a_job_running_past_the_time_limit(job, settings):
    _running_since(job, settings.CELERY_TASK_TIME_LIMIT + 120)
    assert export_jobs_sweep.delay().get() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "重新生成" in job.error and job.finished_at


def test_the_sweeper_leaves_a_job_within_its_time_limit(job):
    _running_since(job, 30)
    assert jobs.export_jobs_sweep() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def test_the_sweeper_asks_again_for_a_queued_job_whose_message_the_broker_lost(job, settings):
    from workflow.models import OutboxMessage

    def messages(sent: bool):
        return [m for m in OutboxMessage.objects.filter(task=jobs.BUILD_TASK, sent_at__isnull=not sent)
                if m.args == [job.pk]]

    [message] = messages(sent=False)
    assert jobs.export_jobs_requeue_lost() == []  # its message is still waiting to be sent
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now() - timedelta(seconds=30))
    assert jobs.export_jobs_requeue_lost() == []  # sent a moment ago: a worker may still take it
    window = settings.CELERY_VISIBILITY_TIMEOUT + settings.CELERY_TASK_TIME_LIMIT
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now() - timedelta(seconds=window + 60))
    export_jobs_sweep.delay().get()
    assert len(messages(sent=False)) == 1  # asked again, through the outbox
    assert jobs.export_jobs_requeue_lost() == []  # and only once
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_the_sweeper_removes_old_part_files_only(job, media, settings):
    directory = media / "exports" / str(job.pk)
    directory.mkdir(parents=True)
    old, fresh = directory / "a.part", directory / "b.part"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    past = time.time() - settings.CELERY_TASK_TIME_LIMIT - 3600
    os.utime(old, (past, past))
    jobs.export_jobs_sweep()
    assert not old.exists() and fresh.exists()


def test_a_rebuild_removes_the_part_file_of_a_killed_attempt(job, media):
    directory = media / "exports" / str(job.pk)
    directory.mkdir(parents=True)
    (directory / "tmpkilled.part").write_bytes(b"half")
    _running_since(job, 5)  # the killed attempt; the task is redelivered
    assert jobs.export_job_run(job.pk).status == JobStatus.DONE
    assert not list(media.rglob("*.part"))


def test_a_job_whose_worker_keeps_dying_is_given_up(job):
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=jobs.MAX_ATTEMPTS)
    assert jobs.export_job_run(job.pk).status == JobStatus.FAILED
    job.refresh_from_db()
    assert "重新生成" in job.error


def _audits(job: ExportJob, action: str) -> int:
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(job), object_id=job.pk,
                                     action=action).count()


def test_cancel_on_the_job_page_stops_the_job_and_is_audited(client, job, finance_admin):
    client.force_login(finance_admin)
    page = client.get(reverse("reports:export_detail", args=[job.pk])).content.decode()
    assert "取消" in page and "重新生成" not in page
    response = client.post(reverse("reports:export_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert response.status_code == 302 and job.status == JobStatus.CANCELLED and _audits(job, "export_cancel") == 1
    assert jobs.export_job_run(job.pk).status == JobStatus.CANCELLED  # a late delivery builds nothing


def test_a_build_cancelled_midway_keeps_no_file(job, media, monkeypatch):
    def cancelled_midway(params, out, progress) -> BuildResult:
        ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.CANCELLED)
        progress(50)
        raise AssertionError("the build went on after the cancel")

    monkeypatch.setattr(jobs, "builder_for", lambda kind: cancelled_midway)
    assert jobs.export_job_run(job.pk).status == JobStatus.CANCELLED
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_retry_on_the_job_page_rebuilds_a_failed_job_and_is_audited(client, job, finance_admin,
                                                                    django_capture_on_commit_callbacks):
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="生成中断", attempts=1)
    client.force_login(finance_admin)
    page = client.get(reverse("reports:export_detail", args=[job.pk])).content.decode()
    assert "重新生成" in page and ">取消<" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:export_retry", args=[job.pk]))
    job.refresh_from_db()
    assert response.status_code == 302 and job.status == JobStatus.DONE and job.error == ""
    assert _audits(job, "export_retry") == 1


def test_a_done_job_can_be_neither_cancelled_nor_retried(client, job, finance_admin):
    jobs.export_job_run(job.pk)
    client.force_login(finance_admin)
    client.post(reverse("reports:export_cancel", args=[job.pk]))
    client.post(reverse("reports:export_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and _audits(job, "export_cancel") + _audits(job, "export_retry") == 0


def test_only_the_requester_or_an_admin_manages_a_job(client, job, finance_reviewer):
    client.force_login(finance_reviewer)  # sees the police bureau's file, did not request it
    assert client.post(reverse("reports:export_cancel", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_export_jobs_are_in_the_admin(admin_client, job):
    assert admin_client.get(reverse("admin:reports_exportjob_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:reports_exportjob_change", args=[job.pk])).status_code == 200
    assert admin_client.get(reverse("admin:workflow_outboxmessage_changelist")).status_code == 200


def test_an_attempt_taken_over_by_a_newer_one_ends_quietly(job, monkeypatch):
    def taken_over(params, out, progress) -> BuildResult:
        ExportJob.objects.filter(pk=job.pk).update(attempts=5)  # a redelivered copy claimed the job
        raise FileNotFoundError("its .part file was removed by the newer attempt")

    monkeypatch.setattr(jobs, "builder_for", lambda kind: taken_over)
    assert jobs.export_job_run(job.pk).attempts == 5  # no exception: the task is not retried
