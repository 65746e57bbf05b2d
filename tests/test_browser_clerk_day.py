"""A clerk's day without friction (issue 11), in Chromium at 1366×768 on the demo.

The 城关派出所 clerk sees only the menus that hold something for a clerk, types a figure with
separators that fits its box, meets a failed save in the error colour with the check panel on what
was typed, submits from the edit page, keeps the text typed in a stale tab (and copies it), double-clicks
提交审核 without being told someone else did it, marks a notification read and logs out with a word.
The coordinator sees a qualitative quarterly value as entered; the finance admin's 延期 select asks for
a department. Screenshots are kept in tests/artifacts/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from reports import figures as fig
from reports.models import QuarterlyReport, Section
from reports.quarterly.demo import demo_quarters_load
from tests.browser import ARTIFACTS, Session
from tests.replay import demo_report_replayed
from workflow.models import TransitionLog
from workflow.states import State

TITLE = "持续释放便民利民红利"
CLERK_HIDDEN = ("绩效报告", "审核进度", "评价周期", "导出")


def _menu(s: Session) -> list[str]:
    return s.page.get_by_role("navigation", name="主导航").get_by_role("link").all_inner_texts()


def _flash(s: Session, kind: str) -> Any:
    return s.page.locator(f"main .messages .msg-{kind}")


def _payout(page: Any) -> Any:
    rows = page.locator(".formset[data-prefix='figures'] tbody tr")
    return rows.filter(has=page.locator("input[name$='-name'][value='盗抢险赔付金额']")).locator("input[name$='-value']")


def _figures_fit(page: Any) -> None:
    """Every figure box shows its whole value (no text scrolled out of sight)."""
    clipped = page.evaluate("""() => Array.from(document.querySelectorAll(
        "input[name$='-value'], input[name$='-prior']")).filter(i => i.value && i.scrollWidth > i.clientWidth)
        .map(i => i.name + '=' + i.value)""")
    assert not clipped, clipped


def _open_edit(s: Session) -> None:
    from playwright.sync_api import expect

    s.nav("我的填报")
    row = s.page.locator("table.grid tbody tr").filter(has_text=TITLE)
    row.get_by_role("link", name="填写", exact=True).click()
    expect(s.page.locator("main > h1")).to_contain_text(TITLE)


def _failed_save_keeps_what_was_typed(s: Session) -> None:
    from playwright.sync_api import expect

    page = s.page
    text = page.locator("textarea[name='f-text']")
    text.fill(text.input_value() + "\n五是新增一段尚未保存的文字。")
    _payout(page).fill("很多")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(_flash(s, "error")).to_contain_text("有填写错误，未保存")
    expect(page.locator("#live")).to_contain_text("按您输入的内容")
    expect(page.locator("#live .f-error").first).to_contain_text("很多")
    expect(page.locator("textarea[name='f-text']")).to_have_value(re.compile("五是新增一段尚未保存的文字"))
    s.shot("clerk_day_2_failed_save.png", full_page=False)


def _submit_from_edit_page(s: Session, section: Section) -> None:
    from playwright.sync_api import expect

    page = s.page
    _payout(page).fill("507,299")
    _figures_fit(page)
    page.get_by_role("button", name="保存并提交审核").click()
    expect(_flash(s, "success")).to_contain_text("已保存并提交审核")
    expect(_flash(s, "success")).to_contain_text("待领导小组审核")
    section.refresh_from_db()
    assert section.state == State.SUBMITTED
    stored = {f["name"]: f["value"] for f in section.data["figures"]}["盗抢险赔付金额"]
    assert fig.parse_decimal(stored) == 507299  # how it is stored (normalised or not) is issue 11.4's
    s.shot("clerk_day_3_submitted.png", full_page=False)


def _stale_tab_keeps_text(s: Session, stale: Any) -> None:
    from playwright.sync_api import expect

    text = stale.locator("textarea[name='f-text']")
    text.fill(text.input_value() + "旧标签页里补充的一句。")
    stale.get_by_role("button", name="保存", exact=True).click()
    expect(stale.locator("main .messages .msg-error")).to_contain_text("您的修改未保存")
    copy = stale.locator("#typed-copy")
    expect(copy).to_contain_text("您输入的内容（未保存）")
    expect(copy.locator("textarea")).to_have_value(re.compile("旧标签页里补充的一句。"))
    copy.get_by_role("button", name="复制我输入的内容").click()
    expect(copy.locator(".copy-status")).to_contain_text("已复制")
    assert "旧标签页里补充的一句。" in stale.evaluate("navigator.clipboard.readText()")
    expect(stale.get_by_role("button", name="保存并提交审核")).to_have_count(0)
    stale.screenshot(path=str(ARTIFACTS / "clerk_day_4_stale_tab.png"))


def _double_click_submit(s: Session, section: Section) -> None:
    from playwright.sync_api import expect

    page = s.page
    page.locator("form.action-form").get_by_role("button", name="撤回").click()
    expect(_flash(s, "success")).to_contain_text("已撤回")
    submits = TransitionLog.objects.filter(object_id=section.pk, action="submit").count()
    page.locator("form.action-form").get_by_role("button", name="提交审核").dblclick()
    expect(_flash(s, "success")).to_contain_text("已提交审核")
    expect(page.locator("main .messages")).not_to_contain_text("他人")
    assert TransitionLog.objects.filter(object_id=section.pk, action="submit").count() == submits + 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_clerks_day(live_server, browser):
    from playwright.sync_api import expect

    demo_report_replayed()  # tests/replay.py
    section = Section.objects.get(report__department__code="CG-GAFJ", node__title=TITLE)
    assert section.state == State.RETURNED
    s = Session(browser, live_server.url, "clerk_cg", form=True)  # the day starts at the login form
    s.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    menu = _menu(s)
    assert "我的填报" in menu and "季度监控" in menu and not set(CLERK_HIDDEN) & set(menu), menu
    s.shot("clerk_day_1_inbox.png", full_page=False)

    _open_edit(s)
    expect(s.page.get_by_role("button", name="保存并提交审核")).to_be_visible()
    stale = s.context.new_page()
    stale.goto(s.page.url)
    _failed_save_keeps_what_was_typed(s)
    _submit_from_edit_page(s, section)
    _stale_tab_keeps_text(s, stale)
    _double_click_submit(s, section)

    s.page.locator("header .bell").click()
    expect(s.page.get_by_role("button", name="标为已读").first).to_be_visible()
    expect(s.page.get_by_role("button", name="已读", exact=True)).to_have_count(0)
    s.page.get_by_role("button", name="退出").click()
    expect(s.page.locator("main .messages")).to_contain_text("您已安全退出")
    s.shot("clerk_day_5_logged_out.png", full_page=False)
    s.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_coordinator_and_finance_admin_see_plain_words(live_server, browser):
    from playwright.sync_api import expect

    demo_report_replayed()  # tests/replay.py
    demo_quarters_load()
    coordinator = Session(browser, live_server.url, "coord_jwbz")
    assert {"绩效报告", "审核进度", "评价周期", "导出"} <= set(_menu(coordinator))
    station = QuarterlyReport.objects.get(year=2021, quarter=4, unit__name="城关派出所")
    coordinator.page.goto(f"{live_server.url}/quarterly/{station.pk}/")
    row = coordinator.page.locator("table.figures-table tbody tr").filter(has_text="服务对象满意度")
    expect(row.locator("td").nth(5)).to_have_text("满意")
    coordinator.shot("clerk_day_6_quarterly_qualitative.png", full_page=False)
    coordinator.close()

    admin = Session(browser, live_server.url, "fin_admin")
    admin.nav("评价周期")
    admin.page.locator("main table a").first.click()
    select = admin.page.locator("select[name='department']")
    expect(select.locator("option").first).to_have_text("请选择部门")
    admin.shot("clerk_day_7_extension.png", full_page=False)
    admin.close()
