"""The figures of 驾驶舱 (DESIGN §12), each counted from the same rows as the list it links to.

- budget execution and warnings: ``reports.quarterly.selectors.quarter_figures`` over the user's
  quarterly reports of one quarter, as the quarterly list filters them (``?warning=…``);
- evaluation progress and grades: ``reports.review.selectors`` (report_stage, report_grades) over the
  reports of the 审核进度 page (``?stage=…``, ``?grade=…``).
Scope is the lists' scope: a coordinator or a leader sees their own department.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from departments import permissions as perms
from reports.annual import selectors as annual_selectors
from reports.compiled import compiled_instances, compiled_rows
from reports.models import RECTIFICATION_STATE_LABELS, EvaluationCycle, RectificationItem, Report
from reports.quarterly import selectors as quarterly
from reports.rectification import selectors as rectification
from reports.rectification.filters import PROPOSED
from reports.review import selectors as review
from reports.review.selectors import GRADES, OVERDUE, REPORT_STAGES

TOP_DEPARTMENTS = 20  # bars of the execution chart; the rest is one click away


@dataclass(frozen=True)
class Period:
    cycle: EvaluationCycle | None
    year: int | None
    quarter: int | None


def cycles_for(user: AbstractBaseUser, is_admin: bool) -> list[EvaluationCycle]:
    """The cycles of the 审核进度 page's selector (the dashboard's evaluation charts use the same), without
    their templates; the filter is built from the user's grants alone, so compiled once per grants."""
    def build() -> QuerySet[EvaluationCycle]:
        cycles = annual_selectors.all_cycles() if is_admin else annual_selectors.cycles_visible(user)
        return cycles.select_related(None)

    return compiled_instances(("dashboard-cycles", perms.user_scope(user), is_admin), EvaluationCycle, build)


@dataclass(frozen=True)
class Execution:
    department: str
    department_id: int
    report_id: int
    rate: Decimal | None
    checkpoint: Decimal

    @property
    def gap(self) -> Decimal | None:
        return None if self.rate is None else self.rate - self.checkpoint


@dataclass(frozen=True)
class QuarterView:
    """The quarter's figures for the user's departments."""

    year: int | None
    quarter: int | None
    reports: int  # quarterly reports in scope (all units)
    execution: list[Execution]  # main reports, most behind first
    behind: int
    unreported: int  # main reports without a budget execution figure yet
    warnings: dict[str, int]  # kind → reports with a warning of that kind
    checkpoint: Decimal | None

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.quarter}季度" if self.quarter else ""


def quarter_view(user: AbstractBaseUser, year: int | None, quarter: int | None) -> QuarterView:
    """The quarter's figures; without a year and quarter, the latest quarter the user has reports in."""
    found = quarterly.quarter_figures_for(user, year, quarter)
    execution = sorted((Execution(f.department_name, f.department_id, f.pk, f.rate, f.checkpoint) for f in found.main),
                       key=lambda e: (e.gap is None, e.gap if e.gap is not None else 0, e.department))
    return QuarterView(
        year=found.year, quarter=found.quarter, reports=found.reports, execution=execution,
        behind=sum(1 for f in found.main if f.behind), unreported=sum(1 for f in found.main if f.rate is None),
        warnings={kind: len(pks) for kind, pks in found.by_warning.items()},
        checkpoint=found.main[0].checkpoint if found.main else None,
    )


@dataclass(frozen=True)
class CycleView:
    reports: int
    stages: dict[str, int]  # REPORT_STAGES key → reports
    overdue: int
    grades: dict[str, int]
    average: Decimal | None


def cycle_view(user: AbstractBaseUser, cycle: EvaluationCycle, today: date) -> CycleView:
    """The 审核进度 page's reports of the cycle counted by stage, overdue and grade from every report's
    status and grade, cached per cycle under a stamp read with the reports' pks (one query)."""
    def build() -> QuerySet[Report]:
        return (review.progress_scope(user, cycle).select_related(None).order_by()
                .values_list("pk", *annual_selectors.cycle_changes(cycle.pk)))

    # the scope's filter is built from the user's grants alone: compiled once per grants and cycle
    rows = compiled_rows(("progress-pks", perms.user_scope(user), cycle.pk), Report.objects.db, build)
    if not rows:
        return CycleView(0, dict.fromkeys(REPORT_STAGES, 0), 0, dict.fromkeys(GRADES, 0), None)
    pks, changes = [row[0] for row in rows], tuple(rows[0][1:])
    every, scored = annual_selectors.cycle_statuses(cycle, changes), review.cycle_grades(
        cycle.pk, changes[annual_selectors.SCORE_CHANGES])
    statuses = [every[pk] for pk in pks]
    stages = Counter(review.report_stage(s) for s in statuses)
    scores = [scored[pk] for pk in pks if pk in scored]
    grades = Counter(grade for grade, _ in scores)
    totals = [total for _, total in scores]
    return CycleView(
        reports=len(pks),
        stages={key: stages.get(key, 0) for key in REPORT_STAGES},
        overdue=sum(1 for s in statuses if s.is_overdue(today)),
        grades={grade: grades.get(grade, 0) for grade in GRADES},
        average=(sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01")) if totals else None,
    )


@dataclass(frozen=True)
class RectificationView:
    year: int | None
    states: list[tuple[str, str, int]]  # (ledger filter value, label, items)
    overdue: int

    @property
    def total(self) -> int:
        return sum(n for _, _, n in self.states)


def rectification_view(user: AbstractBaseUser, year: int | None) -> RectificationView:
    """The 整改事项 of a year the user sees, by the ledger's states (proposals apart) and overdue: one query."""
    if year is None:
        return RectificationView(None, [], 0)
    # grouped by (confirmed, state): two aggregates to compile rather than one per state
    today = timezone.localdate()

    def build() -> QuerySet[RectificationItem]:
        return (rectification.items_visible(user, today).filter(year=year).select_related(None).order_by()
                .values_list("state", Q(confirmed_at__isnull=True))
                .annotate(n=Count("id"), overdue=Count("id", filter=rectification.confirmed_overdue_q(today))))

    counts: Counter[str] = Counter()
    overdue = 0
    key = ("rectification-counts", perms.user_scope(user), year, today)
    for state, proposal, n, late in compiled_rows(key, RectificationItem.objects.db, build):
        counts[PROPOSED if proposal else state] += n
        overdue += late
    states = [(PROPOSED, "待确认", counts[PROPOSED])] + [
        (code, label, counts[code]) for code, label in RECTIFICATION_STATE_LABELS.items()]
    return RectificationView(year, states, overdue)


__all__ = ["OVERDUE", "Period", "cycle_view", "cycles_for", "quarter_view", "rectification_view"]
