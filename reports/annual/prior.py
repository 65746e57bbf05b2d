"""Last year's 整改事项 as the next year's report sees them (DESIGN §11): read live, so the generated
section 上年评价发现问题整改情况 always shows each item's current state and result."""

from __future__ import annotations

from typing import Any

from reports.models import RECTIFICATION_STATE_LABELS, RectificationItem, Report
from workflow.states import State


def _row(item: RectificationItem) -> dict[str, Any]:
    return {"item": item.pk, "problem": item.problem, "unit": item.unit.name, "due_on": item.due_on.isoformat(),
            "state_label": RECTIFICATION_STATE_LABELS[item.state], "open": item.state != State.APPROVED,
            "result": item.result}


def prior_rows_by_department(department_ids: list[int], year: int) -> dict[int, list[dict[str, Any]]]:
    """The confirmed items of ``year`` (the year before the report's) per department; one query."""
    rows: dict[int, list[dict[str, Any]]] = {}
    items = (RectificationItem.objects.filter(department_id__in=department_ids, year=year, confirmed_at__isnull=False)
             .select_related("unit").order_by("department_id", "due_on", "id"))
    for item in items:
        rows.setdefault(item.department_id, []).append(_row(item))
    return rows


def prior_rows(report: Report) -> list[dict[str, Any]]:
    return prior_rows_by_department([report.department_id], report.cycle.year - 1).get(report.department_id, [])


def prior_section_data(rows: list[dict[str, Any]], old: dict[str, Any] | None = None) -> dict[str, Any]:
    """The section's content for these items, keeping the coordinator's text and notes of ``old``."""
    old = old or {}
    notes = {row.get("item"): row.get("note", "") for row in old.get("items", [])}
    data = {"text": old.get("text", ""),
            "items": [{"item": r["item"], "problem": r["problem"], "note": notes.get(r["item"], "")} for r in rows]}
    if old.get("explanations"):
        data["explanations"] = old["explanations"]
    return data
