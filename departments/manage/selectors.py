"""Reads of the organisation pages, scoped to what the user manages."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from departments.models import Department, DepartmentKind, Membership
from departments.permissions import can_administer, manageable_units

ROOT_KINDS = (DepartmentKind.FINANCE_BUREAU, DepartmentKind.DEPARTMENT)


def manage_units(user: AbstractBaseUser) -> QuerySet[Department]:
    """Every unit the user manages, in tree order, with the number of roles held there."""
    return (manageable_units(user).select_related("parent")
            .annotate(member_count=Count("memberships", distinct=True)).order_by("path"))


def unit_for_manage(user: AbstractBaseUser, code: str) -> Department:
    """A unit the user manages; anything else is a 404."""
    return get_object_or_404(manageable_units(user).select_related("parent"), code=code)


def unit_kinds(user: AbstractBaseUser) -> list[str]:
    """The kinds of unit the user may create: budget departments only by the finance admin."""
    return [k.value for k in DepartmentKind if can_administer(user) or k.value not in ROOT_KINDS]


def people(user: AbstractBaseUser, query: str = "") -> QuerySet:
    """The people the user manages (all of them for the finance admin), with their roles."""
    users = get_user_model().objects.all()
    if not can_administer(user):
        users = users.filter(memberships__unit__in=manageable_units(user)).distinct()
    if query:
        users = users.filter(Q(username__icontains=query) | Q(first_name__icontains=query))
    roles = Membership.objects.select_related("unit").order_by("unit__path", "role")
    return users.select_related("account").prefetch_related(Prefetch("memberships", queryset=roles)).order_by(
        "-is_active", "username")


def person_for_manage(user: AbstractBaseUser, pk: int) -> AbstractBaseUser:
    return get_object_or_404(people(user), pk=pk)
