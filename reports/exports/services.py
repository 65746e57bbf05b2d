"""Export jobs: request (scope-checked), build (in a Celery task), download (scope-checked).

Building is idempotent: the file is written to a temporary name and renamed into place,
so a retried or duplicated task never leaves half a file behind.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from departments import permissions as perms
from departments.models import Department
from reports.models import ExportJob, ExportKind, JobStatus

from .base import Builder, BuildResult

BUILDERS: dict[str, str] = {
    ExportKind.QUARTER_SUMMARY: "reports.exports.quarter_summary.build",
    ExportKind.REPORT_DOCX: "reports.exports.report_docx.build",
    ExportKind.SELF_EVALUATION: "reports.exports.self_evaluation.build",
    ExportKind.DISTRICT_SCORES: "reports.exports.district_scores.build",
}


def builder_for(kind: str) -> Builder:
    module, _, name = BUILDERS[kind].rpartition(".")
    return getattr(importlib.import_module(module), name)


def can_download(user: AbstractBaseUser, departments: list[Department]) -> bool:
    """Only users whose scope covers every department in the file."""
    return all(perms.can_view_unit(user, d) for d in departments)


@transaction.atomic
def export_job_request(*, kind: str, params: dict[str, Any], departments: list[Department],
                       actor: AbstractBaseUser) -> ExportJob:
    """Queue an export; the task starts once the row is committed."""
    if not departments or not can_download(actor, departments):
        raise PermissionDenied("您的权限范围不包含该导出涉及的全部部门。")
    job = ExportJob.objects.create(kind=kind, params=params, requested_by=actor)
    job.departments.set(departments)
    transaction.on_commit(lambda: _queue(job.pk))
    return job


def _queue(job_id: int) -> None:
    """Send the build task (after the job row is committed)."""
    from reports.tasks import export_job_build

    export_job_build.delay(job_id)


def _set_progress(job_id: int, percent: int) -> None:
    ExportJob.objects.filter(pk=job_id).update(progress=max(0, min(99, percent)))


def export_job_run(job_id: int) -> ExportJob:
    """Build the file of one job (called by the task, or directly)."""
    job = ExportJob.objects.get(pk=job_id)
    if job.status == JobStatus.DONE:
        return job  # a duplicate delivery of the task: nothing to do
    ExportJob.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, started_at=timezone.now(), progress=0,
                                               attempts=job.attempts + 1, error="")
    target_dir = Path(settings.MEDIA_ROOT) / "exports" / str(job_id)
    target_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target_dir, suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        result = builder_for(job.kind)(job.params, tmp, lambda p: _set_progress(job_id, p))
        final = target_dir / _safe_name(result.filename)
        os.replace(tmp, final)
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(status=JobStatus.FAILED, error=str(exc)[:2000],
                                                   finished_at=timezone.now())
        raise
    return _finish(job_id, final, result)


def _safe_name(filename: str) -> str:
    return "".join(c for c in filename if c not in '/\\:*?"<>|\0') or "export.bin"


def _finish(job_id: int, final: Path, result: BuildResult) -> ExportJob:
    digest = hashlib.sha256(final.read_bytes()).hexdigest()
    ExportJob.objects.filter(pk=job_id).update(
        status=JobStatus.DONE, progress=100, finished_at=timezone.now(), filename=result.filename,
        file=str(final.relative_to(settings.MEDIA_ROOT)), revisions=result.revisions, content_hash=digest,
    )
    return ExportJob.objects.get(pk=job_id)


def build_to_file(kind: str, params: dict[str, Any], out: Path) -> BuildResult:
    """Run a builder synchronously (management commands use the same code as the task)."""
    from .base import no_progress

    return builder_for(kind)(params, out, no_progress)
