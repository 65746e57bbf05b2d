"""Pages of the review workflow: 我的待办, actions, bulk approval, progress, notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from departments import permissions as perms
from reports.annual import selectors as annual_selectors
from reports.annual.outline import OutlineEntry, build_outline, flatten
from reports.models import EvaluationCycle, OutlineNode, ReportTemplate
from reports.params import int_param, safe_next
from workflow import services as workflow
from workflow.contract import Submittable
from workflow.states import State
from workflow.transitions import TRANSITIONS

from . import selectors, services
from .filters import InboxFilter
from .forms import ActionForm, NotificationReadForm

PAGE_SIZE = 50
READY_PAGE = 20  # departments per page of 待财政审核
PROGRESS_PAGE = 30  # departments × ~37 sections per page
QUARTERLY_INBOX = 20


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """我的待办: returned items with the reviewer's comment first, then drafts and reviews due."""
    departments = perms.departments_in_scope(request.user).order_by("order", "code")
    ready = selectors.finance_ready_page(request.user, timezone.localdate(), request.GET.get("dpage"), READY_PAGE)
    # The finance-stage sections of several departments are counted per department above and listed
    # one department at a time (a district's would be thousands).
    by_department = ready.paginator.count > 1 and not request.GET.get("department")
    inbox_filter = InboxFilter(request.GET, queryset=selectors.inbox_sections(request.user,
                                                                               finance_items=not by_department),
                               cycles=list(annual_selectors.cycles_visible(request.user).values_list("pk", "name")),
                               departments=list(departments.values_list("pk", "name")))
    page = Paginator(inbox_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query, ready_query = request.GET.copy(), request.GET.copy()
    query.pop("page", None)
    ready_query.pop("dpage", None)
    return render(request, "reports/review/inbox.html", {
        "filter": inbox_filter, "page": page, "query": query.urlencode(), "ready_query": ready_query.urlencode(),
        "rows": selectors.inbox_rows(list(page)) if page.paginator.count else [],  # none: not even compiled
        "ready": ready, "by_department": by_department,
        "quarterlies": selectors.inbox_quarterlies(request.user, QUARTERLY_INBOX),
        "rectifications": selectors.inbox_rectifications(request.user, QUARTERLY_INBOX),
        "is_admin": perms.can_administer(request.user),
    })


@login_required
@require_POST
def section_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one workflow action on a section, as the posted version."""
    if action not in TRANSITIONS:
        raise Http404
    return take_action(request, annual_selectors.section_for_view(request.user, pk), action)


def take_action(request: HttpRequest, item: Submittable, action: str) -> HttpResponse:
    """Run one workflow action on a submission the user can see; the workflow's guard decides,
    its refusals become messages."""
    form = ActionForm(request.POST, request=request)
    if not form.is_valid():
        return HttpResponseBadRequest("；".join(e for errors in form.errors.values() for e in errors))
    data = form.cleaned_data
    try:
        log = workflow.transition_apply(item=item, action=action, actor=request.user, version=data["version"],
                                        comment=data["comment"])
    except workflow.AlreadyDone as done:
        messages.info(request, str(done))
    except workflow.TransitionRefused as exc:
        messages.error(request, str(exc))
        # keep what the reviewer typed: the page shows it again
        request.session[f"draft_comment:{item._meta.model_name}:{item.pk}"] = data["comment"]
    else:
        # an item may name its states its own way (a rectification item's approval is 已销号)
        state = getattr(item, "state_label", "") or log.get_to_state_display()
        messages.success(request, f"已{log.get_action_display()}：{item.workflow_title()} → {state}。")
    return HttpResponseRedirect(data["next"] or item.get_absolute_url())


@login_required
@require_POST
def report_finance_approve_ready(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve every ready section of one department's report; each is checked and logged on its own."""
    report = annual_selectors.report_for_view(request.user, pk)
    result = services.report_finance_approve_ready(report=report, actor=request.user)
    if result.refused:
        messages.error(request, f"未审定任何章节：{result.refused}")
    if result.approved:
        messages.success(request, f"已审定 {len(result.approved)} 个章节。")
    for failure in result.failures:
        messages.error(request, failure)
    if not (result.refused or result.approved or result.failures):
        messages.info(request, "没有待财政审核的章节。")
    return HttpResponseRedirect(safe_next(request) or reverse("home"))


@login_required
def progress(request: HttpRequest) -> HttpResponse:
    """Departments × sections with their states, counts per state, overdue marked; filtered by stage or
    grade when the dashboard links here."""
    cycles = list(annual_selectors.cycles_visible(request.user) if not perms.can_administer(request.user)
                  else annual_selectors.all_cycles())
    cycle_id = int_param(request.GET.get("cycle"), label="评价周期", required=False)
    try:
        filters = selectors.ProgressFilters.parse(request.GET)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc))
    cycle = next((c for c in cycles if c.pk == cycle_id), None) if cycle_id is not None else next(iter(cycles), None)
    if cycle is None:
        return render(request, "reports/review/progress.html", {"cycle": None, "cycles": cycles})
    scope = selectors.progress_scope(request.user, cycle)
    ids = selectors.progress_ids(scope)
    templates, template, nodes = _by_template(request, {t for _, t in ids}, cycle)
    scope = scope.filter(template=template)
    today = timezone.localdate()
    template_id = template.pk
    page = selectors.progress_page(scope, [pk for pk, t in ids if t == template_id], filters, today,
                                   request.GET.get("page"), PROGRESS_PAGE)
    entries = _progress_entries(template, nodes)
    counts = selectors.state_counts(scope)
    query = request.GET.copy()
    query.pop("page", None)
    query["template"] = template.pk
    return render(request, "reports/review/progress.html", {
        "cycle": cycle, "cycles": cycles, "entries": entries, "page": page, "filters": filters,
        "rows": selectors.progress_rows(page.object_list, [e.node.pk for e in entries], today),
        "counts": [(s, counts.get(s.value, 0)) for s in State],
        "query": query.urlencode(), "templates": templates, "template": template,
    })


def _by_template(request: HttpRequest, template_ids: set[int], cycle: EvaluationCycle
                 ) -> tuple[list[ReportTemplate], ReportTemplate, list[OutlineNode]]:
    """One grid per template: departments of one cycle may write on different outlines. The templates
    and their nodes come in one query."""
    nodes: dict[ReportTemplate, list[OutlineNode]] = {}
    for node in OutlineNode.objects.filter(template_id__in=template_ids).select_related("template"):
        nodes.setdefault(node.template, []).append(node)
    templates = sorted(nodes, key=lambda t: (t.code, t.version))
    picked = request.GET.get("template", "")
    template = next((t for t in templates if str(t.pk) == picked), None) or (templates[0] if templates else cycle.template)
    return templates, template, nodes.get(template) or list(template.nodes.all())


def _progress_entries(template: ReportTemplate, nodes: list[OutlineNode]) -> list[OutlineEntry]:
    return [e for e in flatten(build_outline(nodes, template.numbering_formats())) if e.node.kind]


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notes = Paginator(request.user.notifications.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/review/notification_list.html", {"page": notes, "query": ""})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of them read; following a notification posts here with
    ``next`` = its page, so reading it marks it read without a write in a GET."""
    form = NotificationReadForm(request.POST, request=request)
    if not form.is_valid():
        return HttpResponseBadRequest("通知编号无效。")
    services.notifications_mark_read(user=request.user, pk=form.cleaned_data["id"])
    return HttpResponseRedirect(form.cleaned_data["next"] or reverse("reports:notification_list"))
