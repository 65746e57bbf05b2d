"""Each section kind: validation, computation and checks."""

from decimal import Decimal

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from reports import figures as fig
from reports.annual.checks import CheckContext, counts, section_findings
from reports.annual.kinds import KINDS
from reports.annual.kinds.indicators import score_quantitative
from reports.annual.kinds.statistics import describe_change, parse_stated_percent
from reports.models import DEFAULT_SCORING

CTX = CheckContext(scoring=DEFAULT_SCORING, report_figures={"预算.执行率": "100.00%"})


def codes(kind, data, ctx=CTX):
    return {f.issue.code for f in section_findings(kind, data, ctx)}


def bind(kind, post: dict):
    spec = KINDS[kind]
    data = QueryDict(mutable=True)
    for key, value in post.items():
        data[key] = value
    form = spec.form_class(data, prefix="f") if spec.form_class else None
    formsets = {p: cls(data, prefix=p) for p, cls in spec.formset_classes.items()}
    valid = (form is None or form.is_valid()) and all(fs.is_valid() for fs in formsets.values())
    return spec, form, formsets, valid


def management(prefix, total):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}


# budget -------------------------------------------------------------------

def budget(**amounts):
    return {name: None for name in KINDS["budget"].empty_data()} | {"text": ""} | amounts


def test_budget_computes_annual_budget_and_rates():
    data = budget(initial="1000000.00", adjustment="-200000.00", executed="720000.00", received="800000.00",
                  year_end_balance="80000.00")
    c = KINDS["budget"].compute(data)
    assert c["annual"] == Decimal("800000.00")
    assert c["execution_rate"] == Decimal("0.9")
    assert c["arrival_rate"] == Decimal(1)
    assert "budget.balance_chain" not in codes("budget", data)


def test_budget_flags_low_execution_and_a_broken_chain():
    data = budget(initial="1000000.00", executed="500000.00", year_end_balance="0.00")
    found = codes("budget", data)
    assert {"budget.execution_low", "budget.balance_chain"} <= found


def test_budget_parts_must_add_up_to_execution():
    data = budget(initial="1000000.00", executed="1000000.00", personnel="500000.00", public_use="200000.00",
                  project="200000.00")
    assert "budget.expenditure_parts" in codes("budget", data)
    data["project"] = "300000.00"
    assert "budget.expenditure_parts" not in codes("budget", data)


def test_budget_over_100_percent_is_a_warning_that_an_explanation_clears():
    data = budget(initial="100.00", executed="110.00")
    findings = section_findings("budget", data, CTX)
    assert counts(findings) == (0, 1)
    data["explanations"] = {"budget.execution_over": "追加的中央转移支付。"}
    assert counts(section_findings("budget", data, CTX)) == (0, 0)


def test_budget_form_converts_units_and_names_bad_fields():
    spec, form, formsets, valid = bind("budget", {"f-input_unit": "yuan", "f-initial": "1,480", "f-executed": "0.148万元",
                                                  "f-received": "x", "f-text": ""})
    assert not valid
    [message] = form.errors["received"]
    assert message.startswith("资金到位数：「x」不是有效的数字。请填写金额，如 1234.5")  # says what to type instead
    assert form.cleaned_data["initial"] == Decimal("1480.00")
    assert form.cleaned_data["executed"] == Decimal("1480.00")


def test_budget_text_placeholders_must_exist():
    data = budget(initial="1.00", executed="1.00", text="执行率{执行率}，另见{不存在}")
    assert "placeholder.不存在" in codes("budget", data)


# three_public ---------------------------------------------------------------

def three(rows, note=""):
    empty = KINDS["three_public"].empty_data()["rows"]
    return {"rows": {k: v | rows.get(k, {}) for k, v in empty.items()}, "note": note}


def test_three_public_total_from_exact_parts():
    data = three({"abroad": {"actual": "0.00"}, "reception": {"actual": "1480.00"},
                  "vehicle_purchase": {"actual": "0.00"}, "vehicle_operation": {"actual": "2692000.00"}})
    spec = KINDS["three_public"]
    c = spec.compute(data)
    assert c["totals"]["actual"] == Decimal("2693480.00")
    assert spec.figures(data, c)["合计"] == "269.35"
    assert spec.figures(data, c)["公务用车购置及运行维护费"] == "269.20"
    assert {"three_public.no_budget", "three_public.no_prior"} <= codes("three_public", data)


def test_three_public_rates_and_over_budget():
    data = three({k: {"prior": "100.00", "budget": "100.00", "actual": "120.00"}
                  for k in ("abroad", "reception", "vehicle_purchase", "vehicle_operation")})
    c = KINDS["three_public"].compute(data)
    assert c["change"] == Decimal("0.2") and c["control"] == Decimal("1.2")
    assert {"three_public.over_budget", "three_public.increase"} <= codes("three_public", data)


def test_three_public_missing_actual_is_an_error():
    assert "three_public.actual.abroad" in codes("three_public", three({}))


# indicators -----------------------------------------------------------------

def row(**kw):
    base = {"level1": "产出", "level2": "数量", "name": "指标", "nature": "≥", "target": "100", "unit": "件",
            "actual": "100", "weight": "50", "manual_score": "", "reason": "", "note": ""}
    return base | kw


def full_set(*rows):
    return {"rows": [*rows,
                     row(level1="效益", level2="社会效益", name="效益", weight="30"),
                     row(level1="满意度", level2="服务对象满意度", name="满意度", weight="10")]}


def test_missed_target_scores_proportionally_and_needs_a_reason():
    data = full_set(row(actual="80"))
    c = KINDS["indicators"].compute(data)
    assert c["rows"][0]["score"] == Decimal("40.00")
    assert c["score"] == Decimal("80.00")
    assert "indicators.row1.reason" in codes("indicators", data)
    data["rows"][0]["reason"] = "年底集中办案，部分案件转入下年。"
    assert codes("indicators", data) == set()


def test_less_is_better_indicator():
    assert score_quantitative("≤", Decimal(10), Decimal(20), Decimal(10)) == Decimal("5.00")
    assert score_quantitative("≤", Decimal(10), Decimal(5), Decimal(10)) == Decimal("10.00")


def test_weights_must_match_the_template():
    data = full_set(row(weight="40"))
    assert "indicators.weight.产出" in codes("indicators", data)


def test_qualitative_needs_a_score_within_weight_and_a_reason():
    data = full_set(row(nature="定性", target="达标", actual="基本达标", manual_score="60"))
    found = codes("indicators", data)
    assert {"indicators.row1.range", "indicators.row1.basis"} <= found


def test_indicator_form_refuses_text_in_numbers_and_wrong_level2():
    post = management("rows", 1) | {f"rows-0-{k}": v for k, v in row(actual="很多", level2="经济效益").items()}
    spec, form, formsets, valid = bind("indicators", post)
    assert not valid
    errors = formsets["rows"].forms[0].errors
    assert errors["actual"][0].startswith("实际完成值：「很多」不是有效的数字。请填写数字，如 98.6、98.6%")
    assert "不属于一级指标" in errors["level2"][0]


@given(
    st.sampled_from(["≥", "≤", "="]),
    st.decimals(min_value=Decimal("0.01"), max_value=10**6, places=2),
    st.decimals(min_value=0, max_value=10**6, places=2),
    st.decimals(min_value=0, max_value=100, places=2),
)
def test_a_score_is_never_above_its_weight_nor_negative(nature, target, actual, weight):
    score = score_quantitative(nature, target, actual, weight)
    assert Decimal(0) <= score <= weight


# statistics -----------------------------------------------------------------

def stats(text, figures=(), ratios=()):
    return {"text": text, "figures": list(figures), "ratios": list(ratios)}


def fig_row(name, value, prior="", stated=""):
    return {"name": name, "unit": "人", "value": value, "prior": prior, "stated_change": stated}


def test_statistics_computes_change_and_renders_placeholders():
    data = stats("刑拘{刑拘}人，同比{刑拘.同比}，执行率{预算.执行率}", [fig_row("刑拘", "880", "557", "上升57.99%")])
    spec = KINDS["statistics"]
    values = spec.figures(data, spec.compute(data))
    assert values["刑拘.同比"] == "上升57.99%"
    assert codes("statistics", data) == set()


def test_statistics_flags_a_stated_ratio_that_does_not_add_up():
    data = stats("零发案{零发案占比}", [fig_row("零发案", "136"), fig_row("两区一村", "174")],
                 [{"name": "零发案占比", "numerator": "零发案", "denominator": "两区一村", "stated": "78.6%"}])
    findings = section_findings("statistics", data, CTX)
    messages = [f.issue.message for f in findings]
    assert any("原文为 78.6%" in m and "应为 78.16%" in m for m in messages)


def test_statistics_ratio_to_unknown_figure_is_an_error():
    data = stats("x", [fig_row("a", "1")], [{"name": "r", "numerator": "a", "denominator": "b", "stated": ""}])
    assert "statistics.ratio.r" in codes("statistics", data)


def test_stated_percent_parsing():
    assert parse_stated_percent("上升57.99%") == Decimal("57.99")
    assert parse_stated_percent("下降3%") == Decimal(-3)
    assert parse_stated_percent("") is None
    assert describe_change(Decimal("-0.5")) == "下降50.00%"
    assert describe_change(Decimal(0)) == "持平"


# list and narrative ---------------------------------------------------------

def test_a_tracked_item_needs_an_owner():
    post = management("items", 1) | {"items-0-text": "资金支出进度慢", "items-0-track": "on"}
    spec, form, formsets, valid = bind("list", post)
    assert not valid
    assert formsets["items"].forms[0].errors["owner"] == ["列为整改事项时须填写责任单位"]


def test_list_items_are_stored_with_dates():
    post = management("items", 2) | {"items-0-text": "一", "items-0-track": "on", "items-0-owner": "警务保障室",
                                     "items-0-due": "2022-12-31", "items-1-text": "二"}
    spec, form, formsets, valid = bind("list", post)
    assert valid
    data = spec.to_data(form, formsets)
    assert data["items"][0] == {"text": "一", "track": True, "owner": "警务保障室", "due": "2022-12-31"}
    assert data["items"][1]["due"] == ""


def test_narrative_empty_and_unknown_placeholder():
    assert "narrative.empty" in codes("narrative", {"text": "  "})
    assert "placeholder.预算.不存在" in codes("narrative", {"text": "见{预算.不存在}"})
    assert codes("narrative", {"text": "执行率{预算.执行率}"}) == set()


# one way to type a number (issue 11 item 4) ---------------------------------------------------------


def _figures_post(rows: list[dict[str, str]]) -> dict[str, str]:
    post = {"f-text": "正文"} | management("figures", len(rows)) | management("ratios", 0)
    for i, row in enumerate(rows):
        post |= {f"figures-{i}-{k}": v for k, v in row.items()}
    return post


def test_statistics_figures_take_yuan_or_wan_like_every_amount_and_are_stored_normalised():
    rows = [{"name": "经费", "unit": "元", "value": "1,234.5万", "prior": "１２,０００"},
            {"name": "资金", "unit": "万元", "value": "500元", "prior": "3.5"},
            {"name": "案件", "unit": "起", "value": "１，２３４", "prior": "1.2万"},
            {"name": "占比", "unit": "%", "value": "９８.６％", "prior": ""}]
    spec, form, formsets, valid = bind("statistics", _figures_post(rows))
    assert valid, formsets["figures"].errors
    stored = {r["name"]: (r["value"], r["prior"]) for r in spec.to_data(form, formsets)["figures"]}
    assert stored == {"经费": ("12345000", "12000"), "资金": ("0.05", "3.5"), "案件": ("1234", "12000"),
                      "占比": ("98.6%", "")}


def test_a_bad_figure_says_what_to_type_instead():
    spec, form, formsets, valid = bind("statistics", _figures_post([{"name": "经费", "unit": "元", "value": "约一万"}]))
    assert not valid
    [message] = formsets["figures"].forms[0].errors["value"]
    assert "「约一万」不是有效的数字。请填写金额" in message and "1234.5万" in message


@pytest.mark.parametrize("text", ["1e30", "9" * 30, "NaN", "Infinity", "-1"])
def test_absurd_or_non_numbers_are_refused_everywhere(text):
    for parse in (fig.parse_decimal, fig.parse_measure, fig.parse_amount):
        with pytest.raises(fig.FigureError):
            parse(text)


def test_the_money_and_percent_helpers_are_defined_once():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "reports"
    pattern = re.compile(r'rstrip\("%|/ (fig\.)?TEN_THOUSAND|\* (fig\.)?TEN_THOUSAND')
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if p.name != "figures.py" and "exports" not in p.parts and pattern.search(p.read_text())]
    assert offenders == []


def test_indicator_values_are_stored_normalised_and_qualitative_text_is_kept():
    rows = [row(target="９５％", actual="１,２００"), row(name="满意", nature="定性", target="满意", actual="较满意",
                                                    manual_score="8", reason="回访")]
    post = management("rows", 2)
    for i, r in enumerate(rows):
        post |= {f"rows-{i}-{k}": v for k, v in r.items()}
    spec, form, formsets, valid = bind("indicators", post)
    assert valid, formsets["rows"].errors
    stored = spec.to_data(form, formsets)["rows"]
    assert (stored[0]["target"], stored[0]["actual"]) == ("95%", "1200")
    assert (stored[1]["target"], stored[1]["actual"]) == ("满意", "较满意")
