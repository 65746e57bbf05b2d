"""Reads of the organisation tree shared by views, tasks and exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import AuditEntry, Department, DepartmentKind, Membership, Role
from .permissions import departments_in_scope, unit_filter, user_scope, visible_units


@dataclass(frozen=True)
class RoleLine:
    role: str
    role_label: str
    unit_name: str
    is_group_leader: bool


def membership_summary(user: AbstractBaseUser) -> list[RoleLine]:
    """The user's roles with unit names, for the header and the home page (from the loaded scope: no query)."""
    return [RoleLine(g.role, Role(g.role).label, g.unit_name, g.is_group_leader) for g in user_scope(user).grants]


def department_list(user: AbstractBaseUser) -> QuerySet[Department]:
    """Budget departments in the user's scope, with the count of their sub-units."""
    return (
        departments_in_scope(user)
        .select_related("parent")
        .annotate(unit_count=Count("units", filter=~Q(units__kind=DepartmentKind.DEPARTMENT)))
        .order_by("parent__order", "order", "code")
    )


def unit_list(user: AbstractBaseUser) -> QuerySet[Department]:
    """Every visible unit below department level, in tree order."""
    return (
        visible_units(user)
        .exclude(kind__in=[DepartmentKind.FINANCE_BUREAU, DepartmentKind.DEPARTMENT])
        .select_related("budget_department")
        .order_by("budget_department__order", "budget_department__code", "order", "code")
    )


def department_detail(user: AbstractBaseUser, code: str) -> Department:
    """One department or unit the user may see; anything else is a 404."""
    allowed = Q(pk__in=departments_in_scope(user).values("pk")) | unit_filter(user)
    return get_object_or_404(Department.objects.filter(allowed), code=code)


def department_units(user: AbstractBaseUser, department: Department) -> QuerySet[Department]:
    """The visible sub-units of a department with their members, in tree order."""
    return (
        visible_units(user)
        .filter(path__startswith=department.path)
        .exclude(pk=department.pk)
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("user")))
        .order_by("path")
    )


def audit_history(target: models.Model) -> list[AuditEntry]:
    """The audit rows of one object, newest first (one query)."""
    ct = ContentType.objects.get_for_model(target)
    return list(AuditEntry.objects.filter(content_type=ct, object_id=target.pk).select_related("actor"))


def person_history(person: AbstractBaseUser) -> list[AuditEntry]:
    """A person's own audit rows and those of the roles given to or taken from them (kept on the unit)."""
    ct = ContentType.objects.get_for_model(person)
    own = Q(content_type=ct, object_id=person.pk)
    roles = Q(action__startswith="membership.", changes__user=person.get_username())
    return list(AuditEntry.objects.filter(own | roles).select_related("actor"))
