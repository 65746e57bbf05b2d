"""Reads of the review workflow: inboxes, progress, notifications.

The history of an item (transitions, last return, previous submission) is read by
``workflow.selectors``; deadlines, "overdue" and a report's status by ``reports.annual.selectors``
and ``workflow.deadlines``. Pages get flags (``next_action``, ``is_overdue``, …) computed here in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.urls import reverse

from departments import permissions as perms
from departments.models import Role
from reports.annual.selectors import ReportStatus, report_status, section_queryset, with_due, with_status
from reports.models import EvaluationCycle, QuarterlyReport, RectificationItem, Report, Section
from reports.quarterly.selectors import quarterly_queryset
from workflow import selectors as history
from workflow.deadlines import overdue_flag
from workflow.models import Notification, TransitionLog
from workflow.states import EDITABLE_STATES, State


def _waiting_for(user: AbstractBaseUser, department_via: str) -> Q:
    """Own editable items, and the reviews due from the user."""
    mine = perms.unit_filter(user, perms.EDIT_ROLES, via="unit__") & Q(state__in=list(EDITABLE_STATES))
    leading = perms.leading_review_filter(user, via=department_via) & Q(state=State.SUBMITTED)
    finance = perms.finance_review_filter(user, via=department_via) & Q(state=State.LEADING_APPROVED)
    return mine | leading | finance


def _returned_first() -> Case:
    return Case(When(state=State.RETURNED, then=Value(0)), default=Value(1))


def inbox_sections(user: AbstractBaseUser) -> QuerySet[Section]:
    """Everything waiting for this user: own returned/draft sections, and reviews due from them."""
    return (
        with_due(section_queryset().filter(_waiting_for(user, "report__department__")))
        .annotate(returned_first=_returned_first())
        .order_by("returned_first", "due", "report__department__order", "node__order", "pk")
    )


# What the user does next with an item in their inbox, by its state: (label, page).
NEXT_ACTIONS = {
    State.RETURNED: ("修改后重新提交", "reports:section_edit"),
    State.DRAFT: ("填写并提交", "reports:section_edit"),
    State.SUBMITTED: ("领导小组审核", "reports:section_detail"),
    State.LEADING_APPROVED: ("财政审核", "reports:section_detail"),
}


@dataclass(frozen=True)
class InboxRow:
    section: Section
    return_comment: TransitionLog | None  # the reviewer's comment, while the section is returned
    next_label: str
    next_url: str


def inbox_rows(sections: list[Section]) -> list[InboxRow]:
    """One page of the inbox with each row's next step and return comment (one query for the comments)."""
    comments = history.last_returns(sections)
    rows = []
    for s in sections:
        label, page = NEXT_ACTIONS.get(s.state, ("查看", "reports:section_detail"))
        comment = comments.get(s.pk) if s.state == State.RETURNED else None
        rows.append(InboxRow(s, comment, label, reverse(page, args=[s.pk])))
    return rows


@dataclass(frozen=True)
class ReadyReport:
    report: Report
    status: ReportStatus

    @property
    def ready(self) -> int:
        return self.status.ready

    @property
    def total(self) -> int:
        return self.status.total

    @property
    def approved(self) -> int:
        return self.status.approved

    @property
    def pending(self) -> int:
        """Sections not yet past the leading group: while any remain, the gate may be closed."""
        return self.status.pending

    @property
    def gate_open(self) -> bool:
        return self.pending == 0 or not self.report.cycle.require_leading_before_finance


def finance_ready_reports(user: AbstractBaseUser) -> list[ReadyReport]:
    """Per department: how many sections are ready for the finance bureau (N/M)."""
    reports = with_status(
        Report.objects.filter(perms.finance_review_filter(user, via="department__")).select_related("cycle", "department")
    ).order_by("-cycle__year", "department__order", "department__code")
    rows = [ReadyReport(r, report_status(r)) for r in reports]
    rows = [r for r in rows if r.status.unapproved]
    # departments whose sections can be approved now come first
    return sorted(rows, key=lambda r: (not (r.ready and r.gate_open), -r.report.cycle.year))


def progress_reports(user: AbstractBaseUser, cycle: EvaluationCycle) -> QuerySet[Report]:
    """The reports of a cycle the user oversees (finance: assigned departments; leaders: their own)."""
    oversee = (
        perms.finance_review_filter(user, via="department__")
        | perms.leading_review_filter(user, via="department__")
        | perms.unit_filter(user, frozenset({Role.FINANCE_ADMIN, Role.COORDINATOR}), via="department__")
    )
    return (
        with_status(Report.objects.filter(oversee, cycle=cycle)).select_related("department")
        .order_by("department__order", "department__code")
    )


STATE_MARKS = {State.APPROVED: "✓", State.RETURNED: "↩", State.SUBMITTED: "1", State.LEADING_APPROVED: "2"}


@dataclass(frozen=True)
class ProgressCell:
    pk: int
    state: str
    label: str
    mark: str


@dataclass(frozen=True)
class ProgressRow:
    report: Report
    status: ReportStatus
    is_overdue: bool
    cells: list[ProgressCell | None]


def progress_rows(reports: list[Report], node_ids: list[int], today: date) -> list[ProgressRow]:
    """Departments × sections of one page, with marks and the overdue flag (one query for the cells)."""
    sections = Section.objects.filter(report__in=reports).only("id", "report_id", "node_id", "state", "error_count")
    cells = {(s.report_id, s.node_id): ProgressCell(s.pk, s.state, s.get_state_display(),
                                                    "!" if s.error_count else STATE_MARKS.get(s.state, ""))
             for s in sections}
    rows = []
    for report in reports:
        status = report_status(report)
        rows.append(ProgressRow(report, status, status.is_overdue(today),
                                [cells.get((report.pk, n)) for n in node_ids]))
    return rows


def state_counts(reports: QuerySet[Report]) -> dict[str, int]:
    rows = Section.objects.filter(report__in=reports.values("pk")).values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


def unread_notifications(user: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


def inbox_rectifications(user: AbstractBaseUser) -> QuerySet[RectificationItem]:
    """整改事项 waiting for this user (the unit's to report, the reviews due), with ``is_overdue``."""
    return (RectificationItem.objects.filter(_waiting_for(user, "department__"), confirmed_at__isnull=False)
            .select_related("department", "unit")
            .annotate(returned_first=_returned_first(), is_overdue=overdue_flag(due="due_on"))
            .order_by("returned_first", "due_on", "department__order", "pk"))


def inbox_quarterlies(user: AbstractBaseUser) -> QuerySet[QuarterlyReport]:
    """Quarterly reports waiting for this user, like inbox_sections, with ``is_overdue`` per row."""
    return (quarterly_queryset().filter(_waiting_for(user, "department__"))
            .annotate(returned_first=_returned_first(), is_overdue=overdue_flag(due="due_on"))
            .order_by("returned_first", "due_on", "department__order", "unit__order", "pk"))
