"""Reads of templates, cycles, reports and sections, always through the user's scope."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Subquery, Value, When
from django.shortcuts import get_object_or_404

from departments import permissions as perms
from departments.models import Department
from reports.memo import memoized
from reports.models import (
    DeadlineExtension,
    EvaluationCycle,
    OutlineNode,
    Report,
    ScoreAdjustment,
    Section,
    SectionKind,
    SectionRevision,
)
from reports.models.annual import department_due
from reports.targets.selectors import approved_table, indicators_from_table
from workflow import selectors as history
from workflow.deadlines import OVERDUE_STATES, overdue_flag
from workflow.guards import content_editable, editable_q
from workflow.models import TransitionLog
from workflow.states import State

from .carry import KEPT, Offer, offers
from .kinds import GENERATED_KINDS


@dataclass(frozen=True)
class ReportStatus:
    """A report's status, derived from its sections (DESIGN §4): the one definition of
    "N of M approved", "final" and "overdue" for a report, and of its deadline."""

    total: int
    approved: int
    ready: int  # 待财政审核: past the leading group
    open: int  # still waiting on the department (workflow.deadlines.OVERDUE_STATES)
    due: date  # the department's deadline: the cycle's or its latest extension
    cycle_due: date

    @property
    def is_final(self) -> bool:
        return self.total > 0 and self.approved == self.total

    @property
    def unapproved(self) -> int:
        return self.total - self.approved

    @property
    def pending(self) -> int:
        """Sections not yet past the leading group."""
        return self.total - self.ready - self.approved

    @property
    def extended(self) -> bool:
        return self.due != self.cycle_due

    def is_overdue(self, today: date) -> bool:
        return self.open > 0 and self.due < today


def with_status(reports: QuerySet[Report]) -> QuerySet[Report]:
    """Annotate what ``report_status`` reads, in the list's one query."""
    return reports.with_due().annotate(cycle_due=F("cycle__due_on"), **status_counts("sections__"))


def status_counts(via: str) -> dict[str, Count]:
    """The section counts ``report_status`` reads, as aggregates over the sections reached through ``via``
    ("sections__" from a report, "" from the sections themselves, grouped by report)."""
    def count(states: Iterable[str] | None = None) -> Count:
        return Count(f"{via}id", filter=Q(**{f"{via}state__in": list(states)}) if states else None)

    return {"status_total": count(), "approved_count": count([State.APPROVED]),
            "ready_count": count([State.LEADING_APPROVED]), "open_count": count(OVERDUE_STATES)}


def report_status(report: Report) -> ReportStatus:
    """The status of a report annotated by ``with_status``."""
    return ReportStatus(report.status_total, report.approved_count, report.ready_count, report.open_count,
                        report.due, report.cycle_due)


SCORED_KINDS = [SectionKind.BUDGET, SectionKind.INDICATORS]  # the sections a report's grade is scored from
STATUS_TTL = 300  # seconds; a deleted section (rare) shows after at most this long


def _newest(model: type, **where: Any) -> Subquery:
    return Subquery(model.objects.filter(**where).order_by("-pk").values("pk")[:1])


def cycle_changes(cycle_id: int) -> list[Subquery]:
    """A stamp of what the statuses and grades of a cycle's reports are computed from, as columns of index
    lookups to add to a query: the newest transition (every change of a section's state writes one),
    section and report (one added), deadline extension, score adjustment and revision of a scored section (every save
    of a section's content writes one: ``submission_content_save``), each an append-only row. With the
    cycle's ``due_on`` it keys ``cycle_statuses``; a change of another cycle at worst recomputes."""
    return [_newest(TransitionLog), _newest(Section), _newest(Report), _newest(DeadlineExtension, cycle_id=cycle_id),
            _newest(ScoreAdjustment), _newest(SectionRevision, section__kind__in=SCORED_KINDS)]


SCORE_CHANGES = slice(4, None)  # the part of ``cycle_changes`` the grades are computed from


def cycle_statuses(cycle: EvaluationCycle, changes: tuple[Any, ...]) -> dict[int, ReportStatus]:
    """``report_status`` of every report of the cycle by pk, cached under ``cycle_changes``: the status
    aggregate joins every section of a district (≈ 5 ms), the stamp looks up a few index entries."""
    key = "cycle-statuses:" + hashlib.sha256(repr((cycle.pk, cycle.due_on, changes)).encode()).hexdigest()

    def compute() -> dict[int, ReportStatus]:
        rows = with_status(Report.objects.filter(cycle_id=cycle.pk)).order_by().values(
            "pk", "due", "cycle_due", "status_total", "approved_count", "ready_count", "open_count")
        return {r["pk"]: ReportStatus(r["status_total"], r["approved_count"], r["ready_count"], r["open_count"],
                                      r["due"], r["cycle_due"]) for r in rows}

    return memoized(key, STATUS_TTL, compute)


def status_of(report: Report, sections: list[Section]) -> ReportStatus:
    """The status of a report whose sections are already loaded."""
    return status_of_states(report, [s.state for s in sections])


def status_of_states(report: Report, states: list[str]) -> ReportStatus:
    """The status of a report from its sections' states (a page's grid reads them anyway)."""
    return ReportStatus(len(states), states.count(State.APPROVED), states.count(State.LEADING_APPROVED),
                        sum(1 for s in states if s in OVERDUE_STATES), report.due_on(), report.cycle.due_on)


def editable_flag() -> Case:
    return Case(When(editable_q(), then=Value(True)), default=Value(False), output_field=BooleanField())


def with_due(sections: QuerySet[Section]) -> QuerySet[Section]:
    """Sections with their department's deadline and whether they are overdue (``due``, ``is_overdue``)."""
    return sections.annotate(due=department_due("report__")).annotate(is_overdue=overdue_flag())


def section_queryset() -> QuerySet[Section]:
    return Section.objects.select_related(
        "report__cycle", "report__department", "unit", "node", "last_edited_by"
    )


def sections_for_editing(user: AbstractBaseUser) -> QuerySet[Section]:
    """我的填报: sections of the units the user writes for (a coordinator: the whole department);
    ``can_edit`` per row: every row is in the user's writing scope, so it is the editable-state rule."""
    scoped = section_queryset().filter(perms.unit_filter(user, perms.EDIT_ROLES, via="unit__"))
    return scoped.annotate(can_edit=editable_flag()).order_by(
        "-report__cycle__year", "report__department__order", "report_id", "node__order", "node_id"
    )


def _visible_section_q(user: AbstractBaseUser) -> Q:
    # The unit's own subtree, or the whole report for people who see the department.
    return perms.unit_filter(user, via="unit__") | perms.unit_filter(user, via="report__department__")


def section_for_view(user: AbstractBaseUser, pk: int) -> Section:
    return get_object_or_404(section_queryset().filter(_visible_section_q(user)), pk=pk)


def section_for_edit(user: AbstractBaseUser, pk: int) -> Section:
    return get_object_or_404(section_queryset().filter(perms.unit_filter(user, perms.EDIT_ROLES, via="unit__")), pk=pk)


def section_content(section: Section, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The content to edit or save: an indicators section's rows come from the approved target table."""
    data = section.data if data is None else data | {k: section.data[k] for k in KEPT if k in section.data and k not in data}
    if section.kind != SectionKind.INDICATORS:
        return data
    return indicators_from_table(approved_table(section.report.department_id, section.report.cycle.year), data)


def previous_submission(section: Section) -> SectionRevision | None:
    """The revision submitted before the one under review, to diff against (None for a draft:
    nothing is under review)."""
    if section.state == State.DRAFT:
        return None
    number = history.previous_submitted_revision(section)
    return None if number is None else section.revisions.filter(number=number).first()


def mark_sections(user: AbstractBaseUser, report: Report, sections: list[Section]) -> list[Section]:
    """Flags for the report page, per section: ``is_approved``, ``can_reassign`` (the coordinator, while
    the section is with its writers: never under review or approved)."""
    may_assign = perms.can_coordinate(user, report.department)
    for s in sections:
        s.is_approved = s.state == State.APPROVED
        s.can_reassign = may_assign and content_editable(s)
    return sections


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
    return get_object_or_404(reports_visible(user).select_related("template"), pk=pk)


def report_sections(report: Report) -> list[Section]:
    return list(report.sections.select_related("unit", "node", "last_edited_by"))


def report_nodes(report: Report) -> list[OutlineNode]:
    """The outline of the report: a generated slot only where the report has its section."""
    present = report.sections.filter(kind__in=list(GENERATED_KINDS)).values("node_id")
    return list(report.template.nodes.filter(~Q(kind__in=list(GENERATED_KINDS)) | Q(pk__in=present)))


def department_units(department: Department) -> list[Department]:
    """The units a section of this department may be assigned to (the department itself first)."""
    units = Department.objects.filter(budget_department=department, retired_at__isnull=True)
    return [department, *units.exclude(pk=department.pk).order_by("order", "code")]


def cycles_visible(user: AbstractBaseUser) -> QuerySet[EvaluationCycle]:
    return EvaluationCycle.objects.filter(
        reports__in=Report.objects.filter(perms.unit_filter(user, via="department__"))
    ).distinct().select_related("template").order_by("-year", "-id")


def cycle_extensions(cycle: EvaluationCycle) -> list[DeadlineExtension]:
    """Every extension granted in the cycle, newest first; ``in_force`` marks each department's latest."""
    rows = list(cycle.extensions.select_related("department", "granted_by").order_by("-granted_at", "-id"))
    seen: set[int] = set()
    for extension in rows:
        extension.in_force = extension.department_id not in seen
        seen.add(extension.department_id)
    return rows


def all_cycles() -> QuerySet[EvaluationCycle]:
    return EvaluationCycle.objects.select_related("template").order_by("-year", "-id")


def carry_offers(user: AbstractBaseUser, report: Report) -> list[Offer]:
    """The "从上年报告带入" work waiting on ``report`` for ``user`` (none unless they coordinate it)."""
    return offers(report) if perms.can_coordinate(user, report.department) else []
