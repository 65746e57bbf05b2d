"""Reads of reports and sections, always through the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from departments import permissions as perms
from departments.models import Department, Role
from workflow.models import Notification, TransitionLog
from workflow.states import EDITABLE_STATES, State
from workflow.transitions import Action

from .models import (
    DeadlineExtension,
    EvaluationCycle,
    OutlineNode,
    QuarterlyReport,
    Report,
    Section,
    SectionRevision,
)


def _section_base() -> QuerySet[Section]:
    return Section.objects.select_related(
        "report__cycle", "report__department", "unit", "node", "last_edited_by"
    )


def sections_for_editing(user: AbstractBaseUser) -> QuerySet[Section]:
    """我的填报: sections of the units the user writes for (a coordinator: the whole department)."""
    return _section_base().filter(perms.unit_filter(user, perms.EDIT_ROLES, via="unit__")).order_by(
        "-report__cycle__year", "report__department__order", "report_id", "node__order", "node_id"
    )


def _visible_section_q(user: AbstractBaseUser) -> Q:
    # The unit's own subtree, or the whole report for people who see the department.
    return perms.unit_filter(user, via="unit__") | perms.unit_filter(user, via="report__department__")


def section_for_view(user: AbstractBaseUser, pk: int) -> Section:
    return get_object_or_404(_section_base().filter(_visible_section_q(user)), pk=pk)


def section_for_edit(user: AbstractBaseUser, pk: int) -> Section:
    return get_object_or_404(_section_base().filter(perms.unit_filter(user, perms.EDIT_ROLES, via="unit__")), pk=pk)


def section_revisions(section: Section) -> list[SectionRevision]:
    return list(section.revisions.select_related("author").order_by("-number"))


def reports_visible(user: AbstractBaseUser) -> QuerySet[Report]:
    return (
        Report.objects.filter(perms.unit_filter(user, via="department__"))
        .select_related("cycle", "department")
        .annotate(section_total=Count("sections"))
        .order_by("-cycle__year", "department__order", "department__code")
    )


def report_for_view(user: AbstractBaseUser, pk: int) -> Report:
    return get_object_or_404(reports_visible(user).select_related("cycle__template"), pk=pk)


def report_sections(report: Report) -> list[Section]:
    return list(report.sections.select_related("unit", "node", "last_edited_by"))


def report_nodes(report: Report) -> list[OutlineNode]:
    return list(report.cycle.template.nodes.all())


def department_units(department: Department) -> list[Department]:
    """The units a section of this department may be assigned to (the department itself first)."""
    return [department, *Department.objects.filter(budget_department=department).exclude(pk=department.pk)
            .order_by("order", "code")]


def cycles_visible(user: AbstractBaseUser) -> QuerySet[EvaluationCycle]:
    return EvaluationCycle.objects.filter(
        reports__in=Report.objects.filter(perms.unit_filter(user, via="department__"))
    ).distinct().select_related("template").order_by("-year", "-id")


def all_cycles() -> QuerySet[EvaluationCycle]:
    return EvaluationCycle.objects.select_related("template").order_by("-year", "-id")


# --- workflow reads: inboxes, review, progress ------------------------------------------------

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
        _section_base().filter(mine | leading | finance)
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


# --- quarterly monitoring ------------------------------------------------------------------------

def _quarterly_base() -> QuerySet[QuarterlyReport]:
    return QuarterlyReport.objects.select_related("department", "unit", "last_edited_by", "submitted_by")


def _visible_quarterly_q(user: AbstractBaseUser) -> Q:
    return perms.unit_filter(user, via="unit__") | perms.unit_filter(user, via="department__")


def quarterlies_visible(user: AbstractBaseUser) -> QuerySet[QuarterlyReport]:
    return _quarterly_base().filter(_visible_quarterly_q(user)).order_by(
        "-year", "-quarter", "department__order", "department__code", "-is_main", "unit__order")


def quarterly_for_view(user: AbstractBaseUser, pk: int) -> QuarterlyReport:
    return get_object_or_404(_quarterly_base().filter(_visible_quarterly_q(user)), pk=pk)


def quarterly_for_edit(user: AbstractBaseUser, pk: int) -> QuarterlyReport:
    return get_object_or_404(_quarterly_base().filter(perms.unit_filter(user, perms.EDIT_ROLES, via="unit__")), pk=pk)


def inbox_quarterlies(user: AbstractBaseUser) -> QuerySet[QuarterlyReport]:
    """Quarterly reports waiting for this user, like inbox_sections."""
    mine = perms.unit_filter(user, perms.EDIT_ROLES, via="unit__") & Q(state__in=list(EDITABLE_STATES))
    leading = perms.leading_review_filter(user, via="department__") & Q(state=State.SUBMITTED)
    finance = perms.finance_review_filter(user, via="department__") & Q(state=State.LEADING_APPROVED)
    returned_first = Case(When(state=State.RETURNED, then=Value(0)), default=Value(1))
    return (_quarterly_base().filter(mine | leading | finance).annotate(returned_first=returned_first)
            .order_by("returned_first", "due_on", "department__order", "unit__order", "pk"))


def quarterly_history(report: QuarterlyReport) -> list[TransitionLog]:
    ct = ContentType.objects.get_for_model(QuarterlyReport)
    return list(TransitionLog.objects.filter(content_type=ct, object_id=report.pk).select_related("actor"))
