"""整体绩效目标表: declared, reviewed through the workflow, frozen when approved, adjusted as a new edition."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from departments.selectors import audit_history
from reports.annual.demo import INDICATORS
from reports.models import AnnualTarget, TargetTable
from reports.targets import selectors, services
from reports.targets.checks import table_issues
from reports.targets.demo import table_data
from workflow import services as wf
from workflow.guards import action_check
from workflow.models import TransitionLog
from workflow.services import ContentLocked, TransitionRefused
from workflow.states import State
from workflow.transitions import Action

pytestmark = pytest.mark.django_db
YEAR = 2022


def approve(table: TargetTable, coordinator, leader, reviewer) -> TargetTable:
    for step, actor in ((wf.submit, coordinator), (wf.leading_approve, leader), (wf.finance_approve, reviewer)):
        table.refresh_from_db()
        step(item=table, actor=actor, version=table.version)
    table.refresh_from_db()
    return table


@pytest.fixture
def police(demo):
    return demo["CG-GAFJ"]


@pytest.fixture
def declared(police, coordinator) -> TargetTable:
    table = services.target_table_create(department=police, year=YEAR, actor=coordinator)
    services.target_table_save(table=table, data=table_data(police, INDICATORS["rows"]), base_version=0, actor=coordinator)
    table.refresh_from_db()
    return table


@pytest.fixture
def approved(declared, coordinator, group_leader, finance_reviewer) -> TargetTable:
    return approve(declared, coordinator, group_leader, finance_reviewer)


def test_a_declared_table_keeps_its_indicators_as_rows_with_responsible_units(declared, police):
    rows = selectors.table_targets(declared)
    assert [r.name for r in rows][:2] == ["矛盾纠纷排查化解率", "刑事案件打处人数"]
    assert {r.name: r.unit.name for r in rows}["毒品刑事案件破获数"] == "禁毒大队"
    assert declared.revisions.count() == 1 and declared.version == 1
    assert table_issues(declared.data) == []
    assert [a.action for a in audit_history(declared)] == ["target_table_create"]


def test_only_the_departments_coordinator_declares_targets(police, clerk, outsider):
    for user in (clerk, outsider):
        with pytest.raises(PermissionDenied):
            services.target_table_create(department=police, year=YEAR, actor=user)


def test_an_incomplete_table_cannot_be_submitted(police, coordinator):
    table = services.target_table_create(department=police, year=YEAR, actor=coordinator)
    with pytest.raises(TransitionRefused, match="请填写年度总体目标"):
        wf.submit(item=table, actor=coordinator, version=table.version)


def test_it_goes_through_the_workflow_and_is_frozen_once_approved(approved, coordinator, finance_admin):
    assert approved.state == State.APPROVED
    logs = TransitionLog.objects.filter(object_id=approved.pk, content_type__model="targettable")
    assert sorted(logs.values_list("action", flat=True)) == sorted(
        [Action.SUBMIT, Action.LEADING_APPROVE, Action.FINANCE_APPROVE])
    with pytest.raises(ContentLocked):
        services.target_table_save(table=approved, data=approved.data, base_version=approved.version,
                                   actor=coordinator)
    check = action_check(finance_admin, approved, Action.REOPEN, "需要修改")
    assert check.permitted and "不能重新打开" in check.refused
    with pytest.raises(TransitionRefused, match="发起调整"):
        wf.reopen(item=approved, actor=finance_admin, version=approved.version, comment="需要修改")


def test_a_second_table_for_the_same_year_is_refused(approved, police, coordinator):
    with pytest.raises(ValidationError, match="发起调整"):
        services.target_table_create(department=police, year=YEAR, actor=coordinator)


def test_an_adjustment_is_a_new_edition_with_a_reason_reviewed_again(
        approved, coordinator, group_leader, finance_reviewer):
    with pytest.raises(ValidationError, match="理由"):
        services.target_table_adjust(table=approved, reason="  ", actor=coordinator)
    adjusted = services.target_table_adjust(table=approved, reason="年中追加禁毒专项经费，破案数目标上调。",
                                            actor=coordinator)
    assert (adjusted.edition, adjusted.based_on_id, adjusted.state) == (2, approved.pk, State.DRAFT)
    with pytest.raises(ValidationError, match="调整版本在填报或审核中"):
        services.target_table_adjust(table=approved, reason="再调一次", actor=coordinator)
    assert selectors.approved_table(approved.department, YEAR).pk == approved.pk  # v1 in force meanwhile
    data = adjusted.data | {"indicators": [
        dict(r, target="70") if r["name"] == "毒品刑事案件破获数" else r for r in adjusted.data["indicators"]]}
    services.target_table_save(table=adjusted, data=data, base_version=adjusted.version, actor=coordinator)
    approve(adjusted, coordinator, group_leader, finance_reviewer)
    assert selectors.approved_table(approved.department, YEAR).edition == 2
    editions = selectors.editions(approved)
    assert [(e.edition, e.in_force, e.superseded) for e in editions] == [(2, True, False), (1, False, True)]
    assert AnnualTarget.objects.get(table__edition=2, table__year=YEAR, name="毒品刑事案件破获数").target == "70"
    assert AnnualTarget.objects.get(table__edition=1, table__year=YEAR, name="毒品刑事案件破获数").target == "60"
    assert audit_history(adjusted)[0].reason == "年中追加禁毒专项经费，破案数目标上调。"


def test_pages_show_the_table_its_editions_and_refuse_outsiders(client, approved, coordinator, outsider):
    client.force_login(coordinator)
    page = client.get(reverse("reports:target_detail", args=[approved.pk])).content.decode()
    assert "现行版本" in page and "发起调整" in page and "禁毒大队" in page
    assert client.get(reverse("reports:target_list")).status_code == 200
    assert client.get(reverse("reports:target_history", args=[approved.pk])).status_code == 200
    response = client.get(reverse("reports:target_edit", args=[approved.pk]))
    assert response.status_code == 302  # approved: frozen
    client.force_login(outsider)
    assert client.get(reverse("reports:target_detail", args=[approved.pk])).status_code == 404


def test_bad_input_on_the_edit_page_is_a_400_naming_the_field(client, police, coordinator):
    table = services.target_table_create(department=police, year=YEAR, actor=coordinator)
    client.force_login(coordinator)
    post = {"base_version": "0", "t-goal": "目标", "tasks-TOTAL_FORMS": "1", "tasks-INITIAL_FORMS": "0",
            "tasks-0-name": "任务", "tasks-0-amount": "abc", "ind-TOTAL_FORMS": "1", "ind-INITIAL_FORMS": "0",
            "ind-0-level1": "产出", "ind-0-level2": "社会效益", "ind-0-name": "指标", "ind-0-nature": "≥",
            "ind-0-target": "十", "ind-0-weight": "10", "ind-0-unit": police.code}
    response = client.post(reverse("reports:target_edit", args=[table.pk]), post)
    text = response.content.decode()
    assert response.status_code == 400
    assert "预算金额：「abc」不是有效的数字" in text and "不属于一级指标「产出」" in text and "指标值：" in text
    table.refresh_from_db()
    assert table.version == 0


# downstream -------------------------------------------------------------------

def test_the_quarter_monitors_exactly_the_approved_indicators_with_their_units(approved, police):
    from reports.quarterly.selectors import targets_of
    from reports.quarterly.services import quarter_open

    reports = quarter_open(year=YEAR, quarter=1, departments=[police], due_on=date(2022, 4, 15), actor=None)
    monitored = {t.name for r in reports for t in targets_of(r)}
    assert monitored == {row["name"] for row in approved.data["indicators"]}
    assert all(r.target_table_id == approved.pk for r in reports)
    assert {r.unit.name for r in reports} == {"昆明市公安局呈贡分局", "城关派出所", "刑侦大队", "禁毒大队", "治安大队",
                                              "指挥中心"}


def test_without_approved_targets_the_quarter_says_so(client, declared, police, coordinator):
    from reports.quarterly.services import quarter_open

    (main,) = quarter_open(year=YEAR, quarter=1, departments=[police], due_on=date(2022, 4, 15), actor=None)
    assert main.target_table is None
    client.force_login(coordinator)
    page = client.get(reverse("reports:quarterly_detail", args=[main.pk])).content.decode()
    assert "尚无已审定的整体绩效目标表" in page


def test_approving_later_and_opening_the_quarter_again_loads_the_targets(declared, police, coordinator,
                                                                         group_leader, finance_reviewer):
    from reports.quarterly.services import quarter_open

    (main,) = quarter_open(year=YEAR, quarter=1, departments=[police], due_on=date(2022, 4, 15), actor=None)
    table = approve(declared, coordinator, group_leader, finance_reviewer)
    created = quarter_open(year=YEAR, quarter=1, departments=[police], due_on=date(2022, 4, 15), actor=None)
    main.refresh_from_db()
    assert main.target_table_id == table.pk and len(created) == 5


def test_the_report_scores_against_the_approved_edition_and_names_it(demo, coordinator, group_leader,
                                                                     finance_reviewer):
    from reports.annual import checks
    from reports.annual.services import section_save
    from reports.models import Report
    from reports.review.demo import demo_report_load

    demo_report_load()
    report = Report.objects.get(cycle__year=2021, department__code="CG-GAFJ")
    section = report.sections.get(node__key="indicators")
    table = selectors.approved_table(report.department, 2021)
    assert section.data["target_table"] == {"id": table.pk, "edition": 1}
    ctx = checks.context_for(report, checks.figure_sections(report))
    assert checks.section_findings("indicators", section.data, ctx) == []
    # a typed target is replaced by the table's on save: targets are never retyped in the report
    rows = [dict(r, target="1") for r in section.data["rows"]]
    section.state = State.DRAFT
    section.save(update_fields=["state"])
    section_save(section=section, data={"rows": rows}, base_version=section.version, actor=coordinator)
    section.refresh_from_db()
    assert [r["target"] for r in section.data["rows"]][:2] == ["95", "450"]
    assert section.data["rows"][0]["actual"] == "98.79"
    adjusted = services.target_table_adjust(table=table, reason="调整", actor=coordinator)
    approve(adjusted, coordinator, group_leader, finance_reviewer)
    ctx = checks.context_for(report, checks.figure_sections(report))
    codes = [f.issue.code for f in checks.section_findings("indicators", section.data, ctx)]
    assert codes == ["indicators.target_edition"]


def test_the_self_evaluation_workbook_names_the_target_edition(demo, tmp_path):
    import openpyxl

    from reports.exports.services import build_to_file
    from reports.models import ExportKind, Report
    from reports.review.demo import demo_report_load

    demo_report_load()
    report = Report.objects.get(cycle__year=2021, department__code="CG-GAFJ")
    out = tmp_path / "self.xlsx"
    build_to_file(ExportKind.SELF_EVALUATION, {"report": report.pk}, out)
    texts = [c.value for row in openpyxl.load_workbook(out)["自评表"].iter_rows() for c in row if c.value]
    assert any("已审定的整体绩效目标表第 1 版" in str(t) for t in texts)


def test_after_an_adjustment_the_dashboard_figures_warn_as_each_reports_page(
        approved, police, coordinator, group_leader, finance_reviewer):
    """Q1 reported against edition 1, Q2 against edition 2 (调整 in between): the district figures (one
    query for all reports) compare each row with the previous quarter re-keyed by name, and read only
    the edition the quarter was opened with — exactly as the report's own page does."""
    from reports.quarterly import selectors as q
    from reports.quarterly.figures import findings
    from reports.quarterly.services import quarter_open

    def fill(report, actual):
        rows = {str(t.pk): {"actual": actual, "expected": "50", "likelihood": "likely", "cause": "上季度数字有误，已更正"}
                for t in q.targets_of(report)}
        report.data = {"rows": rows, "budget": {}}
        report.save(update_fields=["data"])

    q1 = [r for r in quarter_open(year=YEAR, quarter=1, departments=[police], due_on=date(2022, 4, 15), actor=None)
          if q.targets_of(r)]
    for report in q1:
        fill(report, "40")
    adjusted = services.target_table_adjust(table=approved, reason="年中调整", actor=coordinator)
    approve(adjusted, coordinator, group_leader, finance_reviewer)
    q2 = [r for r in quarter_open(year=YEAR, quarter=2, departments=[police], due_on=date(2022, 7, 15), actor=None)
          if q.targets_of(r)]
    assert q2 and all(r.target_table_id == adjusted.pk for r in q2)
    for report in q2:
        fill(report, "30")  # less than Q1: each row's cumulative value decreased
    figures = {f.pk: f.warnings for f in q.quarter_figures(q.QuarterlyReport.objects.filter(year=YEAR, quarter=2))}
    for report in q2:
        report.refresh_from_db()
        computed, found = q.evaluate(report)
        page = frozenset(f.issue.code.split(".")[1] for f in findings(report, report.data, computed) if not f.is_error)
        assert "row_decreased" in page and figures[report.pk] == page
