"""Authoring in the browser, 1366×768: a 派出所 clerk fills a statistics section, the coordinator
assigns a section and types budget amounts in 元/万元, the history shows the edits, the report's
checklist lists the seed's inconsistencies. Screenshots are kept in tests/artifacts/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from departments.demo import POLICE, POLICE_STATIONS
from reports.models import Report, Section
from tests.browser import VIEWPORT, Session
from tests.replay import demo_report_replayed
from workflow.services import reopen
from workflow.states import EDITABLE_STATES, State

STATION = POLICE_STATIONS[0]  # 城关派出所


def _live_cell(page: Any, label: str) -> Any:
    """The value cell right of a <th> in the live preview's budget table."""
    return page.locator("#live table.figures-table th", has_text=label).locator("xpath=following-sibling::td[1]")


def _figure_row(page: Any, name: str) -> Any:
    rows = page.locator(".formset[data-prefix='figures'] tbody tr")
    return rows.filter(has=page.locator(f"input[name$='-name'][value='{name}']"))


def _marked(revision: Any, tag: str) -> list[str]:
    """The visible <del>/<ins> texts of a revision's text diff.

    Blank marks are left out: the browser posts a textarea with CRLF line ends, so the first
    browser save of a text loaded with LF shows each line break as inserted (reported, not fixed here).
    """
    revision.locator(".diff").first.wait_for()
    texts = revision.locator(f".diff {tag}").all_inner_texts()
    return [t for t in texts if t.strip()]


def _revision(page: Any, number: int) -> Any:
    """The history card of revision `number` (not a review log entry that mentions it)."""
    return page.locator(".revision").filter(has=page.locator("h2", has_text=re.compile(rf"^第 {number} 版")))


def _open_report(s: Session) -> None:
    from playwright.sync_api import expect

    s.nav("绩效报告")
    expect(s.page.locator("h1")).to_contain_text("绩效评价报告")
    row = s.page.locator("table.grid tbody tr").filter(has_text="2021").filter(has_text=POLICE[1])
    row.get_by_role("link", name=POLICE[1]).click()
    expect(s.page.locator("main > h1")).to_contain_text(f"2021年度{POLICE[1]}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clerk_and_coordinator_author_sections(live_server, browser):
    from playwright.sync_api import expect

    demo_report_replayed()  # tests/replay.py
    report = Report.objects.get(cycle__year=2021, department__code=POLICE[0])
    service = Section.objects.get(report=report, node__title="持续释放便民利民红利")
    disclosure = Section.objects.get(report=report, node__title="其他需要说明的问题")
    overview = Section.objects.get(report=report, node__title="部门整体支出概况")
    assert (service.kind, service.unit.name) == ("statistics", STATION)
    assert service.state in EDITABLE_STATES  # the demo leaves it returned by the leading group
    assert disclosure.unit.name != STATION and overview.unit.name == "警务保障室"
    # The demo walks the budget section to 已审定; the finance admin reopens it so it can be corrected.
    assert overview.state == State.APPROVED
    reopen(item=overview, actor=get_user_model().objects.get(username="fin_admin"), version=overview.version,
           comment="金额录入单位需复核，重新打开。")
    overview.refresh_from_db()
    assert overview.state in EDITABLE_STATES
    service_version = service.version

    # 1. The clerk opens the statistics section from 我的填报 and sees the guidance.
    clerk = Session(browser, live_server.url, "clerk_cg")
    page = clerk.page
    clerk.nav("我的填报")
    expect(page.locator("main > h1")).to_contain_text("我的填报")
    listed = page.locator("table.grid tbody tr")
    expect(listed.filter(has_text="持续释放便民利民红利")).to_have_count(1)
    expect(listed.filter(has_text="其他需要说明的问题")).to_have_count(0)  # not yet assigned to the station
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    clerk.shot("authoring_1_my_sections_clerk.png", full_page=True)
    listed.filter(has_text="持续释放便民利民红利").get_by_role("link", name="填写", exact=True).click()

    expect(page.locator("main > h1")).to_contain_text("持续释放便民利民红利")
    expect(page.locator("main > h1")).to_contain_text(f"第 {service_version} 版")
    expect(page.locator(".guidance")).to_contain_text("填报提示")
    expect(page.locator(".guidance")).to_contain_text("盗抢险")
    payout = _figure_row(page, "盗抢险赔付金额").locator("input[name$='-value']")
    expect(payout).to_have_value("403763")
    unit = _figure_row(page, "盗抢险赔付金额").locator("input[name$='-unit']")
    expect(unit).to_have_value("元")
    live = page.locator("#live")
    expect(live).to_contain_text("赔付金额403763元")

    # 3. Two different edits, each saved.
    text = page.locator("textarea[name='f-text']")
    original = text.input_value()
    assert "积极推动政府出资" in original and "全年累计办理" in original
    payout.fill("403800")
    text.fill(original.replace("积极推动政府出资", "大力推动政府出资"))
    expect(live).to_contain_text("大力推动政府出资为居民购买盗抢险工作，赔付金额403800元")
    page.evaluate("window.scrollTo(0, 0)")
    clerk.shot("authoring_2_statistics_edit.png", full_page=False)
    clerk.shot("authoring_2_statistics_edit_full.png", full_page=True)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messages .msg-success")).to_contain_text(f"已保存为第 {service_version + 1} 版")
    service.refresh_from_db()
    assert service.version == service_version + 1
    assert {f["name"]: f["value"] for f in service.data["figures"]}["盗抢险赔付金额"] == "403800"
    assert "大力推动政府出资" in service.data["text"]

    expect(payout).to_have_value("403800")
    text.fill(text.input_value().replace("全年累计办理", "全年共办理"))
    expect(live).to_contain_text("全年共办理网上、现场业务")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messages .msg-success")).to_contain_text(f"已保存为第 {service_version + 2} 版")
    service.refresh_from_db()
    assert service.version == service_version + 2
    assert "全年共办理" in service.data["text"] and "累计" not in service.data["text"].split("。")[0]

    page.locator("#section-form .actions").get_by_role("link", name="修订历史").click()
    expect(page.locator("main > h1")).to_contain_text("修订历史")
    expect(page.locator(".revision > h2").filter(has_text=re.compile(r"^第 \d+ 版"))).to_have_count(service_version + 2)
    newest = _revision(page, service_version + 2)
    middle = _revision(page, service_version + 1)
    assert _marked(newest, "del") == ["累计"] and _marked(newest, "ins") == ["共"]
    expect(newest.locator("table.diff-table")).to_have_count(0)  # only the text changed
    assert _marked(middle, "del") == ["积极"] and _marked(middle, "ins") == ["大力"]
    change = middle.locator("table.diff-table tbody tr").filter(has_text="盗抢险赔付金额")
    expect(change).to_have_count(1)
    expect(change.locator("td").nth(0)).to_contain_text("本年数")
    expect(change.locator("td.old")).to_have_text("403763")
    expect(change.locator("td.new")).to_have_text("403800")
    expect(middle.locator("h2 small")).to_contain_text("张明")
    clerk.shot("authoring_3_history.png", full_page=True)

    # 2a. The coordinator assigns 其他需要说明的问题 to 城关派出所 from the report page.
    coord = Session(browser, live_server.url, "coord_jwbz")
    cpage = coord.page
    _open_report(coord)
    assign = cpage.locator(f"#s{disclosure.pk} + .section-meta form.assign")
    expect(assign.locator("select")).to_have_value(str(disclosure.unit_id))
    assign.locator("select").select_option(label=STATION)
    assign.get_by_role("button", name="分配").click()
    expect(cpage.locator(".messages .msg-success")).to_have_text(f"「其他需要说明的问题」已分配给{STATION}。")
    disclosure.refresh_from_db()
    assert disclosure.unit.name == STATION
    expect(cpage.locator(f"#s{disclosure.pk} + .section-meta")).to_contain_text(STATION)

    # The clerk now finds it in 我的填报.
    clerk.nav("我的填报")
    row = page.locator("table.grid tbody tr").filter(has_text="其他需要说明的问题")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(STATION)
    expect(row.get_by_role("link", name="其他需要说明的问题", exact=True)).to_have_attribute(
        "href", f"/sections/{disclosure.pk}/")

    # 2b. The coordinator types the budget amounts in 元 and in 万元.
    overview_version = overview.version
    cpage.locator(f"#s{overview.pk} + .section-meta").get_by_role("link", name="详情").click()
    expect(cpage.locator("main h1")).to_contain_text("部门整体支出概况")
    cpage.get_by_role("link", name="填写 / 修改").click()
    expect(cpage.locator("main > h1")).to_contain_text(f"第 {overview_version} 版")
    expect(cpage.locator(".guidance")).to_contain_text("年度部门决算收支完成情况")
    cpage.select_option("#id_f-input_unit", label="元")
    cpage.fill("#id_f-initial", "373,646,100")
    cpage.fill("#id_f-executed", "18682.305万元")  # half: proves the panel follows the typing
    expect(_live_cell(cpage, "执行率")).to_have_text("50.00%")
    cpage.fill("#id_f-executed", "37364.61万元")
    expect(_live_cell(cpage, "执行率")).to_have_text("100.00%")
    # 全年预算数（A） is computed from the typed 年初预算数: read as 万元 it would be 3736461000000.00.
    # (The plain amount cells of this table show the saved values, not the typed ones: reported.)
    expect(_live_cell(cpage, "全年预算数")).to_have_text("37364.61")
    expect(cpage.locator("#live .para").first).to_contain_text("收入37364.61万元，支出37364.61万元")
    overview.refresh_from_db()
    assert overview.version == overview_version  # nothing saved by the live panel
    coord.shot("authoring_4_budget_live.png", full_page=False)
    cpage.get_by_role("button", name="保存", exact=True).click()
    expect(cpage.locator(".messages .msg-success")).to_contain_text(f"已保存为第 {overview_version + 1} 版")
    overview.refresh_from_db()
    assert overview.version == overview_version + 1
    assert (overview.data["initial"], overview.data["executed"]) == ("373646100.00", "373646100.00")
    saved_version, saved_received = overview.version, overview.data["received"]
    coord.shot("authoring_5_budget_saved.png", full_page=True)

    # A bad amount: nothing is saved and the message names the field.
    expect(cpage.locator("#id_f-input_unit")).to_have_value("wan")
    cpage.fill("#id_f-received", "12万3")
    cpage.get_by_role("button", name="保存", exact=True).click()
    expect(cpage.locator(".messages .msg-error")).to_contain_text("未保存")
    field_error = cpage.locator(".field.has-error .field-error")
    expect(field_error).to_have_count(1)
    expect(field_error).to_contain_text(re.compile(r"^资金到位数："))
    expect(field_error).to_contain_text("12万3")
    red = field_error.evaluate("e => getComputedStyle(e).color")
    r, g, b = (int(x) for x in re.findall(r"\d+", red)[:3])
    assert r > 150 and g < 80 and b < 80, red
    expect(cpage.locator("#id_f-received")).to_have_value("12万3")  # the typed value stays for correction
    expect(cpage.locator("main > h1")).to_contain_text(f"第 {saved_version} 版")
    overview.refresh_from_db()
    assert (overview.version, overview.data["received"]) == (saved_version, saved_received)
    coord.shot("authoring_6_budget_error.png", full_page=False)
    coord.shot("authoring_6_budget_error_full.png", full_page=True)

    # 4. The report's checklist lists the seed's own inconsistencies.
    _open_report(coord)
    checklist = cpage.locator("section.checklist")
    expect(checklist).to_contain_text("「零发案占比」原文为 78.6%")
    expect(checklist).to_contain_text("「打处」")
    expect(checklist.locator("table.grid tbody tr").filter(has_text="「零发案占比」").get_by_role("link")).to_be_visible()
    coord.shot("authoring_7_report_checklist.png", full_page=False)
    coord.shot("authoring_7_report_full.png", full_page=True)

    clerk.close()
    coord.close()
