"""Shared parts of the browser tests: the system Chromium through Playwright, one session per user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Debian's chromium-headless-shell is the headless-only build Playwright itself uses for headless runs: the
# same Blink and fonts without the full browser's UI processes, about 40% less CPU per test here. The full
# /usr/bin/chromium serves when the shell is not installed.
CHROMIUM_BUILDS = ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PASSWORD = "Demo@2021"
VIEWPORT = {"width": 1366, "height": 768}


def chromium_path() -> str | None:
    return next((path for path in CHROMIUM_BUILDS if Path(path).exists()), None)


@pytest.fixture
def browser(monkeypatch) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Session:
    """One user logged in through the login form, in a browser context of their own."""

    def __init__(self, browser: Any, base_url: str, username: str) -> None:
        from playwright.sync_api import expect

        self.base_url = base_url
        self.username = username
        self.context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.external: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        # a script, style or handler the Content-Security-Policy blocked is an error too
        self.page.on("console", lambda m: self.errors.append(m.text) if "Content Security Policy" in m.text else None)
        self.page.on("request", lambda r: None if r.url.startswith(base_url) else self.external.append(r.url))
        page = self.page
        page.goto(f"{base_url}/")
        expect(page.locator("h1")).to_have_text("登录")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("main h1").first).to_contain_text("我的待办")

    def nav(self, label: str) -> None:
        self.page.get_by_role("navigation", name="主导航").get_by_role("link", name=label, exact=True).click()

    def inbox(self) -> None:
        from playwright.sync_api import expect

        self.nav("我的待办")
        expect(self.page.locator("main h1").first).to_contain_text("我的待办")

    def badge(self) -> int:
        """The unread count on the header's 通知 link (0 when the badge is absent)."""
        count = self.page.locator("header .bell .count")
        return int(count.inner_text()) if count.count() else 0

    def shot(self, name: str, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> None:
        assert not self.errors, f"JavaScript errors for {self.username}: {self.errors}"
        assert not self.external, f"requests outside the site for {self.username}: {self.external}"
        self.context.close()


