"""Readable differences between two revisions of a target table (same shape as sections' diffs).

Indicators are named by their 三级指标 (unique in a table), not by their line: a unit's row added in
the middle of the table is one new row in the diff, not every later line shifted."""

from __future__ import annotations

from typing import Any

from reports.annual.diff import FieldChange, TextChange, inline_diff
from reports.annual.kinds.base import EMPTY, describe_rows, describe_wan, form_labels

from .forms import INDICATOR_FIELDS, IndicatorForm, TaskForm


def _describe_indicators(rows: list[dict[str, Any]], unit_names: dict[str, str]) -> dict[str, str]:
    labels = form_labels(IndicatorForm, INDICATOR_FIELDS)
    flat = {}
    for row in rows:
        for key, label in labels.items():
            value = row.get(key)
            value = unit_names.get(value, value) if key == "unit" else value
            flat[f"指标「{row.get('name', '')}」· {label}"] = EMPTY if value in (None, "") else str(value)
    return flat


def describe(data: dict[str, Any], unit_names: dict[str, str]) -> dict[str, str]:
    tasks = [dict(t, amount=describe_wan(t.get("amount"))) for t in data.get("tasks", [])]
    return (_describe_indicators(data.get("indicators", []), unit_names)
            | describe_rows(tasks, "name", form_labels(TaskForm, ["content", "amount"]), "任务"))


def revision_changes(old: dict[str, Any], new: dict[str, Any], unit_names: dict[str, str] | None = None
                     ) -> tuple[list[TextChange], list[FieldChange]]:
    """``unit_names``: responsible units shown by name (code → name)."""
    texts = [TextChange("年度总体目标", inline_diff(old.get("goal", ""), new.get("goal", "")))] \
        if old.get("goal", "") != new.get("goal", "") else []
    before, after = describe(old, unit_names or {}), describe(new, unit_names or {})
    fields = [FieldChange(label, before.get(label, EMPTY), after.get(label, EMPTY))
              for label in dict.fromkeys([*before, *after]) if before.get(label, EMPTY) != after.get(label, EMPTY)]
    return texts, fields
