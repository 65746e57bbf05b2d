"""自评打分: the rules, the grade bands, the finance reviewer's adjustments and the report page."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from departments.demo import demo_org_load
from reports.annual import scoring
from reports.models import Report, ScoreAdjustment, Section
from reports.review.demo import demo_report_load
from workflow.states import State

D = Decimal


# --- the rules, without a database -----------------------------------------------------------------

def _row(name: str, nature: str, target: str, actual: str, weight: str, manual: str = "", level1: str = "产出",
         level2: str = "数量") -> dict[str, str]:
    return {"level1": level1, "level2": level2, "name": name, "nature": nature, "target": target, "unit": "",
            "actual": actual, "weight": weight, "manual_score": manual, "reason": ""}


def _score(*rows: dict[str, str], budget: dict | None = None, weights: dict | None = None,
           adjustments: tuple = ()) -> scoring.ReportScore:
    return scoring.score_compute(weights=weights or scoring_weights(), budget_data=budget,
                                 indicator_data={"rows": list(rows)}, adjustments=adjustments)


def scoring_weights() -> dict[str, int]:
    return {"budget_execution": 10, "产出": 50, "效益": 30, "满意度": 10}


def _budget(annual: str, executed: str) -> dict[str, str]:
    return {"initial": annual, "adjustment": None, "executed": executed}


@pytest.mark.parametrize(("score", "grade"), [
    ("100", "优"), ("90", "优"), ("90.00", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"),
    ("60", "中"), ("59.99", "差"), ("0", "差"),
])
def test_grade_bands_are_half_open_at_60_80_90(score, grade):
    assert scoring.grade_for(D(score)) == grade


@given(st.decimals(min_value=0, max_value=100, places=2))
def test_the_grade_is_the_band_whose_lower_bound_the_score_reaches(score):
    expected = "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"
    assert scoring.grade_for(score) == expected


def test_grade_bands_come_from_the_template_when_it_has_them():
    weights = scoring_weights() | {"grades": {"合格": 60, "不合格": 0, "优秀": 85}}
    bands = scoring.grade_bands(weights)
    assert [label for label, _ in bands] == ["优秀", "合格", "不合格"]
    assert scoring.grade_for(D("84.99"), bands) == "合格"
    assert scoring.grade_for(D("85"), bands) == "优秀"


@pytest.mark.parametrize(("nature", "target", "actual", "expected"), [
    ("≥", "100", "120", "10.00"),  # met: full weight, never more
    ("≥", "60", "56", "9.33"),  # missed: 10 × 56/60
    ("≤", "10", "8", "10.00"),
    ("≤", "10", "12.5", "8.00"),  # missed: 10 × 10/12.5
    ("=", "100", "100", "10.00"),
])
def test_quantitative_indicators_score_by_the_rules(nature, target, actual, expected):
    (row,) = _score(_row("指标", nature, target, actual, "10")).rows
    assert row.score == D(expected)


def test_a_qualitative_indicator_takes_the_manual_score_within_its_weight():
    rows = _score(_row("满意度", "定性", "满意", "较满意", "10", "9", "满意度", "服务对象满意度"),
                  _row("超分", "定性", "满意", "满意", "10", "12", "满意度", "服务对象满意度")).rows
    assert [r.score for r in rows] == [D("9.00"), D("10.00")]


def test_a_row_that_cannot_be_scored_yet_counts_zero():
    (row,) = _score(_row("待填", "≥", "10", "", "10")).rows
    assert (row.computed, row.score) == (None, 0)


@pytest.mark.parametrize(("annual", "executed", "expected"), [
    ("1000000", "1000000", "10.00"), ("1000000", "950000", "9.50"), ("1000000", "1200000", "10.00"),
    ("1000000", "0", "0.00"),
])
def test_budget_execution_scores_weight_times_rate_capped_at_the_weight(annual, executed, expected):
    assert _score(budget=_budget(annual, executed)).budget_score == D(expected)


def test_no_budget_scores_zero_for_execution():
    assert _score().budget_score == 0


nature = st.sampled_from(["≥", "≤", "=", "定性"])
number = st.decimals(min_value=0, max_value=100000, places=2).map(lambda d: f"{d:f}")
weight = st.decimals(min_value=0, max_value=60, places=2).map(lambda d: f"{d:f}")
rows = st.lists(st.tuples(nature, number, number, weight, number, st.sampled_from(["产出", "效益", "满意度"])),
                max_size=8)


@given(rows, number, number)
def test_a_score_is_never_above_its_weight(rows, annual, executed):
    score = _score(*[_row(f"r{i}", n, t, a, w, m, level1) for i, (n, t, a, w, m, level1) in enumerate(rows)],
                   budget=_budget(annual, executed))
    for row in score.rows:
        assert 0 <= row.score <= row.weight
    for group in score.groups:
        assert group.score <= group.weight
        assert group.score == sum((r.score for r in group.rows), D(0))
    assert 0 <= score.budget_score <= score.budget_weight
    assert score.total == score.budget_score + sum((g.score for g in score.groups), D(0))
    assert score.total <= score.weight


def test_groups_follow_the_template_and_totals_add_up():
    score = _score(
        _row("a", "≥", "10", "10", "30"), _row("b", "≥", "10", "5", "20"),
        _row("c", "≥", "10", "10", "30", level1="效益", level2="社会效益"),
        _row("d", "定性", "满意", "", "10", "8", "满意度", "服务对象满意度"),
        budget=_budget("100", "90"),
    )
    assert [(g.name, g.weight, g.score) for g in score.groups] == [
        ("产出", D(50), D("40.00")), ("效益", D(30), D("30.00")), ("满意度", D(10), D("8.00"))]
    assert (score.budget_score, score.total, score.weight, score.grade) == (D("9.00"), D("87.00"), D(100), "良")


def test_weights_are_template_data():
    weights = {"budget_execution": 20, "产出": 40, "效益": 30, "满意度": 10}
    score = _score(_row("a", "≥", "10", "10", "40"), budget=_budget("100", "50"), weights=weights)
    assert (score.budget_weight, score.budget_score) == (D(20), D("10.00"))
    assert score.group("产出").configured == D(40)


def test_the_latest_adjustment_of_a_row_wins():
    older = ScoreAdjustment(row_name="a", score=D("3"), reason="x", created_at=_at(0), pk=1)
    newer = ScoreAdjustment(row_name="a", score=D("7.5"), reason="y", created_at=_at(1), pk=2)
    (row,) = _score(_row("a", "≥", "10", "10", "10"), adjustments=(newer, older)).rows
    assert (row.computed, row.score, row.adjustment.reason) == (D("10.00"), D("7.50"), "y")


def _at(minutes: int):
    from django.utils import timezone

    return timezone.now().replace(microsecond=0) + timedelta(minutes=minutes)


# --- the demo report, adjustments and pages (one demo load for the module) -------------------------

@pytest.fixture(scope="module")
def demo_report_pk(django_db_setup, django_db_blocker):
    """The demo's 2021 呈贡分局 report, loaded once; rolled back after the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_org_load()
            demo_report_load()
            yield Report.objects.get(cycle__year=2021, department__code="CG-GAFJ").pk
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def report(demo_report_pk, db) -> Report:
    return Report.objects.select_related("template", "department").get(pk=demo_report_pk)


def user(username: str):
    return get_user_model().objects.get(username=username)


def adjust(report: Report, actor: str = "fin_reviewer", **fields: str) -> ScoreAdjustment:
    values = {"row_name": "毒品刑事案件破获数", "score": "8", "reason": "线索经营不足，酌减。"} | fields
    return scoring.score_adjust(report=report, actor=user(actor), **values)


def test_the_demo_report_scores_98_33_and_is_graded_you(report):
    score = scoring.report_score(report)
    assert score.execution_rate == 1 and score.budget_score == D("10.00")
    assert [(g.name, g.weight, g.score) for g in score.groups] == [
        ("产出", D(50), D("49.33")), ("效益", D(30), D("30.00")), ("满意度", D(10), D("9.00"))]
    assert (score.indicator_score, score.total, score.weight, score.grade) == (D("88.33"), D("98.33"), D(100), "优")


def test_a_finance_reviewer_adjusts_one_score_and_every_adjustment_is_kept(report):
    first = adjust(report, score="8")
    second = adjust(report, score="7.5", reason="复核后再减。")
    score = scoring.report_score(report)
    row = next(r for r in score.rows if r.name == "毒品刑事案件破获数")
    assert (row.computed, row.score, row.adjustment.pk) == (D("9.33"), D("7.50"), second.pk)
    assert score.total == D("96.50")
    assert [a.pk for a in score.history] == [second.pk, first.pk]
    stored = ScoreAdjustment.objects.get(pk=first.pk)
    assert (stored.actor.username, stored.reason, stored.score) == ("fin_reviewer", "线索经营不足，酌减。", D("8.00"))
    with pytest.raises(ValueError, match="不可修改"):
        stored.save()


@pytest.mark.parametrize("username", ["coord_jwbz", "leader_zz", "fin_admin", "other_clerk"])
def test_only_the_departments_finance_reviewer_may_adjust(report, username):
    with pytest.raises(PermissionDenied):
        adjust(report, actor=username)
    assert not ScoreAdjustment.objects.exists()


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"score": "10.5"}, "score", "调整后得分：须在 0 至 10 分之间"),
    ({"score": "-1"}, "score", "调整后得分：不能为负数"),
    ({"score": "八分"}, "score", "调整后得分：「八分」不是有效的数字"),
    ({"score": "8.125"}, "score", "调整后得分：最多保留两位小数"),
    ({"score": ""}, "score", "调整后得分：请填写"),
    ({"reason": "  "}, "reason", "理由：请写明调整理由"),
    ({"row_name": "不存在的指标"}, "row_name", "三级指标：「不存在的指标」不在本报告的绩效指标中"),
    ({"row_name": ""}, "row_name", "三级指标：请选择要调整的指标"),
])
def test_adjustments_are_validated_with_messages_naming_the_field(report, fields, field, message):
    with pytest.raises(ValidationError) as caught:
        adjust(report, **fields)
    assert any(message in m for m in caught.value.message_dict[field])
    assert not ScoreAdjustment.objects.exists()


def test_the_full_weight_and_zero_are_allowed(report):
    assert adjust(report, score="10").score == 10
    assert adjust(report, score="０").score == 0  # full-width digits, as typed on Chinese keyboards


def test_the_score_page_shows_the_table_and_the_form_to_the_finance_reviewer(client, report):
    client.force_login(user("fin_reviewer"))
    page = client.get(reverse("reports:report_score", args=[report.pk])).content.decode()
    assert "98.33 分" in page and "毒品刑事案件破获数" in page and "产出小计" in page
    assert 'name="reason"' in page


def test_the_finance_reviewer_posts_an_adjustment(client, report):
    client.force_login(user("fin_reviewer"))
    url = reverse("reports:report_score", args=[report.pk])
    response = client.post(url, {"row_name": "服务对象满意度", "score": "8", "reason": "满意度无调查支撑。"})
    assert response.status_code == 302
    assert ScoreAdjustment.objects.get().row_name == "服务对象满意度"
    page = client.get(url).content.decode()
    assert "97.33 分" in page and "满意度无调查支撑。" in page


def test_an_invalid_post_answers_400_with_the_messages(client, report):
    client.force_login(user("fin_reviewer"))
    response = client.post(reverse("reports:report_score", args=[report.pk]),
                           {"row_name": "服务对象满意度", "score": "11", "reason": ""})
    assert response.status_code == 400
    errors = re.findall(r'class="field-error">([^<]*)<', response.content.decode())
    assert any("调整后得分：须在 0 至 10 分之间" in e for e in errors)
    assert "理由：请写明调整理由" in errors
    assert not ScoreAdjustment.objects.exists()


def test_others_in_scope_see_the_scores_but_may_not_post(client, report):
    client.force_login(user("leader_zz"))
    url = reverse("reports:report_score", args=[report.pk])
    page = client.get(url).content.decode()
    assert "98.33 分" in page and 'name="reason"' not in page
    assert client.post(url, {"row_name": "服务对象满意度", "score": "8", "reason": "x"}).status_code == 403
    assert not ScoreAdjustment.objects.exists()


def test_another_departments_user_gets_404(client, report):
    client.force_login(user("other_clerk"))
    url = reverse("reports:report_score", args=[report.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"row_name": "服务对象满意度", "score": "8", "reason": "x"}).status_code == 404


def test_the_report_page_shows_the_assembly_state_the_score_and_the_export_buttons(client, report):
    client.force_login(user("coord_jwbz"))
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "14 / 37 个章节已审定" in page and "未审定稿" in page
    assert 'class="card document watermarked"' in page
    assert page.count('class="doc-part unapproved"') == 23
    assert "98.33 分" in page and "grade-优" in page
    assert 'value="report_docx"' in page and 'value="self_evaluation"' in page
    headings = re.findall(r'<h2 class="doc-heading depth-1"[^>]*>([^<]+)</h2>', page)
    assert headings == ["一、基本情况", "二、绩效评价工作情况", "三、主要绩效及评价结论", "四、存在的问题",
                        "五、有关建议", "六、其他需要说明的问题"]


def test_the_report_is_final_when_every_section_is_approved(client, report):
    Section.objects.filter(report=report).update(state=State.APPROVED)
    client.force_login(user("coord_jwbz"))
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "37 / 37 个章节已审定" in page and "定稿" in page
    assert "watermarked" not in page and "doc-part unapproved" not in page
