"""Quarterly monitoring: the warnings of DESIGN §5, saving, the workflow on quarterly reports."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import AnnualTarget, QuarterlyReport
from reports.quarterly import selectors as quarterly_selectors
from reports.quarterly import services as quarterly_services
from workflow import services as wf
from workflow.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarters(demo_quarters_loaded):
    return QuarterlyReport.objects.filter(department__code="CG-GAFJ", year=2021)


def main(quarters, quarter):
    return quarters.get(quarter=quarter, is_main=True)


def codes(report, data=None):
    return {f.issue.code for f in quarterly_selectors.evaluate(report, data)[1]}


def test_demo_q4_execution_matches_the_annual_report(quarters):
    q4 = main(quarters, 4)
    computed, _ = quarterly_selectors.evaluate(q4)
    assert computed["budget"]["executed"] == Decimal("373646100.00")
    assert computed["rate"] == 1


def test_demo_q1_is_behind_the_checkpoint_with_a_reason(quarters):
    q1 = main(quarters, 1)
    found = {f.issue.code: f for f in quarterly_selectors.evaluate(q1)[1]}
    assert "quarterly.behind_checkpoint" in found
    assert found["quarterly.behind_checkpoint"].explanation
    assert q1.state == State.APPROVED


def test_a_decrease_from_last_quarter_is_a_warning(quarters):
    q3 = main(quarters, 3)
    data = dict(q3.data) | {"budget": dict(q3.data["budget"]) | {"executed": "100000000.00"}}
    assert "quarterly.decreased" in codes(q3, data)


def test_an_unlikely_target_needs_cause_and_measures(quarters):
    report = quarters.get(quarter=4, unit__name="禁毒大队")
    target = AnnualTarget.objects.get(name="毒品刑事案件破获数")
    data = {"rows": {str(target.pk): {"actual": "40", "expected": "50", "likelihood": "impossible", "cause": "",
                                      "measures": ""}}}
    found = codes(report, data)
    assert {f"quarterly.unlikely.{target.pk}", f"quarterly.cause.{target.pk}",
            f"quarterly.measures.{target.pk}"} <= found


def test_missing_figures_are_errors(quarters):
    q4 = main(quarters, 4)
    assert {"quarterly.required.annual", "quarterly.required.executed"} <= codes(q4, {"budget": {}, "rows": {}})


def test_checkpoints_are_configurable(quarters):
    q1 = main(quarters, 1)
    q1.checkpoints = [20, 45, 70, 100]
    assert "quarterly.behind_checkpoint" not in codes(q1)


def test_submit_is_refused_until_warnings_have_a_reason(quarters, coordinator):
    q4 = main(quarters, 4)
    data = dict(q4.data) | {"budget": dict(q4.data["budget"]) | {"executed": "300000000.00"}}
    quarterly_services.quarterly_save(report=q4, data=data, base_version=q4.version, actor=coordinator)
    q4.refresh_from_db()
    with pytest.raises(wf.TransitionRefused, match="须填写原因"):
        wf.submit(item=q4, actor=coordinator, version=q4.version)
    data["explanations"] = {"quarterly.decreased": "上季度误将代管资金计入，已更正。",
                            "quarterly.behind_checkpoint": "年底集中支付的项目款延至次年初。"}
    quarterly_services.quarterly_save(report=q4, data=data, base_version=q4.version, actor=coordinator)
    q4.refresh_from_db()
    wf.submit(item=q4, actor=coordinator, version=q4.version)
    assert QuarterlyReport.objects.get(pk=q4.pk).state == State.SUBMITTED


def test_quarterly_reports_share_the_workflow_log_and_inbox(client, quarters, leader, clerk):
    station = quarters.get(quarter=3, unit__name="城关派出所")
    assert station.version == 0 and station.state == State.DRAFT
    client.force_login(clerk)
    assert "2021年第3季度" in client.get(reverse("home")).content.decode()
    submitted = quarters.get(quarter=3, unit__name="刑侦大队")
    client.force_login(leader)
    assert "刑侦大队" in client.get(reverse("home")).content.decode()
    response = client.post(reverse("reports:quarterly_act", args=[submitted.pk, "leading_return"]),
                           {"version": submitted.version, "comment": "请核对打处人数。"})
    assert response.status_code == 302
    assert QuarterlyReport.objects.get(pk=submitted.pk).state == State.RETURNED


def test_deadline_applies_to_quarterly_reports(quarters, clerk):
    station = quarters.get(quarter=3, unit__name="城关派出所")
    QuarterlyReport.objects.filter(pk=station.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    station.refresh_from_db()
    with pytest.raises(wf.TransitionRefused, match="已过截止日期"):
        wf.submit(item=station, actor=clerk, version=station.version)


def test_outsider_gets_404_on_quarterly_pages(client, quarters, outsider):
    client.force_login(outsider)
    report = main(quarters, 2)
    for name in ("quarterly_detail", "quarterly_edit", "quarterly_sheet", "quarterly_upload"):
        assert client.get(reverse(f"reports:{name}", args=[report.pk])).status_code == 404


def test_clerk_cannot_edit_the_main_report(client, quarters, clerk):
    client.force_login(clerk)
    assert client.get(reverse("reports:quarterly_edit", args=[main(quarters, 4).pk])).status_code == 404


def test_online_form_saves_a_revision(client, quarters, clerk):
    station = quarters.get(quarter=3, unit__name="城关派出所")
    target = AnnualTarget.objects.get(name="矛盾纠纷排查化解率")
    client.force_login(clerk)
    response = client.post(reverse("reports:quarterly_edit", args=[station.pk]), {
        "base_version": "0", f"t{target.pk}_actual": "９８.５", f"t{target.pk}_expected": "98.8",
        f"t{target.pk}_likelihood": "certain",
    })
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.version == 1 and station.data["rows"][str(target.pk)]["actual"] == "98.5"
    assert quarterly_selectors.evaluate(station)[0]["rows"][0].actual == Decimal("98.5")


def test_online_form_names_a_bad_number(client, quarters, clerk):
    station = quarters.get(quarter=3, unit__name="城关派出所")
    target = AnnualTarget.objects.get(name="矛盾纠纷排查化解率")
    client.force_login(clerk)
    response = client.post(reverse("reports:quarterly_edit", args=[station.pk]), {
        "base_version": "0", f"t{target.pk}_actual": "很高"})
    assert response.status_code == 400
    assert "「矛盾纠纷排查化解率」累计完成值：「很高」不是有效的数字" in response.content.decode()
    station.refresh_from_db()
    assert station.version == 0


def test_finance_admin_opens_a_quarter(client, quarters, finance_admin):
    client.force_login(finance_admin)
    response = client.post(reverse("reports:quarter_open"), {"year": 2022, "quarter": 1, "due_on": "2022-04-15"})
    assert response.status_code == 302
    # no 2022 targets yet: one main report (the budget block) per department
    opened = QuarterlyReport.objects.filter(year=2022, quarter=1)
    assert sorted(opened.values_list("department__code", "is_main")) == [("CG-GAFJ", True), ("CG-JTJ", True)]
    client.post(reverse("reports:quarter_open"), {"year": 2022, "quarter": 1, "due_on": "2022-04-15"})
    assert opened.count() == 2


def test_only_the_finance_admin_opens_a_quarter(client, quarters, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("reports:quarter_open")).status_code == 404


def test_a_26_digit_amount_in_the_web_form_is_a_400_not_a_500(client, quarters, coordinator):
    report = quarters.filter(is_main=True, state__in=[State.DRAFT, State.RETURNED]).first()
    client.force_login(coordinator)
    response = client.post(reverse("reports:quarterly_edit", args=[report.pk]), {
        "base_version": str(report.version), "input_unit": "wan", "budget_executed": "1" * 26})
    assert response.status_code == 400
    assert "金额过大" in response.content.decode() or "数值过大" in response.content.decode()


def test_saving_again_from_the_conflict_page_applies_over_the_latest_version(client, quarters, clerk, leader):
    station = quarters.get(quarter=3, unit__name="城关派出所")
    target = AnnualTarget.objects.get(name="矛盾纠纷排查化解率")
    quarterly_services.quarterly_save(report=station, data={"rows": {}}, base_version=0, actor=clerk)
    client.force_login(clerk)
    post = {"base_version": "0", f"t{target.pk}_actual": "97", f"t{target.pk}_likelihood": "certain"}
    response = client.post(reverse("reports:quarterly_edit", args=[station.pk]), post)
    assert response.status_code == 409
    page = response.content.decode()
    assert "保存冲突" in page and "修改为第 1 版" in page
    assert 'name="base_version" value="1"' in page
    response = client.post(reverse("reports:quarterly_edit", args=[station.pk]), post | {"base_version": "1"})
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.version == 2 and station.data["rows"][str(target.pk)]["actual"] == "97"


def test_a_qualitative_value_is_shown_as_entered(client, quarters, coordinator):
    station = quarters.get(quarter=4, unit__name="城关派出所")
    target = AnnualTarget.objects.get(name="服务对象满意度")
    assert station.data["rows"][str(target.pk)]["expected"] == "满意"
    client.force_login(coordinator)
    page = client.get(reverse("reports:quarterly_detail", args=[station.pk])).content.decode()
    row = page[page.index("服务对象满意度"):]
    row = row[:row.index("</tr>")]
    assert '<td class="num">满意</td>' in row


def test_implausible_values_are_warnings_before_submit(quarters):
    station = quarters.get(quarter=3, unit__name="城关派出所")
    target = AnnualTarget.objects.get(name="矛盾纠纷排查化解率")  # ≥ 95 %
    row = {"actual": "1000", "expected": "101", "likelihood": "certain"}
    found = {f.issue.code: f for f in quarterly_selectors.evaluate(station, {"rows": {str(target.pk): row}})[1]}
    actual, expected = found[f"quarterly.implausible.actual.{target.pk}"], found[f"quarterly.implausible.expected.{target.pk}"]
    assert not actual.is_error and actual.blocking  # a warning: it needs a written reason before submit
    assert "累计完成值 1000% 超过 100%" in actual.issue.message and "全年预计值 101% 超过 100%" in expected.issue.message
    count = AnnualTarget.objects.get(name="毒品刑事案件破获数")  # ≥ 50 件: ten times is a typing slip
    report = quarters.get(quarter=3, unit__name="禁毒大队")
    row = {"actual": "5600", "expected": "56", "likelihood": "certain"}
    assert f"quarterly.implausible.actual.{count.pk}" in codes(report, {"rows": {str(count.pk): row}})
    assert not {c for c in codes(report) if c.startswith("quarterly.implausible")}


def test_a_stale_tab_after_submit_keeps_the_typed_quarterly_figures(client, quarters, clerk):
    station = quarters.get(quarter=3, unit__name="城关派出所")
    target = AnnualTarget.objects.get(name="矛盾纠纷排查化解率")
    QuarterlyReport.objects.filter(pk=station.pk).update(state=State.SUBMITTED)
    client.force_login(clerk)
    response = client.post(reverse("reports:quarterly_edit", args=[station.pk]), {
        "base_version": str(station.version), f"t{target.pk}_actual": "98.7", f"t{target.pk}_measures": "旧标签页写的措施",
        f"t{target.pk}_likelihood": "certain",
    })
    assert response.status_code == 409
    page = response.content.decode()
    assert "您的修改未保存" in page and "旧标签页写的措施" in page and 'value="98.7"' in page
    assert QuarterlyReport.objects.get(pk=station.pk).version == station.version  # nothing saved


def test_a_save_says_in_amber_what_still_stops_the_submission_and_in_green_when_nothing_does(client, quarters,
                                                                                              clerk):
    station = quarters.get(quarter=3, unit__name="城关派出所")
    target = AnnualTarget.objects.get(name="矛盾纠纷排查化解率")
    client.force_login(clerk)
    url = reverse("reports:quarterly_edit", args=[station.pk])
    post = {"base_version": "0", f"t{target.pk}_actual": "40", f"t{target.pk}_likelihood": "impossible"}
    page = client.post(url, post, follow=True).content.decode()
    assert "msg-warning" in page and "提交审核前还需处理" in page and "msg-success" not in page
    post = {"base_version": "1"}
    for t in quarterly_selectors.targets_of(station):  # every indicator on track: nothing left to do
        post |= {f"t{t.pk}_actual": "100" if any(c.isdigit() for c in t.target) else "满意",
                 f"t{t.pk}_likelihood": "certain"}
    page = client.post(url, post, follow=True).content.decode()
    assert "msg-success" in page and "下一步" in page


def test_the_detail_page_reads_the_previous_quarter_with_the_report(quarters, finance_admin,
                                                                     django_assert_num_queries):
    """``quarterly_for_view`` brings the previous quarter along; the figures are those of a separate query."""
    def key(report):
        return report and (report.pk, report.target_table_id, report.data)

    for report in quarters:
        viewed = quarterly_selectors.quarterly_for_view(finance_admin, report.pk)
        with django_assert_num_queries(0):
            previous = quarterly_selectors.previous_of(viewed)
        fresh = QuarterlyReport.objects.get(pk=report.pk)
        assert key(previous) == key(quarterly_selectors.previous_of(fresh))
        assert (previous is None) == (report.quarter == 1)
        computed, found = quarterly_selectors.evaluate(viewed)
        assert computed == quarterly_selectors.evaluate(fresh)[0]
        assert [f.issue.code for f in found] == [f.issue.code for f in quarterly_selectors.evaluate(fresh)[1]]
