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
from reports.targets import selectors as target_selectors
from workflow import selectors as history
from workflow import services as workflow
from workflow.guards import action_check, actions_for, can_edit, content_editable
from workflow.services import ContentConflict, ContentLocked
from workflow.transitions import Action

from . import checklist, checks, rendering, scoring, selectors, services
from .diff import revision_changes, typed_text
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
                  {"filter": section_filter, "page": page, "query": query.urlencode(),
                   "target_tables": target_selectors.tables_to_contribute(request.user)})


def _forms(section: Section, data: Any = None) -> tuple[forms.Form | None, dict[str, forms.BaseFormSet]]:
    spec = KINDS[section.kind]
    content = selectors.section_content(section)
    form = spec.form_class(data, initial=spec.form_initial(content), prefix="f") if spec.form_class else None
    formsets = {
        prefix: cls(data, prefix=prefix, initial=spec.formset_initial(prefix, content))
        for prefix, cls in spec.formset_classes.items()
    }
    if content.get("target_table"):
        _lock_target_fields(formsets["rows"])
    return form, formsets


def _posted_explanations(post: Any) -> dict[str, str]:
    return {key[len(EXPLAIN_PREFIX):]: value.strip()
            for key, value in post.items() if key.startswith(EXPLAIN_PREFIX) and value.strip()}


def _lock_target_fields(formset: forms.BaseFormSet) -> None:
    """The indicators come from the approved target table: only the actual values are typed here
    (disabled fields keep the table's values, whatever is posted)."""
    formset.extra = 0
    formset.can_delete = False
    for row in formset.forms:
        for name in target_selectors.TARGET_FIELDS:
            row.fields[name].disabled = True


def _posted_data(section: Section, form: forms.Form | None, formsets: dict, post: Any) -> dict[str, Any] | None:
    if (form and not form.is_valid()) or not all(fs.is_valid() for fs in formsets.values()):
        return None
    data = KINDS[section.kind].to_data(form, formsets)
    explanations = _posted_explanations(post)
    if explanations:
        data["explanations"] = explanations
    return data


def _form_errors(form: forms.Form | None, formsets: dict[str, forms.BaseFormSet]) -> list[str]:
    """Every error of the form as typed, for the check panel (the page shows each beside its field too)."""
    errs = [str(e) for f in [form, *[x for fs in formsets.values() for x in fs.forms]] if f
            for field_errors in f.errors.values() for e in field_errors]
    return errs + [str(e) for fs in formsets.values() for e in fs.non_form_errors()]


def _edit_context(section: Section, form: forms.Form | None, formsets: dict, data: dict[str, Any] | None,
                  base_version: int, user: Any, post: Any = None) -> dict[str, Any]:
    """The edit page; ``data`` None: the form as typed (``post``) has errors, so the panel lists them
    instead of a preview of the last saved content, and the typed explanations are kept."""
    report = section.report
    shown = data if data is not None else section.data | {"explanations": _posted_explanations(post or {})}
    ctx = checks.context_for_draft(section, shown)
    entry = rendering.section_depth(section, selectors.report_nodes(report), report.template)
    submit = action_check(user, section, Action.SUBMIT)
    return {
        "section": section, "form": form, "formsets": formsets, "entry": entry,
        "rendered": rendering.render_section(section, ctx, entry.depth, report.template, shown),
        "typed_errors": _form_errors(form, formsets) if data is None else [],
        "base_version": base_version, "explanations": shown.get("explanations", {}),
        "kind_template": f"reports/annual/kinds/{section.kind}_form.html",
        "return_comment": history.return_comment(section),
        "can_submit": submit.permitted, "submit_refused": submit.refused,
    }


def _render_edit(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "reports/annual/section_edit.html", context, status=status)


@login_required
def section_edit(request: HttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_for_edit(request.user, pk)
    if request.method != "POST":
        if not content_editable(section):
            messages.error(request, f"该章节{section.get_state_display()}，不能修改。")
            return redirect("reports:section_detail", pk=pk)
        form, formsets = _forms(section)
        return _render_edit(request, _edit_context(section, form, formsets, section.data, section.version,
                                                   request.user))
    form, formsets = _forms(section, request.POST)
    base_version = int_param(request.POST.get("base_version"), label="版本号")
    data = _posted_data(section, form, formsets, request.POST)
    if data is None:
        messages.error(request, "有填写错误，未保存。请按红色提示修改。")
        return _render_edit(request, _edit_context(section, form, formsets, None, base_version, request.user,
                                                        request.POST), 400)
    submitting = bool(request.POST.get("submit"))
    try:
        result = _save(section, data, base_version, request.user, skip_unchanged=submitting)
    except (ContentConflict, ContentLocked) as refusal:
        return _render_refused_save(request, section, (form, formsets), data, base_version, refusal)
    if submitting:
        return _submit_after_save(request, section)
    if result:
        _message_after_save(request, result)
    return redirect("reports:section_edit", pk=pk)


def _save(section: Section, data: dict[str, Any], base_version: int, actor: Any, *,
          skip_unchanged: bool) -> services.SaveResult | None:
    """Save the typed content as the next revision; with ``skip_unchanged`` nothing when it equals the
    revision it was loaded from (提交审核 on an unchanged form submits without an empty revision)."""
    if skip_unchanged and base_version == section.version and data == section.data:
        return None
    return services.section_save(section=section, data=data, base_version=base_version, actor=actor)


def _message_after_save(request: HttpRequest, result: services.SaveResult) -> None:
    """What was saved and the next step; a save that still has errors is not shown as a success."""
    errors, warnings = checks.counts(result.findings)
    saved = f"已保存为第 {result.revision.number} 版。"
    if errors:
        messages.error(request, f"{saved}还有 {errors} 个错误，改正后才能提交审核（见右侧“检查”）。")
    elif warnings:
        messages.warning(request, f"{saved}还有 {warnings} 个提醒须写明原因（见“提醒说明”），然后点“保存并提交审核”。")
    else:
        messages.success(request, f"{saved}检查全部通过。下一步：点“保存并提交审核”送领导小组审核。")


def _submit_after_save(request: HttpRequest, section: Section) -> HttpResponse:
    """提交审核 from the edit page: the workflow's guard decides; its refusal is shown on the edit page."""
    section.refresh_from_db()
    try:
        log = workflow.submit(item=section, actor=request.user, version=section.version)
    except workflow.AlreadyDone as done:
        messages.info(request, str(done))
    except (workflow.TransitionRefused, PermissionDenied) as exc:
        messages.error(request, f"已保存为第 {section.version} 版，但未提交：{exc}")
        return redirect("reports:section_edit", pk=section.pk)
    else:
        messages.success(request, f"已保存并提交审核（第 {section.version} 版）：{section.workflow_title()} → "
                                  f"{log.get_to_state_display()}。在审核通过或退回前不能修改。")
    return redirect("reports:section_detail", pk=section.pk)


def _render_refused_save(request: HttpRequest, section: Section, forms_: tuple, data: dict[str, Any],
                         base_version: int, refusal: Exception) -> HttpResponse:
    """A stale save: nothing is saved and nothing typed is lost; the page shows it again to copy or merge."""
    context = _edit_context(section, *forms_, data, base_version, request.user)
    if isinstance(refusal, ContentLocked):
        messages.error(request, f"该章节已{refusal.state_label}，不能再修改；您的修改未保存。"
                                "您输入的内容仍在下面，可复制保存，待退回后再填入。")
        context |= {"locked": refusal.state_label, "typed_text": typed_text(section.kind, data),
                    "can_submit": False}
        return _render_edit(request, context, 409)
    latest = refusal.latest
    who = latest.author.get_full_name() if latest and latest.author else "他人"
    messages.error(request, f"保存冲突：该章节已被{who}于 {timezone.localtime(latest.created_at):%m-%d %H:%M} 修改为第 {latest.number} 版，"
                            f"您的修改未保存。您输入的内容仍在下面，请对照最新版本后再保存。" if latest else
                   "保存冲突：该章节已被他人修改，您的修改未保存。")
    context["conflict"] = latest
    return _render_edit(request, context, 409)


@login_required
@require_POST
def section_compute(request: HttpRequest, pk: int) -> JsonResponse:
    """Live figures and checks of the form as typed, without saving."""
    section = selectors.section_for_edit(request.user, pk)
    form, formsets = _forms(section, request.POST)
    data = _posted_data(section, form, formsets, request.POST)
    if data is None:
        return JsonResponse({"ok": False, "errors": _form_errors(form, formsets)})
    context = _edit_context(section, form, formsets, data, section.version, request.user)
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
    for revision, previous in zip(revisions, [*revisions[1:], None][:len(revisions)], strict=True):
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
        "basic_data": checklist.basic_ratios(sections),
        "units": selectors.department_units(report.department) if can_assign else [],
        "carry_offers": selectors.carry_offers(request.user, report),
    })


@login_required
@require_POST
def report_carry_over(request: HttpRequest, pk: int) -> HttpResponse:
    """从上年报告带入: the previous year's approved figures into the 上年 values nobody has changed."""
    report = selectors.report_for_view(request.user, pk)
    try:
        result = services.report_carry_over(report=report, actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except (ContentConflict, ContentLocked):  # a section changed meanwhile: nothing was brought in
        messages.error(request, "带入时有章节正被修改或已提交审核，未带入任何数据，请刷新后重试。")
        return redirect("reports:report_detail", pk=report.pk)
    locked = f"；{'、'.join(result.locked)}正在审核或已审定，未带入" if result.locked else ""
    messages.success(request, f"已从{report.cycle.year - 1}年度已审定报告带入 {sum(result.brought.values())} 项上年数据"
                              f"（{len(result.brought)} 个章节）{locked}。")
    return redirect("reports:report_detail", pk=report.pk)


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
