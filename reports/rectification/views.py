"""Pages of the 整改台账 (district and department), an item with its workflow, raising from a report,
评价结果应用 and the 公开版 request. Thin: a scoped selector, a form, one service."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from departments import permissions as perms
from departments.models import Department
from reports.annual import selectors as annual_selectors
from reports.annual.prior import prior_rows
from reports.exports.services import export_job_request
from reports.models import ExportKind, RectificationEvidence
from reports.params import int_param, safe_next
from reports.review.views import take_action
from workflow import selectors as history
from workflow.guards import actions_for
from workflow.services import ContentConflict, ContentLocked
from workflow.transitions import TRANSITIONS

from . import selectors, services
from .candidates import report_candidates
from .filters import LedgerFilter
from .forms import ApplicationForm, DiscardForm, EvidenceForm, FindingForm, ItemForm, PublishForm, RaiseForm

PAGE_SIZE = 30
MIN_YEAR, MAX_YEAR = 2000, 2100


def _error_text(exc: ValidationError) -> str:
    return "；".join(m for messages_ in exc.message_dict.values() for m in messages_) if hasattr(
        exc, "error_dict") else "；".join(exc.messages)


def _year(request: HttpRequest, items: QuerySet) -> int:
    """The evaluation year the page is about: the filter's, else the latest year with items, else last year."""
    year = int_param(request.GET.get("year"), label="年度", required=False)
    if year and MIN_YEAR <= year <= MAX_YEAR:
        return year
    return selectors.latest_year(items) or timezone.localdate().year - 1


def _ledger(request: HttpRequest, items: QuerySet, departments: list[Department], extra: dict) -> HttpResponse:
    ledger = LedgerFilter(request.GET, queryset=items, departments=[(d.pk, d.name) for d in departments],
                          units=selectors.units_of(departments))
    if not ledger.is_valid():
        return HttpResponse("筛选条件无效：" + "；".join(f"{k}：{'，'.join(v)}" for k, v in ledger.errors.items()),
                            status=400)
    page = Paginator(ledger.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reports/rectification/ledger.html", {
        "filter": ledger, "page": page, "items": selectors.mark_items(request.user, list(page)),
        "query": query.urlencode(), "counts": selectors.state_counts(ledger.qs),
        "year": _year(request, items), **extra,
    })


@login_required
def ledger_district(request: HttpRequest) -> HttpResponse:
    departments = list(selectors.departments_visible(request.user))
    return _ledger(request, selectors.items_visible(request.user), departments, {"department": None})


@login_required
def ledger_department(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(selectors.departments_visible(request.user), pk=pk)
    units = annual_selectors.department_units(department)
    can_direct = services.can_raise_directly(request.user, department)
    items = selectors.items_visible(request.user).filter(department=department)
    year = _year(request, items)
    return _ledger(request, items, [department], {
        "department": department, "can_direct": can_direct,
        "application": selectors.application_summary(selectors.application_of(department, year)),
        "raise_form": RaiseForm(units=units, initial={"year": timezone.localdate().year - 1}) if can_direct else None,
    })


@login_required
@require_POST
def item_raise_directly(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(selectors.departments_visible(request.user), pk=pk)
    form = RaiseForm(request.POST, units=annual_selectors.department_units(department))
    if not form.is_valid():
        messages.error(request, "未提出：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("reports:rectification_department", pk=pk)
    try:
        item = services.item_raise_directly(department=department, actor=request.user, **form.cleaned_data)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
        return redirect("reports:rectification_department", pk=pk)
    messages.success(request, "已列为整改事项。")
    return redirect(item.get_absolute_url())


def _item_form(request: HttpRequest, item: object, flags: dict) -> ItemForm:
    units = annual_selectors.department_units(item.department)
    initial = {"measures": item.measures, "result": item.result, "due_on": item.due_on, "unit": item.unit_id,
               "base_version": item.version}
    return ItemForm(request.POST or None, initial=initial, units=units, can_plan=flags["can_plan"])


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_for_view(request.user, pk)
    flags = selectors.item_flags(request.user, item)
    form = _item_form(request, item, flags) if flags["can_edit"] else None
    status = 200
    if request.method == "POST" and form is not None:
        status = _item_save(request, item, form)
        if status == 302:
            return redirect(item.get_absolute_url())
    return render(request, "reports/rectification/item_detail.html", {
        "item": item, **flags, "form": form, "actions": actions_for(request.user, item),
        "history": history.item_history(item), "evidence": item.evidence.all(),
        "revisions": item.revisions.select_related("author")[:20], "discard_form": DiscardForm(),
        "evidence_form": EvidenceForm(max_bytes=settings.EVALSITE_UPLOAD_MAX_BYTES),
    }, status=status)


def _item_save(request: HttpRequest, item: object, form: ItemForm) -> int:
    if not form.is_valid():
        messages.error(request, "有填写错误，未保存。请按红色提示修改。")
        return 400
    data = form.cleaned_data
    try:
        revision = services.item_save(item=item, measures=data["measures"], result=data["result"],
                                      due_on=data["due_on"], unit=data["unit"], base_version=data["base_version"],
                                      actor=request.user)
    except ContentConflict:
        messages.error(request, "保存冲突：该整改事项已被他人修改，您的修改未保存；您输入的内容仍在下面。")
        return 409
    except ContentLocked as locked:
        messages.error(request, f"该整改事项{locked.state_label}，不能修改。")
        return 409
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
        return 400
    messages.success(request, f"已保存为第 {revision.number} 版。")
    return 302


@login_required
@require_POST
def item_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in TRANSITIONS:
        raise Http404
    return take_action(request, selectors.item_for_view(request.user, pk), action)


@login_required
@require_POST
def item_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_for_view(request.user, pk)
    try:
        services.item_confirm(item=item, actor=request.user)
        messages.success(request, "已确认，列入整改台账。")
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
    return redirect(safe_next(request) or item.get_absolute_url())


@login_required
@require_POST
def item_discard(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_for_view(request.user, pk)
    try:
        services.item_discard(item=item, reason=request.POST.get("reason", ""), actor=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
        return redirect(item.get_absolute_url())
    messages.success(request, "已不列为整改事项。")
    return redirect("reports:rectification_department", pk=item.department_id)


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_for_view(request.user, pk)
    form = EvidenceForm(request.POST, request.FILES, max_bytes=settings.EVALSITE_UPLOAD_MAX_BYTES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs).replace("附件", "佐证材料"))
        return redirect(item.get_absolute_url())
    try:
        evidence = services.evidence_add(item=item, upload=form.cleaned_data["file"], actor=request.user)
        messages.success(request, f"已上传佐证材料「{evidence.name}」。")
    except ContentLocked as locked:
        messages.error(request, f"该整改事项{locked.state_label}，不能上传。")
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
    return redirect(item.get_absolute_url())


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(RectificationEvidence, pk=pk)
    selectors.item_for_view(request.user, evidence.item_id)  # 404 outside scope
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)


@login_required
def report_sources(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything the report offers to raise as 整改事项, each one click away."""
    report = annual_selectors.report_for_view(request.user, pk)
    if not services.can_raise(request.user, report.department):
        raise Http404
    return render(request, "reports/rectification/report_sources.html", {
        "report": report, "candidates": report_candidates(report), "prior": prior_rows(report),
        "can_generate": perms.can_coordinate(request.user, report.department),
        "finding_form": FindingForm(report=report) if services.can_raise_directly(request.user, report.department)
        else None,
    })


@login_required
@require_POST
def report_finding(request: HttpRequest, pk: int) -> HttpResponse:
    """The finance reviewer's finding on one section of the report, raised as an item."""
    report = annual_selectors.report_for_view(request.user, pk)
    form = FindingForm(request.POST, report=report)
    if not form.is_valid():
        messages.error(request, "未提出：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("reports:rectification_sources", pk=pk)
    try:
        item = services.item_raise_from_section(actor=request.user, **form.cleaned_data)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("reports:rectification_sources", pk=pk)
    messages.success(request, f"已列为整改事项：{item.problem[:40]}")
    return redirect("reports:rectification_sources", pk=pk)


@login_required
@require_POST
def report_raise(request: HttpRequest, pk: int) -> HttpResponse:
    report = annual_selectors.report_for_view(request.user, pk)
    try:
        if request.POST.get("all_problems"):
            created = services.problems_propose(report=report, actor=request.user)
            messages.success(request, f"已将 {len(created)} 条存在的问题列为待确认的整改事项。")
        else:
            item = services.item_raise_from_report(report=report, source=request.POST.get("source", ""),
                                                   ref=request.POST.get("ref", ""), actor=request.user)
            messages.success(request, f"已列为整改事项：{item.problem[:40]}"
                             + ("（待部门绩效联络员确认）" if item.is_proposed else ""))
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("reports:rectification_sources", pk=pk)


@login_required
def application_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """评价结果应用 of one department and year, recorded by the finance bureau."""
    department = get_object_or_404(selectors.departments_visible(request.user), pk=pk)
    if not services.can_raise_directly(request.user, department) or not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    current = selectors.application_of(department, year)
    form = ApplicationForm(request.POST or None, instance=current, initial={"grade": selectors.grade_of(department, year)})
    if request.method == "POST" and form.is_valid():
        try:
            services.result_application_save(department=department, year=year, values=form.cleaned_data,
                                             actor=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"已记录{year}年度{department.name}评价结果应用。")
            return redirect("reports:rectification_department", pk=pk)
    return render(request, "reports/rectification/application_edit.html", {
        "department": department, "year": year, "form": form, "application": current,
    }, status=400 if request.method == "POST" else 200)


@login_required
def report_public(request: HttpRequest, pk: int) -> HttpResponse:
    """The 公开版: record the publication date and build the download (report + 自评表, one zip)."""
    report = annual_selectors.report_for_view(request.user, pk)
    refusal = services.publication_refusal(report)
    form = PublishForm(request.POST or None, initial={"published_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid() and not refusal:
        try:
            services.report_publish(report=report, published_on=form.cleaned_data["published_on"], actor=request.user)
            job = export_job_request(kind=ExportKind.PUBLIC_VERSION, params={"report": report.pk},
                                     departments=[report.department], actor=request.user)
        except PermissionDenied as exc:
            raise Http404 from exc
        messages.success(request, "已记录公开日期，正在生成公开版。")
        return redirect("reports:export_detail", pk=job.pk)
    return render(request, "reports/rectification/report_public.html", {
        "report": report, "form": form, "refusal": refusal, "publications": report.publications.all()[:10],
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def prior_section_generate(request: HttpRequest, pk: int) -> HttpResponse:
    report = annual_selectors.report_for_view(request.user, pk)
    try:
        section = services.prior_section_generate(report=report, actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("reports:rectification_sources", pk=pk)
    messages.success(request, "已生成“上年评价发现问题整改情况”，请逐项填写整改情况说明。")
    return redirect("reports:section_edit", pk=section.pk)
