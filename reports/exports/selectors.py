"""Reads of export jobs: a job is visible only to users whose scope covers every department in it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from reports.models import ExportJob, JobStatus, Report

from .services import CANCELLABLE, RETRYABLE, can_download, can_manage


def job_for_user(user: AbstractBaseUser, pk: int) -> ExportJob:
    """One job, or a 404 when its file covers a department outside the user's scope."""
    job = get_object_or_404(ExportJob.objects.prefetch_related("departments"), pk=pk)
    if not can_download(user, list(job.departments.all())):
        raise Http404
    return job


def jobs_requested_by(user: AbstractBaseUser) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(requested_by=user)


def job_flags(user: AbstractBaseUser, job: ExportJob) -> dict[str, bool]:
    """What the job page offers: download, 取消, 重新生成, and whether it still changes (polling)."""
    manage = can_manage(user, job)
    return {"downloadable": job.status == JobStatus.DONE and bool(job.file),
            "can_cancel": manage and job.status in CANCELLABLE,
            "can_retry": manage and job.status in RETRYABLE,
            "in_progress": job.status in CANCELLABLE}


def report_load(params: dict[str, Any]) -> Report:
    """The report an annual export is built from (``params["report"]``)."""
    report = Report.objects.select_related("template", "department").filter(pk=params.get("report")).first()
    if report is None:
        raise ValueError(f"报告 {params.get('report')} 不存在。")
    return report
