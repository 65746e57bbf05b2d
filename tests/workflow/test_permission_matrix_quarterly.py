"""The quarterly reports' workflow URLs × role × own/other department (see ``test_permission_matrix``)."""

from datetime import date

import pytest
from django.urls import reverse

from departments.models import Department
from reports.models import QuarterlyReport
from reports.quarterly.services import quarter_open
from tests.conftest import module_data
from tests.workflow.test_permission_matrix import ROLES, login
from workflow.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def quarters_module(demo_quarters_module, django_db_blocker):
    """The demo's quarterly monitoring, and a third quarter opened for the other department, once per module."""
    with module_data(django_db_blocker):
        quarter_open(year=2021, quarter=3, departments=[Department.objects.get(code="CG-JTJ")],
                     due_on=date(2030, 1, 1), actor=None)
        yield


@pytest.fixture
def quarters(quarters_module, db):
    """Per test: the module's quarters (rolled back to them)."""


@pytest.mark.parametrize(("username", "allowed"), [
    ("clerk_cg", False), ("coord_jwbz", False), ("leader_zz", True), ("leader_cy", True),
    ("fin_reviewer", False), ("fin_admin", False), ("other_clerk", None),
])
def test_quarterly_review_action_on_own_department(client, quarters, username, allowed):
    target = QuarterlyReport.objects.get(year=2021, quarter=3, unit__name="刑侦大队")
    assert target.state == State.SUBMITTED
    login(client, username)
    response = client.post(reverse("reports:quarterly_act", args=[target.pk, "leading_approve"]),
                           {"version": target.version})
    state = QuarterlyReport.objects.get(pk=target.pk).state
    if allowed is None or username == "clerk_cg":
        assert response.status_code == 404  # not in scope: another department / another unit
    elif allowed:
        assert response.status_code == 302 and state == State.LEADING_APPROVED
    else:
        assert response.status_code == 403 and state == State.SUBMITTED


@pytest.mark.parametrize("username", [r for r in ROLES if r not in ("other_clerk", "fin_admin")])
def test_the_other_departments_quarterly_reports_answer_404(client, quarters, username):
    target = QuarterlyReport.objects.get(department__code="CG-JTJ", year=2021, quarter=3)
    login(client, username)
    assert client.post(reverse("reports:quarterly_act", args=[target.pk, "submit"]),
                       {"version": target.version}).status_code == 404
    for name in ("quarterly_detail", "quarterly_edit", "quarterly_sheet", "quarterly_upload"):
        assert client.get(reverse(f"reports:{name}", args=[target.pk])).status_code == 404
