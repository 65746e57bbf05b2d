"""Reads of target tables, always through the user's scope; the one rule of "the approved edition"."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from departments import permissions as perms
from departments.models import Department
from reports.models import AnnualTarget, TargetRevision, TargetTable
from workflow.guards import content_editable, editable_q
from workflow.states import State


def approved_table(department: Department | int, year: int) -> TargetTable | None:
    """The edition in force: the latest approved one (an approved 调整 supersedes its base)."""
    return (TargetTable.objects.filter(department=department, year=year, state=State.APPROVED)
            .select_related("department").order_by("-edition").first())


def approved_tables(department_ids: list[int], year: int) -> dict[int, TargetTable]:
    """``approved_table`` for many departments in one query, by department id."""
    tables = TargetTable.objects.filter(department_id__in=department_ids, year=year, state=State.APPROVED)
    latest: dict[int, TargetTable] = {}
    for table in tables.order_by("department_id", "-edition"):
        latest.setdefault(table.department_id, table)
    return latest


def tables_visible(user: AbstractBaseUser) -> QuerySet[TargetTable]:
    """The tables of the departments in the user's scope, and of the departments whose units the user
    writes for (a 派出所's clerk contributes its rows to the department's table, so it reads it)."""
    scoped = perms.unit_filter(user, via="department__")
    contributed = perms.contributed_departments(user)
    if scoped and contributed:  # an empty Q (a superuser: everything) must stay empty
        scoped |= Q(department_id__in=contributed)
    return (TargetTable.objects.filter(scoped).select_related("department", "last_edited_by")
            .order_by("-year", "department__order", "-edition"))


def table_for_view(user: AbstractBaseUser, pk: int) -> TargetTable:
    return get_object_or_404(tables_visible(user), pk=pk)


def table_for_edit(user: AbstractBaseUser, pk: int) -> TargetTable:
    """The whole table (goal, tasks, every unit's rows) is the coordinator's to write."""
    scoped = TargetTable.objects.filter(perms.unit_filter(user, perms.EDIT_ROLES, via="department__"))
    table = get_object_or_404(scoped.select_related("department"), pk=pk)
    if not perms.can_coordinate(user, table.department):
        raise Http404
    return table


def writable_units(user: AbstractBaseUser, department: Department) -> list[Department]:
    """The units of ``department`` whose indicator rows the user may write (its clerks' units and
    those below them; every unit for the coordinator)."""
    return [u for u in department_units(department) if perms.can_edit_unit(user, u)]


def table_for_rows(user: AbstractBaseUser, pk: int) -> tuple[TargetTable, list[Department]]:
    """A visible table and the user's units in it; 404 for anyone who writes for none of them."""
    table = table_for_view(user, pk)
    units = writable_units(user, table.department)
    if not units:
        raise Http404
    return table, units


def may_edit_table(user: AbstractBaseUser, table: TargetTable) -> bool:
    return content_editable(table) and perms.can_coordinate(user, table.department)


def may_contribute(user: AbstractBaseUser, table: TargetTable) -> bool:
    """May the user add or change its own units' rows now (a unit's writer, not the coordinator, who
    edits the whole table)? Answered from the loaded scope, without a query."""
    return (content_editable(table) and table.department_id in perms.contributed_departments(user)
            and not perms.can_coordinate(user, table.department))


def tables_to_contribute(user: AbstractBaseUser) -> list[TargetTable]:
    """The tables (草稿, 已退回) to which the user may contribute its units' rows now, for 我的填报."""
    contributed = perms.contributed_departments(user)
    if not contributed:
        return []
    tables = (TargetTable.objects.filter(editable_q(), department_id__in=contributed)
              .select_related("department").order_by("-year", "department__order", "-edition")[:20])
    return [t for t in tables if may_contribute(user, t)]


def editions(table: TargetTable) -> list[TargetTable]:
    """Every edition of the table's department and year, newest first, ``in_force`` marked."""
    rows = list(TargetTable.objects.filter(department=table.department_id, year=table.year)
                .select_related("created_by").order_by("-edition"))
    current = next((t for t in rows if t.state == State.APPROVED), None)
    for row in rows:
        row.in_force = current is not None and row.pk == current.pk
        row.superseded = row.state == State.APPROVED and not row.in_force
    return rows


def table_targets(table: TargetTable) -> list[AnnualTarget]:
    return list(table.targets.select_related("unit").order_by("order", "id"))


def table_revisions(table: TargetTable) -> list[TargetRevision]:
    return list(table.revisions.select_related("author").order_by("-number"))


def may_adjust(user: AbstractBaseUser, table: TargetTable, in_force: bool, open_edition: bool) -> bool:
    """The coordinator may start a 调整 of the edition in force while no newer edition is open."""
    return in_force and not open_edition and perms.can_coordinate(user, table.department)


def open_edition(rows: list[TargetTable]) -> bool:
    """Is an edition still being written or reviewed (so no second 调整 may start)?"""
    return any(t.state != State.APPROVED for t in rows)


def department_units(department: Department) -> list[Department]:
    return [department, *Department.objects.filter(budget_department=department).exclude(pk=department.pk)
            .order_by("order", "code")]


ACTUAL_FIELDS = ("actual", "manual_score", "reason", "note")  # typed in the report, once
TARGET_FIELDS = ("level1", "level2", "name", "nature", "target", "unit", "weight")  # from the table


def _target_row(target: AnnualTarget) -> dict[str, str]:
    return {"level1": target.level1, "level2": target.level2, "name": target.name, "nature": target.nature,
            "target": target.target, "unit": target.measure_unit, "weight": f"{target.weight.normalize():f}"}


def indicators_from_table(table: TargetTable | None, data: dict[str, Any]) -> dict[str, Any]:
    """The report's indicator rows as the approved table states them, with the actual values typed in
    the report (matched by name), and the edition they score against. Without an approved table the
    typed rows stay and ``target_table`` is None: the check says so instead of inventing targets."""
    if table is None:
        return data | {"target_table": None}
    typed = {row.get("name"): row for row in data.get("rows", [])}
    priors = data.get("prior_actuals") or {}
    rows = [_target_row(t) | {k: typed.get(t.name, {}).get(k, "") for k in ACTUAL_FIELDS}
            | ({"prior": priors[t.name]} if t.name in priors else {}) for t in table_targets(table)]
    return data | {"rows": rows, "target_table": {"id": table.pk, "edition": table.edition}}
