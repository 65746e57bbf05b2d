"""Reads of export jobs: a job is visible only to users whose scope covers every department in it."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from reports.models import ExportJob

from .services import can_download


def job_for_user(user: AbstractBaseUser, pk: int) -> ExportJob:
    """One job, or a 404 when its file covers a department outside the user's scope."""
    job = get_object_or_404(ExportJob.objects.prefetch_related("departments"), pk=pk)
    if not can_download(user, list(job.departments.all())):
        raise Http404
    return job


def jobs_requested_by(user: AbstractBaseUser) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(requested_by=user)
