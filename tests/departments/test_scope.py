"""Scope rules per role: who sees which units, who may do what."""

import pytest
from django.urls import reverse

from departments import permissions as perms
from departments.services import acting_leader_grant, department_share
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_clerk_sees_only_its_unit(clerk, demo):
    assert codes(perms.visible_units(clerk)) == {"CG-GAFJ-P01"}
    assert perms.can_edit_unit(clerk, demo["CG-GAFJ-P01"])
    assert not perms.can_edit_unit(clerk, demo["CG-GAFJ-P02"])
    assert not perms.can_view_unit(clerk, demo["CG-GAFJ-N07"])
    assert not perms.can_review_leading(clerk, demo["CG-GAFJ"])


def test_clerk_department_is_its_own_only(clerk):
    assert codes(perms.departments_in_scope(clerk)) == {"CG-GAFJ"}


def test_coordinator_reaches_every_unit_of_its_department(coordinator, demo):
    visible = codes(perms.visible_units(coordinator))
    police = demo["CG-GAFJ"]
    assert visible == {d.code for d in demo.values() if d.path.startswith(police.path)}  # the whole subtree
    assert "CG-JTJ" not in visible
    assert perms.can_edit_unit(coordinator, demo["CG-GAFJ-P05"])
    assert perms.can_coordinate(coordinator, demo["CG-GAFJ"])
    assert not perms.can_coordinate(coordinator, demo["CG-JTJ"])
    assert not perms.can_review_leading(coordinator, demo["CG-GAFJ"])


def test_leaders_review_their_department_only(leader, group_leader, demo):
    assert perms.can_review_leading(leader, demo["CG-GAFJ"])
    assert perms.can_review_leading(group_leader, demo["CG-GAFJ"])
    assert not perms.can_review_leading(leader, demo["CG-JTJ"])
    assert not perms.can_edit_unit(leader, demo["CG-GAFJ-P01"])


def test_group_leader_only_setting(leader, group_leader, demo):
    police = demo["CG-GAFJ"]
    police.leader_approval_by_group_leader_only = True
    police.save()
    assert not perms.can_review_leading(leader, police)
    assert perms.can_review_leading(group_leader, police)


def test_finance_reviewer_sees_assigned_departments(finance_reviewer, demo):
    assert codes(perms.departments_in_scope(finance_reviewer)) == {"CG-GAFJ"}
    assert perms.can_review_finance(finance_reviewer, demo["CG-GAFJ"])
    assert not perms.can_review_finance(finance_reviewer, demo["CG-JTJ"])
    assert not perms.can_view_unit(finance_reviewer, demo["CG-JTJ-N01"])
    assert not perms.can_administer(finance_reviewer)


def test_finance_admin_sees_every_department(finance_admin):
    assert codes(perms.departments_in_scope(finance_admin)) == {"CG-GAFJ", "CG-JTJ"}
    assert perms.can_administer(finance_admin)
    assert not perms.can_review_finance(finance_admin, finance_admin.memberships.first().unit)


def test_outsider_sees_nothing_of_the_police(outsider, demo):
    assert codes(perms.visible_units(outsider)) == {"CG-JTJ-N01"}
    assert not perms.can_view_unit(outsider, demo["CG-GAFJ"])


def test_user_without_roles_sees_nothing(db, demo):
    nobody = UserFactory()
    assert not perms.visible_units(nobody).exists()
    assert not perms.departments_in_scope(nobody).exists()


def test_acting_approver_granted_per_object(outsider, demo):
    acting_leader_grant(user=outsider, department=demo["CG-GAFJ"])
    assert perms.can_review_leading(outsider, demo["CG-GAFJ"])
    assert not perms.can_review_leading(outsider, demo["CG-JTJ"])
    assert perms.can_view_unit(outsider, demo["CG-GAFJ-P01"])


def test_shared_department_is_readable_not_editable(db, demo):
    reviewer = UserFactory(username="outside_reviewer")
    department_share(user=reviewer, department=demo["CG-GAFJ"])
    assert perms.can_view_unit(reviewer, demo["CG-GAFJ-N04"])
    assert not perms.can_edit_unit(reviewer, demo["CG-GAFJ-N04"])


def test_scope_is_loaded_in_constant_queries(coordinator, django_assert_max_num_queries):
    perms.forget_scope(coordinator)
    with django_assert_max_num_queries(4):
        scope = perms.user_scope(coordinator)
        perms.can_edit_unit(coordinator, coordinator.memberships.first().unit)
    assert scope is perms.user_scope(coordinator)


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("clerk_cg", "CG-GAFJ-P01", 200),
        ("clerk_cg", "CG-GAFJ-P02", 404),
        ("clerk_cg", "CG-JTJ", 404),
        ("coord_jwbz", "CG-GAFJ-C01", 200),
        ("coord_jwbz", "CG-JTJ-N01", 404),
        ("leader_cy", "CG-GAFJ", 200),
        ("fin_reviewer", "CG-GAFJ-P03", 200),
        ("fin_reviewer", "CG-JTJ", 404),
        ("fin_admin", "CG-JTJ-N02", 200),
        ("other_clerk", "CG-GAFJ", 404),
        ("other_clerk", "CG-GAFJ-P01", 404),
    ],
)
def test_unit_page_answers_404_outside_scope(client, demo, username, code, status):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    assert client.get(reverse("department_detail", args=[code])).status_code == status


def test_a_revoked_role_and_a_new_share_count_from_the_next_request(client, coordinator, finance_admin, demo):
    """The scope is read per request, never kept in the session: taking a role away closes its pages at once
    for a user already signed in (and a share opens them at once)."""
    from departments.models import Membership
    from departments.services import membership_revoke

    unit = demo["CG-GAFJ-C01"]
    client.force_login(coordinator)
    page = reverse("department_detail", args=[unit.code])
    assert client.get(page).status_code == 200
    for membership in Membership.objects.filter(user=coordinator):
        membership_revoke(membership=membership, actor=finance_admin)
    assert client.get(page).status_code == 404
    department_share(user=coordinator, department=demo["CG-GAFJ"])
    assert client.get(page).status_code == 200
