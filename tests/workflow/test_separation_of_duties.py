"""Separation of duties (issue 10 §8): one person, one review stage of an item; no self-granted reviewing
roles, in the services and through the Django admin; 代理 with dates and an audit trail; no reassignment
of a section under review."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from departments import permissions as perms
from departments.models import ActingGrant, AuditEntry, Membership, Role
from departments.selectors import audit_history
from departments.services import (
    acting_grant_revoke,
    acting_leader_grant,
    membership_grant,
    membership_revoke,
)
from reports.annual.services import section_assign
from reports.models import Section
from workflow import services as wf
from workflow.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateless(ready_section):
    cycle = ready_section.report.cycle
    cycle.require_leading_before_finance = False
    cycle.save(update_fields=["require_leading_before_finance"])
    return Section.objects.select_related("report__cycle", "report__department", "unit", "node").get(
        pk=ready_section.pk)


def test_a_leader_who_also_reviews_for_finance_cannot_finance_review_their_own_leading_approval(
        gateless, demo, clerk, leader, finance_reviewer, client):
    membership_grant(user=leader, unit=demo["CG-GAFJ"], role=Role.FINANCE_REVIEWER)
    wf.submit(item=gateless, actor=clerk, version=gateless.version)
    wf.leading_approve(item=gateless, actor=leader, version=gateless.version)
    with pytest.raises(wf.TransitionRefused, match="同一事项的两个审核环节须由不同的人完成"):
        wf.finance_approve(item=gateless, actor=leader, version=gateless.version)
    # the page shows the reason instead of the button, and a forged POST changes nothing
    client.force_login(leader)
    page = client.get(gateless.get_absolute_url()).content.decode()
    assert "两个审核环节须由不同的人完成" in page
    assert f"/sections/{gateless.pk}/act/finance_approve/" not in page
    client.post(reverse("reports:section_act", args=[gateless.pk, "finance_approve"]),
                {"version": gateless.version})
    assert Section.objects.get(pk=gateless.pk).state == State.LEADING_APPROVED
    wf.finance_approve(item=gateless, actor=finance_reviewer, version=gateless.version)
    assert Section.objects.get(pk=gateless.pk).state == State.APPROVED


def test_nobody_grants_themselves_a_reviewing_role(demo, finance_admin):
    for role in (Role.LEADER, Role.FINANCE_REVIEWER):
        with pytest.raises(ValidationError, match="不能给自己授予"):
            membership_grant(user=finance_admin, unit=demo["CG-GAFJ"], role=role, actor=finance_admin)
    with pytest.raises(ValidationError, match="不能给自己授予代理领导小组审核"):
        acting_leader_grant(user=finance_admin, department=demo["CG-GAFJ"], actor=finance_admin, reason="休假")
    assert not Membership.objects.filter(user=finance_admin, role__in=[Role.LEADER, Role.FINANCE_REVIEWER]).exists()
    assert not ActingGrant.objects.exists()
    perms.forget_scope(finance_admin)
    assert not perms.can_review_leading(finance_admin, demo["CG-GAFJ"])


def test_grants_and_revocations_leave_audit_rows(demo, finance_admin, outsider):
    membership = membership_grant(user=outsider, unit=demo["CG-GAFJ"], role=Role.LEADER, actor=finance_admin,
                                  reason="新任领导小组成员")
    membership_revoke(membership=membership, actor=finance_admin, reason="调离")
    actions = [(e.action, e.actor_name, e.reason) for e in audit_history(demo["CG-GAFJ"]) if e.actor]
    assert actions == [("membership.revoke", "刘洋", "调离"), ("membership.grant", "刘洋", "新任领导小组成员")]


def test_acting_grants_count_between_their_dates_only(demo, finance_admin, outsider):
    today = timezone.localdate()
    police = demo["CG-GAFJ"]
    grant = acting_leader_grant(user=outsider, department=police, starts_on=today + timedelta(days=1),
                                ends_on=today + timedelta(days=5), reason="组长出差", actor=finance_admin)
    assert not perms.can_review_leading(outsider, police)  # not yet
    ActingGrant.objects.filter(pk=grant.pk).update(starts_on=today - timedelta(days=9),
                                                   ends_on=today - timedelta(days=1))
    perms.forget_scope(outsider)
    assert not perms.can_review_leading(outsider, police)  # over
    assert outsider not in perms.leading_reviewers(police)
    ActingGrant.objects.filter(pk=grant.pk).update(ends_on=today)
    perms.forget_scope(outsider)
    assert perms.can_review_leading(outsider, police)  # the last day counts
    assert outsider in perms.leading_reviewers(police)
    acting_grant_revoke(grant=grant, actor=finance_admin, reason="组长已返岗")
    assert not perms.can_review_leading(outsider, police)
    revoked, granted = [e for e in audit_history(police) if e.actor]
    assert (revoked.action, revoked.reason, granted.action) == ("acting.revoke", "组长已返岗", "acting.grant")
    assert f"{today + timedelta(days=1):%Y-%m-%d} 至 {today + timedelta(days=5):%Y-%m-%d}" in granted.summary


def test_scope_with_an_acting_grant_still_loads_in_constant_queries(demo, finance_admin, outsider,
                                                                     django_assert_max_num_queries):
    acting_leader_grant(user=outsider, department=demo["CG-GAFJ"], reason="休假", actor=finance_admin)
    perms.forget_scope(outsider)
    with django_assert_max_num_queries(3):  # memberships, per-object grants (one UNION), their paths
        assert perms.can_review_leading(outsider, demo["CG-GAFJ"])


def _admin(client, finance_admin):
    client.force_login(finance_admin)


def test_the_admin_refuses_a_self_granted_group_leader_membership(client, demo, finance_admin):
    _admin(client, finance_admin)
    response = client.post(reverse("admin:departments_membership_add"), {
        "user": finance_admin.pk, "unit": demo["CG-GAFJ"].pk, "role": Role.LEADER, "is_group_leader": "on",
    })
    assert response.status_code == 200 and "不能给自己授予" in response.content.decode()
    assert not Membership.objects.filter(user=finance_admin, role=Role.LEADER).exists()


def test_the_admin_routes_grants_through_the_services(client, demo, finance_admin, outsider, leader):
    _admin(client, finance_admin)
    response = client.post(reverse("admin:departments_membership_add"), {
        "user": outsider.pk, "unit": demo["CG-GAFJ"].pk, "role": Role.LEADER,
    })
    assert response.status_code == 302
    membership = Membership.objects.get(user=outsider, role=Role.LEADER)
    response = client.post(reverse("admin:departments_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Membership.objects.filter(pk=membership.pk).exists()
    assert [e.action for e in audit_history(demo["CG-GAFJ"]) if e.actor] == ["membership.revoke", "membership.grant"]


def test_the_admin_refuses_a_self_granted_acting_approver_and_audits_others(client, demo, finance_admin,
                                                                              outsider):
    _admin(client, finance_admin)
    today = timezone.localdate()
    data = {"department": demo["CG-GAFJ"].pk, "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=3)).isoformat(), "reason": "组长休假"}
    response = client.post(reverse("admin:departments_actinggrant_add"), data | {"user": finance_admin.pk})
    assert response.status_code == 200 and "不能给自己授予代理领导小组审核" in response.content.decode()
    assert not ActingGrant.objects.exists()
    response = client.post(reverse("admin:departments_actinggrant_add"), data | {"user": outsider.pk})
    assert response.status_code == 302
    grant = ActingGrant.objects.get()
    assert (grant.user, grant.granted_by, grant.ends_on) == (outsider, finance_admin, today + timedelta(days=3))
    assert AuditEntry.objects.filter(action="acting.grant", actor=finance_admin).count() == 1
    client.post(reverse("admin:departments_actinggrant_changelist"),
                {"action": "revoke", "_selected_action": [grant.pk]})
    grant.refresh_from_db()
    assert grant.revoked_by == finance_admin and grant.revoked_at is not None


def test_sharing_a_department_in_the_admin_goes_through_the_audited_services(client, demo, finance_admin, outsider):
    from departments.permissions import can_view_unit, forget_scope

    _admin(client, finance_admin)
    police = demo["CG-GAFJ"]
    url = reverse("admin:departments_department_permissions_manage_user", args=[police.pk, outsider.pk])
    assert client.post(url, {"permissions": ["view_scope"]}).status_code == 302
    forget_scope(outsider)
    assert can_view_unit(outsider, police)
    assert client.post(url, {"_save": "1"}).status_code == 302  # nothing ticked (a browser sends the button)
    forget_scope(outsider)
    assert not can_view_unit(outsider, police)
    assert [e.action for e in audit_history(police) if e.action.startswith("department.")] == [
        "department.unshare", "department.share"]
    assert {e.actor for e in audit_history(police) if e.action.startswith("department.")} == {finance_admin}
    group_url = reverse("admin:departments_department_permissions_manage_group", args=[police.pk, 1])
    assert client.get(group_url).status_code in (403, 404)


def test_a_coordinator_cannot_reassign_a_section_under_review(ready_section, demo, clerk, coordinator, client):
    wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    other_unit = demo["CG-GAFJ-N04"]
    with pytest.raises(ValidationError, match="不能重新分配"):
        section_assign(section=ready_section, unit=other_unit, actor=coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("reports:section_assign", args=[ready_section.pk]), {"unit": other_unit.pk},
                           follow=True)
    assert "不能重新分配" in response.content.decode()
    assert Section.objects.get(pk=ready_section.pk).unit == clerk.memberships.get().unit
    assert not audit_history(ready_section)


def test_a_reassignment_is_shown_in_the_sections_history(ready_section, demo, coordinator, client):
    section_assign(section=ready_section, unit=demo["CG-GAFJ-N04"], actor=coordinator)
    [entry] = audit_history(ready_section)
    assert (entry.action, entry.actor, entry.changes["unit"][1]) == ("section.assign", coordinator,
                                                                     demo["CG-GAFJ-N04"].name)
    client.force_login(coordinator)
    page = client.get(reverse("reports:section_history", args=[ready_section.pk])).content.decode()
    assert f"填报单位由城关派出所改为{demo['CG-GAFJ-N04'].name}" in page


def test_the_admin_inline_refuses_a_self_grant_and_audits_a_grant(client, demo, finance_admin, outsider):
    unit = demo["CG-GAFJ-N05"]
    assert not unit.memberships.exists()
    _admin(client, finance_admin)

    def post(user):
        return client.post(reverse("admin:departments_department_change", args=[unit.pk]), {
            "code": unit.code, "name": unit.name, "kind": unit.kind, "parent": unit.parent_id, "order": unit.order,
            "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": user.pk, "memberships-0-role": Role.LEADER, "memberships-0-unit": unit.pk,
        })

    response = post(finance_admin)
    assert response.status_code == 200 and "不能给自己授予" in response.content.decode()
    assert post(outsider).status_code == 302
    assert unit.memberships.get().user == outsider
    assert [e.action for e in audit_history(unit)] == ["membership.grant"]


def test_the_migration_turns_old_guardian_acting_grants_into_dated_grants(demo, outsider):
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import UserObjectPermission

    migration = importlib.import_module("departments.migrations.0003_acting_grant")
    police = demo["CG-GAFJ"]
    old = Permission.objects.create(codename="act_as_leader", name="代理领导小组审核",
                                    content_type=ContentType.objects.get_for_model(police))
    UserObjectPermission.objects.create(user=outsider, permission=old, object_pk=str(police.pk),
                                        content_type=old.content_type)
    migration.guardian_grants_to_acting_grants(apps, None)
    grant = ActingGrant.objects.get()
    assert (grant.user, grant.department, grant.starts_on) == (outsider, police, timezone.localdate())
    assert (grant.ends_on - grant.starts_on).days == migration.LEGACY_DAYS
    assert not Permission.objects.filter(codename="act_as_leader").exists()
    assert not UserObjectPermission.objects.exists()
