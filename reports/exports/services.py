"""Export jobs: request (scope-checked), build (in a Celery task), download (scope-checked).

Building is idempotent: the file is written to a temporary name and renamed into place,
so a retried or duplicated task never leaves half a file behind.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from departments import permissions as perms
from departments.models import Department
from reports.models import ExportJob, ExportKind, JobStatus
from workflow.models import OutboxMessage
from workflow.outbox import outbox_enqueue

from .base import Builder, BuildResult

BUILDERS: dict[str, str] = {
    ExportKind.QUARTER_SUMMARY: "reports.exports.quarter_summary.build",
    ExportKind.REPORT_DOCX: "reports.exports.report_docx.build",
    ExportKind.SELF_EVALUATION: "reports.exports.self_evaluation.build",
    ExportKind.DISTRICT_SCORES: "reports.exports.district_scores.build",
    ExportKind.RECTIFICATION_LEDGER: "reports.exports.rectification_ledger.build",
    ExportKind.PUBLIC_VERSION: "reports.exports.public_version.build",
}


MAX_ATTEMPTS = 4  # the task retries three times; a job whose worker keeps dying is given up
FINAL_STATES = frozenset({JobStatus.DONE, JobStatus.CANCELLED})
CANCELLABLE = (JobStatus.QUEUED, JobStatus.RUNNING)
RETRYABLE = (JobStatus.FAILED, JobStatus.CANCELLED)
SWEEP_GRACE_SECONDS = 60


def builder_for(kind: str) -> Builder:
    module, _, name = BUILDERS[kind].rpartition(".")
    return getattr(importlib.import_module(module), name)


def can_download(user: AbstractBaseUser, departments: list[Department]) -> bool:
    """Only users whose scope covers every department in the file."""
    return all(perms.can_view_unit(user, d) for d in departments)


@transaction.atomic
def export_job_request(*, kind: str, params: dict[str, Any], departments: list[Department],
                       actor: AbstractBaseUser) -> ExportJob:
    """Queue an export: the job and its outbox message are written together, sent after the commit."""
    if not departments or not can_download(actor, departments):
        raise PermissionDenied("您的权限范围不包含该导出涉及的全部部门。")
    job = ExportJob.objects.create(kind=kind, params=params, requested_by=actor)
    job.departments.set(departments)
    export_job_queue(job.pk)
    return job


BUILD_TASK = "reports.tasks.export_job_build"


def export_job_queue(job_id: int) -> None:
    """Ask for the build (call inside the transaction that makes the job buildable)."""
    outbox_enqueue(BUILD_TASK, job_id)


class JobCancelled(Exception):
    """The job was cancelled (or taken over) while this attempt built it."""


def _set_progress(job_id: int, attempt: int, percent: int) -> None:
    updated = ExportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING, attempts=attempt).update(
        progress=max(0, min(99, percent)))
    if not updated:
        raise JobCancelled


def _start(job_id: int) -> tuple[ExportJob, int] | None:
    """Claim a job for one attempt; None if there is nothing to build (done, cancelled, given up)."""
    job = ExportJob.objects.get(pk=job_id)
    if job.status in FINAL_STATES:
        return None  # a duplicate or late delivery of the task: nothing to do
    if job.attempts >= MAX_ATTEMPTS:
        _fail(job_id, job.attempts, f"已尝试 {job.attempts} 次仍未完成（生成过程多次中断），请点击“重新生成”。")
        return None
    attempt = job.attempts + 1
    claimed = ExportJob.objects.filter(pk=job_id, attempts=job.attempts, status=job.status).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), finished_at=None, progress=0, attempts=attempt,
        error="")
    return (job, attempt) if claimed else None


def _fail(job_id: int, attempt: int, message: str) -> bool:
    """Mark this attempt failed; False if the job was cancelled, finished or taken over meanwhile."""
    return bool(ExportJob.objects.filter(pk=job_id, attempts=attempt).exclude(status__in=FINAL_STATES).update(
        status=JobStatus.FAILED, error=message[:2000], finished_at=timezone.now()))


def export_job_run(job_id: int) -> ExportJob:
    """Build the file of one job (called by the task, or directly)."""
    started = _start(job_id)
    if started is None:
        return ExportJob.objects.get(pk=job_id)
    job, attempt = started
    target_dir = _job_dir(job_id)
    parts_remove(target_dir)  # left by an attempt whose worker was killed
    fd, tmp_name = tempfile.mkstemp(dir=target_dir, suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        result = builder_for(job.kind)(_build_params(job), tmp, lambda p: _set_progress(job_id, attempt, p))
        final = target_dir / _safe_name(result.filename)
        os.replace(tmp, final)
    except JobCancelled:
        tmp.unlink(missing_ok=True)
        return ExportJob.objects.get(pk=job_id)
    except SoftTimeLimitExceeded:
        tmp.unlink(missing_ok=True)
        _fail(job_id, attempt, f"生成超时（超过 {settings.CELERY_TASK_SOFT_TIME_LIMIT} 秒），请缩小范围或点击“重新生成”。")
        raise
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        if not _fail(job_id, attempt, str(exc) or type(exc).__name__):
            return ExportJob.objects.get(pk=job_id)  # superseded: its error is not worth a retry
        raise
    return _finish(job_id, attempt, final, result)


def _job_dir(job_id: int) -> Path:
    target_dir = Path(settings.MEDIA_ROOT) / "exports" / str(job_id)
    target_dir.mkdir(parents=True, exist_ok=True)
    return target_dir


def parts_remove(directory: Path, older_than: float | None = None) -> int:
    """Delete temporary ``.part`` files (of killed attempts); only those older than ``older_than`` s."""
    removed = 0
    cutoff = time.time() - older_than if older_than is not None else None
    for part in directory.rglob("*.part"):
        try:
            if cutoff is None or part.stat().st_mtime < cutoff:
                part.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def _build_params(job: ExportJob) -> dict[str, Any]:
    """The job's parameters, and who asked for it (the builders name the requester in the file's 说明)."""
    if job.requested_by_id and "requested_by_id" not in job.params:
        return job.params | {"requested_by_id": job.requested_by_id}
    return job.params


def _safe_name(filename: str) -> str:
    return "".join(c for c in filename if c not in '/\\:*?"<>|\0') or "export.bin"


def _finish(job_id: int, attempt: int, final: Path, result: BuildResult) -> ExportJob:
    digest = hashlib.sha256(final.read_bytes()).hexdigest()
    updated = ExportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING, attempts=attempt).update(
        status=JobStatus.DONE, progress=100, finished_at=timezone.now(), filename=result.filename,
        file=str(final.relative_to(settings.MEDIA_ROOT)), revisions=result.revisions, content_hash=digest,
    )
    job = ExportJob.objects.get(pk=job_id)
    if not updated and job.file.name != str(final.relative_to(settings.MEDIA_ROOT)):
        final.unlink(missing_ok=True)  # cancelled meanwhile: keep no file nobody can download
    return job


def can_manage(user: AbstractBaseUser, job: ExportJob) -> bool:
    """The requester, or a finance admin (scheduled jobs have no requester)."""
    return job.requested_by_id == user.pk or perms.can_administer(user)


def _audit(job: ExportJob, actor: AbstractBaseUser, action: str, summary: str) -> None:
    from departments.services import audit_record

    audit_record(actor=actor, action=action, target=job, summary=summary,
                 changes={"status": job.status, "attempts": job.attempts})


@transaction.atomic
def export_job_cancel(*, job: ExportJob, actor: AbstractBaseUser) -> ExportJob:
    """取消: a queued or running job stops (a running build notices at its next progress step)."""
    if not can_manage(actor, job):
        raise PermissionDenied("只有申请人或财政局管理员可以取消该导出。")
    name = actor.get_full_name() or actor.get_username()
    updated = ExportJob.objects.filter(pk=job.pk, status__in=CANCELLABLE).update(
        status=JobStatus.CANCELLED, error=f"已由{name}于 {timezone.localtime():%Y-%m-%d %H:%M} 取消。",
        finished_at=timezone.now())
    job.refresh_from_db()
    if not updated:
        raise ValidationError(f"该导出{job.get_status_display()}，不能取消。")
    _audit(job, actor, "export_cancel", f"取消导出「{job}」")
    return job


@transaction.atomic
def export_job_retry(*, job: ExportJob, actor: AbstractBaseUser) -> ExportJob:
    """重新生成: a failed or cancelled job is queued again from the start."""
    if not can_manage(actor, job):
        raise PermissionDenied("只有申请人或财政局管理员可以重新生成该导出。")
    updated = ExportJob.objects.filter(pk=job.pk, status__in=RETRYABLE).update(
        status=JobStatus.QUEUED, progress=0, attempts=0, error="", started_at=None, finished_at=None)
    job.refresh_from_db()
    if not updated:
        raise ValidationError(f"该导出{job.get_status_display()}，不能重新生成。")
    export_job_queue(job.pk)
    _audit(job, actor, "export_retry", f"重新生成导出「{job}」")
    return job


def export_jobs_sweep() -> int:
    """Beat: a job running past the task's hard time limit has lost its worker — mark it failed;
    remove ``.part`` files older than that limit. Returns the number of jobs failed."""
    limit = settings.CELERY_TASK_TIME_LIMIT + SWEEP_GRACE_SECONDS
    cutoff = timezone.now() - timedelta(seconds=limit)
    failed = ExportJob.objects.filter(status=JobStatus.RUNNING, started_at__lt=cutoff).update(
        status=JobStatus.FAILED, finished_at=timezone.now(),
        error=f"生成中断：超过 {limit // 60} 分钟未完成（处理进程可能已退出），请点击“重新生成”。")
    exports_dir = Path(settings.MEDIA_ROOT) / "exports"
    if exports_dir.is_dir():
        parts_remove(exports_dir, older_than=limit)
    export_jobs_requeue_lost()
    return failed


def export_jobs_requeue_lost() -> list[int]:
    """A job still 排队中 whose build message the broker took longer ago than a delivery can take
    (visibility timeout plus the task's time limit) and that no worker started was lost by the broker
    (e.g. Redis restarted without its data): ask for the build again. The build is idempotent."""
    window = timedelta(seconds=settings.CELERY_VISIBILITY_TIMEOUT + settings.CELERY_TASK_TIME_LIMIT)
    queued = set(ExportJob.objects.filter(status=JobStatus.QUEUED, started_at__isnull=True).values_list("pk", flat=True))
    if not queued:
        return []
    last_sent: dict[int, Any] = {}
    pending: set[int] = set()
    for args, sent_at in OutboxMessage.objects.filter(task=BUILD_TASK).values_list("args", "sent_at"):
        job_id = args[0] if args else None
        if job_id in queued and sent_at is None:
            pending.add(job_id)
        elif job_id in queued:
            last_sent[job_id] = max(sent_at, last_sent.get(job_id, sent_at))
    lost = sorted(j for j, sent in last_sent.items() if j not in pending and sent < timezone.now() - window)
    for job_id in lost:
        with transaction.atomic():
            export_job_queue(job_id)
    return lost


def build_to_file(kind: str, params: dict[str, Any], out: Path) -> BuildResult:
    """Run a builder synchronously (management commands use the same code as the task)."""
    from .base import no_progress

    return builder_for(kind)(params, out, no_progress)
