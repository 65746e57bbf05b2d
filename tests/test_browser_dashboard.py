"""驾驶舱 in Chromium at 1366×768: the charts are drawn, fit the screen, link to their lists, and print on A4."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from departments.sample import sample_district_build
from reports.sample import sample_reports_build
from tests.browser import ARTIFACTS, PASSWORD, Session


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_reads_at_1366_and_prints_on_a4(live_server, browser):
    sample_district_build(departments=30, units=3, prefix="BD")
    built = sample_reports_build(prefix="BD")
    reviewer = get_user_model().objects.get(pk=built.reviewer.pk)
    reviewer.set_password(PASSWORD)
    reviewer.save()

    s = Session(browser, live_server.url, reviewer.username)
    page = s.page
    s.nav("驾驶舱")
    expect(page.locator("main h1")).to_contain_text("驾驶舱")
    charts = page.locator("figure.chart")
    expect(charts).to_have_count(5)
    expect(page.locator("svg.bar-chart")).to_have_count(4)  # the 整改 chart has no data and says so
    expect(page.locator("figure.chart").last).to_contain_text("尚无整改事项")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1366  # no sideways scrolling
    execution = page.locator("figure.chart").filter(has_text="预算执行率与序时进度")
    expect(execution.locator("rect.bar")).to_have_count(20)
    expect(execution.locator("text.marker-text")).to_contain_text("序时进度 75.00%")
    s.shot("dashboard-1366x768.png", full_page=False)
    s.shot("dashboard-full.png")

    behind_kpi = page.get_by_role("link", name="个部门低于序时进度")
    behind = behind_kpi.locator("strong").inner_text()
    warnings = page.locator("figure.chart").filter(has_text="预警（按类型")
    first = warnings.locator("svg a").first
    expected = first.locator("text.value").text_content().split()[0]
    first.click()
    expect(page.locator("main h1")).to_contain_text(f"共 {expected} 份")
    page.go_back()
    behind_kpi.click()
    expect(page.locator("main h1")).to_contain_text(f"共 {behind} 份")

    page.go_back()
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    expect(page.locator("header.topbar")).to_be_hidden()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 794
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "dashboard-a4.pdf"), format="A4")
    s.shot("dashboard-a4-print.png")
    s.close()
