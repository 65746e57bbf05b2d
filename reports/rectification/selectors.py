"""Reads of the 整改台账 and of 评价结果应用, scoped to the user; flags for the pages come from here."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404

from departments import permissions as perms
from departments.models import Department
from reports import figures as fig
from reports.annual import scoring
from reports.models import RECTIFICATION_STATE_LABELS, RectificationItem, Report, ResultApplication
from workflow.deadlines import overdue_flag, overdue_q
from workflow.guards import can_edit
from workflow.models import TransitionLog
from workflow.states import State
from workflow.transitions import Action

from .services import can_raise


def _visible_q(user: AbstractBaseUser) -> Q:
    # the responsible unit's own subtree, or the whole department for those who see the department
    return perms.unit_filter(user, via="unit__") | perms.unit_filter(user, via="department__")


def items_visible(user: AbstractBaseUser, today: date | None = None) -> QuerySet[RectificationItem]:
    """Every item the user may see, with ``is_overdue`` (the one rule of workflow.deadlines), in one query."""
    return (
        RectificationItem.objects.filter(_visible_q(user))
        .select_related("department", "unit")
        .annotate(is_overdue=overdue_flag(due="due_on", today=today))
        .order_by("department__order", "department__code", "due_on", "id")
    )


def latest_year(items: QuerySet[RectificationItem]) -> int | None:
    return items.aggregate(year=Max("year"))["year"]


def confirmed_overdue_q(today: date | None = None) -> Q:
    """Overdue (workflow.deadlines) and in the ledger (a proposal is not yet anybody's duty)."""
    return overdue_q(due="due_on", today=today) & Q(confirmed_at__isnull=False)


def item_for_view(user: AbstractBaseUser, pk: int) -> RectificationItem:
    return get_object_or_404(items_visible(user), pk=pk)


def is_closed(item: RectificationItem) -> bool:
    """销号: the finance bureau approved the result."""
    return item.state == State.APPROVED


def is_late(item: RectificationItem) -> bool:
    """Overdue by the annotation of ``items_visible`` (the rule of workflow.deadlines), once confirmed."""
    return bool(item.is_overdue) and not item.is_proposed


def blocking_messages(item: RectificationItem) -> list[str]:
    """What stops the unit from reporting the result (the workflow's submit guard asks)."""
    missing = []
    if item.is_proposed:
        missing.append("该事项尚待部门绩效联络员确认")
    if not item.measures.strip():
        missing.append("整改措施尚未填写")
    if not item.result.strip():
        missing.append("整改结果尚未填写")
    return missing


def mark_items(user: AbstractBaseUser, items: list[RectificationItem]) -> list[RectificationItem]:
    """Per-row flags for the ledger, answered in memory from the user's scope (no query per row)."""
    confirm: dict[int, bool] = {}
    for item in items:
        if item.department_id not in confirm:
            confirm[item.department_id] = perms.can_coordinate(user, item.department)
        item.can_confirm = item.is_proposed and confirm[item.department_id]
        item.is_closed = is_closed(item)
        item.is_late = is_late(item)
    return items


def item_flags(user: AbstractBaseUser, item: RectificationItem) -> dict[str, bool]:
    return {
        "can_edit": can_edit(user, item),
        "can_confirm": item.is_proposed and perms.can_coordinate(user, item.department),
        "can_plan": can_raise(user, item.department),
        "is_closed": is_closed(item),
        "is_late": is_late(item),
    }


def state_counts(items: QuerySet[RectificationItem]) -> list[tuple[str, int]]:
    """(label, count) per state over a filtered ledger, proposals apart; one query."""
    rows = dict(items.filter(confirmed_at__isnull=False).order_by().values_list("state").annotate(n=Count("id")))
    proposed = items.filter(confirmed_at__isnull=True).count()
    return [("待确认", proposed)] + [(label, rows.get(state, 0)) for state, label in RECTIFICATION_STATE_LABELS.items()]


def departments_visible(user: AbstractBaseUser) -> QuerySet[Department]:
    return perms.departments_in_scope(user).filter(kind="department").order_by("order", "code")


def units_of(departments: list[Department]) -> list[tuple[int, str]]:
    units = Department.objects.filter(Q(pk__in=[d.pk for d in departments])
                                      | Q(budget_department__in=departments)).order_by("path")
    return [(u.pk, u.name) for u in units]


def application_of(department: Department, year: int) -> ResultApplication | None:
    return ResultApplication.objects.filter(department=department, year=year).select_related("recorded_by").first()


def applications_for(year: int, department_ids: list[int]) -> dict[int, ResultApplication]:
    rows = ResultApplication.objects.filter(year=year, department_id__in=department_ids)
    return {a.department_id: a for a in rows}


def application_summary(application: ResultApplication | None) -> str:
    """One line for tables: 预算安排压减 5%；通报；约谈 …"""
    if application is None:
        return "未记录"
    parts = []
    if application.budget_link:
        amount = ""
        if application.percent is not None:
            amount = f" {application.percent:f}%"
        elif application.amount is not None:
            amount = f" {fig.format_wan(application.amount)}万元"
        parts.append(f"预算安排{application.get_budget_link_display()}{amount}")
    parts += [label for flag, label in ((application.circulated, "通报"), (application.interview, "约谈"),
                                        (application.key_next_year, "纳入下年重点评价")) if flag]
    return "；".join(parts) or "无"


def grade_of(department: Department, year: int) -> str | None:
    """The self-evaluation grade of the department's report of the year (the default of 结果应用)."""
    report = Report.objects.filter(department=department, cycle__year=year).select_related("template").first()
    return scoring.report_score(report).grade if report else None


def items_for_export(year: int, department_ids: list[int], today: date) -> list[RectificationItem]:
    """The confirmed items of the year for the printed ledger, each with ``closed_at`` (its 销号), the
    number of evidence files and ``is_overdue``; three queries whatever the count."""
    items = list(
        RectificationItem.objects.filter(year=year, department_id__in=department_ids, confirmed_at__isnull=False)
        .select_related("department", "unit").annotate(evidence_count=Count("evidence"),
                                                       is_overdue=overdue_flag(due="due_on", today=today))
        .order_by("department__order", "department__code", "unit__path", "due_on", "id")
    )
    closed = (TransitionLog.objects.filter(content_type=ContentType.objects.get_for_model(RectificationItem),
                                           object_id__in=[i.pk for i in items], action=Action.FINANCE_APPROVE)
              .order_by("object_id", "created_at").values_list("object_id", "created_at"))
    closed_at = dict(closed)  # the latest approval wins (ordered by time)
    for item in items:
        item.closed_at = closed_at.get(item.pk) if is_closed(item) else None
    return items
