"""Checks of a target table's content: what blocks its submission."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reports import figures as fig
from reports.annual.kinds.indicators import LEVEL1, LEVEL2, QUALITATIVE
from reports.findings import Issue, error


def _number(text: object) -> Decimal | None:
    return fig.measure_or_none(text)


def _indicator_issues(i: int, row: dict[str, Any]) -> list[Issue]:
    where = f"第 {i} 项指标「{row.get('name', '')}」"
    issues = []
    if row.get("level2") not in LEVEL2.get(row.get("level1", ""), []):
        issues.append(error(f"targets.row{i}.level2", f"{where}的二级指标不属于一级指标「{row.get('level1', '')}」"))
    if row.get("nature") != QUALITATIVE and _number(row.get("target")) is None:
        issues.append(error(f"targets.row{i}.target", f"{where}为定量指标，指标值须为数字"))
    if not row.get("unit"):
        issues.append(error(f"targets.row{i}.unit", f"{where}未指定责任单位"))
    return issues


def table_issues(data: dict[str, Any]) -> list[Issue]:
    """Errors of a target table's content; an empty list means it may be submitted."""
    issues = [] if (data.get("goal") or "").strip() else [error("targets.goal", "请填写年度总体目标")]
    rows = data.get("indicators", [])
    if not rows:
        return [*issues, error("targets.empty", "尚未填写任何绩效指标")]
    for i, row in enumerate(rows, start=1):
        issues += _indicator_issues(i, row)
    # The weights per 一级指标 are the report template's (they differ by region and template): the
    # report's indicators section checks them; here each level only needs a positive total.
    for level1 in sorted({r.get("level1") for r in rows} & set(LEVEL1), key=LEVEL1.index):
        total = sum((_number(r.get("weight")) or Decimal(0) for r in rows if r.get("level1") == level1), Decimal(0))
        if total <= 0:
            issues.append(error(f"targets.weight.{level1}", f"{level1}指标分值合计 {fig.format_number(total)}，须大于 0"))
    return issues


def blocking_messages(data: dict[str, Any]) -> list[str]:
    return [i.message for i in table_issues(data)]
