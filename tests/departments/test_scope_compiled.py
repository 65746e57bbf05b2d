"""The per-object grants' UNION is compiled once per process and filled in per user and day: the grants
read that way are the ones the querysets read, on this database, for sharing and 代理 alike."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from departments import permissions as perms
from departments.models import ActingGrant, Department
from departments.services import acting_leader_grant, department_share


def _as_compiled_and_as_built(user) -> tuple[list, list]:
    ct = ContentType.objects.get_for_model(Department)
    compiled = sorted(perms._object_grant_pairs(user))
    built = sorted(tuple(row) for row in perms._object_grants(user.pk, ct, timezone.localdate()))
    return compiled, built


def test_the_compiled_grants_are_the_built_ones_for_each_user_and_day(db, demo, outsider, finance_reviewer):
    police, other = demo["CG-GAFJ"], demo["CG-JTJ"]
    department_share(user=finance_reviewer, department=police)
    grant = acting_leader_grant(user=outsider, department=police)
    key = (Department.objects.db, ContentType.objects.get_for_model(Department).pk)
    for user in (outsider, finance_reviewer):
        compiled, built = _as_compiled_and_as_built(user)
        assert compiled == built and len(compiled) == 1
    assert perms._COMPILED_GRANTS[key] is not None  # this backend takes the compiled path
    assert perms._object_grant_pairs(outsider) == [(str(police.pk), "acting")]
    # a grant that ended yesterday no longer counts; one for another department tomorrow not yet
    yesterday = timezone.localdate() - timedelta(days=1)
    ActingGrant.objects.filter(pk=grant.pk).update(starts_on=yesterday - timedelta(days=3), ends_on=yesterday)
    acting_leader_grant(user=outsider, department=other, starts_on=timezone.localdate() + timedelta(days=1))
    assert _as_compiled_and_as_built(outsider) == ([], [])
    perms.forget_scope(outsider)
    assert perms.user_scope(outsider).acting_leader_paths == ()
