"""The clerk logs in with the system Chromium and sees the home page; a screenshot is kept."""

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls
    # made by the test itself are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        yield page
        browser.close()


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
