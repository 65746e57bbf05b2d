"""Accounts: a lock holds a username on one client only (client address from the trusted proxy's
header), one client spraying many usernames is throttled, the lock message states the configured
cool-off; sessions last an office day and end with the browser; CSP on every page; a Chinese CSRF page."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from departments.security import client_ip
from tests.conftest import cycle_2021_launch, module_data

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"


@pytest.fixture
def behind_proxy(settings):
    settings.EVALSITE_TRUSTED_PROXIES = [PROXY]
    settings.EVALSITE_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"


def _login(client: Client, username: str, password: str, via: str):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=via)


def test_nobody_locks_out_an_account_from_another_client_behind_the_proxy(client, clerk, behind_proxy):
    for _ in range(5):
        _login(client, "clerk_cg", "wrong", via="192.168.1.66")
    assert _login(client, "clerk_cg", "Demo@2021", via="192.168.1.66").status_code == 429
    assert _login(Client(), "clerk_cg", "Demo@2021", via="192.168.1.10").status_code == 302


def test_the_forwarded_header_is_believed_only_from_a_trusted_proxy(rf, settings, behind_proxy):
    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 192.168.1.10")) == "192.168.1.10"
    assert client_ip(rf.get("/", REMOTE_ADDR="192.168.1.66", HTTP_X_FORWARDED_FOR="192.168.1.10")) == "192.168.1.66"
    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-ip")) == PROXY
    settings.EVALSITE_TRUSTED_PROXIES = []
    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.168.1.10")) == PROXY


def test_one_client_spraying_many_usernames_is_throttled(client, demo, settings, behind_proxy):
    settings.EVALSITE_CLIENT_FAILURE_LIMIT = 8
    for n in range(8):  # one wrong password per account: no single account is locked
        assert _login(client, f"user{n}", "Spring2021", via="192.168.1.66").status_code == 200
    refused = _login(client, "clerk_cg", "Demo@2021", via="192.168.1.66")
    assert refused.status_code == 429 and "本机登录失败次数过多" in refused.content.decode()
    assert _login(Client(), "clerk_cg", "Demo@2021", via="192.168.1.10").status_code == 302


def test_a_throttled_client_cannot_log_in_through_the_admin_either(client, finance_admin, settings, behind_proxy):
    settings.EVALSITE_CLIENT_FAILURE_LIMIT = 3
    for n in range(3):
        _login(client, f"user{n}", "Spring2021", via="192.168.1.66")
    response = client.post(reverse("admin:login"), {"username": "fin_admin", "password": "Demo@2021"},
                           REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.168.1.66")
    # the admin's own login form is gone: it sends everyone to the site's throttled login page
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_the_lock_message_states_the_configured_cool_off(client, clerk, settings):
    settings.AXES_COOLOFF_TIME = 0.5
    for _ in range(5):
        client.post(reverse("login"), {"username": "clerk_cg", "password": "wrong"})
    page = client.post(reverse("login"), {"username": "clerk_cg", "password": "Demo@2021"}).content.decode()
    assert "请 30 分钟后再试" in page and "15 分钟" not in page


def test_a_session_lasts_eight_hours_and_ends_with_the_browser(client, clerk):
    response = client.post(reverse("login"), {"username": "clerk_cg", "password": "Demo@2021"})
    assert response.status_code == 302
    cookie = client.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # a browser-session cookie
    assert client.session.get_expiry_age() == 8 * 3600 and client.session.get_expire_at_browser_close()


INLINE = [re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"), re.compile(r"\son[a-z]+\s*="),
          re.compile(r"\sstyle\s*="), re.compile(r"<style")]


@pytest.fixture(scope="module")
def cycle_and_demo_report(django_db_setup, django_db_blocker):  # noqa: ANN001
    """The ``cycle`` fixture's 2021 cycle beside the demo report, loaded once for the module."""
    from departments.demo import demo_org_load
    from reports.review.demo import demo_report_load

    with module_data(django_db_blocker):
        demo_org_load()
        cycle_2021_launch(get_user_model().objects.get(username="fin_admin"))
        demo_report_load()
        yield


@pytest.mark.parametrize("url", ["home", "reports:section_list", "reports:report_list", "reports:progress",
                                 "reports:export_list", "reports:quarterly_list", "reports:cycle_list",
                                 "reports:notification_list", "org_home"])
def test_pages_carry_the_csp_and_no_inline_code(client, cycle_and_demo_report, url):
    client.force_login(get_user_model().objects.get(username="fin_admin"))
    response = client.get(reverse(url))
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    page = response.content.decode()
    assert not [p.pattern for p in INLINE if p.search(page)]


def test_report_and_export_pages_have_no_inline_code(client, finance_admin, cycle):
    from reports.models import ExportJob

    client.force_login(finance_admin)
    job = ExportJob.objects.create(kind="district_scores")
    job.departments.set([cycle.reports.first().department])
    for url in (reverse("reports:report_detail", args=[cycle.reports.first().pk]),
                reverse("reports:export_detail", args=[job.pk]), reverse("login")):
        page = client.get(url).content.decode()
        assert not [p.pattern for p in INLINE if p.search(page)], url


def test_the_login_page_carries_the_csp(client):
    assert "default-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]


def test_a_csrf_failure_is_explained_in_chinese(demo):
    client = Client(enforce_csrf_checks=True)
    get_user_model().objects.create_user("csrf_user", password="x")
    response = client.post(reverse("login"), {"username": "csrf_user", "password": "x"})
    assert response.status_code == 403 and "页面已过期，请刷新后重试" in response.content.decode()
