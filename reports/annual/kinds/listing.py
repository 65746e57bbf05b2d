"""Numbered lists (问题, 建议, 目标); an item may become a tracked 整改 item."""

from typing import Any

from django import forms

from .base import CheckContext, Issue, KindSpec, describe_rows, error, form_labels, formset_rows


class ItemForm(forms.Form):
    text = forms.CharField(label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    track = forms.BooleanField(label="列为整改事项", required=False)
    owner = forms.CharField(label="责任单位", max_length=100, required=False)
    due = forms.DateField(label="整改期限", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("track") and not cleaned.get("owner"):
            self.add_error("owner", "列为整改事项时须填写责任单位")
        return cleaned


ItemFormSet = forms.formset_factory(ItemForm, extra=2, can_delete=True, max_num=100, validate_max=True)
ITEM_FIELDS = ["text", "track", "owner", "due"]


class Listing(KindSpec):
    code = "list"
    formset_classes = {"items": ItemFormSet}
    render_template = "reports/annual/kinds/list.html"

    def empty_data(self) -> dict[str, Any]:
        return {"items": []}

    def to_data(self, form: None, formsets: dict[str, forms.BaseFormSet]) -> dict[str, Any]:
        rows = formset_rows(formsets["items"], ITEM_FIELDS)
        for row in rows:
            row["due"] = row["due"].isoformat() if row.get("due") else ""
        return {"items": rows}

    def check(self, data: dict[str, Any], computed: dict[str, Any], ctx: CheckContext) -> list[Issue]:
        if not data.get("items"):
            return [error("list.empty", "尚未填写任何条目")]
        return []

    def is_empty(self, data: dict[str, Any]) -> bool:
        return not data.get("items")

    def describe(self, data: dict[str, Any]) -> dict[str, str]:
        return describe_rows(data.get("items", []), "text", form_labels(ItemForm, ITEM_FIELDS, skip=""), "条目")
