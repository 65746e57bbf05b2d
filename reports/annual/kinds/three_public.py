"""三公经费: four items × 上年决算 / 本年预算 / 本年决算; totals, 变动率 and 控制率 computed."""

from decimal import Decimal
from typing import Any

from django import forms

from reports import figures as fig

from .base import (
    AmountInputForm,
    CheckContext,
    Issue,
    KindSpec,
    amount_field,
    clean_text,
    describe_wan,
    error,
    mismatch,
    wan_initial,
    warning,
)

ITEMS = {
    "abroad": "因公出国（境）费",
    "reception": "公务接待费",
    "vehicle_purchase": "公务用车购置费",
    "vehicle_operation": "公务用车运行维护费",
}
COLUMNS = {"prior": "上年决算", "budget": "本年预算", "actual": "本年决算"}
VEHICLE = ("vehicle_purchase", "vehicle_operation")


def _field(item: str, column: str) -> str:
    return f"{item}__{column}"


TOTAL = "total"  # the 合计 a user may type beside the four parts; checked, never used for figures


class ThreePublicForm(AmountInputForm):
    amount_fields = tuple(_field(i, c) for i in (*ITEMS, TOTAL) for c in COLUMNS)
    note = forms.CharField(label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    @property
    def rows_for_template(self) -> list[dict[str, Any]]:
        labels = ITEMS | {TOTAL: "合计（填报数，可不填）"}
        return [{"label": label, "fields": [self[_field(i, c)] for c in COLUMNS]} for i, label in labels.items()]


for _item, _item_label in (ITEMS | {TOTAL: "合计（填报数）"}).items():
    for _col, _col_label in COLUMNS.items():
        ThreePublicForm.base_fields[_field(_item, _col)] = amount_field(f"{_item_label}（{_col_label}）")


def _table(data: dict[str, Any]) -> dict[str, dict[str, Decimal | None]]:
    rows = data.get("rows", {})
    return {i: {c: fig.to_decimal(rows.get(i, {}).get(c)) for c in COLUMNS} for i in ITEMS}


def _stated_totals(data: dict[str, Any], totals: dict[str, Decimal | None]) -> list[Issue]:
    """A typed 合计 against the sum of the four parts, per column (DESIGN §7)."""
    issues = []
    for column, label in COLUMNS.items():
        stated, computed = fig.to_decimal(data.get("stated_total", {}).get(column)), totals[column]
        if stated is None or computed is None or fig.amount_matches(stated, computed):
            continue
        issues.append(mismatch(
            f"three_public.total.{column}",
            f"“三公”经费{label}合计填报 {fig.format_wan(stated)} 万元，四项之和为 {fig.format_wan(computed)} 万元",
            _field(TOTAL, column), stated=fig.format_wan(stated), computed=fig.format_wan(computed)))
    return issues


class ThreePublic(KindSpec):
    code = "three_public"
    form_class = ThreePublicForm
    render_template = "reports/annual/kinds/three_public.html"

    def empty_data(self) -> dict[str, Any]:
        return {"rows": {i: {c: None for c in COLUMNS} for i in ITEMS}, "stated_total": {}, "note": ""}

    def form_initial(self, data: dict[str, Any]) -> dict[str, Any]:
        rows = data.get("rows", {}) | {TOTAL: data.get("stated_total", {})}
        initial = {_field(i, c): wan_initial(rows.get(i, {}).get(c)) for i in (*ITEMS, TOTAL) for c in COLUMNS}
        return initial | {"note": data.get("note", "")}

    def to_data(self, form: forms.Form, formsets: dict) -> dict[str, Any]:
        cleaned = form.cleaned_data
        rows = {i: {c: fig.to_json(cleaned.get(_field(i, c))) for c in COLUMNS} for i in ITEMS}
        stated = {c: fig.to_json(v) for c in COLUMNS if (v := cleaned.get(_field(TOTAL, c))) is not None}
        return {"rows": rows, "stated_total": stated, "note": clean_text(cleaned["note"])}

    def compute(self, data: dict[str, Any]) -> dict[str, Any]:
        table = _table(data)
        totals = {c: fig.total([table[i][c] for i in ITEMS]) for c in COLUMNS}
        vehicle = {c: fig.total([table[i][c] for i in VEHICLE]) for c in COLUMNS}
        rows = [
            {"key": i, "label": label, **table[i],
             "change": fig.change(table[i]["actual"], table[i]["prior"]),
             "control": fig.rate(table[i]["actual"], table[i]["budget"])}
            for i, label in ITEMS.items()
        ]
        return {
            "rows": rows,
            "vehicle": vehicle,
            "totals": totals,
            "change": fig.change(totals["actual"], totals["prior"]),
            "control": fig.rate(totals["actual"], totals["budget"]),
        }

    def figures(self, data: dict[str, Any], computed: dict[str, Any]) -> dict[str, str]:
        values = {label: fig.format_wan(row["actual"]) for label, row in zip(ITEMS.values(), computed["rows"], strict=True)}
        return values | {
            "合计": fig.format_wan(computed["totals"]["actual"]),
            "公务用车购置及运行维护费": fig.format_wan(computed["vehicle"]["actual"]),
            "预算合计": fig.format_wan(computed["totals"]["budget"]),
            "上年合计": fig.format_wan(computed["totals"]["prior"]),
            "变动率": fig.format_percent(computed["change"]),
            "控制率": fig.format_percent(computed["control"]),
        }

    def check(self, data: dict[str, Any], computed: dict[str, Any], ctx: CheckContext) -> list[Issue]:
        table = _table(data)
        issues = [
            error(f"three_public.actual.{i}", f"请填写{label}的本年决算数（没有支出填 0）", _field(i, "actual"))
            for i, label in ITEMS.items() if table[i]["actual"] is None
        ]
        totals = computed["totals"]
        issues += _stated_totals(data, totals)
        if totals["budget"] is None:
            issues.append(warning("three_public.no_budget", "未填写本年预算数，无法计算“三公”经费控制率",
                                  _field("abroad", "budget")))
        elif computed["control"] is not None and computed["control"] > 1:
            issues.append(warning("three_public.over_budget",
                                  f"“三公”经费控制率 {fig.format_percent(computed['control'])}，超出预算"))
        if totals["prior"] is None:
            issues.append(warning("three_public.no_prior", "未填写上年决算数，无法计算“三公”经费变动率",
                                  _field("abroad", "prior")))
        elif computed["change"] is not None and computed["change"] > 0:
            issues.append(warning("three_public.increase",
                                  f"“三公”经费较上年增长 {fig.format_percent(computed['change'])}，请说明原因"))
        return issues

    def is_empty(self, data: dict[str, Any]) -> bool:
        return all(v is None for row in _table(data).values() for v in row.values())

    def describe(self, data: dict[str, Any]) -> dict[str, str]:
        rows = data.get("rows", {})
        return {f"{il}（{cl}）": describe_wan(rows.get(i, {}).get(c))
                for i, il in ITEMS.items() for c, cl in COLUMNS.items()}

    def write_docx(self, out: Any, rendered: Any, score: Any) -> None:
        """The note (or a sentence of the totals) instead of the text, then the table."""
        self.write_docx_items(out, rendered)
        c = rendered.computed
        note = [line.strip() for line in (rendered.data.get("note") or "").splitlines() if line.strip()]
        for line in note:
            out.paragraph(line)
        if not note:
            parts = "；".join(f"{row['label']}{out.wan(row['actual'])}万元" for row in c["rows"])
            out.paragraph(f"“三公”经费本年决算{out.wan(c['totals']['actual'])}万元，其中：{parts}。")
        out.caption("单位：万元")
        table = out.table((46, 22, 22, 22, 22, 22), ("项目", "上年决算", "本年预算", "本年决算", "变动率", "控制率"))
        for row in c["rows"]:
            out.row(table, (row["label"], out.wan(row["prior"]), out.wan(row["budget"]), out.wan(row["actual"]),
                            out.pct(row["change"]), out.pct(row["control"])), align="lrrrrr")
        t = c["totals"]
        out.row(table, ("合计", out.wan(t["prior"]), out.wan(t["budget"]), out.wan(t["actual"]), out.pct(c["change"]),
                        out.pct(c["control"])), bold=True, align="lrrrrr")
        out.end_table(table)
