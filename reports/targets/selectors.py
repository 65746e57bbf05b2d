"""Reads of target tables, always through the user's scope; the one rule of "the approved edition"."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from departments import permissions as perms
from departments.models import Department
from reports.models import AnnualTarget, TargetRevision, TargetTable
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
    return (TargetTable.objects.filter(perms.unit_filter(user, via="department__"))
            .select_related("department", "last_edited_by").order_by("-year", "department__order", "-edition"))


def table_for_view(user: AbstractBaseUser, pk: int) -> TargetTable:
    return get_object_or_404(tables_visible(user), pk=pk)


def table_for_edit(user: AbstractBaseUser, pk: int) -> TargetTable:
    scoped = TargetTable.objects.filter(perms.unit_filter(user, perms.EDIT_ROLES, via="department__"))
    return get_object_or_404(scoped.select_related("department"), pk=pk)


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
