"""The budget section: 年初预算 + 调整 = 全年预算 (A), 执行数 (B), rates computed, chain checked.

Where a user may type a total beside its parts (全年预算数, 收入合计, 执行数 against its
构成, 在职人数 against its 其中), both are kept and compared by ``figures.stated_matches``.
The 基础数据 ratios (预算执行率, 结转结余率, 在职人员控制率) are computed, never typed.
"""

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
    placeholder_issues,
    wan_initial,
    warning,
)

FIELDS = {
    "income_fiscal": "财政拨款收入",
    "income_other": "其他收入",
    "income_total": "收入合计（填报数，可不填）",
    "initial": "年初预算数",
    "adjustment": "预算调整数",
    "annual": "全年预算数（A，填报数，可不填）",
    "received": "资金到位数",
    "executed": "全年执行数（B）",
    "carried_over": "上年结转",
    "year_end_balance": "年末结转结余",
    "personnel": "人员经费",
    "public_use": "公用经费",
    "project": "项目支出",
}
STAFF = {
    "staff_quota": "编制数",
    "staff_actual": "实有在职人数",
    "staff_admin": "在职人数其中：行政",
    "staff_career": "在职人数其中：事业",
    "staff_other": "在职人数其中：其他",
}
STAFF_PARTS = ("staff_admin", "staff_career", "staff_other")
LOW_EXECUTION = Decimal("0.9")


class BudgetForm(AmountInputForm):
    amount_fields = tuple(FIELDS)
    negative_fields = ("adjustment",)

    text = forms.CharField(label="说明", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                           help_text="可用 {全年预算数}、{执行数}、{执行率}、{到位率} 等引用下面的数据。")


    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in STAFF:
            try:
                cleaned[name] = fig.parse_decimal(self.data.get(self.add_prefix(name), "") if self.is_bound else "")
            except fig.FigureError as exc:
                self.add_error(name, f"{STAFF[name]}：{exc}")
            else:
                if cleaned[name] is not None and cleaned[name] != cleaned[name].to_integral_value():
                    self.add_error(name, f"{STAFF[name]}：人数须为整数")
        return cleaned


for _name, _label in FIELDS.items():
    BudgetForm.base_fields[_name] = amount_field(_label)
for _name, _label in STAFF.items():
    BudgetForm.base_fields[_name] = forms.CharField(label=_label, required=False, max_length=12)
BudgetForm.base_fields["adjustment"].help_text = "调减填负数"
BudgetForm.base_fields["annual"].help_text = "填写时与“年初预算数 + 预算调整数”核对"


def _amounts(data: dict[str, Any]) -> dict[str, Decimal | None]:
    return {name: fig.to_decimal(data.get(name)) for name in (*FIELDS, *STAFF)}


def _annual(a: dict[str, Decimal | None]) -> Decimal | None:
    """全年预算数 A: 年初 + 调整 when 年初 is given, else the typed figure."""
    return fig.total([a["initial"], a["adjustment"]]) if a["initial"] is not None else a["annual"]


def _stated_amount(code: str, label: str, stated: Decimal | None, computed: Decimal | None, how: str,
                   field_name: str) -> list[Issue]:
    if stated is None or computed is None or fig.amount_matches(stated, computed):
        return []
    return [mismatch(code, f"{label}填报 {fig.format_wan(stated)} 万元，按 {how} 计算为 {fig.format_wan(computed)} 万元",
                     field_name, stated=fig.format_wan(stated), computed=fig.format_wan(computed))]


class Budget(KindSpec):
    code = "budget"
    form_class = BudgetForm
    render_template = "reports/annual/kinds/budget.html"

    def empty_data(self) -> dict[str, Any]:
        return {name: None for name in (*FIELDS, *STAFF)} | {"text": ""}

    def form_initial(self, data: dict[str, Any]) -> dict[str, Any]:
        staff = {name: data.get(name) or "" for name in STAFF}
        return {name: wan_initial(data.get(name)) for name in FIELDS} | staff | {"text": data.get("text", "")}

    def to_data(self, form: forms.Form, formsets: dict) -> dict[str, Any]:
        cleaned = form.cleaned_data
        values = {name: fig.to_json(cleaned.get(name)) for name in (*FIELDS, *STAFF)}
        return values | {"text": clean_text(cleaned["text"])}

    def compute(self, data: dict[str, Any]) -> dict[str, Any]:
        a = _amounts(data)
        annual = _annual(a)
        basic = fig.total([a["personnel"], a["public_use"]])
        return {
            "annual": annual,
            "initial_plus_adjustment": fig.total([a["initial"], a["adjustment"]]) if a["initial"] is not None else None,
            "staff_parts": fig.total([a[name] for name in STAFF_PARTS]),
            "staff_control_rate": fig.rate(a["staff_actual"], a["staff_quota"]),
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
        values = {label.split("（")[0]: fig.format_wan(a[name]) for name, label in FIELDS.items()
                  if name not in ("annual", "income_total")}
        values |= {
            "全年预算数": fig.format_wan(computed["annual"]),
            "执行数": fig.format_wan(a["executed"]),
            "收入合计": fig.format_wan(computed["income_total"]),
            "基本支出": fig.format_wan(computed["basic"]),
            "到位率": fig.format_percent(computed["arrival_rate"]),
            "执行率": fig.format_percent(computed["execution_rate"]),
            "结余率": fig.format_percent(computed["balance_rate"]),
            "结转结余率": fig.format_percent(computed["balance_rate"]),
            "在职人员控制率": fig.format_percent(computed["staff_control_rate"]),
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

    def _stated(self, a: dict[str, Decimal | None], c: dict[str, Any]) -> list[Issue]:
        """Typed totals against their parts (DESIGN §7, stated vs computed)."""
        issues = _stated_amount("budget.annual_stated", "全年预算数", a["annual"], c["initial_plus_adjustment"],
                                "年初预算数 + 预算调整数", "annual")
        issues += _stated_amount("budget.income_stated", "收入合计", a["income_total"], c["income_total"],
                                 "财政拨款收入 + 其他收入", "income_total")
        issues += _stated_amount("budget.expenditure_parts", "全年执行数", a["executed"], c["expenditure_parts"],
                                 "人员经费 + 公用经费 + 项目支出", "executed")
        parts = c["staff_parts"]
        if a["staff_actual"] is not None and parts is not None and not fig.stated_matches(a["staff_actual"], parts):
            issues.append(mismatch("budget.staff_parts", f"实有在职人数填报 {fig.format_number(a['staff_actual'])} 人，"
                                   f"其中各项合计 {fig.format_number(parts)} 人", "staff_actual",
                                   stated=fig.format_number(a["staff_actual"]), computed=fig.format_number(parts)))
        rate = c["staff_control_rate"]
        if rate is not None and rate > 1:
            issues.append(warning("budget.staff_over", f"在职人员控制率 {fig.format_percent(rate)}，在职人数超过编制数",
                                  "staff_actual"))
        return issues

    def _chain(self, a: dict[str, Decimal | None], c: dict[str, Any]) -> list[Issue]:
        issues = self._stated(a, c)
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
        return all(data.get(name) in (None, "") for name in (*FIELDS, *STAFF))

    def describe(self, data: dict[str, Any]) -> dict[str, str]:
        staff = {label: str(data.get(name) or "（空）") for name, label in STAFF.items()}
        return {label: describe_wan(data.get(name)) for name, label in FIELDS.items()} | staff

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
            ("结转结余率", out.pct(c["balance_rate"]), "在职人员控制率", out.pct(c["staff_control_rate"])),
        ]
        out.caption("单位：万元")
        table = out.table((42, 36, 42, 36))
        for values in rows:
            out.row(table, values, align="lrlr")
        out.end_table(table)
