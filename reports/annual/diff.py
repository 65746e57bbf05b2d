"""Readable differences between two revisions: texts inline, figures side by side."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports import figures as fig

from .kinds import budget, indicators, listing, statistics, three_public

TEXT_FIELDS = {"text": "正文", "note": "说明"}
EMPTY = "（空）"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class TextChange:
    label: str
    html: SafeString


def inline_diff(old: str, new: str) -> SafeString:
    """Character-level diff (Chinese has no spaces between words) as <del>/<ins>."""
    parts = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(old[i1:i2]))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(old[i1:i2])}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(new[j1:j2])}</ins>")
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 - every piece is escaped above


def _wan(value: object) -> str:
    amount = fig.to_decimal(value)
    return EMPTY if amount is None else f"{fig.yuan_to_wan(amount):f} 万元"


def _rows(rows: list[dict[str, Any]], name_key: str, labels: dict[str, str], prefix: str) -> dict[str, str]:
    flat = {}
    for i, row in enumerate(rows, start=1):
        for key, label in labels.items():
            value = row.get(key)
            flat[f"{prefix}第 {i} 行「{row.get(name_key, '')}」· {label}"] = EMPTY if value in (None, "") else str(value)
    return flat


def describe(kind: str, data: dict[str, Any]) -> dict[str, str]:
    """The non-text content of a revision as label → shown value."""
    flat: dict[str, str] = {}
    if kind == "budget":
        flat = {label: _wan(data.get(name)) for name, label in budget.FIELDS.items()}
    elif kind == "three_public":
        rows = data.get("rows", {})
        flat = {f"{il}（{cl}）": _wan(rows.get(i, {}).get(c))
                for i, il in three_public.ITEMS.items() for c, cl in three_public.COLUMNS.items()}
    elif kind == "indicators":
        labels = {k: indicators.IndicatorRowForm.base_fields[k].label for k in indicators.ROW_FIELDS if k != "name"}
        flat = _rows(data.get("rows", []), "name", labels, "")
    elif kind == "statistics":
        fl = {k: statistics.FigureRowForm.base_fields[k].label for k in statistics.FIGURE_FIELDS if k != "name"}
        rl = {k: statistics.RatioRowForm.base_fields[k].label for k in statistics.RATIO_FIELDS if k != "name"}
        flat = _rows(data.get("figures", []), "name", fl, "数据") | _rows(data.get("ratios", []), "name", rl, "比率")
    elif kind == "list":
        labels = {k: listing.ItemForm.base_fields[k].label for k in listing.ITEM_FIELDS}
        flat = _rows(data.get("items", []), "text", labels, "条目")
    for code, text in (data.get("explanations") or {}).items():
        flat[f"提醒说明（{code}）"] = text
    return flat


def revision_changes(kind: str, old: dict[str, Any], new: dict[str, Any]) -> tuple[list[TextChange], list[FieldChange]]:
    texts = [
        TextChange(label, inline_diff(old.get(key, "") or "", new.get(key, "") or ""))
        for key, label in TEXT_FIELDS.items()
        if (old.get(key) or "") != (new.get(key) or "")
    ]
    before, after = describe(kind, old), describe(kind, new)
    fields = [
        FieldChange(label, before.get(label, EMPTY), after.get(label, EMPTY))
        for label in dict.fromkeys([*before, *after])
        if before.get(label, EMPTY) != after.get(label, EMPTY)
    ]
    return texts, fields
