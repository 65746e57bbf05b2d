"""Declaring and approving a 整体绩效目标表 in the browser (1366×768): the coordinator writes the
2022 targets and submits them, the 组长 and the finance reviewer approve, and the 2022 Q1 monitoring
then lists exactly those indicators for their responsible units. A 派出所's clerk adds its own row to the
draft from 我的填报, and the coordinator sees it in the table and in the history."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from departments.demo import POLICE, demo_org_load
from departments.models import Department
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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_units_clerk_adds_its_row_and_the_coordinator_sees_it(live_server, browser):
    from playwright.sync_api import expect

    from reports.annual.demo import INDICATORS as DEMO_ROWS
    from reports.targets.demo import table_data
    from reports.targets.services import target_table_create, target_table_save

    demo_org_load()
    police = Department.objects.get(code=POLICE[0])
    coordinator = get_user_model().objects.get(username="coord_jwbz")
    table = target_table_create(department=police, year=2022, actor=coordinator)
    target_table_save(table=table, data=table_data(police, DEMO_ROWS["rows"]), base_version=0, actor=coordinator)

    clerk = Session(browser, live_server.url, "clerk_cg")
    page = clerk.page
    clerk.nav("我的填报")
    page.locator(".target-contributions").get_by_role("link", name="填写本单位指标").click()
    expect(page.locator("main h1")).to_contain_text("填写本单位指标")
    expect(page.locator("table.other-targets")).to_contain_text("刑侦大队")  # the others' rows, read only
    expect(page.locator("#id_t-goal")).to_have_count(0)
    rows = page.locator(".formset[data-prefix='ind'] tbody tr")
    i = rows.count() - 1  # the empty row after the unit's own two
    _fill_indicator(page, i, ("产出", "数量", "社区走访次数", "≥", "1200", "户", "5", "城关派出所"))
    clerk.shot("targets_unit_rows_form.png")
    page.get_by_role("button", name="保存本单位指标").click()
    expect(page.locator("ul.messages")).to_contain_text("已保存为第 2 次修订")
    expect(page.locator("table.targets-table")).to_contain_text("社区走访次数")
    expect(page.get_by_role("button", name="提交审核", exact=True)).to_have_count(0)
    clerk.shot("targets_unit_row_added.png")
    clerk.close()

    coord = Session(browser, live_server.url, "coord_jwbz")
    coord.page.goto(f"{live_server.url}{table.get_absolute_url()}")
    row = coord.page.locator("table.targets-table tr", has_text="社区走访次数")
    expect(row).to_contain_text("城关派出所")
    expect(row).to_contain_text("1200")
    coord.page.get_by_role("link", name="修订历史").click()
    expect(coord.page.locator("section.revision").first).to_contain_text("第 2 次修订")
    expect(coord.page.locator("section.revision").first).to_contain_text("张明")
    expect(coord.page.locator("section.revision").first).to_contain_text("社区走访次数")
    coord.shot("targets_unit_row_history.png", full_page=False)
    coord.close()
    names = [r["name"] for r in TargetTable.objects.get(pk=table.pk).data["indicators"]]
    assert names[names.index("预算执行进度") + 1] == "社区走访次数"  # among the 产出 rows
