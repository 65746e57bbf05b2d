"""Readable differences between two revisions of a target table (same shape as sections' diffs)."""

from __future__ import annotations

from typing import Any

from reports.annual.diff import FieldChange, TextChange, inline_diff
from reports.annual.kinds.base import EMPTY, describe_rows, describe_wan, form_labels

from .forms import INDICATOR_FIELDS, IndicatorForm, TaskForm


def describe(data: dict[str, Any]) -> dict[str, str]:
    tasks = [dict(t, amount=describe_wan(t.get("amount"))) for t in data.get("tasks", [])]
    return (describe_rows(data.get("indicators", []), "name", form_labels(IndicatorForm, INDICATOR_FIELDS), "指标")
            | describe_rows(tasks, "name", form_labels(TaskForm, ["content", "amount"]), "任务"))


def revision_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[TextChange], list[FieldChange]]:
    texts = [TextChange("年度总体目标", inline_diff(old.get("goal", ""), new.get("goal", "")))] \
        if old.get("goal", "") != new.get("goal", "") else []
    before, after = describe(old), describe(new)
    fields = [FieldChange(label, before.get(label, EMPTY), after.get(label, EMPTY))
              for label in dict.fromkeys([*before, *after]) if before.get(label, EMPTY) != after.get(label, EMPTY)]
    return texts, fields
