"""The dashboard's period: a cycle for the evaluation charts, a year and quarter for the monitoring ones."""

from __future__ import annotations

from typing import Any

from reports.models import EvaluationCycle

from .selectors import Period


def _number(query: Any, name: str, label: str, low: int, high: int) -> int | None:
    value = (query.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValueError(f"{label}参数「{value[:20]}」无效。")
    return int(value)


def period_parse(query: Any, cycles: list[EvaluationCycle]) -> Period:
    """The period asked for; without a cycle the latest the user has, without a year and quarter the
    latest quarter (found by ``selectors.quarter_view``). A bad value is a ValueError with a Chinese
    message (the view answers 400)."""
    cycle_id = _number(query, "cycle", "评价周期", 1, 10**12)
    year, quarter = _number(query, "year", "年度", 2000, 2100), _number(query, "quarter", "季度", 1, 4)
    cycle = next((c for c in cycles if c.pk == cycle_id), None) if cycle_id else next(iter(cycles), None)
    if cycle_id and cycle is None:
        raise ValueError("评价周期不存在或不在您的范围内。")
    if (year is None) != (quarter is None):
        raise ValueError("年度和季度须同时指定。")
    return Period(cycle, year, quarter)
