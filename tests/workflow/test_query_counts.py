"""Inboxes and the progress overview keep a constant number of queries as departments grow."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Department, Membership, Role
from departments.sample import sample_district_build
from reports.annual.services import cycle_launch, template_install_default
from reports.models import Section
from tests.conftest import module_data
from workflow.states import State

pytestmark = pytest.mark.django_db


def district(prefix: str, departments: int):
    """A district with a launched cycle, some sections moved along, and its finance staff."""
    bureau = sample_district_build(departments=departments, units=3, prefix=prefix)
    users = get_user_model().objects
    admin = users.create(username=f"{prefix}-admin")
    Membership.objects.create(user=admin, unit=bureau, role=Role.FINANCE_ADMIN)
    reviewer = users.create(username=f"{prefix}-reviewer")
    Membership.objects.create(user=reviewer, unit=bureau, role=Role.FINANCE_REVIEWER)
    depts = list(Department.objects.filter(parent=bureau))
    cycle = cycle_launch(year=2030, name=f"{prefix} 周期", template=template_install_default(), departments=depts,
                         opens_on=date(2031, 1, 1), due_on=date(2031, 3, 31), actor=admin)
    sections = Section.objects.filter(report__cycle=cycle)
    for i, state in enumerate([State.SUBMITTED, State.LEADING_APPROVED, State.RETURNED, State.APPROVED]):
        sections.filter(node__order=i + 1).update(state=state)
    leader = users.get(username=f"{prefix.lower()}_{depts[0].code.lower()}_leader")
    return cycle, admin, reviewer, leader


def queries(client, user, url) -> int:
    client.force_login(user)
    client.get(url)  # warm the per-process caches (content types) so both sizes measure alike
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture(scope="module")
def districts(django_db_setup, django_db_blocker):  # noqa: ANN001
    """A district of 10 departments and one of 200, built once for the module's tests (``module_data``)."""
    with module_data(django_db_blocker):
        yield district("S", 10), district("L", 200)


@pytest.mark.parametrize("who", ["admin", "reviewer", "leader"])
def test_progress_query_count_is_constant_from_10_to_200_departments(client, districts, who):
    small, large = districts
    index = {"admin": 1, "reviewer": 2, "leader": 3}[who]
    url = reverse("reports:progress")
    assert queries(client, small[index], f"{url}?cycle={small[0].pk}") == \
        queries(client, large[index], f"{url}?cycle={large[0].pk}")


@pytest.mark.parametrize("who", ["reviewer", "leader"])
def test_inbox_query_count_is_constant_from_10_to_200_departments(client, districts, who):
    small, large = districts
    index = {"reviewer": 2, "leader": 3}[who]
    assert queries(client, small[index], reverse("home")) == queries(client, large[index], reverse("home"))
