"""Every write of quarterly monitoring: saving a report, upload previews, opening a quarter."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from departments import permissions as perms
from departments.models import Department
from reports.findings import counts
from reports.models import AnnualTarget, QuarterlyReport, QuarterlyRevision, TargetTable, UploadPreview
from reports.targets.selectors import approved_tables
from workflow.services import submission_content_save
from workflow.states import EDITABLE_STATES, State

from .figures import normalize
from .selectors import evaluate
from .upload import ParsedSheet


@transaction.atomic
def quarterly_save(*, report: QuarterlyReport, data: dict[str, Any], base_version: int, actor: AbstractBaseUser,
                   source: str = "form") -> QuarterlyRevision:
    """Save as the next revision, only over the revision the form (or upload preview) was made from."""
    if not perms.can_edit_unit(actor, report.unit):
        raise PermissionDenied("您不能填写该单位的季度监控。")
    data = normalize(report, data)
    errors, warnings = counts(evaluate(report, data)[1])
    return submission_content_save(
        item=report, changes={"data": data, "error_count": errors, "warning_count": warnings},
        base_version=base_version, actor=actor, source=source,
    )


@transaction.atomic
def upload_preview_store(*, report: QuarterlyReport, actor: AbstractBaseUser, parsed: ParsedSheet,
                         filename: str) -> UploadPreview:
    """Keep a parsed upload until the user confirms it (one pending preview per user and report)."""
    if not perms.can_edit_unit(actor, report.unit):
        raise PermissionDenied("您不能填写该单位的季度监控。")
    UploadPreview.objects.filter(report=report, user=actor).delete()
    return UploadPreview.objects.create(
        report=report, user=actor, base_version=report.version, data=parsed.data, filename=filename[:200],
        changes=[c.__dict__ for c in parsed.changes],
    )


@transaction.atomic
def upload_preview_apply(*, report: QuarterlyReport, preview: UploadPreview, actor: AbstractBaseUser
                         ) -> QuarterlyRevision:
    """Apply a previewed upload as one revision over the version it was previewed against, or nothing."""
    if preview.report_id != report.pk or preview.user_id != actor.pk:
        raise PermissionDenied("该预览不属于您或不属于该季度监控。")
    revision = quarterly_save(report=report, data=preview.data, base_version=preview.base_version,
                              actor=actor, source="upload")
    preview.delete()
    return revision


@transaction.atomic
def quarter_open(*, year: int, quarter: int, departments: list[Department], due_on: date,
                 actor: AbstractBaseUser | None, checkpoints: list[int] | None = None) -> list[QuarterlyReport]:
    """Create the quarter's reports: each department's main report and one per responsible unit (idempotent)."""
    if actor is not None and not perms.can_administer(actor):
        raise PermissionDenied("只有财政局管理员可以开启季度监控。")
    created = []
    tables = approved_tables([d.pk for d in departments], year)
    for department in departments:
        table = tables.get(department.pk)
        units = {department.pk: department}
        for t in AnnualTarget.objects.filter(table=table).select_related("unit") if table else []:
            units.setdefault(t.unit_id, t.unit)
        for unit in units.values():
            report, is_new = QuarterlyReport.objects.get_or_create(
                department=department, unit=unit, year=year, quarter=quarter,
                defaults={"is_main": unit.pk == department.pk, "due_on": due_on, "checkpoints": checkpoints or [],
                          "state": State.DRAFT, "target_table": table},
            )
            if is_new:
                created.append(report)
        _attach_late_targets(department, year, quarter, table)
    return created


def _attach_late_targets(department: Department, year: int, quarter: int, table: TargetTable | None) -> None:
    """Reports opened before the targets were approved take them when the quarter is opened again
    (only while still with their writers: a report under review keeps what it was submitted with)."""
    if table is not None:
        QuarterlyReport.objects.filter(department=department, year=year, quarter=quarter, target_table=None,
                                       state__in=list(EDITABLE_STATES)).update(target_table=table)
