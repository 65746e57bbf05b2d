"""Quarterly monitoring as pure functions: figures and the warnings of DESIGN §5.

Stored data (amounts in 元 as strings, like sections):
  {"budget": {"initial", "annual", "executed", "expected", "reason"},     # main report only
   "rows": {"<target id>": {"actual", "expected", "likelihood", "cause", "measures"}},
   "explanations": {"<warning code>": "text"}}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reports import figures as fig
from reports.findings import Finding, Issue, error, warning, with_explanations
from reports.models import AnnualTarget, DeviationCause, Likelihood, QuarterlyReport

BUDGET_FIELDS = {"initial": "年初预算数", "annual": "全年预算数", "executed": "累计执行数", "expected": "全年预计执行数"}


@dataclass(slots=True)
class RowFigures:
    target: AnnualTarget
    actual: Decimal | None
    expected: Decimal | None
    previous: Decimal | None
    likelihood: str
    cause: str
    measures: str
    progress: Decimal | None  # actual / target for quantitative "≥" targets
    typed: dict[str, str] = field(default_factory=dict)  # actual/expected/previous as typed (定性: 满意)

    def _shown(self, key: str) -> str:
        value = getattr(self, key)
        return fig.format_number(value) if value is not None else (self.typed.get(key) or "—")

    @property
    def actual_shown(self) -> str:
        """The figure as a number, or what was typed when it is not one (a qualitative 满意)."""
        return self._shown("actual")

    @property
    def expected_shown(self) -> str:
        return self._shown("expected")

    @property
    def previous_shown(self) -> str:
        return self._shown("previous")

    @property
    def is_rate(self) -> bool:
        return self.target.measure_unit.strip() in ("%", "％") or self.target.target.strip().endswith(("%", "％"))

    @property
    def at_risk(self) -> bool:
        return self.likelihood in (Likelihood.POSSIBLE, Likelihood.IMPOSSIBLE)

    @property
    def likelihood_label(self) -> str:
        return Likelihood(self.likelihood).label if self.likelihood else ""

    @property
    def cause_label(self) -> str:
        return DeviationCause(self.cause).label if self.cause else ""


_NO_ROW: dict[str, Any] = {}  # a target without a row of figures (read, never written)


def compute(report: QuarterlyReport, data: dict[str, Any], targets: list[AnnualTarget],
            previous: dict[str, Any] | None) -> dict[str, Any]:
    previous = previous or {}
    budget = {k: fig.to_decimal(data.get("budget", {}).get(k)) for k in BUDGET_FIELDS}
    prev_executed = fig.to_decimal(previous.get("budget", {}).get("executed"))
    rate = fig.rate(budget["executed"], budget["annual"])
    checkpoint = Decimal(report.checkpoint) / 100
    rows, entered, earlier = [], data.get("rows", {}), previous.get("rows", {})
    measure = fig.measure_or_none
    for t in targets:
        key = str(t.pk)
        row = entered.get(key, _NO_ROW)
        before = earlier.get(key, _NO_ROW).get("actual")
        typed_actual, typed_expected = row.get("actual"), row.get("expected")
        actual = measure(typed_actual)
        rows.append(RowFigures(
            t, actual, measure(typed_expected), measure(before),
            row.get("likelihood", ""), row.get("cause", ""), row.get("measures", ""),
            fig.rate(actual, measure(t.target)) if t.nature != "定性" else None,
            {"actual": str(typed_actual or ""), "expected": str(typed_expected or ""), "previous": str(before or "")},
        ))
    return {
        "budget": budget, "rate": rate, "checkpoint": checkpoint, "previous_executed": prev_executed,
        "gap": rate - checkpoint if rate is not None else None,
        "rows": rows, "at_risk": sum(1 for r in rows if r.at_risk),
        "on_track": sum(1 for r in rows if r.likelihood == Likelihood.CERTAIN),
    }


def _budget_issues(report: QuarterlyReport, c: dict[str, Any]) -> list[Issue]:
    b = c["budget"]
    issues = [error(f"quarterly.required.{k}", f"请填写{BUDGET_FIELDS[k]}", f"budget_{k}")
              for k in ("annual", "executed") if b[k] is None]
    if c["rate"] is not None and c["rate"] < c["checkpoint"]:
        issues.append(warning("quarterly.behind_checkpoint",
                              f"预算执行率 {fig.format_percent(c['rate'])} 低于序时进度 {report.checkpoint}%"))
    if b["executed"] is not None and c["previous_executed"] is not None and b["executed"] < c["previous_executed"]:
        issues.append(warning("quarterly.decreased",
                              f"累计执行数 {fig.format_wan(b['executed'])} 万元少于上季度的 "
                              f"{fig.format_wan(c['previous_executed'])} 万元"))
    if b["executed"] is not None and b["annual"] is not None and b["executed"] > b["annual"]:
        issues.append(warning("quarterly.over_budget", "累计执行数超过全年预算数"))
    return issues


def _row_issues(row: RowFigures) -> list[Issue]:
    name, key = row.target.name, row.target.pk
    issues = []
    if row.actual is None and row.target.nature != "定性":
        issues.append(error(f"quarterly.actual.{key}", f"「{name}」请填写累计完成值"))
    if not row.likelihood:
        issues.append(error(f"quarterly.likelihood.{key}", f"「{name}」请选择完成目标可能性"))
    elif row.at_risk:
        label = Likelihood(row.likelihood).label
        issues.append(warning(f"quarterly.unlikely.{key}", f"「{name}」完成目标可能性为“{label}”"))
        if not row.cause:
            issues.append(error(f"quarterly.cause.{key}", f"「{name}」请选择偏差原因"))
        if not row.measures:
            issues.append(error(f"quarterly.measures.{key}", f"「{name}」请填写纠偏措施"))
    if row.actual is not None and row.previous is not None and row.actual < row.previous:
        issues.append(warning(f"quarterly.row_decreased.{key}", f"「{name}」累计完成值少于上季度"))
    return issues + _implausible(row)


IMPLAUSIBLE_FACTOR = 10  # a cumulative figure ten times its annual target is more likely a typing slip


def _implausible(row: RowFigures) -> list[Issue]:
    """Values that are probably mistyped (a rate of 1000%, a forecast above 100% for a rate); a warning
    to check or explain before submitting, never a refusal."""
    if row.actual is None and row.expected is None:
        return []
    name, key, target = row.target.name, row.target.pk, fig.measure_or_none(row.target.target)
    issues, is_rate = [], row.is_rate
    for part, label, value in (("actual", "累计完成值", row.actual), ("expected", "全年预计值", row.expected)):
        if value is None:
            continue
        if is_rate and value > 100:
            issues.append(warning(f"quarterly.implausible.{part}.{key}",
                                  f"「{name}」{label} {fig.format_number(value)}% 超过 100%，请核对（比率不会超过 100%）"))
        elif not is_rate and target and target > 0 and value > target * IMPLAUSIBLE_FACTOR:
            issues.append(warning(f"quarterly.implausible.{part}.{key}",
                                  f"「{name}」{label} {fig.format_number(value)} 超过年度指标值 {row.target.target} 的 "
                                  f"{IMPLAUSIBLE_FACTOR} 倍，请核对"))
    return issues


def findings(report: QuarterlyReport, data: dict[str, Any], computed: dict[str, Any]) -> list[Finding]:
    issues = _budget_issues(report, computed) if report.is_main else []
    for row in computed["rows"]:
        issues += _row_issues(row)
    return with_explanations(issues, data.get("explanations", {}))


def normalize(report: QuarterlyReport, data: dict[str, Any]) -> dict[str, Any]:
    """Keep only known keys and valid choices (uploads and forms both end here)."""
    likelihoods, causes = set(Likelihood.values), set(DeviationCause.values)
    rows = {}
    for key, row in (data.get("rows") or {}).items():
        rows[str(key)] = {
            "actual": str(row.get("actual") or "").strip(), "expected": str(row.get("expected") or "").strip(),
            "likelihood": row.get("likelihood") if row.get("likelihood") in likelihoods else "",
            "cause": row.get("cause") if row.get("cause") in causes else "",
            "measures": str(row.get("measures") or "").strip(),
        }
    clean: dict[str, Any] = {"rows": rows}
    if report.is_main:
        budget = data.get("budget") or {}
        clean["budget"] = {k: budget.get(k) for k in BUDGET_FIELDS} | {"reason": str(budget.get("reason") or "")}
    if data.get("explanations"):
        clean["explanations"] = {k: v for k, v in data["explanations"].items() if v}
    return clean


def rekeyed(data: dict[str, Any], old: dict[str, int], new: Iterable[tuple[int, str]]) -> dict[str, Any]:
    """``data`` of the previous edition's targets (``old``: name → pk) re-keyed to the new edition's."""
    rows = data.get("rows", {})
    return data | {"rows": {str(pk): rows[str(old[name])] for pk, name in new if name in old and str(old[name]) in rows}}
