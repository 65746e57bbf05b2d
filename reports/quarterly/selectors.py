"""Reads of quarterly monitoring, always through the user's scope."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from departments import permissions as perms
from reports import findings as found
from reports.findings import Finding
from reports.models import AnnualTarget, QuarterlyReport

from .figures import compute, findings


def quarterly_queryset() -> QuerySet[QuarterlyReport]:
    return QuarterlyReport.objects.select_related("department", "unit", "last_edited_by", "submitted_by")


def _visible_quarterly_q(user: AbstractBaseUser) -> Q:
    return perms.unit_filter(user, via="unit__") | perms.unit_filter(user, via="department__")


def quarterlies_visible(user: AbstractBaseUser) -> QuerySet[QuarterlyReport]:
    return quarterly_queryset().filter(_visible_quarterly_q(user)).order_by(
        "-year", "-quarter", "department__order", "department__code", "-is_main", "unit__order")


def quarterly_for_view(user: AbstractBaseUser, pk: int) -> QuarterlyReport:
    return get_object_or_404(quarterly_queryset().filter(_visible_quarterly_q(user)), pk=pk)


def quarterly_for_edit(user: AbstractBaseUser, pk: int) -> QuarterlyReport:
    return get_object_or_404(quarterly_queryset().filter(perms.unit_filter(user, perms.EDIT_ROLES, via="unit__")), pk=pk)


def targets_of(report: QuarterlyReport) -> list[AnnualTarget]:
    return list(AnnualTarget.objects.filter(department=report.department, year=report.year, unit=report.unit))


def previous_of(report: QuarterlyReport) -> QuarterlyReport | None:
    """The same unit's report of the quarter before (for 上季度 figures and the decrease check)."""
    if report.quarter == 1:
        return None
    return QuarterlyReport.objects.filter(department=report.department, unit=report.unit, year=report.year,
                                          quarter=report.quarter - 1).first()


def evaluate(report: QuarterlyReport, data: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[Finding]]:
    data = report.data if data is None else data
    previous = previous_of(report)
    computed = compute(report, data, targets_of(report), previous.data if previous else None)
    return computed, findings(report, data, computed)


def blocking_messages(report: QuarterlyReport) -> list[str]:
    return found.blocking_messages(evaluate(report)[1], explain="须填写原因")
