"""Every write of target tables: create, save (as a revision), adjust (a new edition with a reason).

Review goes through the workflow's generic services (``workflow.services``); an approved edition is
frozen (its content is not editable and ``workflow_frozen_reason`` refuses a reopen)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from departments import permissions as perms
from departments.models import Department
from departments.services import audit_record
from reports import figures as fig
from reports.models import AnnualTarget, TargetRevision, TargetTable
from workflow.guards import content_editable
from workflow.services import ContentConflict, ContentLocked, submission_content_save
from workflow.states import State

from .merge import rows_merge, table_merge
from .selectors import approved_table, department_units, writable_units

EMPTY_TABLE: dict[str, Any] = {"goal": "", "tasks": [], "indicators": []}  # edition 1 as created


def _require_coordinator(actor: AbstractBaseUser, department: Department) -> None:
    if not perms.can_coordinate(actor, department):
        raise PermissionDenied("只有本部门的绩效联络员可以填报整体绩效目标表。")


@transaction.atomic
def target_table_create(*, department: Department, year: int, actor: AbstractBaseUser) -> TargetTable:
    """Edition 1 of a department's targets for a year (empty draft)."""
    _require_coordinator(actor, department)
    if TargetTable.objects.filter(department=department, year=year).exists():
        raise ValidationError(f"{department.name}已有 {year} 年度的整体绩效目标表；年度中修改请发起调整。")
    try:
        with transaction.atomic():
            table = TargetTable.objects.create(department=department, year=year, edition=1, created_by=actor,
                                               data=copy.deepcopy(EMPTY_TABLE))
    except IntegrityError as exc:  # a concurrent create won
        raise ValidationError(f"{department.name}已有 {year} 年度的整体绩效目标表。") from exc
    audit_record(actor=actor, action="target_table_create", target=table, department=department,
                 summary=f"新建 {table}")
    return table


def _rows_rewrite(table: TargetTable) -> None:
    """The indicators of ``table.data`` as AnnualTarget rows (the draft's rows are replaced)."""
    units = {u.code: u for u in department_units(table.department)}
    table.targets.all().delete()
    AnnualTarget.objects.bulk_create([
        AnnualTarget(table=table, department=table.department, year=table.year, order=order,
                     level1=row["level1"], level2=row["level2"], name=row["name"], nature=row["nature"],
                     target=row["target"], measure_unit=row.get("measure_unit", ""),
                     weight=fig.parse_decimal(str(row.get("weight") or "0")) or Decimal(0),
                     standard=row.get("standard", ""), unit=units.get(row.get("unit"), table.department))
        for order, row in enumerate(table.data.get("indicators", []), start=1)
    ])


def _data_at(table: TargetTable, version: int) -> dict[str, Any] | None:
    """The content ``table`` had at ``version`` (what a form loaded then showed); None if unknown."""
    if version == table.version:
        return table.data
    if version == 0:  # a new edition starts as its base's content, before any revision
        return table.based_on.data if table.based_on_id else EMPTY_TABLE
    revision = table.revisions.filter(number=version).first()
    return revision.data if revision else None


class TableConflict(ContentConflict):
    """Others changed, since the form was loaded, parts the saver changed too: ``parts`` names them
    ("" the header, a unit's code, "name:…" a 三级指标 now declared twice)."""

    def __init__(self, latest: TargetRevision | None, parts: list[str]):
        super().__init__(latest)
        self.parts = parts


def _merged_save(table: TargetTable, base_version: int, content: Callable[[dict[str, Any]], dict[str, Any]],
                 actor: AbstractBaseUser) -> TargetRevision:
    """Save ``content(base)`` (the saver's content, built on what its form showed) as the next revision,
    merged with whatever others saved since ``base_version`` (``merge.table_merge``): the row lock
    orders concurrent saves, a part both changed is a ContentConflict (``parts`` names them)."""
    current = TargetTable.objects.select_for_update().get(pk=table.pk)
    if not content_editable(current):
        raise ContentLocked(current.get_state_display())
    base = _data_at(current, base_version)
    if base is None:
        raise ContentConflict(current.workflow_latest_revision())
    data, clashes = (content(base), []) if base_version == current.version else \
        table_merge(base, content(base), current.data)
    if clashes:
        raise TableConflict(current.workflow_latest_revision(), clashes)
    revision = submission_content_save(item=current, changes={"data": data}, base_version=current.version,
                                       actor=actor)
    _rows_rewrite(current)
    table.refresh_from_db()
    return revision


@transaction.atomic
def target_table_save(*, table: TargetTable, data: dict[str, Any], base_version: int,
                      actor: AbstractBaseUser) -> TargetRevision:
    """Save the whole table as the next revision over the one the form was loaded from (draft or
    returned only); what units saved meanwhile in parts the coordinator left alone is kept."""
    _require_coordinator(actor, table.department)
    return _merged_save(table, base_version, lambda base: data, actor)


def _rows_refuse(rows: list[dict[str, Any]], codes: set[str], mine: dict[str, Any]) -> None:
    for i, row in enumerate(rows, start=1):
        if row.get("unit") not in codes:
            raise PermissionDenied(f"第 {i} 项指标「{row.get('name', '')}」的责任单位不是您的单位："
                                   "您只能填报本单位负责的指标。")
    names = [row.get("name") for row in mine.get("indicators", [])]
    taken = sorted({row.get("name") for row in rows if names.count(row.get("name")) > 1})
    if taken:
        raise ValidationError(f"三级指标「{'、'.join(taken)}」已在目标表中（其他单位填报），请勿重复填报。")


@transaction.atomic
def target_rows_save(*, table: TargetTable, rows: list[dict[str, Any]], base_version: int,
                     actor: AbstractBaseUser) -> TargetRevision:
    """A unit's contribution: its indicator rows replace the rows of the actor's units in the table its
    form showed, merged with what others saved since (their rows are kept; a conflict only when they
    changed this unit's rows too); saved as the next revision."""
    units = writable_units(actor, table.department)
    if not units:
        raise PermissionDenied("您不在本部门的填报单位中，不能填报目标表。")
    codes = {u.code for u in units}

    def content(base: dict[str, Any]) -> dict[str, Any]:
        mine = base | {"indicators": rows_merge(base.get("indicators", []), codes, rows)}
        _rows_refuse(rows, codes, mine)
        return mine

    return _merged_save(table, base_version, content, actor)


@transaction.atomic
def target_table_adjust(*, table: TargetTable, reason: str, actor: AbstractBaseUser) -> TargetTable:
    """调整: a new draft edition copied from the edition in force, with the reason; reviewed again."""
    _require_coordinator(actor, table.department)
    reason = reason.strip()
    if not reason:
        raise ValidationError("调整须写明理由。")
    current = approved_table(table.department_id, table.year)
    if current is None or current.pk != table.pk:
        raise ValidationError("只能调整现行（最新审定）的目标表版本。")
    locked = list(TargetTable.objects.select_for_update().filter(department=table.department, year=table.year))
    if any(t.state != State.APPROVED for t in locked):
        raise ValidationError("已有一个调整版本在填报或审核中，请先完成它。")
    try:
        with transaction.atomic():  # two concurrent 调整: the edition's unique constraint lets one win
            adjusted = TargetTable.objects.create(
                department=table.department, year=table.year, edition=max(t.edition for t in locked) + 1,
                based_on=table, reason=reason, data=table.data, created_by=actor)
    except IntegrityError as exc:
        raise ValidationError("已有一个调整版本在填报或审核中，请先完成它。") from exc
    _rows_rewrite(adjusted)
    audit_record(actor=actor, action="target_table_adjust", target=adjusted, department=table.department,
                 summary=f"调整 {table} → {adjusted.edition_label}", reason=reason)
    return adjusted
