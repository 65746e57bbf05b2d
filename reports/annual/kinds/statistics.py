"""Statistics: named counts with last year's, ratios between them; 同比 and rates computed.

The text refers to figures as {名称}, {名称.同比} (上升/下降 x%), {名称.上年} and to
ratios as {比率名称}. A figure "as stated" in a source document (the seed's
"占比78.6%") may be kept beside it; the check compares it with the computed value.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms

from reports import figures as fig

from .base import (
    CheckContext,
    Issue,
    KindSpec,
    clean_text,
    describe_rows,
    error,
    form_labels,
    formset_rows,
    mismatch,
    placeholder_issues,
    warning,
)

_STATED = re.compile(r"^(上升|增长|增加|下降|减少)?([+-]?\d+(\.\d+)?)%?$")


def parse_stated_percent(text: str) -> Decimal | None:
    """'上升57.99%' → 57.99, '下降3%' → -3, '78.6%' → 78.6; blank → None."""
    text = fig.normalize_number_text(text).replace("％", "%")
    if not text:
        return None
    match = _STATED.match(text)
    if not match:
        raise fig.FigureError(f"「{text}」不是百分比（如 57.99%、上升57.99%、下降3%）")
    value = Decimal(match.group(2))
    return -value if match.group(1) in ("下降", "减少") else value


def describe_change(fraction: Decimal | None) -> str:
    value = fig.percent(fraction)
    if value is None:
        return "—"
    if value == 0:
        return "持平"
    return f"{'上升' if value > 0 else '下降'}{abs(value):f}%"


def _check_stated(name: str, stated: Decimal | None, computed: Decimal | None, how: str) -> list[Issue]:
    if stated is None or computed is None or fig.percent_matches(stated, computed):
        return []
    shown = fig.percent(computed, max(2, fig.decimal_places(stated)))
    return [mismatch(f"statistics.stated.{name}", f"「{name}」原文为 {stated:f}%，按 {how} 计算应为 {shown:f}%",
                     stated=f"{stated:f}%", computed=f"{shown:f}%")]


def _check_parts(figures: list[dict[str, Any]]) -> list[Issue]:
    """A figure with sub-items (其中): its stated value and prior against the sums of theirs."""
    issues: list[Issue] = []
    for parent in figures:
        parts = [f for f in figures if f.get("parent") == parent["name"]]
        if not parts:
            continue
        for key, label in (("value_d", "本年数"), ("prior_d", "上年数")):
            total = fig.total([p[key] for p in parts])
            if parent[key] is None or total is None or fig.stated_matches(parent[key], total):
                continue
            names = " + ".join(p["name"] for p in parts)
            issues.append(mismatch(
                f"statistics.parts.{parent['name']}.{key[:-2]}",
                f"「{parent['name']}」{label} {fig.format_number(parent[key])}，其中各项（{names}）合计 "
                f"{fig.format_number(total)}", stated=fig.format_number(parent[key]), computed=fig.format_number(total)))
    return issues


class FigureRowForm(forms.Form):
    name = forms.CharField(label="名称", max_length=40)
    unit = forms.CharField(label="单位", max_length=10, required=False)
    value = forms.CharField(label="本年数", max_length=30)
    prior = forms.CharField(label="上年数", max_length=30, required=False)
    stated_change = forms.CharField(label="原文同比（可选，用于核对）", max_length=30, required=False)
    parent = forms.CharField(label="所属数据（其中项填写）", max_length=40, required=False,
                             help_text="本项是另一数据的组成部分时，填写那一数据的名称；合计将被核对。")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for key in ("value", "prior"):
            try:
                cleaned[key] = fig.figure_text(cleaned.get(key, ""), cleaned.get("unit", ""))
            except fig.FigureError as exc:
                self.add_error(key, f"{self.fields[key].label}：{exc}")
        try:
            parse_stated_percent(cleaned.get("stated_change", ""))
        except fig.FigureError as exc:
            self.add_error("stated_change", f"原文同比：{exc}")
        if "{" in cleaned.get("name", "") or "." in cleaned.get("name", ""):
            self.add_error("name", "名称不能含有 { } 或 .")
        return cleaned


class RatioRowForm(forms.Form):
    name = forms.CharField(label="比率名称", max_length=40)
    numerator = forms.CharField(label="分子（数据名称）", max_length=40)
    denominator = forms.CharField(label="分母（数据名称）", max_length=40)
    stated = forms.CharField(label="原文比率（可选，用于核对）", max_length=30, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            parse_stated_percent(cleaned.get("stated", ""))
        except fig.FigureError as exc:
            self.add_error("stated", f"原文比率：{exc}")
        return cleaned


class StatisticsForm(forms.Form):
    text = forms.CharField(label="正文", required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text="用 {名称}、{名称.同比}、{名称.上年}、{比率名称} 引用下面的数据，数字不必手写。")


FigureFormSet = forms.formset_factory(FigureRowForm, extra=3, can_delete=True, max_num=300, validate_max=True)
RatioFormSet = forms.formset_factory(RatioRowForm, extra=2, can_delete=True, max_num=100, validate_max=True)
FIGURE_FIELDS = ["name", "unit", "value", "prior", "stated_change", "parent"]
RATIO_FIELDS = ["name", "numerator", "denominator", "stated"]


def _check_parents(figures: list[dict[str, Any]], names: list[str]) -> list[Issue]:
    return [error(f"statistics.parent.{f['name']}", f"「{f['name']}」所属的数据「{f['parent']}」不存在")
            for f in figures if f.get("parent") and (f["parent"] not in names or f["parent"] == f["name"])]


class Statistics(KindSpec):
    code = "statistics"
    form_class = StatisticsForm
    formset_classes = {"figures": FigureFormSet, "ratios": RatioFormSet}
    render_template = "reports/annual/kinds/statistics.html"

    def empty_data(self) -> dict[str, Any]:
        return {"text": "", "figures": [], "ratios": []}

    def form_initial(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"text": data.get("text", "")}

    def to_data(self, form: forms.Form, formsets: dict[str, forms.BaseFormSet]) -> dict[str, Any]:
        return {
            "text": clean_text(form.cleaned_data["text"]),
            "figures": formset_rows(formsets["figures"], FIGURE_FIELDS),
            "ratios": formset_rows(formsets["ratios"], RATIO_FIELDS),
        }

    def compute(self, data: dict[str, Any]) -> dict[str, Any]:
        figures = []
        for row in data.get("figures", []):
            value, prior = fig.measure_or_none(row.get("value")), fig.measure_or_none(row.get("prior"))
            figures.append(row | {"value_d": value, "prior_d": prior, "change": fig.change(value, prior)})
        by_name = {f["name"]: f for f in figures}
        ratios = []
        for row in data.get("ratios", []):
            num, den = by_name.get(row.get("numerator")), by_name.get(row.get("denominator"))
            value = fig.rate(num and num["value_d"], den and den["value_d"])
            ratios.append(row | {"value": value})
        return {"figures": figures, "ratios": ratios}

    def figures(self, data: dict[str, Any], computed: dict[str, Any]) -> dict[str, str]:
        values: dict[str, str] = {}
        for f in computed["figures"]:
            values[f["name"]] = fig.format_number(f["value_d"])
            values[f"{f['name']}.上年"] = fig.format_number(f["prior_d"])
            values[f"{f['name']}.同比"] = describe_change(f["change"])
        for r in computed["ratios"]:
            values[r["name"]] = fig.format_percent(r["value"])
        return values

    def check(self, data: dict[str, Any], computed: dict[str, Any], ctx: CheckContext) -> list[Issue]:
        issues: list[Issue] = []
        names = [f["name"] for f in computed["figures"]]
        for name in sorted({n for n in names if names.count(n) > 1}):
            issues.append(error(f"statistics.duplicate.{name}", f"数据名称「{name}」重复"))
        for f in computed["figures"]:
            stated = parse_stated_percent(f.get("stated_change", ""))
            if stated is not None and f["prior_d"] is None:
                issues.append(warning(f"statistics.no_prior.{f['name']}",
                                      f"「{f['name']}」给出了同比，但未填写上年数，无法核对"))
            issues += _check_stated(f["name"], stated, f["change"],
                                    f"{fig.format_number(f['value_d'])} 与上年 {fig.format_number(f['prior_d'])}")
        issues += _check_parents(computed["figures"], names)
        issues += _check_parts(computed["figures"])
        for r in computed["ratios"]:
            missing = [r[k] for k in ("numerator", "denominator") if r[k] not in names]
            if missing:
                issues.append(error(f"statistics.ratio.{r['name']}",
                                    f"比率「{r['name']}」引用的数据「{'、'.join(missing)}」不存在"))
                continue
            issues += _check_stated(r["name"], parse_stated_percent(r.get("stated", "")), r["value"],
                                    f"{r['numerator']} ÷ {r['denominator']}")
        values = self.figures(data, computed) | ctx.report_figures
        issues += placeholder_issues(data.get("text", ""), values)
        if not data.get("text", "").strip():
            issues.append(error("statistics.empty", "正文尚未填写", "text"))
        return issues

    def is_empty(self, data: dict[str, Any]) -> bool:
        return not data.get("text") and not data.get("figures")

    def describe(self, data: dict[str, Any]) -> dict[str, str]:
        return (describe_rows(data.get("figures", []), "name", form_labels(FigureRowForm, FIGURE_FIELDS), "数据")
                | describe_rows(data.get("ratios", []), "name", form_labels(RatioRowForm, RATIO_FIELDS), "比率"))
