"""The 整改台账 in Chromium: the 城关派出所 clerk reports a rectification result with evidence and submits
it; after the leading group, the finance reviewer finds it in the district ledger and closes it (销号)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from departments.models import Department
from reports.models import RectificationItem
from reports.rectification.services import item_raise_directly
from tests.browser import Session
from tests.replay import demo_report_replayed
from workflow import services as wf
from workflow.states import State

PROBLEM = "便民服务窗口台账登记不完整"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clerk_reports_a_result_and_the_finance_reviewer_closes_it(live_server, browser, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_report_replayed()  # tests/replay.py
    users = get_user_model().objects
    item = item_raise_directly(department=Department.objects.get(code="CG-GAFJ"), year=2021,
                               unit=Department.objects.get(code="CG-GAFJ-P01"), problem=PROBLEM,
                               due_on=date(2022, 6, 30), actor=users.get(username="fin_reviewer"))

    clerk = Session(browser, live_server.url, "clerk_cg")
    page = clerk.page
    clerk.inbox()  # 我的待办 lists it, overdue
    expect(page.get_by_role("row").filter(has_text=PROBLEM)).to_contain_text("逾期")
    clerk.nav("整改台账")
    row = page.get_by_role("row").filter(has_text=PROBLEM)
    expect(row).to_contain_text("逾期")
    row.get_by_role("link", name=PROBLEM).click()
    page.get_by_label("整改措施").fill("建立窗口台账日清日结制度")
    page.get_by_label("整改结果").fill("已补登全部台账并逐月核对")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages .msg-success")).to_contain_text("已保存为第 1 版")
    evidence = tmp_path / "台账核对记录.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% test\n")
    page.set_input_files("input[type=file]", str(evidence))
    page.get_by_role("button", name="上传佐证材料").click()
    expect(page.locator(".attachments")).to_contain_text("台账核对记录.pdf")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".messages .msg-success")).to_contain_text("待领导小组审核")
    clerk.shot("rectification_1_submitted.png")
    clerk.close()

    item.refresh_from_db()
    wf.leading_approve(item=item, actor=users.get(username="leader_zz"), version=item.version)

    reviewer = Session(browser, live_server.url, "fin_reviewer")
    page = reviewer.page
    reviewer.nav("整改台账")
    page.get_by_label("状态").select_option(label="待财政确认销号")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("row").filter(has_text=PROBLEM).get_by_role("link", name=PROBLEM).click()
    expect(page.locator(".result")).to_contain_text("已补登全部台账并逐月核对")
    expect(page.locator(".attachments")).to_contain_text("台账核对记录.pdf")
    page.locator("#comment-finance_approve").fill("佐证齐全，同意销号")
    page.get_by_role("button", name="财政审核通过").click()
    expect(page.locator(".messages .msg-success")).to_contain_text("→ 已销号")
    expect(page.locator("main h1")).to_contain_text("已销号")
    reviewer.shot("rectification_2_closed.png")
    reviewer.close()
    item.refresh_from_db()
    assert item.state == State.APPROVED and RectificationItem.objects.get().evidence.count() == 1
