"""问题整改台账: raising from each source, the workflow to 销号, overdue reminders, the ledger pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from departments.models import AuditEntry, Department
from reports.models import RectificationItem, RectificationSource, Report
from reports.rectification import candidates, services
from reports.review.services import deadline_reminders_send
from workflow import services as wf
from workflow.models import Notification, TransitionLog
from workflow.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(demo_report_loaded) -> Report:
    return Report.objects.select_related("cycle__template", "department").get(
        cycle__year=2021, department__code="CG-GAFJ")


def _candidate(report: Report, source: str) -> candidates.Candidate:
    return next(c for c in candidates.report_candidates(report) if c.source == source)


def _station(code: str = "CG-GAFJ-P01") -> Department:
    return Department.objects.get(code=code)


def _raise(reviewer, due: date, unit_code: str = "CG-GAFJ-P01", problem: str = "公务卡结算不及时") -> RectificationItem:
    police = Department.objects.get(code="CG-GAFJ")
    return services.item_raise_directly(department=police, year=2021, unit=_station(unit_code), problem=problem,
                                        due_on=due, actor=reviewer)


def _report_result(item: RectificationItem, clerk) -> RectificationItem:
    services.item_save(item=item, measures="建立公务卡月度对账制度", result="已完成 2022 年全部公务卡结算",
                       due_on=item.due_on, unit=item.unit, base_version=item.version, actor=clerk)
    item.refresh_from_db()
    return item


# --- raising -------------------------------------------------------------------------------------------

def test_the_problems_become_proposals_the_coordinator_confirms(report, coordinator):
    created = services.problems_propose(report=report, actor=coordinator)
    assert [i.problem for i in created] == ["项目资金支出进度慢、绩效目标细化还不够细。"]
    item = created[0]
    assert item.is_proposed and item.source == RectificationSource.PROBLEMS
    assert item.unit.name == "警务保障室" and item.due_on == date(2022, 12, 31)
    assert services.problems_propose(report=report, actor=coordinator) == []  # raising twice: nothing new
    services.item_confirm(item=item, actor=coordinator)
    item.refresh_from_db()
    assert not item.is_proposed and item.confirmed_by == coordinator
    assert AuditEntry.objects.filter(action="rectification.confirm", object_id=item.pk).exists()


def test_a_proposal_cannot_be_reported_before_it_is_confirmed(report, coordinator):
    item = services.problems_propose(report=report, actor=coordinator)[0]
    item = _report_result(item, coordinator)
    with pytest.raises(wf.TransitionRefused, match="待部门绩效联络员确认"):
        wf.submit(item=item, actor=coordinator, version=item.version)


def test_the_finance_reviewers_return_comment_is_a_finding_to_raise(report, finance_reviewer):
    found = _candidate(report, RectificationSource.FINDING)
    assert found.problem.startswith("请补录“三公”经费")
    item = services.item_raise_from_report(report=report, source=found.source, ref=found.ref, actor=finance_reviewer)
    assert not item.is_proposed and item.report == report
    with pytest.raises(ValidationError):
        services.item_raise_from_report(report=report, source=found.source, ref=found.ref, actor=finance_reviewer)


def test_a_missed_indicator_is_raised_with_its_figures(report, coordinator):
    found = _candidate(report, RectificationSource.INDICATOR)
    assert "毒品刑事案件破获数" in found.problem and "56" in found.problem
    item = services.item_raise_from_report(report=report, source=found.source, ref=found.ref, actor=coordinator)
    assert item.source == RectificationSource.INDICATOR and item.unit.name == found.unit.name


def test_a_checklist_finding_is_raised(report, coordinator):
    found = _candidate(report, RectificationSource.CHECK)
    item = services.item_raise_from_report(report=report, source=found.source, ref=found.ref, actor=coordinator)
    assert item.source == RectificationSource.CHECK and item.problem == found.problem


def test_the_finance_bureau_raises_directly_and_others_may_not(report, finance_reviewer, coordinator, outsider):
    item = _raise(finance_reviewer, date(2022, 6, 30))
    assert item.source == RectificationSource.FINANCE and item.report == report
    with pytest.raises(PermissionDenied):
        _raise(coordinator, date(2022, 6, 30))
    with pytest.raises(PermissionDenied):
        services.item_raise_from_report(report=report, source="check", ref="x", actor=outsider)


def test_a_unit_outside_the_department_is_refused(report, finance_reviewer):
    with pytest.raises(ValidationError, match="不属于"):
        _raise(finance_reviewer, date(2022, 6, 30), unit_code="CG-JTJ-N01")


# --- the workflow and 销号 -------------------------------------------------------------------------------

def test_the_result_goes_through_the_leading_group_to_the_finance_bureaus_closing(
        report, finance_reviewer, clerk, group_leader):
    item = _report_result(_raise(finance_reviewer, date(2022, 6, 30)), clerk)
    assert item.revisions.count() == 2
    wf.submit(item=item, actor=clerk, version=item.version)
    item.refresh_from_db()
    wf.leading_approve(item=item, actor=group_leader, version=item.version)
    item.refresh_from_db()
    wf.finance_approve(item=item, actor=finance_reviewer, version=item.version, comment="佐证齐全，同意销号")
    item.refresh_from_db()
    assert item.state == State.APPROVED and item.state_label == "已销号"
    actions = list(TransitionLog.objects.filter(object_id=item.pk, content_type__model="rectificationitem")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["submit", "leading_approve", "finance_approve"]


def test_the_finance_bureau_returns_a_result_with_a_comment(report, finance_reviewer, clerk, group_leader):
    item = _report_result(_raise(finance_reviewer, date(2022, 6, 30)), clerk)
    wf.submit(item=item, actor=clerk, version=item.version)
    item.refresh_from_db()
    wf.leading_approve(item=item, actor=group_leader, version=item.version)
    item.refresh_from_db()
    with pytest.raises(wf.TransitionRefused):
        wf.finance_return(item=item, actor=finance_reviewer, version=item.version, comment=" ")
    wf.finance_return(item=item, actor=finance_reviewer, version=item.version, comment="缺少对账记录")
    item.refresh_from_db()
    assert item.state == State.RETURNED
    _report_result(item, clerk)  # editable again after a return


def test_a_result_cannot_be_submitted_empty_nor_saved_over_a_stale_form(report, finance_reviewer, clerk):
    item = _raise(finance_reviewer, date(2022, 6, 30))
    with pytest.raises(wf.TransitionRefused, match="整改结果尚未填写"):
        wf.submit(item=item, actor=clerk, version=item.version)
    stale = item.version
    _report_result(item, clerk)
    with pytest.raises(wf.ContentConflict):
        services.item_save(item=item, measures="x", result="y", due_on=item.due_on, unit=item.unit,
                           base_version=stale, actor=clerk)


def test_the_clerk_may_not_move_the_deadline(report, finance_reviewer, clerk):
    item = _raise(finance_reviewer, date(2022, 6, 30))
    with pytest.raises(PermissionDenied):
        services.item_save(item=item, measures="", result="", due_on=date(2030, 1, 1), unit=item.unit,
                           base_version=item.version, actor=clerk)


def test_an_outsider_sees_nothing(report, finance_reviewer, client, outsider):
    item = _raise(finance_reviewer, date(2022, 6, 30))
    client.force_login(outsider)
    assert client.get(reverse("reports:rectification_detail", args=[item.pk])).status_code == 404
    assert item.problem not in client.get(reverse("reports:rectification_ledger")).content.decode()


# --- overdue: reminded and escalated by the daily job ------------------------------------------------------

def test_items_are_reminded_before_and_escalated_after_their_deadline(report, finance_reviewer, clerk, settings):
    settings.EVALSITE_REMINDER_DAYS = [7, 3, 1]
    today = date(2030, 6, 1)
    soon = _raise(finance_reviewer, today + timedelta(days=3), problem="三天后到期的事项")
    late = _raise(finance_reviewer, today - timedelta(days=1), problem="已逾期的事项")
    deadline_reminders_send(today)
    assert Notification.objects.filter(user=clerk, key__startswith="rect-remind:").exists()
    escalated = Notification.objects.filter(key=f"rect-overdue:{late.department_id}:{today}")
    assert {n.user.username for n in escalated} >= {"leader_zz", "fin_reviewer", "coord_jwbz"}
    assert "已逾期的事项" in escalated.first().body and soon.problem not in escalated.first().body
    before = Notification.objects.count()
    deadline_reminders_send(today)  # the beat job may run twice
    assert Notification.objects.count() == before


def test_an_item_waiting_on_the_finance_bureau_is_not_overdue(report, finance_reviewer, clerk, group_leader):
    item = _report_result(_raise(finance_reviewer, date(2022, 1, 1)), clerk)
    wf.submit(item=item, actor=clerk, version=item.version)
    item.refresh_from_db()
    wf.leading_approve(item=item, actor=group_leader, version=item.version)
    deadline_reminders_send(date(2030, 1, 1))
    assert not Notification.objects.filter(key__startswith="rect-overdue:").exists()


# --- the ledger pages -------------------------------------------------------------------------------------

def _many(reviewer, n: int) -> None:
    for i in range(n):
        _raise(reviewer, date(2022, 1, 1) + timedelta(days=i), unit_code=("CG-GAFJ-P01", "CG-GAFJ-N04")[i % 2],
               problem=f"事项{i}")


@pytest.mark.parametrize("path", ["district", "department"])
def test_the_ledger_runs_constant_queries(report, finance_reviewer, client, django_assert_num_queries, path):
    police = report.department
    url = reverse("reports:rectification_ledger") if path == "district" else \
        reverse("reports:rectification_department", args=[police.pk])
    client.force_login(finance_reviewer)
    _many(finance_reviewer, 3)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url + "?overdue=true").status_code == 200
    _many(finance_reviewer, 25)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url + "?overdue=true").status_code == 200
    assert len(large) == len(small)


def test_the_ledger_filters_by_state_source_unit_and_overdue(report, finance_reviewer, coordinator, client):
    services.problems_propose(report=report, actor=coordinator)
    _raise(finance_reviewer, date(2022, 1, 1), problem="逾期的财政事项")
    _raise(finance_reviewer, date(2099, 1, 1), unit_code="CG-GAFJ-N04", problem="未到期的财政事项")
    client.force_login(finance_reviewer)
    url = reverse("reports:rectification_ledger")

    def shown(query: str) -> str:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        return response.content.decode()

    assert "逾期的财政事项" in shown("overdue=true") and "未到期的财政事项" not in shown("overdue=true")
    assert "项目资金支出进度慢" in shown("state=proposed") and "逾期的财政事项" not in shown("state=proposed")
    assert "项目资金支出进度慢" not in shown("source=finance")
    assert "逾期的财政事项" not in shown(f"unit={_station('CG-GAFJ-N04').pk}")
    assert client.get(f"{url}?state=nonsense").status_code == 400


def test_the_pages_render_for_their_users(report, finance_reviewer, coordinator, clerk, client):
    item = _raise(finance_reviewer, date(2022, 6, 30))
    client.force_login(coordinator)
    page = client.get(reverse("reports:rectification_sources", args=[report.pk])).content.decode()
    assert "列为整改事项" in page and "毒品刑事案件破获数" in page
    response = client.post(reverse("reports:rectification_report_raise", args=[report.pk]), {"all_problems": "1"})
    assert response.status_code == 302
    assert "已列入" in client.get(reverse("reports:rectification_sources", args=[report.pk])).content.decode()
    client.force_login(clerk)
    url = reverse("reports:rectification_detail", args=[item.pk])
    assert "报送整改进展" in client.get(url).content.decode()
    response = client.post(url, {"measures": "措施", "result": "结果", "base_version": item.version})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.result == "结果" and item.due_on == date(2022, 6, 30)
    stale = client.post(url, {"measures": "措施2", "result": "结果2", "base_version": 0})
    assert stale.status_code == 409 and "结果2" in stale.content.decode()


def test_the_finance_reviewer_raises_a_finding_on_a_section(report, finance_reviewer, coordinator, client):
    section = report.sections.get(node__key="assets")
    client.force_login(finance_reviewer)
    url = reverse("reports:rectification_finding", args=[report.pk])
    assert "财政审核发现的问题" in client.get(reverse("reports:rectification_sources", args=[report.pk])).content.decode()
    response = client.post(url, {"section": section.pk, "problem": "资产报废未履行审批程序"})
    assert response.status_code == 302
    item = RectificationItem.objects.get(problem="资产报废未履行审批程序")
    assert item.source == RectificationSource.FINDING and item.unit == section.unit and not item.is_proposed
    client.post(url, {"section": section.pk, "problem": "资产报废未履行审批程序"})  # twice: refused, not doubled
    assert RectificationItem.objects.filter(problem="资产报废未履行审批程序").count() == 1
    with pytest.raises(PermissionDenied):
        services.item_raise_from_section(section=section, problem="x", actor=coordinator)


def test_bad_parameters_are_a_400_or_404_never_a_500(report, finance_reviewer, client):
    client.force_login(finance_reviewer)
    ledger = reverse("reports:rectification_ledger")
    assert client.get(f"{ledger}?year={'9' * 40}").status_code == 400
    assert client.get(f"{ledger}?page=abc").status_code == 200
    department = reverse("reports:rectification_department", args=[report.department_id])
    assert client.get(f"{department}?year={'9' * 40}").status_code == 400
    big = reverse("reports:result_application", args=[report.department_id, 10 ** 12])
    assert client.get(big).status_code == 404
    item = _raise(finance_reviewer, date(2022, 6, 30))
    response = client.post(reverse("reports:rectification_confirm", args=[item.pk]), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == item.get_absolute_url()
