"""Every write to the organisation tree and to roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from guardian.shortcuts import assign_perm, remove_perm

from .models import PATH_SEPARATOR, AuditEntry, Department, DepartmentKind, Membership
from .permissions import ACT_AS_LEADER, VIEW_SCOPE, forget_scope


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


@transaction.atomic
def membership_grant(
    *, user: AbstractBaseUser, unit: Department, role: str, is_group_leader: bool = False
) -> Membership:
    """Give a user a role at a unit (idempotent)."""
    membership, _ = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if membership.is_group_leader != is_group_leader:
        membership.is_group_leader = is_group_leader
        membership.full_clean()
        membership.save(update_fields=["is_group_leader"])
    forget_scope(user)
    return membership


def acting_leader_grant(*, user: AbstractBaseUser, department: Department) -> None:
    """Let a user approve for the leading group of one department (代理)."""
    assign_perm(ACT_AS_LEADER, user, department)
    forget_scope(user)


def acting_leader_revoke(*, user: AbstractBaseUser, department: Department) -> None:
    remove_perm(ACT_AS_LEADER, user, department)
    forget_scope(user)


def department_share(*, user: AbstractBaseUser, department: Department) -> None:
    """Let one outside user read one department's subtree."""
    assign_perm(VIEW_SCOPE, user, department)
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
