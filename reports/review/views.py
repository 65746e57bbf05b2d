"""Pages of the review workflow: 我的待办, actions, bulk approval, progress, notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from departments import permissions as perms
from reports.annual import selectors as annual_selectors
from reports.annual.outline import build_outline, flatten
from workflow import services as workflow
from workflow.states import State
from workflow.transitions import TRANSITIONS, Action

from . import selectors
from .filters import InboxFilter

PAGE_SIZE = 50
QUARTERLY_INBOX = 20


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """我的待办: returned items with the reviewer's comment first, then drafts and reviews due."""
    departments = perms.departments_in_scope(request.user).order_by("order", "code")
    inbox_filter = InboxFilter(request.GET, queryset=selectors.inbox_sections(request.user),
                               cycles=annual_selectors.cycles_visible(request.user),
                               departments=list(departments.values_list("pk", "name")))
    page = Paginator(inbox_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    comments = selectors.last_comments(list(page))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reports/review/inbox.html", {
        "filter": inbox_filter, "page": page, "query": query.urlencode(), "today": timezone.localdate(),
        "rows": [(s, comments.get(s.pk)) for s in page],
        "ready_reports": selectors.finance_ready_reports(request.user),
        "quarterlies": selectors.inbox_quarterlies(request.user)[:QUARTERLY_INBOX],
        "is_admin": perms.can_administer(request.user),
    })


@login_required
@require_POST
def section_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one workflow action on a section, as the posted version."""
    if action not in TRANSITIONS:
        raise Http404
    return take_action(request, annual_selectors.section_for_view(request.user, pk), action)


def take_action(request: HttpRequest, item: object, action: str) -> HttpResponse:
    """Run one workflow action on a submission the user can see; refusals become messages."""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError as exc:
        raise Http404 from exc
    try:
        log = workflow.ACTION_SERVICES[action](**_action_kwargs(action, item, request, version))
    except workflow.TransitionRefused as exc:
        messages.error(request, str(exc))
        # keep what the reviewer typed: the page shows it again
        request.session[f"draft_comment:{item._meta.model_name}:{item.pk}"] = request.POST.get("comment", "")
    else:
        messages.success(request, f"已{log.get_action_display()}：{item.workflow_title()} → {log.get_to_state_display()}。")
    return redirect(request.POST.get("next") or item.get_absolute_url())


def _action_kwargs(action: str, item: object, request: HttpRequest, version: int) -> dict:
    kwargs = {"item": item, "actor": request.user, "version": version}
    if action not in (Action.SUBMIT, Action.WITHDRAW):
        kwargs["comment"] = request.POST.get("comment", "")
    return kwargs


@login_required
@require_POST
def report_finance_approve_ready(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve every ready section of one department's report; each is checked and logged on its own."""
    report = annual_selectors.report_for_view(request.user, pk)
    if not perms.can_review_finance(request.user, report.department):
        raise PermissionDenied("您不是该部门的财政审核员。")
    ready = list(report.sections.filter(state=State.LEADING_APPROVED).select_related("node", "report__cycle"))
    gate = ready[0].workflow_finance_gate() if ready else None
    if gate:
        messages.error(request, f"未审定任何章节：{gate}")
        return redirect(request.POST.get("next") or "home")
    approved, failures = [], []
    for section in ready:
        try:
            workflow.finance_approve(item=section, actor=request.user, version=section.version)
            approved.append(section.node.title)
        except (workflow.TransitionRefused, PermissionDenied) as exc:
            failures.append(f"「{section.node.title}」：{exc}")
    if approved:
        messages.success(request, f"已审定 {len(approved)} 个章节。")
    for failure in failures:
        messages.error(request, failure)
    if not approved and not failures:
        messages.info(request, "没有待财政审核的章节。")
    return redirect(request.POST.get("next") or "home")


@login_required
def progress(request: HttpRequest) -> HttpResponse:
    """Departments × sections with their states, counts per state, overdue marked."""
    cycles = annual_selectors.cycles_visible(request.user) if not perms.can_administer(request.user) \
        else annual_selectors.all_cycles()
    cycle = cycles.filter(pk=request.GET.get("cycle")).first() if request.GET.get("cycle") else cycles.first()
    if cycle is None:
        return render(request, "reports/review/progress.html", {"cycle": None, "cycles": cycles})
    reports_qs = selectors.progress_reports(request.user, cycle)
    page = Paginator(reports_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = cycle.template
    entries = [e for e in flatten(build_outline(list(template.nodes.all()), template.numbering_formats()))
               if e.node.kind]
    nodes = [e.node for e in entries]
    cells = selectors.progress_cells(list(page))
    today = timezone.localdate()
    counts = selectors.state_counts(reports_qs)
    rows = [{
        "report": report,
        "overdue": report.due < today and any(
            cells.get((report.pk, n.pk)) and cells[(report.pk, n.pk)].state in (State.DRAFT, State.RETURNED)
            for n in nodes),
        "cells": [cells.get((report.pk, n.pk)) for n in nodes],
        "approved": sum(1 for n in nodes if (c := cells.get((report.pk, n.pk))) and c.state == State.APPROVED),
    } for report in page]
    return render(request, "reports/review/progress.html", {
        "cycle": cycle, "cycles": cycles, "nodes": nodes, "entries": entries, "rows": rows, "page": page, "today": today,
        "counts": [(s, counts.get(s.value, 0)) for s in State],
        "query": f"cycle={cycle.pk}",
    })


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notes = Paginator(request.user.notifications.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/review/notification_list.html", {"page": notes, "query": ""})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    notes = selectors.unread_notifications(request.user)
    if request.POST.get("id"):
        notes = notes.filter(pk=request.POST["id"])
    notes.update(read_at=timezone.now())
    return redirect(request.POST.get("next") or "reports:notification_list")


