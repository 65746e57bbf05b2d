"""Pages of the annual report: 我的填报, section edit/view/history, the report, its score, cycles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from departments import permissions as perms
from departments.models import Department
from departments.selectors import audit_history
from reports.models import EvaluationCycle, Section, SectionAttachment
from reports.params import int_param
from reports.rectification.services import can_raise
from workflow import selectors as history
from workflow.guards import actions_for, can_edit, content_editable
from workflow.services import ContentConflict, ContentLocked

from . import checks, rendering, scoring, selectors, services
from .diff import revision_changes
from .filters import SectionFilter
from .forms import AttachmentForm, CycleLaunchForm, ExtensionForm, ScoreAdjustmentForm
from .kinds import KINDS

PAGE_SIZE = 50
EXPLAIN_PREFIX = "explain:"


@login_required
def section_list(request: HttpRequest) -> HttpResponse:
    """我的填报."""
    units = Department.objects.filter(perms.unit_filter(request.user, perms.EDIT_ROLES)).order_by("path")
    section_filter = SectionFilter(
        request.GET, queryset=selectors.sections_for_editing(request.user),
        unit_choices=list(units.values_list("pk", "name")),
    )
    section_filter.filters["cycle"].queryset = selectors.cycles_visible(request.user)
    page = Paginator(section_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reports/annual/section_list.html",
                  {"filter": section_filter, "page": page, "query": query.urlencode()})


def _forms(section: Section, data: Any = None) -> tuple[forms.Form | None, dict[str, forms.BaseFormSet]]:
    spec = KINDS[section.kind]
    form = spec.form_class(data, initial=spec.form_initial(section.data), prefix="f") if spec.form_class else None
    formsets = {
        prefix: cls(data, prefix=prefix, initial=spec.formset_initial(prefix, section.data))
        for prefix, cls in spec.formset_classes.items()
    }
    return form, formsets


def _posted_data(section: Section, form: forms.Form | None, formsets: dict, post: Any) -> dict[str, Any] | None:
    if (form and not form.is_valid()) or not all(fs.is_valid() for fs in formsets.values()):
        return None
    data = KINDS[section.kind].to_data(form, formsets)
    explanations = {
        key[len(EXPLAIN_PREFIX):]: value.strip()
        for key, value in post.items() if key.startswith(EXPLAIN_PREFIX) and value.strip()
    }
    if explanations:
        data["explanations"] = explanations
    return data


def _edit_context(section: Section, form: forms.Form | None, formsets: dict, data: dict[str, Any],
                  base_version: int) -> dict[str, Any]:
    report = section.report
    ctx = checks.context_for_draft(section, data)
    entry = rendering.section_depth(section, selectors.report_nodes(report), report.template)
    rendered = rendering.render_section(section, ctx, entry.depth, report.template, data)
    return {
        "section": section, "form": form, "formsets": formsets, "rendered": rendered, "entry": entry,
        "base_version": base_version, "explanations": data.get("explanations", {}),
        "kind_template": f"reports/annual/kinds/{section.kind}_form.html",
        "return_comment": history.return_comment(section),
    }


@login_required
def section_edit(request: HttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_for_edit(request.user, pk)
    if not content_editable(section):
        messages.error(request, f"该章节{section.get_state_display()}，不能修改。")
        return redirect("reports:section_detail", pk=pk)
    if request.method != "POST":
        form, formsets = _forms(section)
        return render(request, "reports/annual/section_edit.html",
                      _edit_context(section, form, formsets, section.data, section.version))
    form, formsets = _forms(section, request.POST)
    base_version = int_param(request.POST.get("base_version"), label="版本号")
    data = _posted_data(section, form, formsets, request.POST)
    if data is None:
        messages.error(request, "有填写错误，未保存。请按红色提示修改。")
        return render(request, "reports/annual/section_edit.html",
                      _edit_context(section, form, formsets, section.data, base_version), status=400)
    try:
        result = services.section_save(section=section, data=data, base_version=base_version, actor=request.user)
    except ContentConflict as conflict:
        latest = conflict.latest
        who = latest.author.get_full_name() if latest and latest.author else "他人"
        messages.error(request, f"保存冲突：该章节已被{who}于 {timezone.localtime(latest.created_at):%m-%d %H:%M} 修改为第 {latest.number} 版，"
                                f"您的修改未保存。您输入的内容仍在下面，请对照最新版本后再保存。" if latest else
                       "保存冲突：该章节已被他人修改，您的修改未保存。")
        context = _edit_context(section, form, formsets, data, base_version)
        context["conflict"] = latest
        return render(request, "reports/annual/section_edit.html", context, status=409)
    except ContentLocked as locked:
        messages.error(request, f"该章节{locked.state_label}，不能修改；您的修改未保存。")
        return render(request, "reports/annual/section_edit.html",
                      _edit_context(section, form, formsets, data, base_version), status=409)
    errors, warnings = checks.counts(result.findings)
    messages.success(request, f"已保存为第 {result.revision.number} 版。" +
                     (f"还有 {errors} 个错误、{warnings} 个待说明的提醒。" if errors or warnings else "检查全部通过。"))
    return redirect("reports:section_edit", pk=pk)


@login_required
@require_POST
def section_compute(request: HttpRequest, pk: int) -> JsonResponse:
    """Live figures and checks of the form as typed, without saving."""
    section = selectors.section_for_edit(request.user, pk)
    form, formsets = _forms(section, request.POST)
    data = _posted_data(section, form, formsets, request.POST)
    if data is None:
        errs = [str(e) for f in [form, *[x for fs in formsets.values() for x in fs.forms]] if f
                for field_errors in f.errors.values() for e in field_errors]
        errs += [str(e) for fs in formsets.values() for e in fs.non_form_errors()]
        return JsonResponse({"ok": False, "errors": errs})
    context = _edit_context(section, form, formsets, data, section.version)
    html = render(request, "reports/annual/includes/section_live.html", context).content.decode()
    return JsonResponse({"ok": True, "html": html})


@login_required
def section_detail(request: HttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_for_view(request.user, pk)
    report = section.report
    ctx = checks.context_for(report, checks.figure_sections(report))
    entry = rendering.section_depth(section, selectors.report_nodes(report), report.template)
    rendered = rendering.render_section(section, ctx, entry.depth, report.template)
    previous = selectors.previous_submission(section)
    texts, fields = ([], [])
    if previous:
        def readable(data: dict[str, Any]) -> dict[str, Any]:
            return data | {"text": rendering.filled_text(section.kind, data, ctx)}

        texts, fields = revision_changes(section.kind, readable(previous.data), readable(section.data))
    actions = actions_for(request.user, section)
    return render(request, "reports/annual/section_detail.html", {
        "section": section, "rendered": rendered, "entry": entry,
        "draft_comment": request.session.pop(f"draft_comment:section:{section.pk}", ""),
        "can_view_report": perms.can_view_unit(request.user, report.department),
        "can_edit": can_edit(request.user, section),
        "actions": actions, "takes_comment": any(a.allowed and a.takes_comment for a in actions),
        "previous": previous, "diff_texts": texts, "diff_fields": fields,
        "history": history.item_history(section),
        "attachments": section.attachments.all(),
        "attachment_form": AttachmentForm(max_bytes=settings.EVALSITE_UPLOAD_MAX_BYTES),
    })


@login_required
def section_history(request: HttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_for_view(request.user, pk)
    revisions = selectors.section_revisions(section)
    entries = []
    for revision, previous in zip(revisions, [*revisions[1:], None], strict=True):
        texts, fields = revision_changes(section.kind, previous.data if previous else {}, revision.data)
        entries.append({"when": revision.created_at, "revision": revision, "texts": texts, "fields": fields,
                        "first": previous is None})
    entries += [{"when": log.created_at, "log": log} for log in history.item_history(section)]
    entries += [{"when": entry.created_at, "audit": entry} for entry in audit_history(section)]
    entries.sort(key=lambda e: e["when"], reverse=True)
    return render(request, "reports/annual/section_history.html", {"section": section, "entries": entries})


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_for_edit(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES, max_bytes=settings.EVALSITE_UPLOAD_MAX_BYTES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("reports:section_detail", pk=pk)
    try:
        attachment = services.attachment_add(section=section, upload=form.cleaned_data["file"], actor=request.user)
    except ContentLocked as locked:
        messages.error(request, f"该章节{locked.state_label}，不能添加附件。")
    else:
        messages.success(request, f"已上传附件「{attachment.name}」。")
    return redirect("reports:section_detail", pk=pk)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(SectionAttachment.objects.select_related("section"), pk=pk)
    selectors.section_for_view(request.user, attachment.section_id)  # 404 outside scope
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.reports_visible(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/annual/report_list.html", {"page": page})


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole report in outline order, its checklist, its score; unapproved parts watermarked."""
    report = selectors.report_for_view(request.user, pk)
    sections = selectors.report_sections(report)
    parts = rendering.render_report(report, selectors.report_nodes(report), sections)
    rendered = [p.rendered for p in parts if p.rendered]
    selectors.mark_sections(request.user, report, sections)
    can_assign = any(s.can_reassign for s in sections)
    return render(request, "reports/annual/report_detail.html", {
        "report": report, "parts": parts, "status": selectors.status_of(report, sections),
        "report_findings": checks.report_level_findings(report, sections),
        "blocking": [r for r in rendered if any(f.blocking for f in r.findings)],
        "flagged": [r for r in rendered if r.findings],
        "empty": [r for r in rendered if KINDS[r.section.kind].is_empty(r.section.data)],
        "can_finance": perms.can_review_finance(request.user, report.department),
        "can_raise": can_raise(request.user, report.department),
        "score": scoring.report_score(report, sections),
        "units": selectors.department_units(report.department) if can_assign else [],
    })


@login_required
@require_POST
def section_assign(request: HttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_for_view(request.user, pk)
    unit = Department.objects.filter(pk=int_param(request.POST.get("unit"), label="单位")).first()
    if unit is None:
        raise Http404
    try:
        services.section_assign(section=section, unit=unit, actor=request.user)
        messages.success(request, f"「{section.node.title}」已分配给{unit.name}。")
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"{_report_url(section)}#s{section.pk}")


def _report_url(section: Section) -> str:
    from django.urls import reverse

    return reverse("reports:report_detail", args=[section.report_id])


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/annual/cycle_list.html", {
        "cycles": selectors.cycles_visible(request.user) if not perms.can_administer(request.user)
        else selectors.all_cycles(),
        "can_launch": perms.can_administer(request.user),
    })


@login_required
def cycle_launch(request: HttpRequest) -> HttpResponse:
    if not perms.can_administer(request.user):
        raise Http404
    departments = perms.departments_in_scope(request.user).order_by("order", "code")
    form = CycleLaunchForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_launch(**form.launch_arguments(), actor=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已发起「{cycle.name}」，为 {cycle.reports.count()} 个部门生成了报告。")
            return redirect("reports:cycle_list")
    return render(request, "reports/annual/cycle_launch.html", {"form": form})


@login_required
def report_score(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for_view(request.user, pk)  # 404 outside the user's scope
    can_adjust = perms.can_review_finance(request.user, report.department)
    score = scoring.report_score(report)
    form = ScoreAdjustmentForm(request.POST or None, rows=score.rows, initial={"row_name": request.GET.get("row")})
    status = 200
    if request.method == "POST":
        if not can_adjust:
            raise PermissionDenied("只有负责本部门的财政局审核员可以调整得分。")
        if form.is_valid():
            try:
                adjustment = scoring.score_adjust(report=report, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, f"已将「{adjustment.row_name}」的得分调整为 {scoring.quantize(adjustment.score)} 分。")
                return redirect("reports:report_score", pk=report.pk)
        status = 400
    return render(request, "reports/annual/report_score.html",
                  {"report": report, "score": score, "form": form, "can_adjust": can_adjust}, status=status)


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Deadlines of a cycle; the finance admin grants per-department extensions here."""
    if not perms.can_administer(request.user):
        raise Http404
    cycle = get_object_or_404(EvaluationCycle, pk=pk)
    form = ExtensionForm(request.POST or None, departments=cycle.departments.all(), cycle_due=cycle.due_on)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.extension_grant(cycle=cycle, **data, actor=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已准予{data['department'].name}延期至 {data['due_on']:%Y-%m-%d}。")
            return redirect("reports:cycle_detail", pk=pk)
    return render(request, "reports/annual/cycle_detail.html", {
        "cycle": cycle, "form": form, "extensions": selectors.cycle_extensions(cycle),
        "history": audit_history(cycle),
    })
