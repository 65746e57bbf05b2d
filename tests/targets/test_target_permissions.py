"""Every target-table URL × every demo role × own / other department: shown (200), refused (403, a
redirect with a message) or not found (404). A unit's clerk reads its department's table and writes
its unit's rows, nothing else."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from departments.models import Department
from reports.annual.demo import INDICATORS
from reports.models import TargetTable
from reports.navigation import menu_for
from reports.targets import services
from reports.targets.demo import table_data

pytestmark = pytest.mark.django_db
ROLES = ["clerk_cg", "coord_jwbz", "leader_zz", "leader_cy", "fin_reviewer", "fin_admin", "other_clerk"]
PAGES = ["target_detail", "target_history", "target_edit", "target_rows"]
# page → the roles that get a 200 on the police table (a draft); everyone else a 404
OWN = {
    "target_detail": {"clerk_cg", "coord_jwbz", "leader_zz", "leader_cy", "fin_reviewer", "fin_admin"},
    "target_history": {"clerk_cg", "coord_jwbz", "leader_zz", "leader_cy", "fin_reviewer", "fin_admin"},
    "target_edit": {"coord_jwbz"},
    "target_rows": {"clerk_cg", "coord_jwbz"},
}


@pytest.fixture
def tables(demo, coordinator) -> dict[str, TargetTable]:
    police = demo["CG-GAFJ"]
    table = services.target_table_create(department=police, year=2022, actor=coordinator)
    services.target_table_save(table=table, data=table_data(police, INDICATORS["rows"]), base_version=0,
                               actor=coordinator)
    other = TargetTable.objects.create(department=demo["CG-JTJ"], year=2022, data={"indicators": []})
    return {"own": TargetTable.objects.get(pk=table.pk), "other": other}


def login(client, username: str):  # noqa: ANN201
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    return user


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("username", ROLES)
def test_pages_of_the_own_departments_table(client, tables, username, page):
    login(client, username)
    status = client.get(reverse(f"reports:{page}", args=[tables["own"].pk])).status_code
    assert status == (200 if username in OWN[page] else 404)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("username", [r for r in ROLES if r not in ("other_clerk", "fin_admin")])
def test_the_other_departments_table_answers_404(client, tables, username, page):
    login(client, username)
    assert client.get(reverse(f"reports:{page}", args=[tables["other"].pk])).status_code == 404
    url = reverse("reports:target_rows", args=[tables["other"].pk])
    assert client.post(url, {"base_version": "0", "ind-TOTAL_FORMS": "0", "ind-INITIAL_FORMS": "0"}
                       ).status_code == 404


@pytest.mark.parametrize("username", ROLES)
def test_posting_rows(client, tables, username):
    table = tables["own"]
    login(client, username)
    post = {"base_version": str(table.version), "ind-TOTAL_FORMS": "1", "ind-INITIAL_FORMS": "0",
            "ind-0-level1": "产出", "ind-0-level2": "数量", "ind-0-name": "社区走访次数", "ind-0-nature": "≥",
            "ind-0-target": "12", "ind-0-weight": "5", "ind-0-unit": "CG-GAFJ-P01"}
    response = client.post(reverse("reports:target_rows", args=[table.pk]), post)
    saved = TargetTable.objects.get(pk=table.pk).version == table.version + 1
    assert (response.status_code, saved) == ((302, True) if username in OWN["target_rows"] else (404, False))


@pytest.mark.parametrize(("username", "status"), [
    ("clerk_cg", 403), ("coord_jwbz", 302), ("leader_zz", 403), ("leader_cy", 403), ("fin_reviewer", 403),
    ("fin_admin", 403), ("other_clerk", 404),
])
def test_only_the_coordinator_submits(client, tables, username, status):
    table = tables["own"]
    login(client, username)
    response = client.post(reverse("reports:target_act", args=[table.pk, "submit"]), {"version": table.version})
    assert response.status_code == status
    assert (TargetTable.objects.get(pk=table.pk).state == "submitted") == (status == 302)


@pytest.mark.parametrize(("username", "shown"), [
    ("clerk_cg", True), ("coord_jwbz", True), ("leader_zz", True), ("leader_cy", True), ("fin_reviewer", True),
    ("fin_admin", True), ("other_clerk", True),
])
def test_the_menu_leads_to_the_targets_and_the_list_answers(client, tables, username, shown):
    user = login(client, username)
    assert menu_for(user).targets is shown
    page = client.get(reverse("reports:target_list")).content.decode()
    assert (reverse("reports:target_detail", args=[tables["own"].pk]) in page) == (username != "other_clerk")
    assert (reverse("reports:target_rows", args=[tables["own"].pk]) in page) == (username == "clerk_cg")


def test_a_unit_viewer_has_no_targets_menu(demo):
    from departments.models import Membership, Role

    user = get_user_model().objects.create_user("viewer_cg", password="x")
    Membership.objects.create(user=user, unit=Department.objects.get(code="CG-GAFJ-P01"), role=Role.VIEWER)
    assert menu_for(user).targets is False
