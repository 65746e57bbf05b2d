"""Reads of quarterly monitoring, always through the user's scope."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import CharField, Count, F, Func, JSONField, Max, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from departments import permissions as perms
from departments.models import Department
from reports import findings as found
from reports.compiled import compiled_rows
from reports.findings import Finding
from reports.memo import memoized
from reports.models import AnnualTarget, QuarterlyReport, QuarterlyRevision

from .figures import compute, findings, rekeyed


def quarterly_queryset() -> QuerySet[QuarterlyReport]:
    return QuarterlyReport.objects.select_related("department", "unit", "last_edited_by", "submitted_by",
                                                  "target_table")


def _visible_quarterly_q(user: AbstractBaseUser) -> Q:
    return perms.unit_filter(user, via="unit__") | perms.unit_filter(user, via="department__")


def _visible_quarterly_in_q(user: AbstractBaseUser) -> Q:
    """``_visible_quarterly_q`` as ``IN (the user's units)``: for counting many reports it joins no
    department table (a coordinator's quarter stamp ≈ 2× faster; a page sorted by department joins anyway)."""
    if perms.user_scope(user).is_superuser:
        return Q()
    units = perms.visible_units(user).values("pk")
    return Q(unit_id__in=units) | Q(department_id__in=units)


def quarterlies_visible(user: AbstractBaseUser) -> QuerySet[QuarterlyReport]:
    return quarterly_queryset().filter(_visible_quarterly_q(user)).order_by(
        "-year", "-quarter", "department__order", "department__code", "-is_main", "unit__order")


def quarterly_for_view(user: AbstractBaseUser, pk: int) -> QuarterlyReport:
    """The report with its previous quarter's id, target table and content (``previous_of`` without a query)."""
    # at most one row (unique per department, unit and quarter): unordered, the model's ordering would join
    # both departments into each of the three subqueries, and planning them cost more than running the page's
    before = QuarterlyReport.objects.filter(department_id=OuterRef("department_id"), unit_id=OuterRef("unit_id"),
                                            year=OuterRef("year"), quarter=OuterRef("quarter") - 1).order_by()
    return get_object_or_404(quarterly_queryset().filter(_visible_quarterly_q(user)).annotate(
        previous_pk=Subquery(before.values("pk")[:1]), previous_table_id=Subquery(before.values("target_table_id")[:1]),
        previous_content=Subquery(before.values("data")[:1], output_field=JSONField())), pk=pk)


def quarterly_for_edit(user: AbstractBaseUser, pk: int) -> QuarterlyReport:
    return get_object_or_404(quarterly_queryset().filter(perms.unit_filter(user, perms.EDIT_ROLES, via="unit__")), pk=pk)


def targets_of(report: QuarterlyReport) -> list[AnnualTarget]:
    """The indicators this report tracks: its unit's rows of the approved target table edition the
    quarter was opened with (none when there was no approved table)."""
    if report.target_table_id is None:
        return []
    return list(AnnualTarget.objects.filter(table_id=report.target_table_id, unit=report.unit).order_by("order", "id"))


def previous_data(report: QuarterlyReport, previous: QuarterlyReport | None) -> dict[str, Any] | None:
    """The previous quarter's data, its rows re-keyed to this report's targets by name when a 调整
    changed the target table edition in between."""
    if previous is None or previous.target_table_id == report.target_table_id or not previous.target_table_id:
        return previous.data if previous else None
    old = dict(AnnualTarget.objects.filter(table_id=previous.target_table_id).values_list("name", "pk"))
    new = AnnualTarget.objects.filter(table_id=report.target_table_id).values_list("pk", "name")
    return rekeyed(previous.data, old, new)


def previous_of(report: QuarterlyReport) -> QuarterlyReport | None:
    """The same unit's report of the quarter before (for 上季度 figures and the decrease check)."""
    if report.quarter == 1:
        return None
    if hasattr(report, "previous_pk"):  # annotated by quarterly_for_view
        return None if report.previous_pk is None else QuarterlyReport(
            pk=report.previous_pk, department_id=report.department_id, unit_id=report.unit_id, year=report.year,
            quarter=report.quarter - 1, target_table_id=report.previous_table_id, data=report.previous_content)
    return QuarterlyReport.objects.filter(department=report.department, unit=report.unit, year=report.year,
                                          quarter=report.quarter - 1).first()


def evaluate(report: QuarterlyReport, data: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[Finding]]:
    """The report's figures and findings. Of its stored content, computed once per loaded instance and
    version (a page and the workflow's guard on that page both ask)."""
    if data is None:
        key = (report.version, id(report.data))
        memo = getattr(report, "_evaluated", None)
        if memo is None or memo[0] != key:
            memo = (key, _evaluate(report, report.data))
            report._evaluated = memo
        return memo[1]
    return _evaluate(report, data)


def _evaluate(report: QuarterlyReport, data: dict[str, Any]) -> tuple[dict[str, Any], list[Finding]]:
    previous = previous_of(report)
    computed = compute(report, data, targets_of(report), previous_data(report, previous))
    return computed, findings(report, data, computed)


def blocking_messages(report: QuarterlyReport) -> list[str]:
    return found.blocking_messages(evaluate(report)[1], explain="须填写原因")


# The warnings of DESIGN §5 by kind (the middle part of a finding's code, "quarterly.<kind>[.<row>]").
WARNING_KINDS = {
    "behind_checkpoint": "执行率低于序时进度",
    "decreased": "累计执行数少于上季度",
    "over_budget": "累计执行超过全年预算",
    "unlikely": "指标可能无法完成",
    "row_decreased": "指标累计值少于上季度",
}


@dataclass(frozen=True)
class QuarterFigures:
    """One quarterly report's budget figures and the kinds of its warnings."""

    pk: int
    year: int
    quarter: int
    department_id: int
    department_name: str
    unit_id: int
    is_main: bool
    rate: Decimal | None  # 预算执行率 (main reports)
    checkpoint: Decimal  # 序时进度 as a fraction
    warnings: frozenset[str]

    @property
    def behind(self) -> bool:
        return "behind_checkpoint" in self.warnings


def quarter_figures(reports: QuerySet[QuarterlyReport]) -> list[QuarterFigures]:
    """The figures and warning kinds of many quarterly reports in two queries, computed by the same
    ``compute``/``findings`` as each report's page (the dashboard and the list's filters)."""
    previous = QuarterlyReport.objects.filter(
        department_id=OuterRef("department_id"), unit_id=OuterRef("unit_id"), year=OuterRef("year"),
        quarter=OuterRef("quarter") - 1)
    rows = list(reports.select_related(None).annotate(
        previous_data=Subquery(previous.values("data")[:1], output_field=JSONField()),
        previous_table_id=Subquery(previous.values("target_table_id")[:1]), department_name=F("department__name"),
    ).only("id", "department_id", "unit_id", "year", "quarter", "is_main", "checkpoints", "data", "target_table_id"))
    tables = {r.target_table_id for r in rows} | {r.previous_table_id for r in rows}
    targets: dict[tuple[int, int], list[AnnualTarget]] = defaultdict(list)
    names: dict[int, dict[str, int]] = defaultdict(dict)
    # whole rows, each report's unit's rows of the edition it was opened with (as ``targets_of``)
    for t in AnnualTarget.objects.filter(table_id__in=tables - {None}).order_by("order", "id"):
        targets[(t.table_id, t.unit_id)].append(t)
        names[t.table_id][t.name] = t.pk
    return [_figures(r, targets[(r.target_table_id, r.unit_id)], _previous(r, names)) for r in rows]


def _previous(report: QuarterlyReport, names: dict[int, dict[str, int]]) -> dict[str, Any] | None:
    """As ``previous_data``, from the annotated previous quarter and the tables' names loaded once."""
    old, new = report.previous_table_id, report.target_table_id
    if report.previous_data is None or old == new or not old:
        return report.previous_data
    return rekeyed(report.previous_data, names[old], [(pk, name) for name, pk in names[new].items()])


def _figures(report: QuarterlyReport, targets: list[AnnualTarget], previous: dict[str, Any] | None) -> QuarterFigures:
    computed = compute(report, report.data, targets, previous)
    kinds = frozenset(f.issue.code.split(".")[1] for f in findings(report, report.data, computed) if not f.is_error)
    return QuarterFigures(report.pk, report.year, report.quarter, report.department_id, report.department_name, report.unit_id, report.is_main,
                          computed["rate"], computed["checkpoint"], kinds)


@dataclass(frozen=True)
class QuarterlyFilters:
    """The list's filters from a query string; a bad value is a ValueError with a Chinese message."""

    year: int | None = None
    quarter: int | None = None
    department: int | None = None
    main: bool = False
    warning: str = ""

    @classmethod
    def parse(cls, query: Any) -> QuarterlyFilters:
        warning = query.get("warning", "")
        if warning and warning not in WARNING_KINDS:
            raise ValueError(f"预警类型「{warning}」无效。")
        return cls(_int_param(query, "year", "年度"), _int_param(query, "quarter", "季度"),
                   _int_param(query, "department", "部门"), query.get("main", "") == "1", warning)

    @property
    def warning_label(self) -> str:
        return WARNING_KINDS.get(self.warning, "")


def _int_param(query: Any, name: str, label: str) -> int | None:
    value = (query.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise ValueError(f"{label}参数「{value[:20]}」无效。")
    return int(value)


def quarterlies_filtered(user: AbstractBaseUser, f: QuarterlyFilters) -> QuerySet[QuarterlyReport]:
    """The user's quarterly reports narrowed by the list's filters (the warning kinds as the dashboard
    counts them: the same cached figures)."""
    reports = quarterlies_visible(user)
    if f.year:
        reports = reports.filter(year=f.year)
    if f.quarter:
        reports = reports.filter(quarter=f.quarter)
    if f.department:
        reports = reports.filter(department_id=f.department)
    if f.main:
        reports = reports.filter(is_main=True)
    if f.warning:
        found = (quarter_figures_for(user, f.year, f.quarter) if f.year and f.quarter
                 else QuarterSet.of(None, None, quarter_figures(reports)))
        reports = reports.filter(pk__in=found.by_warning[f.warning])
    # the list's columns only, as values: sorting a district's 6,000 whole rows (content, editors) cost ≈ 30 ms
    return reports.select_related(None).values(*LIST_FIELDS)


LIST_FIELDS = ("id", "year", "quarter", "is_main", "state", "due_on", "error_count", "warning_count",
               "department__name", "unit__name")


class QuarterBands:
    """A list of quarterly reports (newest quarter first) for a paginator: counted per quarter in one query,
    and a page read from only the quarters it falls in. Sorting (by department and unit) a district's
    every quarter to show the first 50 rows of the newest cost the list most of its time, more each quarter."""

    def __init__(self, reports: QuerySet) -> None:
        self.reports = reports
        self._bands: list[tuple[int, int, int]] | None = None

    def bands(self) -> list[tuple[int, int, int]]:
        """(year, quarter, number of reports), newest first."""
        if self._bands is None:
            self._bands = list(self.reports.order_by().values_list("year", "quarter").annotate(n=Count("id"))
                               .order_by("-year", "-quarter"))
        return self._bands

    def count(self) -> int:
        return sum(n for _, _, n in self.bands())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list:
        start, stop, seen, offset, quarters = window.start or 0, window.stop, 0, 0, []
        for year, quarter, n in self.bands():
            if seen + n > start and (stop is None or seen < stop):
                offset = offset if quarters else start - seen
                quarters.append(Q(year=year, quarter=quarter))
            seen += n
        if not quarters:
            return []
        rows = self.reports.filter(reduce(or_, quarters))
        return list(rows[offset:] if stop is None else rows[offset:offset + stop - start])


# A target's edit (rare: the finance bureau sets targets once a year) shows in the cached figures after
# at most this long; a report's save shows at once (its time and the count are in the key).
FIGURES_TTL = 300


@dataclass(frozen=True)
class QuarterSet:
    """A quarter's figures in the small shape the dashboard and the list's filters read (cheap to cache)."""

    year: int | None
    quarter: int | None
    reports: int
    main: list[QuarterFigures]  # each department's main report
    by_warning: dict[str, list[int]]  # kind → the reports with a warning of that kind

    @classmethod
    def of(cls, year: int | None, quarter: int | None, figures: list[QuarterFigures]) -> QuarterSet:
        return cls(year, quarter, len(figures), [f for f in figures if f.is_main],
                   {kind: [f.pk for f in figures if kind in f.warnings] for kind in WARNING_KINDS})


def quarter_figures_for(user: AbstractBaseUser, year: int | None = None, quarter: int | None = None) -> QuarterSet:
    """``quarter_figures`` of the user's reports of one quarter (by default the latest they have), cached:
    computing them costs about a millisecond a report, so a district's 3,000 reports are computed once per
    change of any report of the quarter or the one before (whose figures the warnings compare with)."""
    scope = _scope_key(user)
    rows = _quarter_stamps(user, scope, year, quarter)
    if not rows:
        return QuarterSet.of(year, quarter, [])
    year, quarter = (rows[0][0], rows[0][1]) if year is None or quarter is None else (year, quarter)
    key = "quarter-figures:" + hashlib.sha256(repr((year, quarter, scope, rows)).encode()).hexdigest()

    def compute() -> QuarterSet:
        visible = QuarterlyReport.objects.filter(_visible_quarterly_in_q(user), year=year, quarter=quarter)
        return QuarterSet.of(year, quarter, quarter_figures(visible.order_by()))

    return memoized(key, FIGURES_TTL, compute)


def _quarter_stamps(user: AbstractBaseUser, scope: Hashable, year: int | None, quarter: int | None) -> list[tuple]:
    """(year, quarter, reports, last save) of the user's latest two quarters (or of the one asked for and
    the one before). Counting a district's reports costs ≈ 3 ms, so the counts are kept while a probe of
    index lookups finds no report added or saved anywhere (the newest report and revision: every save
    writes one) and the same units in the user's scope (their count, sum and largest id)."""
    units = Department.objects.filter(perms.unit_filter(user)).order_by()
    probe = compiled_rows(("quarter-probe", scope), QuarterlyReport.objects.db, lambda: QuarterlyReport.objects.order_by(
        "-pk").values_list("pk", Subquery(QuarterlyRevision.objects.order_by("-pk").values("pk")[:1]),
                           Subquery(units.annotate(n=_UnitSet(F("id"))).values("n")))[:1])
    key = "quarter-stamps:" + hashlib.sha256(repr((scope, year, quarter, probe)).encode()).hexdigest()
    def compute() -> list[tuple]:
        def stamps() -> QuerySet[QuarterlyReport]:
            found = QuarterlyReport.objects.filter(_visible_quarterly_in_q(user)).order_by().values_list(
                "year", "quarter").annotate(n=Count("id"), changed=Max("updated_at"))
            if year is not None and quarter is not None:
                found = found.filter(year=year, quarter__in=[quarter, quarter - 1])
            return found.order_by("-year", "-quarter")[:2]

        # built from the scope's paths alone: its SQL is compiled once per scope and quarter
        return compiled_rows(("quarter-stamps", scope, year, quarter), QuarterlyReport.objects.db, stamps)

    return memoized(key, FIGURES_TTL, compute)


class _UnitSet(Func):
    """The units a subquery selects, as one text: their count, sum and largest id (no GROUP BY)."""

    template = "COUNT(%(expressions)s) || ':' || SUM(%(expressions)s) || ':' || MAX(%(expressions)s)"
    output_field = CharField()


def _scope_key(user: AbstractBaseUser) -> tuple[bool, tuple[str, ...]]:
    """What decides which quarterly reports a user sees (the paths of ``_visible_quarterly_q``)."""
    scope = perms.user_scope(user)
    return scope.is_superuser, tuple(sorted(scope.view_paths()))
