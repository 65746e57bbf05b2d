"""Every write of the reports app: templates, cycles, assignment and section saves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from departments import permissions as perms
from departments.models import Department, DepartmentKind, Role
from reports.models import EvaluationCycle, OutlineNode, Report, ReportTemplate, Section, SectionRevision
from workflow.services import submission_content_save

from . import checks
from .kinds import KINDS
from .outline_default import DEFAULT_OUTLINE, Slot

DEFAULT_TEMPLATE_CODE = "department-self"


def _install_slots(template: ReportTemplate, slots: tuple[Slot, ...], parent: OutlineNode | None) -> None:
    for order, slot in enumerate(slots, start=1):
        node = OutlineNode.objects.create(
            template=template, parent=parent, order=order, key=slot.key, title=slot.title, kind=slot.kind,
            guidance=slot.guidance, default_unit_kind=slot.unit[0], default_unit_name=slot.unit[1],
        )
        _install_slots(template, slot.children, node)


@transaction.atomic
def template_install_default() -> ReportTemplate:
    """The seed's outline as version 1 of the default template (idempotent)."""
    existing = ReportTemplate.objects.filter(code=DEFAULT_TEMPLATE_CODE, version=1).first()
    if existing:
        return existing
    template = ReportTemplate.objects.create(code=DEFAULT_TEMPLATE_CODE, version=1, name="部门整体支出绩效评价报告")
    _install_slots(template, DEFAULT_OUTLINE, None)
    return template


@transaction.atomic
def template_copy(*, template: ReportTemplate) -> ReportTemplate:
    """A new, editable version of a template with the same outline."""
    latest = ReportTemplate.objects.filter(code=template.code).aggregate(v=Max("version"))["v"] or 0
    copy = ReportTemplate.objects.create(
        code=template.code, version=latest + 1, name=template.name, title_format=template.title_format,
        numbering=template.numbering, scoring=template.scoring, based_on=template,
    )
    mapping: dict[int, OutlineNode] = {}
    remaining = sorted(template.nodes.all(), key=lambda n: (n.parent_id is not None, n.id))
    while remaining:
        node = next(n for n in remaining if n.parent_id is None or n.parent_id in mapping)
        remaining.remove(node)
        old_id = node.pk
        node.pk = None
        node.template = copy
        node.parent = mapping.get(node.parent_id) if node.parent_id else None
        node.save()
        mapping[old_id] = node
    return copy


def _default_unit(node: OutlineNode, department: Department, units: list[Department]) -> Department:
    for unit in units:
        if node.default_unit_name and unit.name == node.default_unit_name:
            return unit
    if node.default_unit_kind and node.default_unit_kind != DepartmentKind.DEPARTMENT:
        matching = [u for u in units if u.kind == node.default_unit_kind]
        if len(matching) == 1:
            return matching[0]
    return department


@transaction.atomic
def cycle_launch(
    *, year: int, name: str, template: ReportTemplate, departments: list[Department],
    opens_on: date, due_on: date, actor: AbstractBaseUser,
) -> EvaluationCycle:
    """Create the cycle and, for every department, its report with one section per slot."""
    if not perms.can_administer(actor):
        raise PermissionDenied("只有财政局管理员可以发起评价周期。")
    if due_on < opens_on:
        raise ValidationError({"due_on": "截止日期不能早于开始日期。"})
    if not departments:
        raise ValidationError({"departments": "请至少选择一个部门。"})
    cycle = EvaluationCycle.objects.create(
        year=year, name=name, template=template, opens_on=opens_on, due_on=due_on, launched_by=actor
    )
    cycle.departments.set(departments)
    template.is_frozen = True
    template.save(update_fields=["is_frozen"])
    slots = [n for n in template.nodes.all() if n.kind]
    units_by_dept: dict[int, list[Department]] = {}
    for unit in Department.objects.filter(budget_department__in=departments).exclude(kind=DepartmentKind.DEPARTMENT):
        units_by_dept.setdefault(unit.budget_department_id, []).append(unit)
    reports = Report.objects.bulk_create([Report(cycle=cycle, department=d) for d in departments])
    sections = []
    for report, department in zip(reports, departments, strict=True):
        for node in slots:
            data = KINDS[node.kind].empty_data()
            errors, warnings = checks.counts(checks.section_findings(node.kind, data, _launch_context(template)))
            sections.append(Section(
                report=report, node=node, kind=node.kind, data=data, error_count=errors, warning_count=warnings,
                unit=_default_unit(node, department, units_by_dept.get(department.pk, [])),
            ))
    Section.objects.bulk_create(sections, batch_size=1000)
    return cycle


def _launch_context(template: ReportTemplate) -> checks.CheckContext:
    return checks.CheckContext(scoring=template.scoring_weights())


@transaction.atomic
def section_assign(*, section: Section, unit: Department, actor: AbstractBaseUser) -> Section:
    """The department coordinator hands a section to one of the department's units."""
    department = section.report.department
    if not perms.can_coordinate(actor, department):
        raise PermissionDenied("只有部门绩效联络员可以分配章节。")
    if unit.pk != department.pk and unit.budget_department_id != department.pk:
        raise ValidationError({"unit": f"「{unit.name}」不属于{department.name}。"})
    Section.objects.filter(pk=section.pk).update(unit=unit)
    section.unit = unit
    return section


@dataclass(frozen=True)
class SaveResult:
    section: Section
    revision: SectionRevision
    findings: list[checks.Finding]


def _is_on_behalf(actor: AbstractBaseUser, section: Section) -> bool:
    scope = perms.user_scope(actor)
    return not any(g.role == Role.CLERK and section.unit.path.startswith(g.path) for g in scope.grants)


@transaction.atomic
def section_save(*, section: Section, data: dict[str, Any], base_version: int, actor: AbstractBaseUser) -> SaveResult:
    """Save new content as the next revision, only over the revision the form was loaded from."""
    if not perms.can_edit_unit(actor, section.unit):
        raise PermissionDenied("您不能编辑该单位的章节。")
    ctx = checks.context_for_draft(section, data)
    findings = checks.section_findings(section.kind, data, ctx)
    errors, warnings = checks.counts(findings)
    revision = submission_content_save(
        item=section, changes={"data": data, "error_count": errors, "warning_count": warnings},
        base_version=base_version, actor=actor, on_behalf=_is_on_behalf(actor, section),
    )
    return SaveResult(section, revision, findings)
