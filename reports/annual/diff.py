"""Readable differences between two revisions: texts inline, figures side by side."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.findings import topic

from .kinds import get_kind
from .kinds.base import EMPTY

TEXT_FIELDS = {"text": "正文", "note": "说明"}


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


def describe(kind: str, data: dict[str, Any]) -> dict[str, str]:
    """The non-text content of a revision as label → shown value: the kind's figures, then the
    explanations of warnings."""
    flat = dict(get_kind(kind).describe(data))
    for code, text in (data.get("explanations") or {}).items():
        flat[f"提醒说明（{topic(code)}）"] = text
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


def typed_text(kind: str, data: dict[str, Any]) -> str:
    """Content as typed, as plain text to copy when it cannot be saved (the section went under review)."""
    lines = [data.get(key, "") for key in TEXT_FIELDS if data.get(key)]
    lines += [f"{label}：{value}" for label, value in describe(kind, data).items() if value != EMPTY]
    return "\n".join(lines)
