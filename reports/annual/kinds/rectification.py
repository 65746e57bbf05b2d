"""上年评价发现问题整改情况: generated from last year's 整改台账, completed by the coordinator.

The items, their states and results are read live (``CheckContext.prior_items``); the section stores
only the coordinator's overall text and a note per item. An item not yet closed (销号) is a
warning on the report: it needs a written explanation before the section is submitted.
"""

from __future__ import annotations

from typing import Any

from django import forms

from .base import CheckContext, Issue, KindSpec, clean_text, error, warning

MAX_NOTE = 2000


class PriorForm(forms.Form):
    text = forms.CharField(label="总体情况", required=False, max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="概述上年评价发现问题的整改情况；逐项说明写在下表。")


class PriorItemForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    problem = forms.CharField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label="整改情况说明", required=False, max_length=MAX_NOTE,
                           widget=forms.Textarea(attrs={"rows": 2}))


PriorItemFormSet = forms.formset_factory(PriorItemForm, extra=0, max_num=500, validate_max=True)


class Rectification(KindSpec):
    code = "rectification"
    generated = True
    form_class = PriorForm
    formset_classes = {"items": PriorItemFormSet}
    render_template = "reports/annual/kinds/rectification.html"

    def empty_data(self) -> dict[str, Any]:
        return {"text": "", "items": []}

    def form_initial(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"text": data.get("text", "")}

    def to_data(self, form: forms.Form, formsets: dict[str, forms.BaseFormSet]) -> dict[str, Any]:
        rows = [{"item": f.cleaned_data["item"], "problem": f.cleaned_data.get("problem", ""),
                 "note": clean_text(f.cleaned_data.get("note", ""))}
                for f in formsets["items"].forms if f.cleaned_data]
        return {"text": clean_text(form.cleaned_data["text"]), "items": rows}

    def context_compute(self, data: dict[str, Any], ctx: CheckContext) -> dict[str, Any]:
        notes = {row.get("item"): row.get("note", "") for row in data.get("items", [])}
        rows = [row | {"note": notes.get(row["item"], "")} for row in ctx.prior_items()]
        items = [{"text": f"{r['problem']}（责任单位：{r['unit']}；{r['state_label']}）"
                          + (f"整改结果：{r['result']}" if r["result"] else "") + (f"说明：{r['note']}" if r["note"] else "")}
                 for r in rows]
        return {"rows": rows, "open": sum(1 for r in rows if r["open"]), "items": items}

    def check(self, data: dict[str, Any], computed: dict[str, Any], ctx: CheckContext) -> list[Issue]:
        listed = {row.get("item") for row in data.get("items", [])}
        issues = []
        for row in computed.get("rows", []):
            if row["item"] not in listed:
                issues.append(error(f"rectification.missing.{row['item']}",
                                    f"上年整改事项「{row['problem'][:30]}」尚未列入本章节，请更新本章节"))
            elif row["open"]:
                issues.append(warning(f"rectification.open.{row['item']}",
                                      f"上年整改事项「{row['problem'][:30]}」尚未销号（{row['state_label']}）"))
            if row["item"] in listed and not row["note"]:
                issues.append(error(f"rectification.note.{row['item']}",
                                    f"请填写上年整改事项「{row['problem'][:30]}」的整改情况说明"))
        return issues

    def is_empty(self, data: dict[str, Any]) -> bool:
        return not data.get("items")

    def describe(self, data: dict[str, Any]) -> dict[str, str]:
        return {f"第 {i} 项「{row.get('problem', '')[:20]}」· 整改情况说明": row.get("note", "") or "（空）"
                for i, row in enumerate(data.get("items", []), start=1)}
