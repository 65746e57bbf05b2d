"""Reads of templates, cycles, reports and sections, always through the user's scope."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from departments import permissions as perms
from departments.models import Department
from reports.models import EvaluationCycle, OutlineNode, Report, Section, SectionRevision


def section_queryset() -> QuerySet[Section]:
    return Section.objects.select_related(
        "report__cycle", "report__department", "unit", "node", "last_edited_by"
    )


def sections_for_editing(user: AbstractBaseUser) -> QuerySet[Section]:
    """我的填报: sections of the units the user writes for (a coordinator: the whole department)."""
    return section_queryset().filter(perms.unit_filter(user, perms.EDIT_ROLES, via="unit__")).order_by(
        "-report__cycle__year", "report__department__order", "report_id", "node__order", "node_id"
    )


def _visible_section_q(user: AbstractBaseUser) -> Q:
    # The unit's own subtree, or the whole report for people who see the department.
    return perms.unit_filter(user, via="unit__") | perms.unit_filter(user, via="report__department__")


def section_for_view(user: AbstractBaseUser, pk: int) -> Section:
    return get_object_or_404(section_queryset().filter(_visible_section_q(user)), pk=pk)


def section_for_edit(user: AbstractBaseUser, pk: int) -> Section:
    return get_object_or_404(section_queryset().filter(perms.unit_filter(user, perms.EDIT_ROLES, via="unit__")), pk=pk)


def section_revisions(section: Section) -> list[SectionRevision]:
    return list(section.revisions.select_related("author").order_by("-number"))


def reports_visible(user: AbstractBaseUser) -> QuerySet[Report]:
    return (
        Report.objects.filter(perms.unit_filter(user, via="department__"))
        .select_related("cycle", "department")
        .annotate(section_total=Count("sections"))
        .order_by("-cycle__year", "department__order", "department__code")
    )


def report_for_view(user: AbstractBaseUser, pk: int) -> Report:
    return get_object_or_404(reports_visible(user).select_related("cycle__template"), pk=pk)


def report_sections(report: Report) -> list[Section]:
    return list(report.sections.select_related("unit", "node", "last_edited_by"))


def report_nodes(report: Report) -> list[OutlineNode]:
    return list(report.cycle.template.nodes.all())


def department_units(department: Department) -> list[Department]:
    """The units a section of this department may be assigned to (the department itself first)."""
    return [department, *Department.objects.filter(budget_department=department).exclude(pk=department.pk)
            .order_by("order", "code")]


def cycles_visible(user: AbstractBaseUser) -> QuerySet[EvaluationCycle]:
    return EvaluationCycle.objects.filter(
        reports__in=Report.objects.filter(perms.unit_filter(user, via="department__"))
    ).distinct().select_related("template").order_by("-year", "-id")


def all_cycles() -> QuerySet[EvaluationCycle]:
    return EvaluationCycle.objects.select_related("template").order_by("-year", "-id")
