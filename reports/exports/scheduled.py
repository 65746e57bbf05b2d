"""Exports requested by Celery beat rather than by a user."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from departments.models import Department, DepartmentKind
from reports.models import ExportJob, ExportKind, QuarterlyReport


def previous_quarter(day: date) -> tuple[int, int]:
    """The quarter that ended before ``day``: 2022-01-01 → (2021, 4)."""
    quarter = (day.month - 1) // 3 + 1
    return (day.year - 1, 4) if quarter == 1 else (day.year, quarter - 1)


@transaction.atomic
def quarter_summary_request_for(day: date) -> ExportJob | None:
    """Queue the district summary of the quarter before ``day`` once (idempotent per quarter)."""
    year, quarter = previous_quarter(day)
    departments = list(Department.objects.filter(
        kind=DepartmentKind.DEPARTMENT,
        pk__in=QuarterlyReport.objects.filter(year=year, quarter=quarter).values("department_id"),
    ).order_by("order", "code"))
    if not departments:
        return None
    params = {"year": year, "quarter": quarter, "include_unapproved": False,
              "department_ids": [d.pk for d in departments], "scheduled": True,
              "requested_by": "系统（每季度初定时生成）"}
    existing = ExportJob.objects.filter(kind=ExportKind.QUARTER_SUMMARY, params__year=year,
                                        params__quarter=quarter, params__scheduled=True).first()
    if existing:
        return existing
    job = ExportJob.objects.create(kind=ExportKind.QUARTER_SUMMARY, params=params)
    job.departments.set(departments)
    from .services import export_job_queue

    export_job_queue(job.pk)
    return job
