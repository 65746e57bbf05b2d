"""Shared parts of the browser tests: the system Chromium through Playwright, one session per user."""

from __future__ import annotations

import os
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


_RUNNING: dict[str, Any] = {}  # this process's Playwright and Chromium, while its browser tests run


@pytest.fixture
def browser() -> Any:
    """One Chromium per process, kept from one browser test to the next (each ``Session`` has a context of
    its own); ``browser_stop`` ends it after the last of consecutive browser tests (tests/conftest.py)."""
    if not _RUNNING:
        from playwright.sync_api import sync_playwright

        # Playwright's sync API keeps an event loop set in this thread while it lives; the tests' own ORM
        # calls (and the database's teardown) stay synchronous.
        _RUNNING["async_unsafe"] = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        _RUNNING["playwright"] = sync_playwright().start()
        _RUNNING["browser"] = _RUNNING["playwright"].chromium.launch(executable_path=chromium_path(),
                                                                     args=CHROMIUM_ARGS)
    return _RUNNING["browser"]


def browser_stop() -> None:
    if not _RUNNING:
        return
    _RUNNING.pop("browser").close()
    _RUNNING.pop("playwright").stop()
    previous = _RUNNING.pop("async_unsafe")
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _session_cookie(base_url: str, username: str) -> dict[str, str]:
    """A signed-in session for ``username``, made as the login view makes it (``Client.force_login``)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": base_url}


class Session:
    """One user signed in, in a browser context of their own: through the login form with ``form=True``,
    else with a session cookie the server made (0.3–0.4 s less a user; the form itself is tested in
    ``test_browser.py`` and in the sessions that ask for it)."""

    def __init__(self, browser: Any, base_url: str, username: str, form: bool = False) -> None:
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
        if not form:
            self.context.add_cookies([_session_cookie(base_url, username)])
        page.goto(f"{base_url}/")
        if form:
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


