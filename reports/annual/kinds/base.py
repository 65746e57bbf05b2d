"""What every section kind provides: forms, stored data, computed figures, checks, rendering."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms

from reports import figures
from reports.findings import Issue, Level, error, mismatch, warning  # noqa: F401 (the kinds' vocabulary)

PLACEHOLDER = re.compile(r"\{([^{}\s]{1,40})\}")


@dataclass
class CheckContext:
    """What a section's checks need from the rest of the report."""

    scoring: dict[str, int] = field(default_factory=dict)
    report_figures: dict[str, str] = field(default_factory=dict)
    # The approved target table edition the indicators score against (None: no approved table);
    # only checked when ``targets_checked`` (a report's context, not a bare kind check).
    target_edition: int | None = None
    targets_checked: bool = False
    # Last year's rectification items, read only by the kind that lists them (one query, on first use).
    prior_loader: Callable[[], list[dict[str, Any]]] | None = None
    _prior: list[dict[str, Any]] | None = None

    def prior_items(self) -> list[dict[str, Any]]:
        if self._prior is None:
            self._prior = self.prior_loader() if self.prior_loader else []
        return self._prior


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Replace {名称} with the computed figure; unknown names stay as typed (and are flagged)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


def unknown_placeholders(text: str, values: dict[str, str]) -> list[str]:
    return [name for name in PLACEHOLDER.findall(text or "") if name not in values]


def placeholder_issues(text: str, values: dict[str, str]) -> list[Issue]:
    return [
        error(f"placeholder.{name}", f"正文引用了未定义的数据「{{{name}}}」", "text")
        for name in unknown_placeholders(text, values)
    ]


def formset_rows(formset: forms.BaseFormSet, fields: list[str]) -> list[dict[str, Any]]:
    """The kept, non-empty rows of a formset as stripped strings (booleans kept as such)."""
    rows = []
    for form in formset.forms:
        if not form.cleaned_data or formset._should_delete_form(form):
            continue
        rows.append({
            key: value.strip() if isinstance(value, str) else value
            for key in fields
            if (value := form.cleaned_data.get(key, "")) is not None
        })
    return rows


def clean_text(text: str) -> str:
    """Browsers post textarea line breaks as CRLF; store plain newlines."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class AmountInputForm(forms.Form):
    """Base for forms with amounts: one unit selector; a '元'/'万元' suffix in a value wins."""

    input_unit = forms.ChoiceField(label="录入单位", choices=figures.Unit.CHOICES, initial=figures.Unit.WAN)
    amount_fields: tuple[str, ...] = ()
    negative_fields: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        unit = cleaned.get("input_unit", figures.Unit.WAN)
        for name in self.amount_fields:
            raw = self.data.get(self.add_prefix(name), "") if self.is_bound else ""
            try:
                cleaned[name] = figures.parse_amount(
                    raw, unit, allow_negative=name in self.negative_fields
                )
            except figures.FigureError as exc:
                self.add_error(name, f"{self.fields[name].label}：{exc}")
        return cleaned


def amount_field(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=40, help_text=help_text,
                           widget=forms.TextInput(attrs={"class": "amount", "inputmode": "decimal"}))


def wan_initial(value: object) -> str:
    """Stored 元 → exact 万元 text for the form (no rounding: 1480 元 → 0.148)."""
    # The suffix wins over the 录入单位 selector, so switching it never reinterprets a loaded value.
    text = figures.wan_text(value)
    return f"{text}万元" if text else ""


class KindSpec:
    """Interface of a section kind; one subclass per kind."""

    code: str = ""
    generated = False  # a slot of this kind gets a section only where there is something to list
    form_class: type[forms.Form] | None = None
    formset_classes: dict[str, type[forms.BaseFormSet]] = {}
    render_template = ""

    def empty_data(self) -> dict[str, Any]:
        return {}

    def form_initial(self, data: dict[str, Any]) -> dict[str, Any]:
        return {}

    def formset_initial(self, prefix: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        return [dict(row) for row in data.get(prefix, [])]

    def to_data(self, form: forms.Form | None, formsets: dict[str, forms.BaseFormSet]) -> dict[str, Any]:
        raise NotImplementedError

    def compute(self, data: dict[str, Any]) -> dict[str, Any]:
        return {}

    def context_compute(self, data: dict[str, Any], ctx: CheckContext) -> dict[str, Any]:
        """Figures that need the rest of the report or other records (merged into ``compute``'s)."""
        return {}

    def figures(self, data: dict[str, Any], computed: dict[str, Any]) -> dict[str, str]:
        """Named display values that text placeholders may use."""
        return {}

    def check(self, data: dict[str, Any], computed: dict[str, Any], ctx: CheckContext) -> list[Issue]:
        return []

    def is_empty(self, data: dict[str, Any]) -> bool:
        return not data

    def describe(self, data: dict[str, Any]) -> dict[str, str]:
        """The non-text content of a stored revision as label → shown value (for the diff)."""
        return {}

    def write_docx(self, out: Any, rendered: Any, score: Any) -> None:
        """Write the section's body into the report .docx (``out``: reports.exports.report_docx.DocxOut,
        ``rendered``: its RenderedSection, ``score``: the report's ReportScore)."""
        for text in rendered.paragraphs:
            out.paragraph(text)
        self.write_docx_items(out, rendered)

    @staticmethod
    def write_docx_items(out: Any, rendered: Any) -> None:
        for number, item in rendered.items:
            out.paragraph(f"{number}{item.get('text', '')}")


EMPTY = "（空）"


def describe_wan(value: object) -> str:
    text = figures.wan_text(value)
    return f"{text} 万元" if text else EMPTY


def describe_rows(rows: list[dict[str, Any]], name_key: str, labels: dict[str, str], prefix: str) -> dict[str, str]:
    """Table rows flattened as 「第 i 行「名称」· 列」 → value."""
    flat = {}
    for i, row in enumerate(rows, start=1):
        for key, label in labels.items():
            value = row.get(key)
            flat[f"{prefix}第 {i} 行「{row.get(name_key, '')}」· {label}"] = EMPTY if value in (None, "") else str(value)
    return flat


def form_labels(form_class: type[forms.Form], keys: list[str], skip: str = "name") -> dict[str, str]:
    return {k: form_class.base_fields[k].label for k in keys if k != skip}
