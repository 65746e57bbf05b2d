"""The demo leaves sections in every state, so every demo account finds work."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reports.models import Section
from workflow.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(demo_report_loaded):
    """The demo report, loaded once for the module."""


def test_every_state_is_present(loaded):
    states = set(Section.objects.filter(report__department__code="CG-GAFJ").values_list("state", flat=True))
    assert states == set(State.values)


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("clerk_cg", "请补充“一门通办”业务量"),  # the returned item with the leader's comment
        ("coord_jwbz", "请补录“三公”经费本年预算"),
        ("leader_zz", "领导小组审核"),
        ("leader_cy", "领导小组审核"),
        ("fin_reviewer", "12 可审定"),
        ("other_clerk", "已逾期"),
    ],
)
def test_each_demo_account_finds_work_in_its_inbox(client, loaded, username, expected):
    client.force_login(get_user_model().objects.get(username=username))
    page = client.get(reverse("home")).content.decode()
    assert expected in page
