"""A crawler over every page a role can reach, on a demo whose names carry markup.

Department, unit, cycle and people's names get an HTML payload appended; each role then follows
every same-site link from 我的待办 (breadth first, a bounded number of pages). No page may answer
500, and no HTML page may carry the payload unescaped — whether the page is drawn by a template or
by Python (the district-size tables build their rows as strings)."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model

from departments.models import Department
from reports.models import EvaluationCycle

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;"
LINK = re.compile(r'href="(/[^"]*)"')
SKIP = ("/static/", "/media/", "/logout", "/admin/", "/accounts/logout")
PAGES_PER_ROLE = 60


@pytest.fixture(scope="module")
def hostile_module(demo_quarters_module, django_db_blocker):  # noqa: ANN001
    """The whole demo with markup in its names, once for the module (rolled back at its end)."""
    from django.db import transaction

    from reports.library.demo import demo_general_load
    from reports.rectification.demo import demo_rectification_load

    with django_db_blocker.unblock(), transaction.atomic():
        demo_general_load()
        demo_rectification_load()
        for department in Department.objects.all():
            Department.objects.filter(pk=department.pk).update(name=department.name + PAYLOAD)
        for cycle in EvaluationCycle.objects.all():
            EvaluationCycle.objects.filter(pk=cycle.pk).update(name=(cycle.name + PAYLOAD)[:100])
        get_user_model().objects.update(first_name=PAYLOAD[:30])
        yield
        transaction.set_rollback(True)


@pytest.fixture
def hostile(hostile_module, db):  # noqa: ANN001
    pass


def crawl(client, start: str = "/") -> dict[str, int]:
    """GET every same-site link breadth first; a link a page shows its user must not lead to a 404."""
    seen: dict[str, int] = {}
    queue = deque([(start, "")])
    while queue and len(seen) < PAGES_PER_ROLE:
        link, source = queue.popleft()
        url = urldefrag(link)[0].replace("&amp;", "&")
        if url in seen or url.startswith(SKIP):
            continue
        response = client.get(url)
        seen[url] = response.status_code
        assert response.status_code not in (404, 500), f"{url} (linked from {source}): {response.status_code}"
        if "text/html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        assert PAYLOAD not in body and "<script>alert" not in body, f"unescaped name on {url}"
        for link in LINK.findall(body):
            path = urlsplit(link.replace("&amp;", "&"))
            if path.path.endswith((".xlsx", ".docx", ".zip", ".pdf", ".csv")) or "download" in path.path:
                continue
            queue.append((link, url))
    return seen


@pytest.mark.parametrize("username", ["clerk_cg", "coord_jwbz", "leader_zz", "fin_reviewer", "fin_admin",
                                      "gsl_coord"])
def test_no_page_prints_a_name_unescaped(client, hostile, username):
    client.force_login(get_user_model().objects.get(username=username))
    seen = crawl(client)
    assert len(seen) > 5, seen  # the crawl reached the role's pages
    ok = [url for url, status in seen.items() if status == 200]
    assert any(ESCAPED in client.get(url).content.decode() for url in ok[:10]), "names shown escaped somewhere"
