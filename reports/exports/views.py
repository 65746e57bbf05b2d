"""Requesting an export, watching its progress and downloading the file (all scope-checked)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from departments import permissions as perms
from departments.models import Department, DepartmentKind
from reports.annual import selectors as annual_selectors
from reports.models import ExportJob, ExportKind, JobStatus
from reports.params import int_param, safe_next

from . import selectors
from .services import export_job_cancel, export_job_request, export_job_retry

PAGE_SIZE = 30


def _departments_for(request: HttpRequest, kind: str) -> tuple[dict, list[Department]]:
    """The export's parameters and the departments it covers, from the posted form."""
    if kind in (ExportKind.REPORT_DOCX, ExportKind.SELF_EVALUATION, ExportKind.PUBLIC_VERSION):
        report = annual_selectors.report_for_view(request.user, int_param(request.POST.get("report"), label="报告"))
        return {"report": report.pk}, [report.department]
    year = int_param(request.POST.get("year"), label="年度")
    departments = list(perms.departments_in_scope(request.user).filter(kind=DepartmentKind.DEPARTMENT)
                       .order_by("order", "code"))
    if kind == ExportKind.RECTIFICATION_LEDGER and request.POST.get("department"):
        departments = [d for d in departments if str(d.pk) == request.POST["department"]]
    params = {"year": year, "department_ids": [d.pk for d in departments]}
    if kind == ExportKind.QUARTER_SUMMARY:
        params |= {"quarter": int_param(request.POST.get("quarter"), label="季度"),
                   "include_unapproved": request.POST.get("include_unapproved") == "1"}
        if not 1 <= params["quarter"] <= 4:
            raise ValueError("季度须为 1–4。")
    return params, departments


@login_required
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    if kind not in ExportKind.values:
        raise Http404
    try:
        params, departments = _departments_for(request, kind)
        job = export_job_request(kind=kind, params=params, departments=departments, actor=request.user)
    except (ValueError, PermissionDenied) as exc:
        messages.error(request, str(exc) or "无法导出。")
        return redirect(safe_next(request) or "reports:export_list")
    messages.success(request, f"已提交「{job.get_kind_display()}」的生成请求，完成后可在此下载。")
    return redirect("reports:export_detail", pk=job.pk)


def _job_for(request: HttpRequest, pk: int) -> ExportJob:
    return selectors.job_for_user(request.user, pk)


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return render(request, "reports/exports/export_detail.html",
                  {"job": job, "flags": selectors.job_flags(request.user, job)})


@login_required
@require_POST
def export_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(request, pk, export_job_cancel, "已取消该导出。")


@login_required
@require_POST
def export_retry(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(request, pk, export_job_retry, "已重新提交生成请求。")


def _job_action(request: HttpRequest, pk: int, service: Callable[..., ExportJob], done: str) -> HttpResponse:
    job = _job_for(request, pk)
    try:
        service(job=job, actor=request.user)
        messages.success(request, done)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("reports:export_detail", pk=job.pk)


@login_required
def export_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job_for(request, pk)
    return JsonResponse({"status": job.status, "label": job.get_status_display(), "progress": job.progress,
                         "error": job.error, "done": job.status == JobStatus.DONE,
                         "in_progress": selectors.job_flags(request.user, job)["in_progress"]})


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job_for(request, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    jobs = selectors.jobs_requested_by(request.user)
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/exports/export_list.html", {
        "page": page, "query": "", "can_district": perms.can_administer(request.user)
        or bool(perms.user_scope(request.user).paths(frozenset({"finance_reviewer"}))),
    })
