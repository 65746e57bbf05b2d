"""Declaring and approving a 整体绩效目标表 in the browser (1366×768): the coordinator writes the
2022 targets and submits them, the 组长 and the finance reviewer approve, and the 2022 Q1 monitoring
then lists exactly those indicators for their responsible units."""

from __future__ import annotations

from datetime import date

import pytest

from departments.demo import POLICE, demo_org_load
from reports.models import QuarterlyReport, TargetTable
from reports.quarterly.selectors import targets_of
from reports.quarterly.services import quarter_open
from tests.browser import Session
from workflow.states import State

INDICATORS = [  # level1, level2, name, nature, target, unit, weight, responsible unit
    ("产出", "数量", "刑事案件打处人数", "≥", "500", "人", "50", "刑侦大队"),
    ("效益", "社会效益", "“零发案”小区、城中村占比", "≥", "80", "%", "30", "治安大队"),
    ("满意度", "服务对象满意度", "服务对象满意度", "定性", "满意", "", "10", "城关派出所"),
]


def _fill_indicator(page, i: int, row: tuple[str, ...]) -> None:  # noqa: ANN001
    level1, level2, name, nature, target, unit, weight, responsible = row
    page.select_option(f"select[name='ind-{i}-level1']", level1)
    page.select_option(f"select[name='ind-{i}-level2']", level2)
    page.fill(f"input[name='ind-{i}-name']", name)
    page.select_option(f"select[name='ind-{i}-nature']", nature)
    page.fill(f"input[name='ind-{i}-target']", target)
    page.fill(f"input[name='ind-{i}-measure_unit']", unit)
    page.fill(f"input[name='ind-{i}-weight']", weight)
    page.select_option(f"select[name='ind-{i}-unit']", label=responsible)


def _act(s: Session, url: str, label: str) -> None:
    from playwright.sync_api import expect

    s.page.goto(url)
    s.page.get_by_role("button", name=label, exact=True).click()
    expect(s.page.locator("ul.messages")).to_contain_text(f"已{label}")


def _declare(coord: Session) -> str:
    """The coordinator creates, fills and submits the 2022 table; its page's URL."""
    from playwright.sync_api import expect

    page = coord.page
    coord.nav("绩效目标")
    page.fill("#id_year", "2022")
    page.get_by_role("button", name="新建目标表").click()
    expect(page.locator("main h1")).to_contain_text(f"2022年度{POLICE[1]}整体绩效目标表")
    page.fill("#id_t-goal", "维护社会稳定，提升打防效能，确保辖区持续安全稳定。")
    page.fill("input[name='tasks-0-name']", "平安小区建设")
    page.fill("input[name='tasks-0-amount']", "120.5")
    indicators = page.locator(".formset[data-prefix='ind']")
    for _ in INDICATORS[1:]:
        indicators.get_by_role("button", name="增加一行").click()
    for i, row in enumerate(INDICATORS):
        _fill_indicator(page, i, row)
    page.get_by_role("button", name="保存").click()
    expect(page.locator("aside")).to_contain_text("检查全部通过")
    expect(page.locator("table.targets-table")).to_contain_text("刑侦大队")
    expect(page.locator("main")).to_contain_text("120.50")
    coord.shot("targets_declared.png")
    url = page.url
    page.get_by_role("button", name="提交审核", exact=True).click()
    expect(page.locator("main h1")).to_contain_text("待领导小组审核")
    coord.close()
    return url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_coordinator_declares_targets_and_the_reviewers_approve_them(live_server, browser):
    from playwright.sync_api import expect

    demo_org_load()
    url = _declare(Session(browser, live_server.url, "coord_jwbz"))

    leader = Session(browser, live_server.url, "leader_zz")
    _act(leader, url, "领导小组审核通过")
    leader.close()
    finance = Session(browser, live_server.url, "fin_reviewer")
    _act(finance, url, "财政审核通过")
    expect(finance.page.locator("main h1")).to_contain_text("已审定")
    expect(finance.page.locator("main h1")).to_contain_text("现行版本")
    finance.shot("targets_approved.png")
    finance.close()

    table = TargetTable.objects.get(year=2022, department__code=POLICE[0])
    assert (table.state, table.edition) == (State.APPROVED, 1)
    quarter_open(year=2022, quarter=1, departments=[table.department], due_on=date(2022, 4, 15), actor=None)
    monitored = {(t.name, r.unit.name) for r in QuarterlyReport.objects.filter(year=2022) for t in targets_of(r)}
    assert monitored == {(row[2], row[7]) for row in INDICATORS}
