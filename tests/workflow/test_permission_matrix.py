"""Every workflow URL × role × own/other department: allowed, refused (403) or not found (404)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from departments.models import Department
from reports.models import Report, Section
from workflow.states import State

pytestmark = pytest.mark.django_db

ROLES = ["clerk_cg", "coord_jwbz", "leader_zz", "leader_cy", "fin_reviewer", "fin_admin", "other_clerk"]


@pytest.fixture
def loaded(demo_report_loaded):
    """The demo report, loaded once for the module (tests roll back to it)."""


def section(department: str, state: str, key: str | None = None) -> Section:
    qs = Section.objects.filter(report__department__code=department, state=state)
    return (qs.filter(node__key=key) if key else qs).order_by("pk").first()


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def act(client, target: Section, action: str, comment: str = "x"):
    return client.post(reverse("reports:section_act", args=[target.pk, action]),
                       {"version": target.version, "comment": comment})


# (action, source state, section key or None, users allowed) on the police report
CASES = [
    ("submit", State.RETURNED, "public_service", {"clerk_cg", "coord_jwbz"}),
    ("withdraw", State.SUBMITTED, "assets", {"coord_jwbz"}),
    ("leading_approve", State.SUBMITTED, "assets", {"leader_zz", "leader_cy"}),
    ("leading_return", State.SUBMITTED, "assets", {"leader_zz", "leader_cy"}),
    ("finance_approve", State.LEADING_APPROVED, None, set()),  # gate: drafts remain
    ("finance_return", State.LEADING_APPROVED, None, {"fin_reviewer"}),
    ("reopen", State.APPROVED, None, {"fin_admin"}),
]


@pytest.mark.parametrize(("action", "state", "key", "allowed"), CASES)
@pytest.mark.parametrize("username", ROLES)
def test_action_on_own_department(client, loaded, username, action, state, key, allowed):
    target = section("CG-GAFJ", state, key)
    assert target is not None
    login(client, username)
    before = Section.objects.get(pk=target.pk).state
    response = act(client, target, action)
    after = Section.objects.get(pk=target.pk).state
    if username == "clerk_cg" and target.unit.code != "CG-GAFJ-P01":
        assert response.status_code == 404  # a clerk sees only its unit's sections
    elif username == "other_clerk":
        assert response.status_code == 404
    elif username in allowed:
        assert response.status_code == 302 and after != before
    else:
        assert response.status_code in (302, 403) and after == before


@pytest.mark.parametrize("action", ["submit", "withdraw", "leading_approve", "leading_return", "finance_approve",
                                    "finance_return", "reopen"])
@pytest.mark.parametrize("username", [r for r in ROLES if r not in ("other_clerk", "fin_admin")])
def test_the_other_departments_sections_answer_404(client, loaded, username, action):
    target = Section.objects.filter(report__department__code="CG-JTJ").first()
    login(client, username)
    assert act(client, target, action).status_code == 404
    for name in ("section_detail", "section_history", "section_edit"):
        assert client.get(reverse(f"reports:{name}", args=[target.pk])).status_code == 404


@pytest.mark.parametrize("username", ROLES)
def test_bulk_finance_approval_url(client, loaded, username):
    report = Report.objects.get(department__code="CG-GAFJ", cycle__year=2021)
    login(client, username)
    response = client.post(reverse("reports:report_finance_approve_ready", args=[report.pk]))
    if username == "fin_reviewer":
        assert response.status_code == 302
    elif username in ("clerk_cg", "other_clerk"):
        assert response.status_code == 404
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("username", ROLES)
def test_pages_answer_for_every_role(client, loaded, username):
    login(client, username)
    for url in (reverse("home"), reverse("reports:progress"), reverse("reports:notification_list"),
                reverse("reports:section_list")):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(("username", "status"), [(u, 200 if u == "fin_admin" else 404) for u in ROLES])
def test_cycle_deadlines_page_is_for_the_finance_admin(client, loaded, username, status):
    login(client, username)
    cycle = Report.objects.get(department__code="CG-GAFJ", cycle__year=2021).cycle
    assert client.get(reverse("reports:cycle_detail", args=[cycle.pk])).status_code == status


def test_get_on_an_action_url_is_refused(client, loaded):
    login(client, "leader_zz")
    target = section("CG-GAFJ", State.SUBMITTED)
    assert client.get(reverse("reports:section_act", args=[target.pk, "leading_approve"])).status_code == 405


def test_unknown_department_object_is_404_for_the_outsider(client, loaded):
    login(client, "other_clerk")
    police = Department.objects.get(code="CG-GAFJ")
    report = Report.objects.get(department=police, cycle__year=2021)
    assert client.get(reverse("reports:report_detail", args=[report.pk])).status_code == 404
