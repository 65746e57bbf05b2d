"""Reads of the template library: families and versions, outlines with numbers, which template a
department writes on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from departments.models import Department, DepartmentKind, DepartmentSector
from reports.annual.outline import OutlineEntry, build_outline, flatten
from reports.annual.services import DEFAULT_TEMPLATE_CODE
from reports.models import DepartmentTemplate, ReportTemplate

from .outline_generic import GENERIC_CODE

# The default template family by department sector (DESIGN §12); anything else writes on the generic one.
SECTOR_TEMPLATES = {DepartmentSector.PUBLIC_SECURITY: DEFAULT_TEMPLATE_CODE}


def latest_templates() -> QuerySet[ReportTemplate]:
    """The newest version of every template family, with how many versions and reports it has."""
    newest = ReportTemplate.objects.filter(code=OuterRef("code")).order_by("-version").values("version")[:1]
    return (ReportTemplate.objects.filter(version=Subquery(newest))
            .annotate(report_count=Count("reports", distinct=True)).order_by("code"))


def builtins_missing() -> bool:
    """Whether the built-in templates still have to be installed (a fresh district)."""
    return ReportTemplate.objects.filter(code__in=[DEFAULT_TEMPLATE_CODE, GENERIC_CODE]).values("code").distinct().count() < 2


def template_versions(template: ReportTemplate) -> QuerySet[ReportTemplate]:
    return (ReportTemplate.objects.filter(code=template.code)
            .annotate(report_count=Count("reports", distinct=True)).order_by("-version"))


def template_detail(pk: int) -> ReportTemplate:
    return get_object_or_404(ReportTemplate, pk=pk)


def template_outline(template: ReportTemplate) -> list[OutlineEntry]:
    """Every node in reading order with its generated number and depth."""
    return flatten(build_outline(list(template.nodes.all()), template.numbering_formats()))


def newer_draft(template: ReportTemplate) -> ReportTemplate | None:
    """The unfrozen version after this one, where edits of a frozen version go."""
    return (ReportTemplate.objects.filter(code=template.code, version__gt=template.version, is_frozen=False)
            .order_by("-version").first())


def default_code(department: Department, chosen: dict[int, str]) -> str:
    return chosen.get(department.pk) or SECTOR_TEMPLATES.get(department.sector, GENERIC_CODE)


def templates_for(departments: Iterable[Department]) -> dict[int, ReportTemplate | None]:
    """Each department's template (its chosen family, else its sector's), newest version; two queries."""
    departments = list(departments)
    chosen = dict(DepartmentTemplate.objects.filter(department__in=departments)
                  .values_list("department_id", "template_code"))
    codes = {default_code(d, chosen) for d in departments}
    versions = dict(ReportTemplate.objects.filter(code__in=codes).values("code").annotate(v=Max("version"))
                    .values_list("code", "v"))
    latest = {t.code: t for t in ReportTemplate.objects.filter(code__in=codes)
              if versions.get(t.code) == t.version}
    return {d.pk: latest.get(default_code(d, chosen)) for d in departments}


@dataclass(frozen=True)
class Assignment:
    department: Department
    template: ReportTemplate | None
    chosen: bool  # chosen by the finance admin, not the sector's default


def assignments() -> list[Assignment]:
    """Every active budget department with the template it writes on."""
    departments = list(Department.objects.filter(kind=DepartmentKind.DEPARTMENT, retired_at__isnull=True)
                       .order_by("parent__order", "order", "code"))
    chosen = set(DepartmentTemplate.objects.values_list("department_id", flat=True))
    found = templates_for(departments)
    return [Assignment(d, found[d.pk], d.pk in chosen) for d in departments]
