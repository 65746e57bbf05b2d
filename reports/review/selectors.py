"""Reads of the review workflow: inboxes, the history of an item, progress, notifications."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from departments import permissions as perms
from departments.models import Role
from reports.annual.selectors import section_queryset
from reports.models import (
    DeadlineExtension,
    EvaluationCycle,
    QuarterlyReport,
    Report,
    Section,
    SectionRevision,
)
from reports.quarterly.selectors import quarterly_queryset
from workflow.models import Notification, TransitionLog
from workflow.states import EDITABLE_STATES, State
from workflow.transitions import Action


def _due_expression() -> Any:
    """A section's deadline: its department's extension in the cycle, else the cycle's."""
    extension = DeadlineExtension.objects.filter(
        cycle_id=OuterRef("report__cycle_id"), department_id=OuterRef("report__department_id")
    ).values("due_on")[:1]
    return Coalesce(Subquery(extension), F("report__cycle__due_on"))


def inbox_sections(user: AbstractBaseUser) -> QuerySet[Section]:
    """Everything waiting for this user: own returned/draft sections, and reviews due from them."""
    mine = perms.unit_filter(user, perms.EDIT_ROLES, via="unit__") & Q(state__in=list(EDITABLE_STATES))
    leading = perms.leading_review_filter(user, via="report__department__") & Q(state=State.SUBMITTED)
    finance = perms.finance_review_filter(user, via="report__department__") & Q(state=State.LEADING_APPROVED)
    returned_first = Case(When(state=State.RETURNED, then=Value(0)), default=Value(1))
    return (
        section_queryset().filter(mine | leading | finance)
        .annotate(due=_due_expression(), returned_first=returned_first)
        .order_by("returned_first", "due", "report__department__order", "node__order", "pk")
    )


def last_comments(sections: list[Section]) -> dict[int, TransitionLog]:
    """The latest return (with its comment) of each section, in one query."""
    ct = ContentType.objects.get_for_model(Section)
    logs = TransitionLog.objects.filter(
        content_type=ct, object_id__in=[s.pk for s in sections],
        action__in=[Action.LEADING_RETURN, Action.FINANCE_RETURN, Action.REOPEN],
    ).select_related("actor").order_by("object_id", "-created_at", "-id")
    latest: dict[int, TransitionLog] = {}
    for log in logs:
        latest.setdefault(log.object_id, log)
    return latest


@dataclass(frozen=True)
class ReadyReport:
    report: Report
    ready: int
    total: int
    approved: int

    @property
    def pending(self) -> int:
        """Sections not yet past the leading group: while any remain, the gate may be closed."""
        return self.total - self.ready - self.approved

    @property
    def gate_open(self) -> bool:
        return self.pending == 0 or not self.report.cycle.require_leading_before_finance


def finance_ready_reports(user: AbstractBaseUser) -> list[ReadyReport]:
    """Per department: how many sections are ready for the finance bureau (N/M)."""
    reports = (
        Report.objects.filter(perms.finance_review_filter(user, via="department__"))
        .select_related("cycle", "department")
        .annotate(
            total=Count("sections"),
            ready=Count("sections", filter=Q(sections__state=State.LEADING_APPROVED)),
            approved=Count("sections", filter=Q(sections__state=State.APPROVED)),
        )
        .exclude(total=F("approved"))
        .order_by("-cycle__year", "department__order", "department__code")
    )
    rows = [ReadyReport(r, r.ready, r.total, r.approved) for r in reports]
    # departments whose sections can be approved now come first
    return sorted(rows, key=lambda r: (not (r.ready and r.gate_open), -r.report.cycle.year))


def item_history(section: Section) -> list[TransitionLog]:
    ct = ContentType.objects.get_for_model(Section)
    return list(TransitionLog.objects.filter(content_type=ct, object_id=section.pk).select_related("actor"))


def previous_submission(section: Section) -> SectionRevision | None:
    """The revision submitted before the one under review, to diff against."""
    ct = ContentType.objects.get_for_model(Section)
    current = section.submitted_version if section.submitted_version is not None else section.version
    earlier = (
        TransitionLog.objects.filter(content_type=ct, object_id=section.pk, action=Action.SUBMIT, revision__lt=current)
        .order_by("-created_at", "-id").values_list("revision", flat=True).first()
    )
    if earlier is None:
        return None
    return section.revisions.filter(number=earlier).first()


def progress_reports(user: AbstractBaseUser, cycle: EvaluationCycle) -> QuerySet[Report]:
    """The reports of a cycle the user oversees (finance: assigned departments; leaders: their own)."""
    oversee = (
        perms.finance_review_filter(user, via="department__")
        | perms.leading_review_filter(user, via="department__")
        | perms.unit_filter(user, frozenset({Role.FINANCE_ADMIN, Role.COORDINATOR}), via="department__")
    )
    extension = DeadlineExtension.objects.filter(cycle_id=OuterRef("cycle_id"), department_id=OuterRef("department_id"))
    return (
        Report.objects.filter(oversee, cycle=cycle).select_related("department")
        .annotate(due=Coalesce(Subquery(extension.values("due_on")[:1]), F("cycle__due_on")))
        .order_by("department__order", "department__code")
    )


def progress_cells(reports: list[Report]) -> dict[tuple[int, int], Section]:
    sections = Section.objects.filter(report__in=reports).only("id", "report_id", "node_id", "state", "error_count")
    return {(s.report_id, s.node_id): s for s in sections}


def state_counts(reports: QuerySet[Report]) -> dict[str, int]:
    rows = Section.objects.filter(report__in=reports).values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


def unread_notifications(user: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


def inbox_quarterlies(user: AbstractBaseUser) -> QuerySet[QuarterlyReport]:
    """Quarterly reports waiting for this user, like inbox_sections."""
    mine = perms.unit_filter(user, perms.EDIT_ROLES, via="unit__") & Q(state__in=list(EDITABLE_STATES))
    leading = perms.leading_review_filter(user, via="department__") & Q(state=State.SUBMITTED)
    finance = perms.finance_review_filter(user, via="department__") & Q(state=State.LEADING_APPROVED)
    returned_first = Case(When(state=State.RETURNED, then=Value(0)), default=Value(1))
    return (quarterly_queryset().filter(mine | leading | finance).annotate(returned_first=returned_first)
            .order_by("returned_first", "due_on", "department__order", "unit__order", "pk"))


def quarterly_history(report: QuarterlyReport) -> list[TransitionLog]:
    ct = ContentType.objects.get_for_model(QuarterlyReport)
    return list(TransitionLog.objects.filter(content_type=ct, object_id=report.pk).select_related("actor"))
