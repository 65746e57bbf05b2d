"""The clerk logs in with the system Chromium and sees the home page; a screenshot is kept."""

import pytest

from tests.browser import ARTIFACTS, VIEWPORT


@pytest.fixture
def browser_page(browser):
    page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
    yield page
    page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clerk_logs_in_and_sees_the_home_page(live_server, demo, browser_page):
    page = browser_page
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "登录"
    page.fill("#id_username", "clerk_cg")
    page.fill("#id_password", "Demo@2021")
    page.click("button[type=submit]")
    page.wait_for_selector("text=我的待办")
    assert page.locator("h1").inner_text().startswith("我的待办")
    body = page.locator("main").inner_text()
    assert "城关派出所" in body and "填报员" in body
    assert "龙街派出所" not in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home_clerk.png"), full_page=True)
    assert not external, f"external requests: {external}"
