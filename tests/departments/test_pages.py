"""Login, throttling, the home page and its constant query count."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Membership, Role
from departments.sample import sample_district_build

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_and_local_only(client):
    page = client.get(reverse("login")).content.decode()
    assert "登录" in page and "用户名" in page and "csrfmiddlewaretoken" in page
    assert "http://" not in page and "https://" not in page


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_clerk_logs_in_and_sees_its_scope(client, clerk):
    response = client.post(reverse("login"), {"username": "clerk_cg", "password": "Demo@2021"}, follow=True)
    page = response.content.decode()
    assert "我的待办" in page
    assert "城关派出所" in page and "填报员" in page
    assert "龙街派出所" not in page


def test_repeated_failed_logins_lock_the_account(client, clerk):
    for _ in range(5):
        client.post(reverse("login"), {"username": "clerk_cg", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "clerk_cg", "password": "Demo@2021"})
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()


def test_logout_needs_post(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302


def _admin_of_district(bureau):
    user = get_user_model().objects.create(username=f"admin_{bureau.code}")
    Membership.objects.create(user=user, unit=bureau, role=Role.FINANCE_ADMIN)
    return user


def _home_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home")).status_code == 200
    return len(ctx.captured_queries)


def test_home_query_count_is_constant_as_departments_grow(client):
    small = _home_queries(client, _admin_of_district(sample_district_build(departments=10, units=3, prefix="S")))
    large = _home_queries(client, _admin_of_district(sample_district_build(departments=200, units=3, prefix="L")))
    assert small == large


def _detail_queries(client, user, code) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("department_detail", args=[code])).status_code == 200
    return len(ctx.captured_queries)


def test_department_page_query_count_is_constant_as_units_grow(client):
    few = _admin_of_district(sample_district_build(departments=1, units=5, prefix="F"))
    many = _admin_of_district(sample_district_build(departments=1, units=120, prefix="M"))
    assert _detail_queries(client, few, "F-D0001") == _detail_queries(client, many, "M-D0001")
