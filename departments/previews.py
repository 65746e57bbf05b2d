"""Uploads of the org chart and the people file: a dry run shows what would change, the confirmation
applies exactly the rows that were previewed, all or nothing (the quarterly sheet's pattern)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from .importing import ImportResult, departments_import
from .models import Department, ImportKind, ImportPreview
from .people import PeopleResult, people_import
from .permissions import can_administer
from .services import unit_audit
from .tabular import TableRow

T = TypeVar("T")


class _RolledBack(Exception):
    def __init__(self, result: object) -> None:
        super().__init__("dry run")
        self.result = result


def dry_run(apply: Callable[[], T]) -> T:
    """Run an import in a transaction that is always rolled back: its result says what it would do."""
    try:
        with transaction.atomic():
            raise _RolledBack(apply())
    except _RolledBack as done:
        return done.result  # type: ignore[return-value]


def org_chart_apply(*, rows: list[TableRow], actor: AbstractBaseUser) -> ImportResult:
    """The finance admin's org chart import; every unit created or changed is audited."""
    if not can_administer(actor):
        raise PermissionDenied("只有财政局管理员可以导入组织机构表。")
    with transaction.atomic():
        result = departments_import(rows=rows)
        touched = {d.code: d for d in Department.objects.filter(code__in=[*result.created, *result.updated])}
        for code in result.created:
            unit_audit(actor, "unit.create", touched[code], f"组织机构表导入：新建「{touched[code].name}」（{code}）")
        for code in result.updated:
            unit_audit(actor, "unit.change", touched[code], f"组织机构表导入：更新「{touched[code].name}」（{code}）")
    return result


def people_apply(*, rows: list[TableRow], actor: AbstractBaseUser) -> PeopleResult:
    return people_import(rows=rows, actor=actor)


APPLY: dict[str, Callable[..., ImportResult | PeopleResult]] = {
    ImportKind.ORG_CHART: org_chart_apply, ImportKind.PEOPLE: people_apply,
}


@transaction.atomic
def preview_store(*, user: AbstractBaseUser, kind: str, filename: str, rows: list[TableRow]) -> ImportPreview:
    """Keep the uploaded rows until confirmed (one pending preview per user and kind)."""
    ImportPreview.objects.filter(user=user, kind=kind).delete()
    return ImportPreview.objects.create(user=user, kind=kind, filename=filename[:200],
                                        rows=[[r.number, list(r.cells)] for r in rows])


def preview_rows(preview: ImportPreview) -> list[TableRow]:
    return [TableRow(number, tuple(cells)) for number, cells in preview.rows]


@transaction.atomic
def preview_apply(*, preview: ImportPreview, actor: AbstractBaseUser) -> ImportResult | PeopleResult:
    """Apply the previewed rows (validated again: the tree may have changed since) and drop the preview."""
    if preview.user_id != actor.pk:
        raise PermissionDenied("该预览不属于您。")
    result = APPLY[preview.kind](rows=preview_rows(preview), actor=actor)
    preview.delete()
    return result
