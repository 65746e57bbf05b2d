"""The scope's UNION ALL (memberships, sharing, 代理) is compiled once per process and filled in per user
and day: the rows read that way are the ones the querysets read, on this database, for every kind."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from guardian.shortcuts import assign_perm

from departments import permissions as perms
from departments.models import ActingGrant, Department, Membership
from departments.services import acting_leader_grant, department_share


def _as_compiled_and_as_built(user) -> tuple[list, list]:
    ct = ContentType.objects.get_for_model(Department)
    compiled = sorted(perms._scope_rows(user))
    built = sorted(tuple(row) for row in perms._scope_query(user.pk, ct, timezone.localdate()))
    return compiled, built


def test_the_compiled_rows_are_the_built_ones_for_each_user_and_day(db, demo, outsider, finance_reviewer):
    police, other = demo["CG-GAFJ"], demo["CG-JTJ"]
    department_share(user=finance_reviewer, department=police)
    grant = acting_leader_grant(user=outsider, department=police)
    key = (Department.objects.db, ContentType.objects.get_for_model(Department).pk)
    for user in (outsider, finance_reviewer):
        compiled, built = _as_compiled_and_as_built(user)
        assert compiled == built
        assert len([row for row in compiled if row[0] != perms._MEMBER]) == 1
    assert perms._COMPILED_SCOPE[key] is not None  # this backend takes the compiled path
    outsider_memberships = Membership.objects.filter(user=outsider).count()
    assert [row[:4] for row in perms._scope_rows(outsider) if row[0] != perms._MEMBER] == [
        (perms._ACTING, "", police.pk, police.path)]
    assert len(perms._scope_rows(outsider)) == outsider_memberships + 1
    # a grant that ended yesterday no longer counts; one for another department tomorrow not yet
    yesterday = timezone.localdate() - timedelta(days=1)
    ActingGrant.objects.filter(pk=grant.pk).update(starts_on=yesterday - timedelta(days=3), ends_on=yesterday)
    acting_leader_grant(user=outsider, department=other, starts_on=timezone.localdate() + timedelta(days=1))
    compiled, built = _as_compiled_and_as_built(outsider)
    assert compiled == built and all(row[0] == perms._MEMBER for row in compiled)
    perms.forget_scope(outsider)
    assert perms.user_scope(outsider).acting_leader_paths == ()


def test_a_group_share_and_a_membership_come_in_the_same_rows(db, demo, outsider):
    """Sharing through a group (guardian's group grants) is read by the same one query as the roles."""
    police = demo["CG-GAFJ"]
    group = Group.objects.create(name="查阅组")
    group.user_set.add(outsider)
    assign_perm(perms.VIEW_SCOPE, group, police)
    perms.forget_scope(outsider)
    scope = perms.user_scope(outsider)
    assert scope.shared_view_paths == (police.path,)
    assert len(scope.grants) == Membership.objects.filter(user=outsider).count()
    assert sorted(perms._scope_rows(outsider)) == _as_compiled_and_as_built(outsider)[1]
