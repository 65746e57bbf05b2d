"""In the browser: every grant of an extension is kept and shown with its audit row; a coordinator's
reassignment shows in the section's 修订历史; following a notification from 通知 marks it read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from departments.demo import POLICE
from reports.models import Report, Section
from tests.browser import Session
from tests.replay import demo_report_replayed
from workflow.states import State


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_extensions_reassignment_and_notifications(live_server, browser):
    from playwright.sync_api import expect

    demo_report_replayed()  # tests/replay.py
    report = Report.objects.select_related("cycle").get(cycle__year=2021, department__code=POLICE[0])

    admin = Session(browser, live_server.url, "fin_admin")
    page = admin.page
    page.goto(f"{live_server.url}/cycles/{report.cycle_id}/")
    later = timezone.localdate() + timedelta(days=90)
    page.select_option("#id_department", str(report.department_id))
    page.fill("#id_due_on", later.isoformat())
    page.fill("#id_reason", "机构改革，材料需重新汇总")
    page.get_by_role("button", name="准予延期").click()
    rows = page.locator("table.grid tbody tr")
    expect(rows).to_have_count(2)  # the demo's grant is kept, the new one is in force
    expect(rows.first).to_contain_text("生效")
    expect(rows.nth(1)).to_contain_text("已被此后的延期取代")
    expect(page.locator(".timeline")).to_contain_text(f"准予{POLICE[1]}延期至 {later:%Y-%m-%d}")
    admin.shot("audit_1_cycle_extensions.png")

    coordinator = Session(browser, live_server.url, "coord_jwbz")
    draft = Section.objects.select_related("node").filter(report=report, state=State.DRAFT).order_by("pk").first()
    under_review = Section.objects.filter(report=report, state=State.SUBMITTED).first()
    cpage = coordinator.page
    cpage.goto(f"{live_server.url}/reports/{report.pk}/")
    expect(cpage.locator(f"form[action='/sections/{under_review.pk}/assign/']")).to_have_count(0)
    form = cpage.locator(f"form[action='/sections/{draft.pk}/assign/']")
    form.locator("select").select_option(label="指挥中心")
    form.get_by_role("button", name="分配").click()
    cpage.goto(f"{live_server.url}/sections/{draft.pk}/history/")
    expect(cpage.locator("section.audit")).to_contain_text("改为指挥中心")
    expect(cpage.locator("section.audit")).to_contain_text("李芳")
    coordinator.shot("audit_2_section_history_reassigned.png")

    leader = Session(browser, live_server.url, "leader_cy")
    unread = leader.badge()
    assert unread > 0
    leader.page.goto(f"{live_server.url}/notifications/")
    leader.shot("audit_3_notifications.png")
    leader.page.locator("button.open-note").first.click()
    expect(leader.page.locator("main h1").first).not_to_contain_text("通知")
    assert leader.badge() == unread - 1
    for session in (admin, coordinator, leader):
        session.close()
