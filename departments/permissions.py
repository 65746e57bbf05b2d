"""What a user may see and do in the organisation tree.

Every later app asks these functions; none reads memberships itself. A user's
grants are loaded once per request (one UNION ALL query: memberships, acting
approvers 代理 in force today and django-guardian sharing) and every answer
after that is computed in memory or turned into one indexed prefix filter on
``Department.path``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import BigIntegerField, BooleanField, CharField, F, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone
from guardian.models import GroupObjectPermission, UserObjectPermission

from .models import ActingGrant, Department, Membership, Role

EDIT_ROLES = frozenset({Role.CLERK, Role.COORDINATOR})
REVIEW_ROLES = frozenset({Role.LEADER, Role.FINANCE_REVIEWER})  # nobody grants these to themselves
ALL_ROLES = frozenset(Role)
VIEW_SCOPE = "departments.view_scope"
_ACTING = "acting"

_CACHE_ATTR = "_evalsite_scope"


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    path: str
    budget_department_id: int | None
    is_group_leader: bool
    unit_name: str = ""  # for the page header: every page shows the roles, so no query of its own


@dataclass(frozen=True)
class Scope:
    """Everything the permission questions need, loaded in a constant number of queries."""

    is_superuser: bool
    grants: tuple[Grant, ...]
    acting_leader_paths: tuple[str, ...]
    shared_view_paths: tuple[str, ...]

    def paths(self, roles: frozenset[str]) -> tuple[str, ...]:
        return tuple(g.path for g in self.grants if g.role in roles)

    def view_paths(self) -> tuple[str, ...]:
        return self.paths(ALL_ROLES) + self.acting_leader_paths + self.shared_view_paths

    def reaches(self, unit: Department, roles: frozenset[str]) -> bool:
        return any(unit.path.startswith(p) for p in self.paths(roles))


def _load_scope(user: AbstractBaseUser) -> Scope:
    grants, acting, shared = [], [], []
    for kind, role, unit_id, path, budget_department_id, is_group_leader, name in _scope_rows(user):
        if kind == _MEMBER:
            grants.append(Grant(role, unit_id, path, budget_department_id, bool(is_group_leader), name))
        else:
            (acting if kind == _ACTING else shared).append(path)
    return Scope(bool(user.is_superuser), tuple(grants), tuple(acting), tuple(shared))


def acting_in_force(today: date | None = None) -> Q:
    """An ActingGrant counts from its first to its last day, unless revoked."""
    today = today or timezone.localdate()
    return Q(starts_on__lte=today, ends_on__gte=today, revoked_at__isnull=True)


_MEMBER, _SHARED = "member", "shared"
_ROW = ("s_kind", "s_role", "s_unit", "s_path", "s_budget_department", "s_group_leader", "s_name")


def _granted(kind: str, pks: QuerySet) -> QuerySet:
    """The departments whose pk ``pks`` selects, as scope rows of ``kind`` (no role, no header name)."""
    return Department.objects.filter(pk__in=pks).order_by().annotate(
        s_kind=Value(kind, CharField()), s_role=Value("", CharField()), s_unit=F("pk"), s_path=F("path"),
        s_budget_department=Value(None, BigIntegerField()), s_group_leader=Value(False, BooleanField()),
        s_name=Value("", CharField()),
    ).values_list(*_ROW)


def _scope_query(user_id: int, ct: ContentType, today: date) -> QuerySet:
    """Every grant of a user as one UNION ALL of rows (kind, role, unit, path, budget department, group
    leader, unit name): memberships; departments shared with the user (django-guardian, user and group
    grants alike); departments the user acts for (代理) today."""
    members = Membership.objects.filter(user=user_id).order_by().annotate(
        s_kind=Value(_MEMBER, CharField()), s_role=F("role"), s_unit=F("unit_id"), s_path=F("unit__path"),
        s_budget_department=F("unit__budget_department_id"), s_group_leader=F("is_group_leader"),
        s_name=F("unit__name"),
    ).values_list(*_ROW)
    as_pk = Cast("object_pk", BigIntegerField())  # guardian keeps object pks as text
    codename = VIEW_SCOPE.split(".")[1]
    groups = get_user_model().groups.through.objects.filter(user=user_id).values("group_id")
    direct = UserObjectPermission.objects.filter(
        user=user_id, content_type=ct, permission__codename=codename).annotate(d=as_pk).values("d")
    via_group = GroupObjectPermission.objects.filter(
        group__in=groups, content_type=ct, permission__codename=codename).annotate(d=as_pk).values("d")
    acting = ActingGrant.objects.filter(acting_in_force(today), user=user_id).values("department_id")
    return members.union(_granted(_SHARED, direct), _granted(_SHARED, via_group), _granted(_ACTING, acting),
                         all=True)


# Every page loads the scope, and building and compiling the UNION cost more than its query. Its SQL is the
# same for every user and day, so it is compiled once per process (and database and content type) with
# stand-ins for the user and the day, whose places in the parameters are then filled in.
_STAND_IN_USER, _STAND_IN_DAY = -424242, date(1901, 2, 3)

_USER, _DAY = object(), object()
_COMPILED_SCOPE: dict[tuple[str, int], tuple[str, list] | None] = {}


def _scope_rows(user: AbstractBaseUser) -> list[tuple]:
    ct = ContentType.objects.get_for_model(Department)
    today, alias = timezone.localdate(), Membership.objects.db
    key = (alias, ct.pk)
    day = connections[alias].ops.adapt_datefield_value  # a date as the backend passes it (SQLite: a string)
    if key not in _COMPILED_SCOPE:
        sql, params = _scope_query(_STAND_IN_USER, ct, _STAND_IN_DAY).query.sql_with_params()
        stand_in_day = day(_STAND_IN_DAY)
        marks = [_USER if p == _STAND_IN_USER else _DAY if p == stand_in_day else p for p in params]
        # four user filters and the two ends of 代理's dates; anything else: compile per request
        _COMPILED_SCOPE[key] = (sql, marks) if (marks.count(_USER), marks.count(_DAY)) == (4, 2) else None
    compiled = _COMPILED_SCOPE[key]
    if compiled is None:
        return list(_scope_query(user.pk, ct, today))
    sql, marks = compiled
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [user.pk if m is _USER else day(today) if m is _DAY else m for m in marks])
        return [tuple(row) for row in cursor.fetchall()]


def user_scope(user: AbstractBaseUser | AnonymousUser) -> Scope:
    """The user's grants, cached on the user object for the rest of the request."""
    if not user.is_authenticated:
        return Scope(False, (), (), ())
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = _load_scope(user)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_scope(user: AbstractBaseUser) -> None:
    """Drop the cached grants (after memberships change within one request or test)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _prefix_q(paths: tuple[str, ...], field: str) -> Q:
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}path__startswith": p}) for p in paths))


def unit_filter(user: AbstractBaseUser, roles: frozenset[str] = ALL_ROLES, via: str = "") -> Q:
    """A Q selecting the objects whose unit lies in the user's scope for ``roles``.

    ``via`` is the lookup path from the filtered model to its Department, e.g.
    ``"unit__"`` for a model with a ``unit`` foreign key, ``""`` for Department.
    """
    scope = user_scope(user)
    if scope.is_superuser:
        return Q()
    paths = scope.view_paths() if roles == ALL_ROLES else scope.paths(roles)
    return _prefix_q(paths, via)


def visible_units(user: AbstractBaseUser) -> QuerySet[Department]:
    """Every unit the user may see: the subtrees of all its roles and grants."""
    return Department.objects.filter(unit_filter(user))


def departments_in_scope(user: AbstractBaseUser) -> QuerySet[Department]:
    """Budget departments the user works in or over (for a clerk: its own department)."""
    scope = user_scope(user)
    own = {g.budget_department_id for g in scope.grants if g.budget_department_id}
    return Department.objects.filter(
        Q(kind="department") & (unit_filter(user) | Q(pk__in=own))
    )


def contributed_departments(user: AbstractBaseUser) -> frozenset[int]:
    """Ids of the budget departments in which the user writes for some unit (a clerk of a 派出所
    contributes to its department's department-wide tables); answered from the loaded scope."""
    return frozenset(g.budget_department_id for g in user_scope(user).grants
                     if g.role in EDIT_ROLES and g.budget_department_id)


def can_view_unit(user: AbstractBaseUser, unit: Department) -> bool:
    scope = user_scope(user)
    return scope.is_superuser or any(unit.path.startswith(p) for p in scope.view_paths())


def can_edit_unit(user: AbstractBaseUser, unit: Department) -> bool:
    """Clerks of the unit (or above it) and the department's coordinators."""
    scope = user_scope(user)
    return scope.is_superuser or scope.reaches(unit, EDIT_ROLES)


def can_coordinate(user: AbstractBaseUser, department: Department) -> bool:
    """Assign sections to units and enter data on a unit's behalf (代录)."""
    scope = user_scope(user)
    return scope.is_superuser or scope.reaches(department, frozenset({Role.COORDINATOR}))


def can_review_leading(user: AbstractBaseUser, department: Department) -> bool:
    """First review: a leading-group member (or only the 组长), or an acting approver."""
    scope = user_scope(user)
    if any(department.path.startswith(p) for p in scope.acting_leader_paths):
        return True
    leaders = [g for g in scope.grants if g.role == Role.LEADER and department.path.startswith(g.path)]
    if department.leader_approval_by_group_leader_only:
        return any(g.is_group_leader for g in leaders)
    return bool(leaders)


def can_review_finance(user: AbstractBaseUser, department: Department) -> bool:
    """Second review: a finance reviewer assigned to this department."""
    return user_scope(user).reaches(department, frozenset({Role.FINANCE_REVIEWER}))


def can_administer(user: AbstractBaseUser) -> bool:
    """Cycles, templates, deadlines, reopening, district-wide exports."""
    scope = user_scope(user)
    return scope.is_superuser or any(g.role == Role.FINANCE_ADMIN for g in scope.grants)


OVERSEE_ROLES = frozenset({Role.COORDINATOR, Role.LEADER, Role.FINANCE_REVIEWER, Role.FINANCE_ADMIN})


def reaches_whole_department(user: AbstractBaseUser, roles: frozenset[str] = ALL_ROLES) -> bool:
    """Does a role of the user (or a 代理 or a share, for all roles) cover a whole budget department,
    not only a unit inside one? Answered from the loaded scope, without a query."""
    scope = user_scope(user)
    if scope.is_superuser or (roles == ALL_ROLES and (scope.acting_leader_paths or scope.shared_view_paths)):
        return True
    if Role.LEADER in roles and scope.acting_leader_paths:
        return True
    return any(g.role in roles and g.budget_department_id in (None, g.unit_id) for g in scope.grants)


def ancestor_paths(unit: Department) -> list[str]:
    """'/A/B/C/' → ['/A/', '/A/B/', '/A/B/C/']: every unit whose roles reach this one."""
    codes = [c for c in unit.path.split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def users_holding(unit: Department, roles: frozenset[str], group_leader_only: bool = False) -> QuerySet:
    """Users whose role (held at the unit or above it) reaches the unit; one query."""
    from django.contrib.auth import get_user_model

    memberships = Membership.objects.filter(unit__path__in=ancestor_paths(unit), role__in=roles)
    if group_leader_only:
        memberships = memberships.filter(is_group_leader=True)
    return get_user_model().objects.filter(pk__in=memberships.values("user_id"), is_active=True)


def acting_leaders(department: Department) -> QuerySet:
    """Users acting for this department's leading group today (a grant on it or above it)."""
    from django.contrib.auth import get_user_model

    grants = ActingGrant.objects.filter(acting_in_force(), department__path__in=ancestor_paths(department))
    return get_user_model().objects.filter(pk__in=grants.values("user_id"), is_active=True)


def leading_reviewers(department: Department) -> QuerySet:
    """Who must act on a submission waiting for the leading group."""
    leaders = users_holding(department, frozenset({Role.LEADER}), department.leader_approval_by_group_leader_only)
    return (leaders | acting_leaders(department)).distinct()


def finance_reviewers(department: Department) -> QuerySet:
    return users_holding(department, frozenset({Role.FINANCE_REVIEWER}))


def leading_review_filter(user: AbstractBaseUser, via: str) -> Q:
    """Departments (reached through ``via``) whose leading-group review this user may do."""
    scope = user_scope(user)
    q = Q(pk__in=[])
    for g in scope.grants:
        if g.role != Role.LEADER:
            continue
        reach = Q(**{f"{via}path__startswith": g.path})
        if not g.is_group_leader:
            reach &= Q(**{f"{via}leader_approval_by_group_leader_only": False})
        q |= reach
    return q | _prefix_q(scope.acting_leader_paths, via)


def finance_review_filter(user: AbstractBaseUser, via: str) -> Q:
    return _prefix_q(user_scope(user).paths(frozenset({Role.FINANCE_REVIEWER})), via)


# --- managing the organisation and its people (DESIGN §12) ---------------------------------------

COORDINATOR_GRANTS = frozenset({Role.CLERK, Role.COORDINATOR, Role.LEADER, Role.VIEWER})
_COORDINATOR = frozenset({Role.COORDINATOR})


def can_manage_people_at(user: AbstractBaseUser, unit: Department) -> bool:
    """Give or take roles at a unit: the finance admin anywhere, a coordinator in their own department."""
    return can_administer(user) or user_scope(user).reaches(unit, _COORDINATOR)


def can_change_unit(user: AbstractBaseUser, unit: Department) -> bool:
    """Rename, move or retire a unit; a coordinator may not change their department itself."""
    if can_administer(user):
        return True
    return unit.kind not in ("department", "finance_bureau") and user_scope(user).reaches(unit, _COORDINATOR)


def grantable_roles(user: AbstractBaseUser, unit: Department) -> frozenset[str]:
    """The roles this user may give at the unit (finance roles only by the finance admin)."""
    if can_administer(user):
        return ALL_ROLES
    return COORDINATOR_GRANTS if can_manage_people_at(user, unit) else frozenset()


def manageable_units(user: AbstractBaseUser) -> QuerySet[Department]:
    """The units whose people and sub-units this user manages."""
    if can_administer(user):
        return Department.objects.all()
    return Department.objects.filter(_prefix_q(user_scope(user).paths(_COORDINATOR), ""))


def can_manage_person(user: AbstractBaseUser, person: AbstractBaseUser) -> bool:
    """Deactivate, rename or reset the password of a person: the finance admin (never a superuser's
    account), or a coordinator when every role the person holds lies inside their department."""
    if person.is_superuser and not user_scope(user).is_superuser:
        return False
    if can_administer(user):
        return True
    paths = user_scope(user).paths(_COORDINATOR)
    held = list(Membership.objects.filter(user=person).values_list("unit__path", flat=True))
    return bool(paths and held) and all(any(p.startswith(c) for c in paths) for p in held)
