"""The budget section: 年初预算 + 调整 = 全年预算 (A), 执行数 (B), rates computed, chain checked."""

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
    placeholder_issues,
    wan_initial,
    warning,
)

FIELDS = {
    "income_fiscal": "财政拨款收入",
    "income_other": "其他收入",
    "initial": "年初预算数",
    "adjustment": "预算调整数",
    "received": "资金到位数",
    "executed": "全年执行数（B）",
    "carried_over": "上年结转",
    "year_end_balance": "年末结转结余",
    "personnel": "人员经费",
    "public_use": "公用经费",
    "project": "项目支出",
}
LOW_EXECUTION = Decimal("0.9")


class BudgetForm(AmountInputForm):
    amount_fields = tuple(FIELDS)
    negative_fields = ("adjustment",)

    text = forms.CharField(label="说明", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                           help_text="可用 {全年预算数}、{执行数}、{执行率}、{到位率} 等引用下面的数据。")


for _name, _label in FIELDS.items():
    BudgetForm.base_fields[_name] = amount_field(_label)
BudgetForm.base_fields["adjustment"].help_text = "调减填负数"


def _amounts(data: dict[str, Any]) -> dict[str, Decimal | None]:
    return {name: fig.to_decimal(data.get(name)) for name in FIELDS}


class Budget(KindSpec):
    code = "budget"
    form_class = BudgetForm
    render_template = "reports/annual/kinds/budget.html"

    def empty_data(self) -> dict[str, Any]:
        return {name: None for name in FIELDS} | {"text": ""}

    def form_initial(self, data: dict[str, Any]) -> dict[str, Any]:
        return {name: wan_initial(data.get(name)) for name in FIELDS} | {"text": data.get("text", "")}

    def to_data(self, form: forms.Form, formsets: dict) -> dict[str, Any]:
        cleaned = form.cleaned_data
        return {name: fig.to_json(cleaned.get(name)) for name in FIELDS} | {"text": clean_text(cleaned["text"])}

    def compute(self, data: dict[str, Any]) -> dict[str, Any]:
        a = _amounts(data)
        annual = fig.total([a["initial"], a["adjustment"]]) if a["initial"] is not None else None
        basic = fig.total([a["personnel"], a["public_use"]])
        return {
            "annual": annual,
            "income_total": fig.total([a["income_fiscal"], a["income_other"]]),
            "basic": basic,
            "expenditure_parts": fig.total([basic, a["project"]]),
            "arrival_rate": fig.rate(a["received"], annual),
            "execution_rate": fig.rate(a["executed"], annual),
            "balance_rate": fig.rate(a["year_end_balance"], annual),
            "expected_balance": (
                annual + (a["carried_over"] or 0) - a["executed"]
                if annual is not None and a["executed"] is not None else None
            ),
        }

    def figures(self, data: dict[str, Any], computed: dict[str, Any]) -> dict[str, str]:
        a = _amounts(data)
        values = {label.split("（")[0]: fig.format_wan(a[name]) for name, label in FIELDS.items()}
        values |= {
            "全年预算数": fig.format_wan(computed["annual"]),
            "执行数": fig.format_wan(a["executed"]),
            "收入合计": fig.format_wan(computed["income_total"]),
            "基本支出": fig.format_wan(computed["basic"]),
            "到位率": fig.format_percent(computed["arrival_rate"]),
            "执行率": fig.format_percent(computed["execution_rate"]),
            "结余率": fig.format_percent(computed["balance_rate"]),
        }
        return values

    def check(self, data: dict[str, Any], computed: dict[str, Any], ctx: CheckContext) -> list[Issue]:
        a = _amounts(data)
        issues = [
            error(f"budget.required.{name}", f"请填写{FIELDS[name]}", name)
            for name in ("initial", "executed") if a[name] is None
        ]
        issues += self._chain(a, computed)
        issues += self._rates(computed)
        issues += placeholder_issues(data.get("text", ""), self.figures(data, computed))
        return issues

    def _chain(self, a: dict[str, Decimal | None], c: dict[str, Any]) -> list[Issue]:
        issues = []
        if c["expenditure_parts"] is not None and a["executed"] is not None and c["expenditure_parts"] != a["executed"]:
            issues.append(error(
                "budget.expenditure_parts",
                f"支出构成合计 {fig.format_wan(c['expenditure_parts'])} 万元（人员经费 + 公用经费 + 项目支出）"
                f"与全年执行数 {fig.format_wan(a['executed'])} 万元不一致", "project"))
        if c["income_total"] is not None and c["annual"] is not None and c["income_total"] != c["annual"]:
            issues.append(warning(
                "budget.income_total",
                f"收入合计 {fig.format_wan(c['income_total'])} 万元与全年预算数 {fig.format_wan(c['annual'])} 万元不一致",
                "income_fiscal"))
        if c["expected_balance"] is not None and a["year_end_balance"] is not None \
                and c["expected_balance"] != a["year_end_balance"]:
            issues.append(error(
                "budget.balance_chain",
                f"年末结转结余应为 全年预算 + 上年结转 − 执行数 = {fig.format_wan(c['expected_balance'])} 万元，"
                f"填写的是 {fig.format_wan(a['year_end_balance'])} 万元", "year_end_balance"))
        if a["received"] is not None and c["annual"] is not None and a["received"] > c["annual"] + (a["carried_over"] or 0):
            issues.append(warning("budget.received_over", "资金到位数超过全年预算数与上年结转之和", "received"))
        return issues

    def _rates(self, c: dict[str, Any]) -> list[Issue]:
        rate = c["execution_rate"]
        if rate is None:
            return []
        if rate < LOW_EXECUTION:
            return [warning("budget.execution_low",
                            f"预算执行率 {fig.format_percent(rate)} 低于 90%，请说明原因", "executed")]
        if rate > 1:
            return [warning("budget.execution_over",
                            f"预算执行率 {fig.format_percent(rate)} 超过 100%，请说明原因", "executed")]
        return []

    def is_empty(self, data: dict[str, Any]) -> bool:
        return all(data.get(name) in (None, "") for name in FIELDS)

    def describe(self, data: dict[str, Any]) -> dict[str, str]:
        return {label: describe_wan(data.get(name)) for name, label in FIELDS.items()}

    def write_docx(self, out: Any, rendered: Any, score: Any) -> None:
        super().write_docx(out, rendered, score)
        d, c, amount = rendered.data, rendered.computed, fig.to_decimal
        rows = [
            ("年初预算数", out.wan(amount(d.get("initial"))), "预算调整数", out.wan(amount(d.get("adjustment")))),
            ("全年预算数（A）", out.wan(c["annual"]), "全年执行数（B）", out.wan(amount(d.get("executed")))),
            ("资金到位数", out.wan(amount(d.get("received"))), "上年结转", out.wan(amount(d.get("carried_over")))),
            ("财政拨款收入", out.wan(amount(d.get("income_fiscal"))), "其他收入",
             out.wan(amount(d.get("income_other")))),
            ("收入合计", out.wan(c["income_total"]), "年末结转结余", out.wan(amount(d.get("year_end_balance")))),
            ("人员经费", out.wan(amount(d.get("personnel"))), "公用经费", out.wan(amount(d.get("public_use")))),
            ("基本支出", out.wan(c["basic"]), "项目支出", out.wan(amount(d.get("project")))),
            ("到位率", out.pct(c["arrival_rate"]), "执行率（B/A）", out.pct(c["execution_rate"])),
            ("结余率", out.pct(c["balance_rate"]), "", ""),
        ]
        out.caption("单位：万元")
        table = out.table((42, 36, 42, 36))
        for values in rows:
            out.row(table, values, align="lrlr")
        out.end_table(table)
