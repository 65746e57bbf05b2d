"""Every write to the organisation tree and to roles."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from .models import PATH_SEPARATOR, ActingGrant, AuditEntry, Department, DepartmentKind, Membership, Role
from .permissions import (
    REVIEW_ROLES,
    VIEW_SCOPE,
    can_administer,
    can_change_unit,
    can_manage_people_at,
    forget_scope,
)


def unit_path(code: str, parent: Department | None) -> str:
    base = parent.path if parent else PATH_SEPARATOR
    return f"{base}{code}{PATH_SEPARATOR}"


def _budget_department_for(kind: str, parent: Department | None) -> Department | None:
    if kind == DepartmentKind.DEPARTMENT:
        return None  # set to itself once the row has a primary key
    return parent.budget_department if parent else None


def _check_no_cycle(department: Department, parent: Department | None) -> None:
    if parent and department.pk and parent.path.startswith(department.path or "\0"):
        raise ValidationError({"parent": "上级单位不能是本单位或其下级单位。"})


@transaction.atomic
def department_save(*, department: Department) -> Department:
    """Create or update a unit, keeping the paths and departments of its subtree right."""
    parent = department.parent
    _check_no_cycle(department, parent)
    old = Department.objects.filter(pk=department.pk).values("path", "kind").first()
    department.path = unit_path(department.code, parent)
    department.budget_department = _budget_department_for(department.kind, parent)
    department.full_clean(exclude=["budget_department"])
    department.save()
    if department.kind == DepartmentKind.DEPARTMENT and department.budget_department_id != department.pk:
        department.budget_department = department
        department.save(update_fields=["budget_department"])
    if old and (old["path"] != department.path or old["kind"] != department.kind):
        _refresh_subtree(department, old["path"])
    return department


def _refresh_subtree(root: Department, old_path: str) -> None:
    """Rewrite path and budget department of every descendant (parents come first)."""
    descendants = Department.objects.filter(path__startswith=old_path).exclude(pk=root.pk)
    by_id = {root.pk: root}
    for unit in descendants.order_by("path"):
        parent = by_id[unit.parent_id]
        unit.path = unit_path(unit.code, parent)
        unit.budget_department = (
            unit if unit.kind == DepartmentKind.DEPARTMENT else parent.budget_department
        )
        unit.save(update_fields=["path", "budget_department"])
        by_id[unit.pk] = unit


ROOT_KINDS = frozenset({DepartmentKind.FINANCE_BUREAU, DepartmentKind.DEPARTMENT})
_UNIT_FIELDS = ("code", "name", "kind", "parent_id", "order", "sector")


def unit_audit(actor: AbstractBaseUser | None, action: str, unit: Department, summary: str, reason: str = "",
                changes: dict[str, Any] | None = None) -> None:
    audit_record(actor=actor, action=action, target=unit, summary=summary, reason=reason, changes=changes,
                 department=unit.budget_department)


def _check_unit_change(unit: Department, actor: AbstractBaseUser) -> None:
    """Who may put a unit where: coordinators stay below their own department."""
    parent = unit.parent
    if parent is None and unit.kind not in ROOT_KINDS:
        raise ValidationError({"parent": f"{DepartmentKind(unit.kind).label}必须有上级单位。"})
    if parent is not None and parent.is_retired:
        raise ValidationError({"parent": f"上级单位「{parent.name}」已撤销。"})
    if can_administer(actor):
        return
    if unit.kind in ROOT_KINDS:
        raise PermissionDenied("只有财政局管理员可以设置预算部门和财政局。")
    if unit.pk and not can_change_unit(actor, Department.objects.get(pk=unit.pk)):
        raise PermissionDenied("您不能修改该单位。")
    if parent is None or not can_manage_people_at(actor, parent):
        raise PermissionDenied("只能在本部门范围内设置单位。")


@transaction.atomic
def unit_save(*, unit: Department, actor: AbstractBaseUser, reason: str = "") -> Department:
    """Create, rename or move a unit from the organisation pages; the change is audited on the unit."""
    _check_unit_change(unit, actor)
    before = Department.objects.filter(pk=unit.pk).values(*_UNIT_FIELDS).first() if unit.pk else None
    unit = department_save(department=unit)
    after = {f: getattr(unit, f) for f in _UNIT_FIELDS}
    if before is None:
        unit_audit(actor, "unit.create", unit, f"新建{unit.get_kind_display()}「{unit.name}」（{unit.code}）", reason)
        return unit
    changed = {f: [before[f], after[f]] for f in _UNIT_FIELDS if before[f] != after[f]}
    if changed:
        unit_audit(actor, "unit.change", unit, _change_summary(unit, changed), reason, changed)
    return unit


def _change_summary(unit: Department, changed: dict[str, list[Any]]) -> str:
    parts = []
    if "name" in changed:
        parts.append(f"名称由「{changed['name'][0]}」改为「{changed['name'][1]}」")
    if "parent_id" in changed:
        parts.append(f"移至「{unit.parent.name if unit.parent else '（顶层）'}」之下")
    others = [Department._meta.get_field(f).verbose_name for f in changed if f not in ("name", "parent_id")]
    if others:
        parts.append("修改" + "、".join(others))
    return f"{unit.name}：" + "；".join(parts)


@transaction.atomic
def unit_retire(*, unit: Department, actor: AbstractBaseUser, reason: str = "") -> int:
    """Retire (撤销) a unit and its subtree: reports, roles and the audit trail keep referring to them, so
    they are marked, never deleted. Returns how many units were retired."""
    if not can_change_unit(actor, unit) or unit.kind == DepartmentKind.FINANCE_BUREAU:
        raise PermissionDenied("您不能撤销该单位。")
    if unit.is_retired:
        raise ValidationError(f"「{unit.name}」已于 {timezone.localtime(unit.retired_at):%Y-%m-%d} 撤销。")
    count = Department.objects.filter(path__startswith=unit.path, retired_at__isnull=True).update(
        retired_at=timezone.now())
    unit.refresh_from_db(fields=["retired_at"])
    unit_audit(actor, "unit.retire", unit, f"撤销「{unit.name}」（含下级共 {count} 个单位）", reason, {"count": count})
    return count


@transaction.atomic
def unit_restore(*, unit: Department, actor: AbstractBaseUser, reason: str = "") -> int:
    """Bring a retired unit and its subtree back; refused under a retired parent."""
    if not can_change_unit(actor, unit):
        raise PermissionDenied("您不能恢复该单位。")
    if unit.parent is not None and unit.parent.is_retired:
        raise ValidationError(f"上级单位「{unit.parent.name}」已撤销，请先恢复上级单位。")
    count = Department.objects.filter(path__startswith=unit.path, retired_at__isnull=False).update(retired_at=None)
    unit.refresh_from_db(fields=["retired_at"])
    unit_audit(actor, "unit.restore", unit, f"恢复「{unit.name}」（含下级共 {count} 个单位）", reason, {"count": count})
    return count


def grant_refusal(*, actor: AbstractBaseUser | None, user: AbstractBaseUser | None, what: str) -> str:
    """Separation of duties: nobody grants themselves a reviewing role (组长/成员, 财政审核, 代理).
    ``actor`` None is the system (org import, demo): nothing to separate."""
    if actor is not None and user is not None and actor.pk == user.pk:
        return f"不能给自己授予{what}：审核职责须由他人授予（职责分离）。"
    return ""


def membership_refusal(*, actor: AbstractBaseUser | None, user: AbstractBaseUser | None, role: str | None,
                       is_group_leader: bool = False) -> str:
    if role not in REVIEW_ROLES and not is_group_leader:
        return ""
    label = "领导小组组长" if is_group_leader else Role(role).label
    return grant_refusal(actor=actor, user=user, what=f"“{label}”角色")


def _membership_label(role: str, is_group_leader: bool) -> str:
    return Role(role).label + ("（组长）" if is_group_leader else "")


def _audit_membership(actor: AbstractBaseUser | None, action: str, membership: Membership, summary: str,
                      reason: str, changes: dict[str, Any] | None = None) -> None:
    unit = membership.unit
    audit_record(actor=actor, action=action, target=unit, department=unit.budget_department or unit,
                 summary=summary, reason=reason,
                 changes={"user": membership.user.get_username(), "role": membership.role, **(changes or {})})


@transaction.atomic
def membership_grant(
    *, user: AbstractBaseUser, unit: Department, role: str, is_group_leader: bool = False,
    actor: AbstractBaseUser | None = None, reason: str = "",
) -> Membership:
    """Give a user a role at a unit (idempotent); a change is audited on the unit."""
    refusal = membership_refusal(actor=actor, user=user, role=role, is_group_leader=is_group_leader)
    if refusal:
        raise ValidationError(refusal)
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    changed = membership.is_group_leader != is_group_leader
    if changed:
        membership.is_group_leader = is_group_leader
        membership.full_clean()
        membership.save(update_fields=["is_group_leader"])
    if created or changed:
        name = user.get_full_name() or user.get_username()
        _audit_membership(actor, "membership.grant", membership, reason=reason,
                          summary=f"授予{name}“{_membership_label(role, is_group_leader)}”角色")
    forget_scope(user)
    return membership


@transaction.atomic
def membership_save(*, membership: Membership, actor: AbstractBaseUser | None, reason: str = "") -> Membership:
    """Create or change a membership as edited in the admin; refused for oneself, audited on the unit."""
    refusal = membership_refusal(actor=actor, user=membership.user, role=membership.role,
                                 is_group_leader=membership.is_group_leader)
    if refusal:
        raise ValidationError(refusal)
    before = Membership.objects.filter(pk=membership.pk).select_related("unit").first() if membership.pk else None
    membership.full_clean()
    membership.save()
    name = membership.user.get_full_name() or membership.user.get_username()
    label = _membership_label(membership.role, membership.is_group_leader)
    if before is None:
        _audit_membership(actor, "membership.grant", membership, f"授予{name}“{label}”角色", reason)
    else:
        old = f"{before.unit.name}·{_membership_label(before.role, before.is_group_leader)}"
        _audit_membership(actor, "membership.change", membership, f"{name}的角色由“{old}”改为“{label}”", reason,
                          {"before": {"unit": before.unit_id, "role": before.role,
                                      "is_group_leader": before.is_group_leader}})
    forget_scope(membership.user)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor: AbstractBaseUser | None, reason: str = "") -> None:
    """Take a role away; audited on the unit."""
    name = membership.user.get_full_name() or membership.user.get_username()
    _audit_membership(actor, "membership.revoke", membership, reason=reason,
                      summary=f"撤销{name}的“{_membership_label(membership.role, membership.is_group_leader)}”角色")
    membership.delete()
    forget_scope(membership.user)


DEFAULT_ACTING_DAYS = 30


@transaction.atomic
def acting_leader_grant(*, user: AbstractBaseUser, department: Department, starts_on: date | None = None,
                        ends_on: date | None = None, reason: str = "", actor: AbstractBaseUser | None = None
                        ) -> ActingGrant:
    """Let a user approve for the leading group of one department (代理) from ``starts_on`` to
    ``ends_on`` (default: today, for 30 days); never granted to oneself; audited on the department."""
    refusal = grant_refusal(actor=actor, user=user, what="代理领导小组审核")
    if refusal:
        raise ValidationError(refusal)
    starts_on = starts_on or timezone.localdate()
    ends_on = ends_on or starts_on + timedelta(days=DEFAULT_ACTING_DAYS - 1)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期。"})
    grant = ActingGrant.objects.create(user=user, department=department, starts_on=starts_on, ends_on=ends_on,
                                       reason=reason, granted_by=actor)
    name = user.get_full_name() or user.get_username()
    audit_record(actor=actor, action="acting.grant", target=department, department=department, reason=reason,
                 summary=f"授权{name}代理领导小组审核（{starts_on:%Y-%m-%d} 至 {ends_on:%Y-%m-%d}）",
                 changes={"grant": grant.pk, "user": user.get_username(),
                          "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    forget_scope(user)
    return grant


@transaction.atomic
def acting_grant_revoke(*, grant: ActingGrant, actor: AbstractBaseUser | None, reason: str = "") -> ActingGrant:
    """End a 代理 grant now (kept, marked revoked); audited on the department."""
    user = grant.user
    updated = ActingGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor)
    grant.refresh_from_db(fields=["revoked_at", "revoked_by"])
    if updated:
        name = user.get_full_name() or user.get_username()
        audit_record(actor=actor, action="acting.revoke", target=grant.department, department=grant.department,
                     reason=reason, summary=f"撤销{name}的代理领导小组审核授权", changes={"grant": grant.pk})
    forget_scope(user)
    return grant


def acting_leader_revoke(*, user: AbstractBaseUser, department: Department, actor: AbstractBaseUser | None = None,
                         reason: str = "") -> None:
    """End every 代理 grant of the user on the department."""
    for grant in ActingGrant.objects.filter(user=user, department=department, revoked_at__isnull=True):
        acting_grant_revoke(grant=grant, actor=actor, reason=reason)


@transaction.atomic
def department_share(*, user: AbstractBaseUser, department: Department, actor: AbstractBaseUser | None = None,
                     reason: str = "") -> None:
    """Let one outside user read one department's subtree (django-guardian); audited on the department."""
    assign_perm(VIEW_SCOPE, user, department)
    name = user.get_full_name() or user.get_username()
    audit_record(actor=actor, action="department.share", target=department, department=department, reason=reason,
                 summary=f"共享给{name}查阅", changes={"user": user.get_username()})
    forget_scope(user)


@transaction.atomic
def department_unshare(*, user: AbstractBaseUser, department: Department, actor: AbstractBaseUser | None = None,
                       reason: str = "") -> None:
    """End an outside user's read access to the department's subtree; audited on the department."""
    remove_perm(VIEW_SCOPE, user, department)
    name = user.get_full_name() or user.get_username()
    audit_record(actor=actor, action="department.unshare", target=department, department=department, reason=reason,
                 summary=f"取消{name}的共享查阅", changes={"user": user.get_username()})
    forget_scope(user)


def audit_record(*, actor: AbstractBaseUser | None, action: str, target: models.Model, summary: str,
                 reason: str = "", changes: dict[str, Any] | None = None,
                 department: Department | None = None) -> AuditEntry:
    """Append one row to the audit trail; call it inside the transaction of the change it records."""
    return AuditEntry.objects.create(
        actor=actor, actor_name=(actor.get_full_name() or actor.get_username()) if actor else "",
        action=action, summary=summary, reason=reason, changes=changes or {},
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk, department=department,
    )
