"""自评打分 (DESIGN §8): budget execution + indicator scores, the finance bureau's adjustments, the grade.

Weights and grade bands are template data (``ReportTemplate.scoring``); the rules are
those of 财预〔2020〕10号: a met target earns the full weight, a missed one
weight × 完成值/指标值 (≥) or × 指标值/完成值 (≤), a qualitative one the manual score
within its weight; budget execution earns weight × 执行率, capped at the weight.
Every score is rounded half up to 0.01 before it is summed, so totals equal the sum
of the figures shown.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from departments import permissions as perms
from reports import figures as fig
from reports.models import Report, ScoreAdjustment, Section, SectionKind

from .kinds import KINDS
from .kinds.indicators import QUALITATIVE

logger = logging.getLogger(__name__)

BUDGET_KEY = "budget_execution"
GRADES_KEY = "grades"
# 财预〔2020〕10号: 90（含）-100优, 80（含）-90良, 60（含）-80中, 60以下差 — half-open bands.
DEFAULT_GRADES: tuple[tuple[str, Decimal], ...] = (
    ("优", Decimal(90)), ("良", Decimal(80)), ("中", Decimal(60)), ("差", Decimal(0)),
)
PLACES = Decimal("0.01")
ZERO = Decimal(0)


def quantize(value: Decimal) -> Decimal:
    return value.quantize(PLACES, ROUND_HALF_UP)


def clamp(value: Decimal, weight: Decimal) -> Decimal:
    """A score within [0, weight], to the 0.01."""
    return quantize(min(max(value, ZERO), max(weight, ZERO)))


def grade_bands(weights: Mapping[str, Any]) -> tuple[tuple[str, Decimal], ...]:
    """The template's bands ({"优": 90, …}) from the highest lower bound down, else the default."""
    configured = weights.get(GRADES_KEY)
    if not configured:
        return DEFAULT_GRADES
    bands = ((label, Decimal(str(lower))) for label, lower in dict(configured).items())
    return tuple(sorted(bands, key=lambda band: band[1], reverse=True))


def grade_for(score: Decimal, bands: Sequence[tuple[str, Decimal]] = DEFAULT_GRADES) -> str:
    """The band whose lower bound the score reaches: 89.99 → 良, 90 → 优, 59.99 → 差."""
    for label, lower in bands:
        if score >= lower:
            return label
    return bands[-1][0]


def budget_execution_score(rate: Decimal | None, weight: Decimal) -> Decimal:
    """weight × 执行率, capped at the weight; no rate (budget not filled in) scores 0."""
    return ZERO if rate is None else clamp(weight * rate, weight)


def group_weights(weights: Mapping[str, Any]) -> dict[str, Decimal]:
    """The first-level indicator groups and their weights, in template order."""
    return {key: Decimal(str(value)) for key, value in weights.items() if key not in (BUDGET_KEY, GRADES_KEY)}


@dataclass(frozen=True)
class RowScore:
    row: dict[str, Any]  # the indicator row with compute_row's fields (weight, score, met)
    computed: Decimal | None  # by the rules; None when it cannot be computed yet
    adjustment: ScoreAdjustment | None = None

    @property
    def name(self) -> str:
        return self.row.get("name", "")

    @property
    def level1(self) -> str:
        return self.row.get("level1", "")

    @property
    def weight(self) -> Decimal:
        return self.row["weight"]

    @property
    def qualitative(self) -> bool:
        return self.row.get("nature") == QUALITATIVE

    @property
    def score(self) -> Decimal:
        """The latest adjustment wins over the rules; kept within the weight in either case."""
        if self.adjustment is not None:
            return clamp(self.adjustment.score, self.weight)
        return ZERO if self.computed is None else self.computed


@dataclass(frozen=True)
class GroupScore:
    name: str
    configured: Decimal | None  # the template's weight for the group
    rows: list[RowScore]

    @property
    def weight(self) -> Decimal:
        return sum((r.weight for r in self.rows), ZERO)

    @property
    def score(self) -> Decimal:
        return sum((r.score for r in self.rows), ZERO)


@dataclass(frozen=True)
class ReportScore:
    budget_weight: Decimal
    execution_rate: Decimal | None
    budget_score: Decimal
    groups: list[GroupScore]
    bands: tuple[tuple[str, Decimal], ...] = DEFAULT_GRADES
    budget: dict[str, Any] = field(default_factory=dict)  # the budget section's data and computed figures
    budget_section: Section | None = None
    indicator_section: Section | None = None
    history: list[ScoreAdjustment] = field(default_factory=list)  # every adjustment, newest first

    @property
    def rows(self) -> list[RowScore]:
        return [r for g in self.groups for r in g.rows]

    @property
    def indicator_weight(self) -> Decimal:
        return sum((g.weight for g in self.groups), ZERO)

    @property
    def indicator_score(self) -> Decimal:
        return sum((g.score for g in self.groups), ZERO)

    @property
    def weight(self) -> Decimal:
        return self.budget_weight + self.indicator_weight

    @property
    def total(self) -> Decimal:
        return self.budget_score + self.indicator_score

    @property
    def grade(self) -> str:
        return grade_for(self.total, self.bands)

    @property
    def adjusted_count(self) -> int:
        return sum(1 for r in self.rows if r.adjustment is not None)

    def group(self, name: str) -> GroupScore | None:
        return next((g for g in self.groups if g.name == name), None)


def _row_computed(row: dict[str, Any]) -> Decimal | None:
    score = row.get("score")
    return None if score is None else clamp(score, row["weight"])


def latest_adjustments(adjustments: Iterable[ScoreAdjustment]) -> dict[str, ScoreAdjustment]:
    """The latest adjustment of each row (by time, then id: two in the same instant keep their order)."""
    latest: dict[str, ScoreAdjustment] = {}
    for adj in sorted(adjustments, key=lambda a: (a.created_at, a.pk or 0)):
        latest[adj.row_name] = adj
    return latest


def score_compute(*, weights: Mapping[str, Any], budget_data: dict[str, Any] | None,
                  indicator_data: dict[str, Any] | None,
                  adjustments: Iterable[ScoreAdjustment] = ()) -> ReportScore:
    """The report's score from its budget and indicator data (no database access)."""
    adjustments = list(adjustments)
    budget_spec, indicator_spec = KINDS[SectionKind.BUDGET], KINDS[SectionKind.INDICATORS]
    budget_computed = budget_spec.compute(budget_data or {})
    budget_weight = Decimal(str(weights.get(BUDGET_KEY, 0)))
    rate = budget_computed["execution_rate"]
    latest = latest_adjustments(adjustments)
    configured = group_weights(weights)
    rows = indicator_spec.compute(indicator_data or {})["rows"]
    names = dict.fromkeys([*configured, *(r["level1"] for r in rows)])
    groups = [
        GroupScore(name, configured.get(name), [
            RowScore(r, _row_computed(r), latest.get(r["name"])) for r in rows if r["level1"] == name
        ])
        for name in names
    ]
    return ReportScore(
        budget_weight=budget_weight, execution_rate=rate, budget_score=budget_execution_score(rate, budget_weight),
        groups=groups, bands=grade_bands(weights),
        budget={"data": budget_data or {}, "computed": budget_computed},
        history=sorted(adjustments, key=lambda a: (a.created_at, a.pk or 0), reverse=True),
    )


def _first(sections: Iterable[Section], kind: str) -> Section | None:
    found = [s for s in sections if s.kind == kind]
    return min(found, key=lambda s: (s.node.order if s.node_id else 0, s.pk)) if found else None


def report_score(report: Report, sections: Iterable[Section] | None = None) -> ReportScore:
    """The score of one report (its first budget and first indicator section)."""
    if sections is None:
        sections = report.sections.filter(kind__in=[SectionKind.BUDGET, SectionKind.INDICATORS]).select_related("node")
    sections = list(sections)
    budget, indicators = _first(sections, SectionKind.BUDGET), _first(sections, SectionKind.INDICATORS)
    adjustments = list(indicators.score_adjustments.select_related("actor")) if indicators else []
    return _score_of(report, budget, indicators, adjustments)


def _score_of(report: Report, budget: Section | None, indicators: Section | None,
              adjustments: list[ScoreAdjustment]) -> ReportScore:
    score = score_compute(
        weights=report.template.scoring_weights(), budget_data=budget.data if budget else None,
        indicator_data=indicators.data if indicators else None, adjustments=adjustments,
    )
    return replace(score, budget_section=budget, indicator_section=indicators)


def reports_scores(reports: Sequence[Report]) -> dict[int, ReportScore]:
    """The scores of many reports in three queries (the district table)."""
    sections = list(
        Section.objects.filter(report__in=reports, kind__in=[SectionKind.BUDGET, SectionKind.INDICATORS])
        .select_related("node")
    )
    by_report: dict[int, list[Section]] = {}
    for section in sections:
        by_report.setdefault(section.report_id, []).append(section)
    adjustments: dict[int, list[ScoreAdjustment]] = {}
    for adj in ScoreAdjustment.objects.filter(section__in=[s for s in sections if s.kind == SectionKind.INDICATORS]):
        adjustments.setdefault(adj.section_id, []).append(adj)
    result = {}
    for report in reports:
        own = by_report.get(report.pk, [])
        budget, indicators = _first(own, SectionKind.BUDGET), _first(own, SectionKind.INDICATORS)
        result[report.pk] = _score_of(report, budget, indicators, adjustments.get(indicators.pk, []) if indicators else [])
    return result


# --- the finance reviewer's adjustment -----------------------------------------------------------

def _parse_score(text: str) -> Decimal:
    try:
        value = fig.parse_decimal(str(text or ""))
    except fig.FigureError as exc:
        raise ValidationError(f"调整后得分：{exc}") from exc
    if value is None:
        raise ValidationError("调整后得分：请填写")
    if value != value.quantize(PLACES):
        raise ValidationError("调整后得分：最多保留两位小数")
    return value


def _adjust_errors(score: ReportScore, row_name: str, raw_score: str, reason: str
                   ) -> tuple[dict[str, list[str]], RowScore | None, Decimal | None]:
    errors: dict[str, list[str]] = {}
    row = next((r for r in score.rows if r.name == row_name), None)
    if not row_name:
        errors["row_name"] = ["三级指标：请选择要调整的指标"]
    elif row is None:
        errors["row_name"] = [f"三级指标：「{row_name}」不在本报告的绩效指标中"]
    value = None
    try:
        value = _parse_score(raw_score)
    except ValidationError as exc:
        errors["score"] = exc.messages
    if value is not None and row is not None and not ZERO <= value <= row.weight:
        errors["score"] = [f"调整后得分：须在 0 至 {fig.format_number(row.weight)} 分之间"
                           f"（「{row.name}」的分值为 {fig.format_number(row.weight)} 分）"]
    if not (reason or "").strip():
        errors["reason"] = ["理由：请写明调整理由"]
    return errors, row, value


@transaction.atomic
def score_adjust(*, report: Report, row_name: str, score: str, reason: str,
                 actor: AbstractBaseUser) -> ScoreAdjustment:
    """The finance reviewer sets one indicator's score, with the reason; earlier adjustments are kept."""
    if not perms.can_review_finance(actor, report.department):
        raise PermissionDenied("只有负责本部门的财政局审核员可以调整得分。")
    current = report_score(report)
    if current.indicator_section is None:
        raise ValidationError({"row_name": ["三级指标：本报告没有绩效指标章节"]})
    errors, row, value = _adjust_errors(current, (row_name or "").strip(), score, reason)
    if errors:
        raise ValidationError(errors)
    adjustment = ScoreAdjustment(section=current.indicator_section, row_name=row.name, score=value,
                                 reason=reason.strip(), actor=actor)
    adjustment.full_clean()
    adjustment.save()
    logger.info("score adjusted: report=%s row=%s %s → %s by %s", report.pk, row.name, row.computed, value,
                actor.pk)
    return adjustment
