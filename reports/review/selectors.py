"""Reads of the review workflow: inboxes, progress, notifications.

The history of an item (transitions, last return, previous submission) is read by
``workflow.selectors``; deadlines, "overdue" and a report's status by ``reports.annual.selectors``
and ``workflow.deadlines``. Pages get flags (``next_action``, ``is_overdue``, …) computed here in bulk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Max, Min, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from departments import permissions as perms
from departments.models import Role
from reports.annual import scoring
from reports.annual.selectors import (
    ReportStatus,
    report_status,
    status_counts,
    status_of_states,
    with_due,
    with_status,
)
from reports.memo import memoized
from reports.models import (
    RECTIFICATION_STATE_LABELS,
    EvaluationCycle,
    QuarterlyReport,
    RectificationItem,
    Report,
    Section,
    SectionKind,
)
from workflow import selectors as history
from workflow.deadlines import is_overdue
from workflow.models import Notification, TransitionLog
from workflow.states import EDITABLE_STATES, State


def _waiting_for(user: AbstractBaseUser, department_via: str, finance_items: bool = True) -> Q:
    """Own editable items, and the reviews due from the user."""
    mine = perms.unit_filter(user, perms.EDIT_ROLES, via="unit__") & Q(state__in=list(EDITABLE_STATES))
    leading = perms.leading_review_filter(user, via=department_via) & Q(state=State.SUBMITTED)
    if not finance_items:
        return mine | leading
    finance = perms.finance_review_filter(user, via=department_via) & Q(state=State.LEADING_APPROVED)
    return mine | leading | finance


def _returned_first() -> Case:
    return Case(When(state=State.RETURNED, then=Value(0)), default=Value(1))


def inbox_sections(user: AbstractBaseUser, *, finance_items: bool = True) -> QuerySet[Section]:
    """Everything waiting for this user: own returned/draft sections, and reviews due from them. A finance
    reviewer's thousands of sections are summed up per department (``finance_ready_page``) and listed
    one department at a time: ``finance_items=False`` leaves them out."""
    waiting = _waiting_for(user, "report__department__", finance_items)
    if _matches_nothing(Section.objects.filter(waiting)):
        return Section.objects.none()  # a reviewer's own list, without the finance items: nothing to build
    return (
        with_due(Section.objects.select_related("report__cycle", "report__department", "unit", "node").filter(waiting))
        .annotate(returned_first=_returned_first())
        .order_by("returned_first", "due", "report__department__order", "node__order", "pk")
    )


def _matches_nothing(queryset: QuerySet) -> bool:
    """Whether the filter can match no row (a scope without the roles it asks for), known without a query:
    Django refuses to compile such a WHERE."""
    try:
        queryset.query.get_compiler(queryset.db).compile(queryset.query.where)
    except EmptyResultSet:
        return True
    return False


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
    comments = history.last_returns([s for s in sections if s.state == State.RETURNED])  # none: no query
    rows = []
    for s in sections:
        label, page = NEXT_ACTIONS.get(s.state, ("查看", "reports:section_detail"))
        comment = comments.get(s.pk) if s.state == State.RETURNED else None
        rows.append(InboxRow(s, comment, label, reverse(page, args=[s.pk])))
    return rows


def gate_open(pending: int, require_leading: bool) -> bool:
    """Whether the finance bureau may approve a report's ready sections now: once none is still before the
    leading group, or at once where the cycle does not require the leading group first."""
    return pending == 0 or not require_leading


@dataclass(frozen=True)
class ReadyReport:
    report: Report
    status: ReportStatus
    is_overdue: bool

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
        return gate_open(self.pending, self.report.cycle.require_leading_before_finance)


def finance_ready_page(user: AbstractBaseUser, today: date, number: Any, per_page: int) -> Page:
    """Per department: how many sections are ready for the finance bureau (N/M), since when the oldest
    has waited, and whether the department is overdue — one row per department, a page at a time.

    The counts ``report_status`` reads come from one aggregate over the sections grouped by report (no
    model rows), the order is decided on them, and only the page's reports are read (with their deadline):
    the status aggregate over a whole district's reports costs far more."""
    scope = Section.objects.filter(perms.finance_review_filter(user, via="report__department__"))
    if _matches_nothing(scope):  # not a finance reviewer
        return Paginator([], per_page).get_page(number)
    counts = {row["report_id"]: row for row in scope.order_by().values(
        "report_id", "report__cycle__year", "report__cycle__require_leading_before_finance",
        "report__department__order", "report__department__code").annotate(
        **status_counts(""), oldest_waiting=Min("submitted_at", filter=Q(state=State.LEADING_APPROVED)))}
    keys = []
    for pk, row in counts.items():
        total, approved, ready = row["status_total"], row["approved_count"], row["ready_count"]
        if total > approved:  # departments whose sections can be approved now first, the longest waiting first
            now = ready and gate_open(total - ready - approved, row["report__cycle__require_leading_before_finance"])
            keys.append(((not now, -row["report__cycle__year"], row["oldest_waiting"] is None,
                          row["oldest_waiting"] or 0, row["report__department__order"],
                          row["report__department__code"]), pk))
    page = Paginator([pk for _, pk in sorted(keys)], per_page).get_page(number)
    reports = {r.pk: r for r in Report.objects.filter(pk__in=list(page.object_list)).select_related(
        "cycle", "department").with_due()} if page.object_list else {}
    page.object_list = [_ready(reports[pk], counts[pk], today) for pk in page.object_list if pk in reports]
    return page


def _ready(report: Report, counts: dict[str, Any], today: date) -> ReadyReport:
    for name in ("status_total", "approved_count", "ready_count", "open_count", "oldest_waiting"):
        setattr(report, name, counts[name])
    report.cycle_due = report.cycle.due_on  # as ``with_status`` annotates it
    status = report_status(report)
    return ReadyReport(report, status, status.is_overdue(today))


def progress_scope(user: AbstractBaseUser, cycle: EvaluationCycle) -> QuerySet[Report]:
    """The reports of a cycle the user oversees (finance: assigned departments; leaders: their own), in
    department order, without their status: counted over a district, the status aggregate joins every
    section (and the deadline subquery runs once per section), so a page reads it from its own grid."""
    oversee = (
        perms.finance_review_filter(user, via="department__")
        | perms.leading_review_filter(user, via="department__")
        | perms.unit_filter(user, frozenset({Role.FINANCE_ADMIN, Role.COORDINATOR}), via="department__")
    )
    return (Report.objects.filter(oversee, cycle=cycle).select_related("department", "cycle")
            .order_by("department__order", "department__code"))


def progress_ids(scope: QuerySet[Report]) -> list[tuple[int, int]]:
    """(report, template) of every report in ``progress_scope``, in its order: the page is cut, the
    templates found and the states counted from these, so the scope's filter is compiled once."""
    return list(scope.values_list("pk", "template_id"))


def progress_page(reports: QuerySet[Report], ids: list[int], f: ProgressFilters, today: date, number: Any,
                  per_page: int) -> Page:
    """One page of the progress grid's ``reports`` (whose pks in order are ``ids``, from ``progress_ids``),
    each with its deadline; narrowed by stage or grade, every report is read with its status first."""
    if f.stage or f.grade:
        return Paginator(progress_filtered(reports, f, today), per_page).get_page(number)
    page = Paginator(ids, per_page).get_page(number)
    page.object_list = list(Report.objects.filter(pk__in=list(page.object_list)).select_related("department", "cycle")
                            .with_due().order_by("department__order", "department__code")) if page.object_list else []
    return page


def progress_reports(user: AbstractBaseUser, cycle: EvaluationCycle) -> QuerySet[Report]:
    """``progress_scope`` with each report's status annotated (``report_status``)."""
    return with_status(progress_scope(user, cycle)).select_related("template")


# Where a report stands, from its sections (one rule for the dashboard's chart and the progress filter).
REPORT_STAGES = {"department": "部门填报或审核中", "finance": "待财政审核", "final": "已定稿"}
OVERDUE = "overdue"


def report_stage(status: ReportStatus) -> str:
    """final: every section approved; finance: none waits on the department any more; else department."""
    if status.is_final:
        return "final"
    return "finance" if status.total and status.open == 0 else "department"


GRADES_TTL = 300  # seconds; a changed weight of a frozen template (never) or a deleted section (rare)


def report_grades_and_totals(reports: list[Report]) -> dict[int, tuple[str, Decimal]]:
    """Each report's grade (优/良/中/差) and total score as scored now. Scoring a district's reports costs
    a few hundred milliseconds, so the scores of a cycle's reports are cached until one of its budget or
    indicator sections is saved or a score is adjusted (one query checks)."""
    cycles = {r.cycle_id for r in reports}
    if len(cycles) != 1:
        return {pk: (s.grade, s.total) for pk, s in scoring.reports_scores(reports).items()}
    cycle_id = cycles.pop()
    scored = Section.objects.filter(report__cycle_id=cycle_id, kind__in=[SectionKind.BUDGET, SectionKind.INDICATORS])
    stamp = scored.aggregate(n=Count("id"), changed=Max("updated_at"), adjusted=Max("score_adjustments__id"))
    grades = cycle_grades(cycle_id, tuple(stamp.values()))
    return {r.pk: grades[r.pk] for r in reports if r.pk in grades}


def cycle_grades(cycle_id: int, stamp: tuple[Any, ...]) -> dict[int, tuple[str, Decimal]]:
    """The grade and total of every report of the cycle by pk, cached under ``stamp`` (the scored sections'
    count and last save and the newest score adjustment: ``report_grades_and_totals`` or ``cycle_changes``)."""
    key = "cycle-grades:" + hashlib.sha256(repr((cycle_id, stamp)).encode()).hexdigest()

    def compute() -> dict[int, tuple[str, Decimal]]:
        everyone = list(Report.objects.filter(cycle_id=cycle_id).select_related("template"))
        return {pk: (s.grade, s.total) for pk, s in scoring.reports_scores(everyone).items()}

    return memoized(key, GRADES_TTL, compute)


@dataclass(frozen=True)
class ProgressFilters:
    stage: str = ""  # a key of REPORT_STAGES, or OVERDUE
    grade: str = ""

    @classmethod
    def parse(cls, query: Any) -> ProgressFilters:
        stage, grade = query.get("stage", ""), query.get("grade", "")
        if stage and stage not in REPORT_STAGES and stage != OVERDUE:
            raise ValueError(f"进度参数「{stage[:20]}」无效。")
        if grade and grade not in GRADES:
            raise ValueError(f"等级参数「{grade[:20]}」无效。")
        return cls(stage, grade)

    @property
    def label(self) -> str:
        parts = ["已逾期" if self.stage == OVERDUE else REPORT_STAGES.get(self.stage, ""),
                 f"等级：{self.grade}" if self.grade else ""]
        return "，".join(p for p in parts if p)


def progress_filtered(reports: QuerySet[Report], f: ProgressFilters, today: date) -> QuerySet[Report] | list[Report]:
    """The reports of the progress page (``progress_scope``), narrowed by stage or grade (rules computed in
    Python, on the annotated rows of the one query: the same functions the dashboard counts with). Unfiltered,
    the page is cut in SQL and only its rows get their deadline."""
    if not (f.stage or f.grade):
        return reports.with_due()
    rows = list(with_status(reports))
    if f.stage == OVERDUE:
        rows = [r for r in rows if report_status(r).is_overdue(today)]
    elif f.stage:
        rows = [r for r in rows if report_stage(report_status(r)) == f.stage]
    if f.grade:
        grades = report_grades_and_totals(rows)
        rows = [r for r in rows if r.pk in grades and grades[r.pk][0] == f.grade]
    return rows


GRADES = tuple(label for label, _ in scoring.DEFAULT_GRADES)
STATE_MARKS = {State.APPROVED: "✓", State.RETURNED: "↩", State.SUBMITTED: "1", State.LEADING_APPROVED: "2"}
EMPTY_CELL = '<td class="cell"></td>'


@dataclass(frozen=True)
class ProgressRow:
    report: Report
    status: ReportStatus
    is_overdue: bool
    cells: SafeString  # the row's ``<td>`` per section slot, drawn here: a page holds about a thousand
    url: str


def progress_rows(reports: list[Report], node_ids: list[int], today: date) -> list[ProgressRow]:
    """Departments × sections of one page, with marks, each report's status (from the same sections) and
    the overdue flag: one query for the page's sections, one URL reversal for all its cells."""
    sections = Section.objects.filter(report__in=reports).order_by().values_list(
        "id", "report_id", "node_id", "state", "error_count")
    head, tail = url_parts("reports:section_detail")
    labels = dict(State.choices)
    looks: dict[tuple[str, bool], tuple[str, str]] = {}  # (state, has errors) → escaped html around the pk
    cells: dict[int, dict[int, str]] = {}  # report → node → cell
    states: dict[int, list[str]] = {}
    for pk, report_id, node_id, state, errors in sections:
        look = looks.get((state, bool(errors)))
        if look is None:
            look = looks[(state, bool(errors))] = _cell_html(head, tail, state, labels.get(state, state),
                                                             "!" if errors else STATE_MARKS.get(state, ""))
        cells.setdefault(report_id, {})[node_id] = f"{look[0]}{pk}{look[1]}"
        states.setdefault(report_id, []).append(state)
    rows, report_url = [], _url_maker("reports:report_detail")
    for report in reports:
        status, row = status_of_states(report, states.get(report.pk, [])), cells.get(report.pk, {})
        html = "".join([row.get(n, EMPTY_CELL) for n in node_ids])
        rows.append(ProgressRow(report, status, status.is_overdue(today), SafeString(html), report_url(report.pk)))
    return rows


def _cell_html(head: str, tail: str, state: str, label: str, mark: str) -> tuple[str, str]:
    """A section's cell, a link to it with its state's mark, cut where its pk goes."""
    before = format_html('<td class="cell"><a href="{}', head)
    after = format_html('{}" title="{}"><span class="dot {}">{}</span></a></td>', tail, label, state, mark)
    return str(before), str(after)


def url_parts(name: str) -> tuple[str, str]:
    """``reverse(name, args=[pk])`` cut where the pk goes (the pattern is ``…/<int:pk>/…``)."""
    marker = 987654321
    head, _, tail = reverse(name, args=[marker]).partition(str(marker))
    return head, tail


def _url_maker(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many pks from one reversal."""
    head, tail = url_parts(name)
    return lambda pk: f"{head}{pk}{tail}"


def state_counts(reports: QuerySet[Report]) -> dict[str, int]:
    rows = Section.objects.filter(report__in=reports.values("pk")).order_by().values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


def unread_notifications(user: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


def inbox_rectifications(user: AbstractBaseUser, limit: int) -> list[dict[str, Any]]:
    """整改事项 waiting for this user (the unit's to report, the reviews due), the first ``limit``, as the
    values their rows show with ``state_label`` and ``is_overdue`` (a short list: read as values, the
    overdue rule applied in Python)."""
    waiting = RectificationItem.objects.filter(_waiting_for(user, "department__"), confirmed_at__isnull=False)
    if _matches_nothing(waiting):
        return []
    rows = list(waiting
                .annotate(returned_first=_returned_first()).order_by("returned_first", "due_on", "department__order", "pk")
                .values("pk", "problem", "state", "due_on", "department__name", "unit__name")[:limit])
    today = timezone.localdate()
    for row in rows:
        row.update(state_label=RECTIFICATION_STATE_LABELS[row["state"]],
                   is_overdue=is_overdue(row["state"], row["due_on"], today))
    return rows


def inbox_quarterlies(user: AbstractBaseUser, limit: int) -> list[dict[str, Any]]:
    """Quarterly reports waiting for this user, like inbox_sections, the first ``limit``, as the values
    their rows show with ``state_label`` and ``is_overdue``."""
    waiting = QuarterlyReport.objects.filter(_waiting_for(user, "department__"))
    if _matches_nothing(waiting):
        return []
    rows = list(waiting.annotate(returned_first=_returned_first())
                .order_by("returned_first", "due_on", "department__order", "unit__order", "pk")
                .values("pk", "year", "quarter", "state", "due_on", "error_count", "warning_count", "department__name",
                        "unit__name")[:limit])
    today, labels = timezone.localdate(), dict(State.choices)
    for row in rows:
        row.update(state_label=labels[row["state"]], is_overdue=is_overdue(row["state"], row["due_on"], today))
    return rows
