"""Stated vs computed (DESIGN §7): the one matching rule, the typed totals it checks, check_report."""

from __future__ import annotations

import io
import json
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from reports import figures as fig
from reports.annual.checks import CheckContext, counts, section_findings
from reports.annual.kinds import KINDS
from reports.models import DEFAULT_SCORING, Report

CTX = CheckContext(scoring=DEFAULT_SCORING)
computed_values = st.decimals(min_value=-10**6, max_value=10**6, allow_nan=False, allow_infinity=False, places=8)
places = st.integers(min_value=0, max_value=4)


def _step(n: int) -> Decimal:
    return Decimal(1).scaleb(-n)


@given(computed_values, places)
def test_the_value_rounded_half_up_matches(computed, n):
    assert fig.stated_matches(computed.quantize(_step(n), ROUND_HALF_UP), computed)


@given(computed_values, places)
def test_the_value_truncated_matches(computed, n):
    assert fig.stated_matches(computed.quantize(_step(n), ROUND_DOWN), computed)


@given(computed_values, places, st.integers(min_value=1, max_value=50))
def test_a_value_off_by_more_than_one_step_never_matches(computed, n, steps):
    stated = computed.quantize(_step(n), ROUND_HALF_UP) + _step(n) * (steps + 1) * (1 if computed >= 0 else -1)
    assert not fig.stated_matches(stated, computed)


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=1, max_value=100_000), places)
def test_a_truncated_or_rounded_change_of_counts_matches(current, prior, n):
    change = fig.change(Decimal(current), Decimal(prior))
    for rounding in (ROUND_HALF_UP, ROUND_DOWN):
        assert fig.percent_matches((change * 100).quantize(_step(n), rounding), change)


def test_the_seeds_figures():
    # 426 vs 104 is 309.615…%: the seed's 309.61% truncates it, 309.62% rounds it; both match.
    change = fig.change(Decimal(426), Decimal(104))
    assert fig.percent_matches(Decimal("309.61"), change) and fig.percent_matches(Decimal("309.62"), change)
    assert not fig.percent_matches(Decimal("309.63"), change)
    share = fig.rate(Decimal(136), Decimal(174))  # 78.1609…%
    assert not fig.percent_matches(Decimal("78.6"), share)
    assert all(fig.percent_matches(Decimal(s), share) for s in ("78.16", "78.1", "78.2", "78"))
    assert not fig.percent_matches(Decimal("93.34"), fig.change(Decimal(497), Decimal(257)))  # 93.385…%


def test_amounts_compare_in_wan_at_the_stated_decimals_never_coarser_than_two():
    assert fig.amount_matches(Decimal("2693500"), Decimal("2693480"))  # 269.35 vs 269.348 万元
    assert fig.amount_matches(Decimal("2693400"), Decimal("2693480"))  # truncated
    assert not fig.amount_matches(Decimal("2693600"), Decimal("2693480"))
    assert not fig.amount_matches(Decimal("2700000"), Decimal("2693480"))  # 270 read as 270.00
    assert fig.amount_matches(Decimal("2693480"), Decimal("2693480"))


# typed totals ---------------------------------------------------------------

def _three_public(actual: dict[str, str], stated: dict[str, str]) -> dict:
    rows = {i: {"prior": None, "budget": None, "actual": actual.get(i, "0.00")} for i in KINDS["three_public"].empty_data()["rows"]}
    return {"rows": rows, "stated_total": stated, "note": ""}


def _codes(kind: str, data: dict) -> set[str]:
    return {f.issue.code for f in section_findings(kind, data, CTX)}


def test_a_three_public_total_that_differs_from_its_parts_is_an_error_an_explanation_resolves():
    data = _three_public({"reception": "1480.00", "vehicle_operation": "2692000.00"}, {"actual": "2700000.00"})
    findings = section_findings("three_public", data, CTX)
    (slip,) = [f for f in findings if f.issue.code == "three_public.total.actual"]
    assert slip.is_error and slip.blocking and (slip.issue.stated, slip.issue.computed) == ("270.00", "269.35")
    assert counts(findings)[0] == 1
    data["explanations"] = {"three_public.total.actual": "原文合计含已退回的 0.65 万元。"}
    assert counts(section_findings("three_public", data, CTX))[0] == 0
    data["stated_total"] = {"actual": "2693500.00"}  # the seed's 269.35 万元
    assert "three_public.total.actual" not in _codes("three_public", data)


def _budget(**values: str) -> dict:
    return KINDS["budget"].empty_data() | values


def test_budget_typed_totals_and_staffing_are_checked():
    data = _budget(initial="1000000.00", adjustment="200000.00", annual="1300000.00", executed="1200000.00",
                   income_fiscal="1000000.00", income_other="200000.00", income_total="1200000.00",
                   staff_quota="100", staff_actual="98", staff_admin="60", staff_career="30", staff_other="6")
    found = _codes("budget", data)
    assert {"budget.annual_stated", "budget.staff_parts"} <= found
    assert "budget.income_stated" not in found
    computed = KINDS["budget"].compute(data)
    assert computed["annual"] == Decimal("1200000.00")  # 年初 + 调整, not the typed figure
    assert computed["staff_control_rate"] == Decimal("0.98")
    data |= {"annual": "1200000.00", "staff_other": "8"}
    assert not {"budget.annual_stated", "budget.staff_parts"} & _codes("budget", data)


def test_statistics_sub_items_are_summed():
    figures = [
        {"name": "抽调警力", "unit": "人", "value": "270", "prior": "", "stated_change": "", "parent": ""},
        {"name": "场地安保", "unit": "人", "value": "241", "prior": "", "stated_change": "", "parent": "抽调警力"},
        {"name": "防爆安检", "unit": "人", "value": "19", "prior": "", "stated_change": "", "parent": "抽调警力"},
        {"name": "其他", "unit": "人", "value": "1", "prior": "", "stated_change": "", "parent": "不存在"},
    ]
    data = {"text": "共{抽调警力}人。", "figures": figures, "ratios": []}
    assert {"statistics.parts.抽调警力.value", "statistics.parent.其他"} <= _codes("statistics", data)
    figures[2]["value"] = "29"
    assert "statistics.parts.抽调警力.value" not in _codes("statistics", data)


# check_report ---------------------------------------------------------------

@pytest.fixture
def demo_report(demo_report_loaded) -> Report:
    return Report.objects.get(cycle__year=2021, department__code="CG-GAFJ")


def _run(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("check_report", *args, stdout=out)
    except SystemExit as exit_:
        return out.getvalue(), int(exit_.code)
    return out.getvalue(), 0


@pytest.mark.django_db
def test_check_report_lists_the_seeds_slips_and_nothing_for_right_figures(demo_report):
    text, status = _run("--department", "CG-GAFJ", "--year", "2021")
    assert "「零发案占比」原文为 78.6%，按 零发案小区 ÷ 两区一村 计算应为 78.16%" in text
    assert "「打处」原文为 93.34%" in text
    assert "309.61" not in text and "three_public.total" not in text and "抽调警力" not in text
    assert "基础数据：预算执行率 100.00%；结转结余率 0.00%" in text
    assert status == 0  # the demo's coordinator explained both slips


@pytest.mark.django_db
def test_check_report_json_and_exit_status_on_an_unresolved_error(demo_report):
    section = demo_report.sections.get(node__key="crackdown")
    section.data = section.data | {"explanations": {}}
    section.save(update_fields=["data"])
    text, status = _run("--department", "CG-GAFJ", "--year", "2021", "--json")
    payload = json.loads(text)
    assert status == 1 and payload["unresolved_errors"] == 1
    (row,) = [r for r in payload["findings"] if r["code"] == "statistics.stated.打处"]
    assert (row["severity"], row["stated"], row["computed"], row["resolved"]) == ("错误", "93.34%", "93.39%", False)
    assert row["section"].endswith("始终保持严打高压态势")
    assert [r["name"] for r in payload["basic_data"]] == ["预算执行率", "结转结余率", "三公经费变动率", "在职人员控制率"]


@pytest.mark.django_db
def test_check_report_names_a_wrong_department_or_year(demo_report):
    with pytest.raises(CommandError, match="找不到编码为「NOPE」的部门"):
        call_command("check_report", "--department", "NOPE", "--year", "2021")
    with pytest.raises(CommandError, match="没有 2019 年度"):
        call_command("check_report", "--department", "CG-GAFJ", "--year", "2019")
