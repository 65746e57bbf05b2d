"""季度绩效运行监控汇总表 (DESIGN §5, §6): one workbook for the district, one year and quarter.

Memory stays flat whatever the size of the district: the sheets are openpyxl write-only
sheets (each row goes to a temporary file as it is appended), fed by ordered iterator
queries — the quarter's reports, the previous quarter's, the year's targets, the annual
三公 sections — merged in one pass over the departments, so that only one unit's report
is held at a time. Figures and warnings are those of ``reports.quarterly`` (compute and
findings), so the workbook says what the platform says.
"""

from __future__ import annotations

import os
import time
from array import array
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import Case, Count, Expression, F, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Collate
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from departments.models import Department, DepartmentKind
from reports import figures as fig
from reports.annual.kinds import KINDS
from reports.models import AnnualTarget, DeviationCause, Likelihood, QuarterlyReport, Section, SectionKind
from reports.quarterly.figures import RowFigures, compute, findings, rekeyed
from workflow.states import State

from .base import BuildResult, Progress
from .ordered import Ordered
from .xlsx import MONEY, RATE
from .xlsx_table import EXCEL_ROWS, Col, Table

MAX_ROWS = EXCEL_ROWS  # Excel's last row; a longer table continues on "指标进度(2)", "(3)" …
CHUNK = 2000  # indicator rows per fetch; a fetch of reports is sized to carry about as many
PROGRESS_EVERY = 0.5  # seconds
LIKELIHOOD = dict(Likelihood.choices)
CAUSE = dict(DeviationCause.choices)
STATE = dict(State.choices)


SUMMARY_COLS = [
    Col("部门", 30, wrap=True), Col("全年预算数（万元）", 15, MONEY), Col("累计执行数（万元）", 15, MONEY),
    Col("执行率", 10, RATE), Col("序时进度", 10, RATE), Col("差距", 10, RATE), Col("指标数", 8),
    Col("正常（确定能）", 10), Col("有风险（有可能/完全不可能）", 14), Col("预警数", 8),
    Col("审核状态", 26, wrap=True),
]
INDICATOR_COLS = [
    Col("部门", 30, wrap=True), Col("填报单位", 18, wrap=True), Col("一级指标", 8), Col("二级指标", 10),
    Col("三级指标", 26, wrap=True), Col("指标性质", 6), Col("年度指标值", 11), Col("度量单位", 7),
    Col("上季度累计", 11), Col("本季度累计", 11), Col("全年预计", 11), Col("完成目标可能性", 10),
    Col("偏差原因", 11), Col("纠偏措施", 28, wrap=True), Col("状态", 12, wrap=True), Col("预警", 6),
]
THREE_PUBLIC_COLS = [
    Col("部门", 28, wrap=True), Col("项目", 26), Col("上年决算（万元）", 14, MONEY), Col("本年预算（万元）", 14, MONEY),
    Col("本年决算（万元）", 14, MONEY), Col("变动率", 10, RATE), Col("控制率", 10, RATE), Col("来源/说明", 36, wrap=True),
]
WARNING_COLS = [
    Col("部门", 30, wrap=True), Col("填报单位", 18, wrap=True), Col("预警", 44, wrap=True),
    Col("说明/原因", 50, wrap=True), Col("审核状态", 14, wrap=True),
]
REVISION_COLS = [
    Col("部门", 30, wrap=True), Col("填报单位", 22, wrap=True), Col("审核状态", 16), Col("版本号", 8),
    Col("更新时间", 18),
]



def _bytewise(field_name: str) -> Expression:
    """Codes ordered as Python orders them (a PostgreSQL locale collation ignores '-' and '.')."""
    return Collate(F(field_name), "C") if connection.vendor == "postgresql" else F(field_name)


def _main_first() -> Case:
    """False for the department's own report, first in the order. A boolean, not 0/1: Django converts
    every integer an expression returns, row by row, and the targets' stream is the longest of all."""
    return Case(When(unit_id=F("department_id"), then=Value(False)), default=Value(True),
                output_field=models.BooleanField())

def _unit_ordered(qs: QuerySet, *then: str) -> QuerySet:
    return qs.annotate(main_flag=_main_first(), u_order=F("unit__order"), u_code=F("unit__code")).order_by(
        "department__order", _bytewise("department__code"), "main_flag", "unit__order", _bytewise("unit__code"),
        *then,
    )


# ---------------------------------------------------------------------------------------------
# Parameters and per-department figures


class ReportRow(NamedTuple):
    """What compute(), findings() and the sheets read of a QuarterlyReport, without a model
    instance per report (which costs as much as computing its figures)."""

    pk: int
    department_id: int
    unit_id: int
    year: int
    quarter: int
    is_main: bool
    checkpoints: list[int]
    data: dict[str, Any]
    state: str
    version: int
    updated_at: datetime
    unit_name: str
    previous_data: dict[str, Any] | None  # the same unit's report of the quarter before
    target_table_id: int | None
    previous_table_id: int | None  # the edition that report was opened with (another one after a 调整)
    main_flag: bool
    u_order: int
    u_code: str

    checkpoint = property(QuarterlyReport.checkpoint.fget)  # the model's own rule (序时进度)


class Target(NamedTuple):
    """What compute() and the sheet read of an AnnualTarget, without a model instance per row."""

    pk: int
    department_id: int
    unit_id: int
    level1: str
    level2: str
    name: str
    nature: str
    target: str
    measure_unit: str
    main_flag: bool
    u_order: int
    u_code: str


@dataclass(frozen=True)
class Params:
    year: int
    quarter: int
    include_unapproved: bool
    department_ids: list[int] | None
    requested_by: str

    @classmethod
    def parse(cls, params: dict[str, Any]) -> Params:
        try:
            year, quarter = int(params.get("year") or 0), int(params.get("quarter") or 0)
        except (TypeError, ValueError) as exc:
            raise ValueError("年度和季度须为整数。") from exc
        if not 2000 <= year <= 2100:
            raise ValueError(f"年度「{params.get('year')}」无效。")
        if not 1 <= quarter <= 4:
            raise ValueError("季度须为 1–4。")
        ids = params.get("department_ids")
        return cls(year, quarter, bool(params.get("include_unapproved")),
                   None if ids is None else [int(i) for i in ids], _requested_by(params))

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.quarter}季度"


def _requested_by(params: dict[str, Any]) -> str:
    """A name given in the params, or the user with id ``requested_by_id``."""
    if params.get("requested_by"):
        return str(params["requested_by"])
    if not params.get("requested_by_id"):
        return ""
    user = get_user_model().objects.filter(pk=params["requested_by_id"]).first()
    return (user.get_full_name() or user.get_username()) if user else ""


@dataclass
class DeptFigures:
    """One row of 汇总, accumulated while the department's reports stream past."""

    annual: Decimal | None = None
    executed: Decimal | None = None
    rate: Decimal | None = None
    checkpoint: Decimal | None = None
    indicators: int = 0
    on_track: int = 0
    at_risk: int = 0
    warnings: int = 0

    @property
    def gap(self) -> Decimal | None:
        return self.rate - self.checkpoint if self.rate is not None and self.checkpoint is not None else None


@dataclass
class Totals:
    departments: int = 0
    reports: int = 0
    indicators: int = 0
    warnings: int = 0
    annual: Decimal = Decimal(0)
    executed: Decimal = Decimal(0)
    revisions: RevisionLog = field(default_factory=lambda: RevisionLog())


class RevisionLog:
    """Which revision of each report went into the workbook, kept as machine integers (and the unit's
    name, already in memory) while the rows stream — a dict per report costs about 400 bytes, 4 MB for
    a district of 10,000 reports — and turned into the job's list of dicts once the workbook is written."""

    STATES = list(State)

    def __init__(self) -> None:
        self.ids, self.versions, self.departments, self.states = array("q"), array("q"), array("q"), array("b")
        self.units: list[str | None] = []  # None: the department's own (main) report
        self.names: dict[int, str] = {}

    def add(self, department: Department, report: ReportRow) -> None:
        self.names.setdefault(department.pk, department.name)
        self.ids.append(report.pk)
        self.versions.append(report.version)
        self.departments.append(department.pk)
        self.units.append(None if report.unit_id == report.department_id else report.unit_name)
        self.states.append(self.STATES.index(report.state))

    def as_list(self, label: str) -> list[dict[str, Any]]:
        rows = zip(self.ids, self.versions, self.departments, self.units, self.states, strict=True)
        return [{"id": pk, "title": f"{label}绩效监控（{self._where(dept, unit)}）", "revision": version,
                 "state_label": STATE[self.STATES[state]]} for pk, version, dept, unit, state in rows]

    def _where(self, department: int, unit: str | None) -> str:
        return self.names[department] if unit is None else f"{self.names[department]}·{unit}"


def _wan(yuan: Decimal | None) -> Decimal | None:
    return None if yuan is None else yuan / fig.TEN_THOUSAND


def _status(state: str) -> str:
    return "已审定" if state == State.APPROVED else f"未审定（{STATE.get(state, state)}）"


def _unit_label(report: ReportRow) -> str:
    """The reporting unit; “本级” for the department's own (main) report, as in budget tables."""
    return "本级" if report.unit_id == report.department_id else report.unit_name


def _value(parsed: Decimal | None, typed: str) -> float | str | None:
    """The number when it parses, else what was typed (定性 indicators), as compute() kept it.

    The number goes to openpyxl as the float it writes anyway ('%.16g' % float(value)), the same
    digits in the file: a Decimal would be converted to a float three times per cell on the way."""
    return float(parsed) if parsed is not None else (typed or None)


# ---------------------------------------------------------------------------------------------
# The builder


class QuarterSummary:
    def __init__(self, params: Params, progress: Progress) -> None:
        self.p = params
        self.progress = progress
        self.wb = Workbook(write_only=True)
        self.totals = Totals()
        self._names: dict[int, dict[str, int]] = {}  # a previous edition's indicators: name → pk
        self.tz = timezone.get_current_timezone()  # as timezone.localtime() reads it, once
        self._done = 0
        self._expected = 1
        self._reported = (1, time.monotonic())  # percent, when

    # -- queries ---------------------------------------------------------------------------
    def departments(self) -> list[Department]:
        qs = Department.objects.all()
        if self.p.department_ids is None:
            qs = qs.filter(kind=DepartmentKind.DEPARTMENT)
        else:
            qs = qs.filter(pk__in=self.p.department_ids)
        return sorted(qs.only("id", "name", "order", "code"), key=lambda d: (d.order, d.code))

    def _in_scope(self, qs: QuerySet, prefix: str = "") -> QuerySet:
        if self.p.department_ids is None:
            return qs.filter(**{f"{prefix}department__kind": DepartmentKind.DEPARTMENT})
        return qs.filter(**{f"{prefix}department_id__in": self.p.department_ids})

    def _quarter_reports(self, quarter: int) -> QuerySet:
        return self._in_scope(QuarterlyReport.objects.filter(year=self.p.year, quarter=quarter))

    def _quarter_targets(self) -> QuerySet:
        """The indicators of the target table editions the quarter's reports track (one per department)."""
        editions = self._quarter_reports(self.p.quarter).exclude(target_table=None).values("target_table_id")
        return self._in_scope(AnnualTarget.objects.filter(year=self.p.year, table_id__in=editions))

    def report_states(self) -> dict[int, tuple[int, int, str | None]]:
        """Per department: its reports, how many are approved, and its main report's state."""
        rows = self._quarter_reports(self.p.quarter).values("department_id").annotate(
            total=Count("id"), approved=Count("id", filter=Q(state=State.APPROVED)),
            main_state=Max("state", filter=Q(unit_id=F("department_id"))),
        ).order_by()
        return {r["department_id"]: (r["total"], r["approved"], r["main_state"]) for r in rows}

    def report_chunk(self, reports: int) -> int:
        """Reports per fetch. A report carries all its rows as JSON (and last quarter's), and a
        fetch is held whole, so fetch about CHUNK rows' worth: many small reports at a time
        (fewer round trips), few large ones (memory does not grow with the size of reports)."""
        rows = self._quarter_targets().count()
        return max(5, min(500, CHUNK * reports // max(1, rows)))

    def streams(self, rank: dict[int, int], report_chunk: int) -> tuple[Ordered, Ordered, Ordered]:
        """The quarter's reports (each with the same unit's report of the quarter before, as
        previous_of() finds it), the year's targets and the annual 三公 sections, in one order."""
        reports = self._quarter_reports(self.p.quarter).annotate(
            unit_name=F("unit__name"), previous_data=self._previous("data", models.JSONField()),
            previous_table_id=self._previous("target_table_id", models.IntegerField()))
        if not self.p.include_unapproved:
            reports = reports.filter(state=State.APPROVED)
        targets = _unit_ordered(self._quarter_targets(), "order", "id")
        sections = self._in_scope(
            Section.objects.filter(kind=SectionKind.THREE_PUBLIC, report__cycle__year=self.p.year), "report__"
        ).annotate(dept=F("report__department_id"), cycle_name=F("report__cycle__name")).only(
            "id", "state", "version", "data").order_by(
            "report__department__order", _bytewise("report__department__code"), "-report__cycle_id")

        def key(row: Any) -> tuple:
            return rank[row.department_id], row.main_flag, row.u_order, row.u_code

        rows = _unit_ordered(reports).values_list(*ReportRow._fields).iterator(chunk_size=report_chunk)
        return (
            Ordered(map(ReportRow._make, rows), key),
            Ordered(map(Target._make, targets.values_list(*Target._fields).iterator(chunk_size=CHUNK)), key),
            Ordered(sections.iterator(chunk_size=50), lambda s: (rank[s.dept],)),
        )

    def _previous(self, field: str, output: models.Field) -> Expression:
        if self.p.quarter == 1:
            return Value(None, output_field=output)
        previous = QuarterlyReport.objects.filter(
            department_id=OuterRef("department_id"), unit_id=OuterRef("unit_id"), year=self.p.year,
            quarter=self.p.quarter - 1,
        ).order_by().values(field)[:1]  # one at most: (department, unit, year, quarter) is unique
        return Subquery(previous, output_field=output)

    def previous_data(self, report: ReportRow, targets: list[Target]) -> dict[str, Any] | None:
        """As ``previous_data`` of the pages: re-keyed by name when a 调整 changed the edition."""
        old = report.previous_table_id
        if report.previous_data is None or not old or old == report.target_table_id:
            return report.previous_data
        if old not in self._names:  # one query per adjusted edition, not per report
            self._names[old] = dict(AnnualTarget.objects.filter(table_id=old).values_list("name", "pk"))
        return rekeyed(report.previous_data, self._names[old], [(t.pk, t.name) for t in targets])

    # -- the pass over departments ---------------------------------------------------------------
    def build(self, out: Path) -> BuildResult:
        departments = self.departments()
        rank = {d.pk: i for i, d in enumerate(departments)}
        states = self.report_states()
        self._expected = max(1, sum(t if self.p.include_unapproved else a for t, a, _ in states.values()))
        sheets = self.open_sheets()
        try:
            self.write(departments, sheets, self.streams(rank, self.report_chunk(self._expected)), states)
            self.finish(sheets)
            self.progress(97)
            self.wb.save(out)
        except BaseException:
            with suppress(Exception):  # close the half-written sheets: their temporary files go now
                self.wb.save(os.devnull)
            raise
        return BuildResult(filename=f"{self.p.label}绩效运行监控汇总表.xlsx",
                           revisions=self.totals.revisions.as_list(self.p.label),
                           department_ids=[d.pk for d in departments])

    def write(self, departments: list[Department], sheets: dict[str, Table], streams: tuple[Ordered, ...],
              states: dict[int, tuple[int, int, str | None]]) -> None:
        try:
            for i, dept in enumerate(departments):
                row = self.department(dept, i, streams, sheets)
                self.summary_row(sheets["summary"], dept, row, states.get(dept.pk, (0, 0, None)))
                self.three_public(sheets["three_public"], dept, list(streams[2].take((i,)))[:1])
        finally:
            for stream in streams:
                stream.close()

    def department(self, dept: Department, i: int, streams: tuple[Ordered, ...], sheets: dict[str, Table]
                   ) -> DeptFigures:
        reports, targets, _ = streams
        figures = DeptFigures()
        for report in reports.take((i,)):
            key = (i, report.main_flag, report.u_order, report.u_code)
            rows = list(targets.take(key))
            self.report(dept, report, rows, self.previous_data(report, rows), figures, sheets)
            self._step()
        return figures

    def report(self, dept: Department, report: ReportRow, targets: list[Target],
               prev_data: dict[str, Any] | None, figures: DeptFigures, sheets: dict[str, Table]) -> None:
        data = report.data or {}
        computed = compute(report, data, targets, prev_data)
        found = [f for f in findings(report, data, computed) if not f.is_error]
        status = _status(report.state)
        warned = Counter(f.issue.code.rpartition(".")[2] for f in found)
        if figures.checkpoint is None:
            figures.checkpoint = computed["checkpoint"]
        if report.is_main:
            self.main_figures(figures, computed)
        figures.indicators += len(computed["rows"])
        figures.on_track += computed["on_track"]
        figures.at_risk += computed["at_risk"]
        figures.warnings += len(found)
        append, name, unit = sheets["indicators"].append, dept.name, _unit_label(report)
        for row in computed["rows"]:
            append(_indicator_values(name, unit, row, status, warned.get(str(row.target.pk)) if warned else None))
        by_key = {str(r.target.pk): r for r in computed["rows"]} if found else {}
        for f in found:
            sheets["warnings"].append([dept.name, _unit_label(report), f.issue.message,
                                       self.reason(f, data, by_key), status])
        self.revision(dept, report, sheets["notes"])

    def main_figures(self, figures: DeptFigures, computed: dict[str, Any]) -> None:
        budget = computed["budget"]
        figures.annual, figures.executed, figures.rate = budget["annual"], budget["executed"], computed["rate"]
        figures.checkpoint = computed["checkpoint"]
        if figures.annual is not None and figures.executed is not None:
            self.totals.annual += figures.annual
            self.totals.executed += figures.executed

    @staticmethod
    def reason(finding: Any, data: dict[str, Any], rows: dict[str, RowFigures]) -> str:
        """The written explanation; else the budget's 偏差原因 or the row's cause and measures."""
        if finding.explanation:
            return finding.explanation
        key = finding.issue.code.rpartition(".")[2]
        if not key.isdigit():
            return str((data.get("budget") or {}).get("reason") or "")
        row = rows.get(key)
        if row is None or not (row.cause or row.measures):
            return ""
        return f"偏差原因：{CAUSE.get(row.cause, row.cause) or '—'}；纠偏措施：{row.measures or '—'}"

    def revision(self, dept: Department, report: ReportRow, notes: Table) -> None:
        unit = _unit_label(report)
        self.totals.reports += 1
        self.totals.revisions.add(dept, report)
        updated = report.updated_at.astimezone(self.tz).replace(tzinfo=None).isoformat(" ", "minutes")
        notes.append([dept.name, unit, _status(report.state), report.version, updated])

    def _step(self) -> None:
        """Report progress at most every PROGRESS_EVERY seconds: the job saves each report."""
        self._done += 1
        percent, now = 2 + 93 * self._done // self._expected, time.monotonic()
        if percent > self._reported[0] and now - self._reported[1] >= PROGRESS_EVERY:
            self._reported = (percent, now)
            self.progress(percent)

    # -- rows of the other sheets ----------------------------------------------------------------
    def summary_row(self, sheet: Table, dept: Department, f: DeptFigures, states: tuple[int, int, str | None]
                    ) -> None:
        self.totals.departments += 1
        self.totals.indicators += f.indicators
        self.totals.warnings += f.warnings
        sheet.append([dept.name, _wan(f.annual), _wan(f.executed), f.rate, f.checkpoint, f.gap, f.indicators,
                      f.on_track, f.at_risk, f.warnings, self.state_text(*states)])

    def state_text(self, total: int, approved: int, main_state: str | None) -> str:
        if total == 0:
            return "本季度未开展监控"
        if approved == total:
            return "已审定"
        main = f"，主表{STATE[main_state]}" if main_state else "，无主表"
        kept = "已纳入" if self.p.include_unapproved else "未纳入"
        return f"未审定（已审定 {approved}/{total} 份{main}；未审定部分{kept}）"

    def three_public(self, sheet: Table, dept: Department, sections: list[Section]) -> None:
        if not sections:
            sheet.append([dept.name, "—", None, None, None, None, None,
                          f"{self.p.year}年度部门整体支出绩效自评报告中没有三公经费数据"])
            return
        section, spec = sections[0], KINDS[SectionKind.THREE_PUBLIC]
        if section.state != State.APPROVED and not self.p.include_unapproved:
            sheet.append([dept.name, "—", None, None, None, None, None,
                          f"{section.cycle_name}的三公经费章节尚未审定（{STATE[section.state]}），未纳入"])
            return
        if spec.is_empty(section.data or {}):
            sheet.append([dept.name, "—", None, None, None, None, None,
                          f"{section.cycle_name}的三公经费章节尚未填写（{_status(section.state)}）"])
            return
        computed = spec.compute(section.data or {})
        source = f"{section.cycle_name} 第 {section.version} 版，{_status(section.state)}"
        for row in computed["rows"]:
            sheet.append([dept.name, row["label"], _wan(row["prior"]), _wan(row["budget"]), _wan(row["actual"]),
                          row["change"], row["control"], source])
        vehicle = computed["vehicle"]
        sheet.append([dept.name, "其中：公务用车购置及运行维护费", _wan(vehicle["prior"]), _wan(vehicle["budget"]),
                      _wan(vehicle["actual"]), fig.change(vehicle["actual"], vehicle["prior"]),
                      fig.rate(vehicle["actual"], vehicle["budget"]), source])
        totals = computed["totals"]
        sheet.append([dept.name, "合计", _wan(totals["prior"]), _wan(totals["budget"]), _wan(totals["actual"]),
                      computed["change"], computed["control"], source], bold=True)

    # -- the workbook ----------------------------------------------------------------------------
    def _table(self, *args: Any, **kwargs: Any) -> Table:
        return Table(self.wb, *args, max_rows=MAX_ROWS, **kwargs)  # read now: a test shortens the sheets

    def open_sheets(self) -> dict[str, Table]:
        label, scope = self.p.label, "含未审定数据" if self.p.include_unapproved else "仅已审定数据"
        return {
            "summary": self._table("汇总", f"{label}部门整体支出绩效运行监控汇总表",
                             f"单位：万元　　数据：{scope}　　有预警或执行率低于序时进度的部门以底色标出", SUMMARY_COLS,
                             freeze="B4", highlight="OR($J{r}>0,$F{r}<0)"),
            "indicators": self._table("指标进度", f"{label}绩效指标完成进度表",
                                f"累计完成值为截至本季度末的累计数　　数据：{scope}　　有预警的指标以底色标出",
                                INDICATOR_COLS, freeze="C4", highlight="$P{r}>0"),
            "three_public": self._table("三公经费", f"{self.p.year}年度“三公”经费情况表",
                                  "单位：万元　　取自本年度部门整体支出绩效自评报告　　较上年增长或超出预算的以底色标出",
                                  THREE_PUBLIC_COLS, freeze="C4", highlight="OR($F{r}>0,$G{r}>1)"),
            "warnings": self._table("预警", f"{label}绩效运行监控预警清单", f"数据：{scope}",
                              WARNING_COLS, freeze="A4"),
            "notes": self._table("说明", f"{label}绩效运行监控汇总表说明", "", REVISION_COLS,
                           preamble=self.notes()),
        }

    def target_editions(self) -> str:
        """Which approved target table edition each department's indicators come from (one query)."""
        rows = self._quarter_reports(self.p.quarter).filter(is_main=True).order_by(
            "department__order", "department__code").values_list("department__name", "target_table__edition")
        named = "；".join(f"{name} 第 {edition} 版" if edition else f"{name} 无已审定目标表" for name, edition in rows)
        return f"指标取自各部门已审定的整体绩效目标表：{named or '—'}。"

    def notes(self) -> list[tuple[str, str]]:
        p = self.p
        scope = ("全部季度监控表（含未审定），未审定的行在“状态”列标注“未审定”"
                 if p.include_unapproved else "仅已审定（财政审定）的季度监控表；未审定的不纳入")
        return [
            ("数据", f"{p.label}绩效运行监控（双监控）：预算执行和绩效指标完成情况，均为截至本季度末的累计数。"),
            ("范围", scope + "。"),
            ("所用版本", "下表列出所用的每份季度监控表：填报单位、审核状态和版本号（每次保存加一）。"),
            ("目标表", self.target_editions()),
            ("上季度累计", f"取自同一单位第{p.quarter - 1}季度监控表的当前内容（与平台的预警判断一致）。"
             if p.quarter > 1 else "第1季度无上季度数据。"),
            ("金额", "以元精确到分保存，表中以万元显示两位小数；合计由精确数计算后再取整。"),
            ("预警", "执行率低于序时进度、完成目标可能性为“有可能/完全不可能”、累计数少于上季度等；有预警的行以底色标出。"),
            ("生成时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
            ("生成人", p.requested_by or "（未记录）"),
        ]

    def finish(self, sheets: dict[str, Table]) -> None:
        summary = sheets["summary"]
        first, last = summary.first_data_row, summary.rows
        t = self.totals
        summary.finish()  # the filter covers the departments, not the total row below them
        rate = fig.rate(t.executed, t.annual)
        summary.append(["合计", _wan(t.annual), _wan(t.executed), rate, None, None, t.indicators, None, None,
                        t.warnings, f"{t.departments} 个部门，{t.reports} 份季度监控表"], bold=True)
        if last >= first:
            summary.ws.add_chart(_rate_chart(summary.ws, first, last), f"A{last + 3}")
        for name in ("indicators", "three_public", "warnings", "notes"):
            sheets[name].finish()


def _indicator_values(dept: str, unit: str, row: RowFigures, status: str, warnings: int | None) -> list[Any]:
    t, typed = row.target, row.typed
    return [
        dept, unit, t.level1, t.level2, t.name, t.nature, t.target, t.measure_unit,
        _value(row.previous, typed["previous"]), _value(row.actual, typed["actual"]),
        _value(row.expected, typed["expected"]), LIKELIHOOD.get(row.likelihood, ""), CAUSE.get(row.cause, ""),
        row.measures, status, warnings,
    ]


def _rate_chart(ws: WriteOnlyWorksheet, first: int, last: int) -> BarChart:
    """A native bar chart of 执行率 by department (the 汇总 rows)."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = "各部门预算执行率"
    chart.style = 10
    chart.legend = None
    chart.add_data(Reference(ws, min_col=4, min_row=first - 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"  # first department on top, as in the table
    chart.y_axis.numFmt = "0%"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width = 24
    chart.height = min(60, max(7.5, 0.6 * (last - first + 1)))
    return chart


def build(params: dict[str, Any], out: Path, progress: Progress) -> BuildResult:
    """The district's quarter summary workbook (the builder of ExportKind.QUARTER_SUMMARY)."""
    parsed = Params.parse(params)
    progress(1)
    return QuarterSummary(parsed, progress).build(out)
