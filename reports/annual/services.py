"""Every write of the annual report: templates, cycles, deadlines, assignment, section saves, attachments."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from departments import permissions as perms
from departments.models import Department, DepartmentKind, Role
from departments.services import audit_record
from reports.models import (
    DeadlineExtension,
    EvaluationCycle,
    OutlineNode,
    Report,
    ReportTemplate,
    Section,
    SectionAttachment,
    SectionRevision,
)
from workflow.guards import content_editable, editable_q
from workflow.services import ContentLocked, submission_content_save

from . import carry, checks, selectors
from .kinds import KINDS
from .outline_default import DEFAULT_OUTLINE, Slot
from .prior import prior_rows_by_department, prior_section_data

DEFAULT_TEMPLATE_CODE = "department-self"


def outline_install(template: ReportTemplate, slots: tuple[Slot, ...], parent: OutlineNode | None) -> None:
    for order, slot in enumerate(slots, start=1):
        node = OutlineNode.objects.create(
            template=template, parent=parent, order=order, key=slot.key, title=slot.title, kind=slot.kind,
            guidance=slot.guidance, default_unit_kind=slot.unit[0], default_unit_name=slot.unit[1],
        )
        outline_install(template, slot.children, node)


@transaction.atomic
def template_install_default() -> ReportTemplate:
    """The seed's outline as version 1 of the default template (idempotent)."""
    existing = ReportTemplate.objects.filter(code=DEFAULT_TEMPLATE_CODE, version=1).first()
    if existing:
        return existing
    template = ReportTemplate.objects.create(code=DEFAULT_TEMPLATE_CODE, version=1,
                                             name="部门整体支出绩效评价报告（公安机关）")
    outline_install(template, DEFAULT_OUTLINE, None)
    return template


@transaction.atomic
def template_copy(*, template: ReportTemplate, actor: AbstractBaseUser | None) -> ReportTemplate:
    """A new, editable version of a template with the same outline (audited on the new version)."""
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
    audit_record(actor=actor, action="template.copy", target=copy,
                 summary=f"由「{template}」复制为第 {copy.version} 版", changes={"based_on": template.pk})
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


def _templates_of(departments: list[Department], template: ReportTemplate | None,
                  templates: dict[int, ReportTemplate] | None) -> dict[int, ReportTemplate]:
    chosen = {d.pk: (templates or {}).get(d.pk) or template for d in departments}
    missing = [d.name for d in departments if chosen[d.pk] is None]
    if missing:
        raise ValidationError({"template": f"请为{'、'.join(missing)}选择报告模板。"})
    return chosen  # type: ignore[return-value]


def _units_by_department(departments: list[Department]) -> dict[int, list[Department]]:
    units: dict[int, list[Department]] = {}
    active = Department.objects.filter(budget_department__in=departments, retired_at__isnull=True)
    for unit in active.exclude(kind=DepartmentKind.DEPARTMENT).order_by("path"):
        units.setdefault(unit.budget_department_id, []).append(unit)
    return units


@transaction.atomic
def cycle_launch(
    *, year: int, name: str, departments: list[Department], opens_on: date, due_on: date, actor: AbstractBaseUser,
    template: ReportTemplate | None = None, templates: dict[int, ReportTemplate] | None = None,
) -> EvaluationCycle:
    """Create the cycle and, for every department, its report on its template (``templates`` by
    department id, else ``template``) with one section per slot; the versions used are frozen."""
    if not perms.can_administer(actor):
        raise PermissionDenied("只有财政局管理员可以发起评价周期。")
    if due_on < opens_on:
        raise ValidationError({"due_on": "截止日期不能早于开始日期。"})
    if not departments:
        raise ValidationError({"departments": "请至少选择一个部门。"})
    chosen = _templates_of(departments, template, templates)
    main = template or Counter(chosen.values()).most_common(1)[0][0]
    cycle = EvaluationCycle.objects.create(
        year=year, name=name, template=main, opens_on=opens_on, due_on=due_on, launched_by=actor
    )
    cycle.departments.set(departments)
    reports = _reports_create(cycle, departments, chosen)
    audit_record(actor=actor, action="cycle.launch", target=cycle, summary=f"发起「{name}」，{len(reports)} 个部门",
                 changes={"templates": {d.code: str(chosen[d.pk]) for d in departments}})
    return cycle


def _reports_create(cycle: EvaluationCycle, departments: list[Department],
                    chosen: dict[int, ReportTemplate]) -> list[Report]:
    """One report per department on its template, one section per slot; the versions used are frozen."""
    ReportTemplate.objects.filter(pk__in={t.pk for t in chosen.values()}).update(is_frozen=True)
    slots: dict[int, list[OutlineNode]] = {}
    for used in chosen.values():
        used.is_frozen = True
        slots.setdefault(used.pk, [n for n in used.nodes.all() if n.kind])
    reports = Report.objects.bulk_create([Report(cycle=cycle, department=d, template=chosen[d.pk]) for d in departments])
    units = _units_by_department(departments)
    prior = prior_rows_by_department([d.pk for d in departments], cycle.year - 1)
    carried = carry.prior_sections([d.pk for d in departments], cycle.year - 1)
    sections = []
    for report in reports:
        sections += _launch_sections(report, report.department, slots[report.template_id],
                                     units.get(report.department_id, []), prior.get(report.department_id, []),
                                     carried)
    Section.objects.bulk_create(sections, batch_size=1000)
    return reports


@transaction.atomic
def cycle_extend(*, cycle: EvaluationCycle, departments: list[Department], templates: dict[int, ReportTemplate],
                 actor: AbstractBaseUser) -> list[Report]:
    """Add departments to a running cycle (one onboarded after the launch), each on its template."""
    if not perms.can_administer(actor):
        raise PermissionDenied("只有财政局管理员可以调整参评部门。")
    already = set(cycle.departments.filter(pk__in=[d.pk for d in departments]).values_list("name", flat=True))
    if already:
        raise ValidationError({"departments": f"{'、'.join(sorted(already))}已参加「{cycle.name}」。"})
    chosen = _templates_of(departments, None, templates)
    cycle.departments.add(*departments)
    reports = _reports_create(cycle, departments, chosen)
    audit_record(actor=actor, action="cycle.extend", target=cycle, summary=f"「{cycle.name}」新增 {len(reports)} 个部门",
                 changes={"templates": {d.code: str(chosen[d.pk]) for d in departments}})
    return reports


def _launch_sections(report: Report, department: Department, slots: list[OutlineNode], units: list[Department],
                     prior: list[dict[str, Any]], carried: dict[tuple[int, str], dict[str, Any]]) -> list[Section]:
    """One section per slot; a generated slot (last year's 整改事项) only where there are items to list;
    the 上年 values of last year's approved section of the slot carried over (DESIGN §11)."""
    sections = []
    ctx = checks.CheckContext(scoring=report.template.scoring_weights(), prior_loader=lambda: prior)
    for node in slots:
        spec = KINDS[node.kind]
        if spec.generated and not prior:
            continue
        data = prior_section_data(prior) if spec.generated else spec.empty_data()
        if (last_year := carried.get((department.pk, node.key))) is not None:
            data = carry.carry_into(node.kind, data, last_year, report.cycle.year - 1)
        errors, warnings = checks.counts(checks.section_findings(node.kind, data, ctx))
        sections.append(Section(report=report, node=node, kind=node.kind, data=data, error_count=errors,
                                warning_count=warnings, unit=_default_unit(node, department, units)))
    return sections


def default_unit(node: OutlineNode, department: Department) -> Department:
    """The unit a slot of this department goes to (as at launch), for a section added later."""
    units = list(Department.objects.filter(budget_department=department).exclude(kind=DepartmentKind.DEPARTMENT))
    return _default_unit(node, department, units)


@transaction.atomic
def section_assign(*, section: Section, unit: Department, actor: AbstractBaseUser, reason: str = "") -> Section:
    """The department coordinator hands a section to one of the department's units, while the section
    is with its writers (never under review or approved); the change is audited on the section."""
    department = section.report.department
    if not perms.can_coordinate(actor, department):
        raise PermissionDenied("只有部门绩效联络员可以分配章节。")
    if unit.pk != department.pk and unit.budget_department_id != department.pk:
        raise ValidationError({"unit": f"「{unit.name}」不属于{department.name}。"})
    if unit.is_retired:
        raise ValidationError({"unit": f"「{unit.name}」已撤销，不能再分配章节。"})
    previous = Section.objects.select_related("unit").get(pk=section.pk).unit
    # compare-and-swap on the state: a submit that lands first wins, and the reassignment is refused
    if not Section.objects.filter(editable_q(), pk=section.pk).update(unit=unit):
        section.refresh_from_db()
        raise ValidationError({"unit": f"「{section.node.title}」{section.get_state_display()}，不能重新分配；"
                                       "审核中或已审定的章节须退回后才能改由其他单位填报。"})
    audit_record(actor=actor, action="section.assign", target=section, department=department, reason=reason,
                 summary=f"填报单位由{previous.name}改为{unit.name}", changes={"unit": [previous.name, unit.name]})
    section.unit = unit
    return section


@transaction.atomic
def extension_grant(*, cycle: EvaluationCycle, department: Department, due_on: date, reason: str,
                    actor: AbstractBaseUser) -> DeadlineExtension:
    """A later deadline for one department; every grant is kept and the latest is in force."""
    if not perms.can_administer(actor):
        raise PermissionDenied("只有财政局管理员可以准予延期。")
    if not cycle.departments.filter(pk=department.pk).exists():
        raise ValidationError({"department": f"{department.name}不参加「{cycle.name}」。"})
    if due_on <= cycle.due_on:
        raise ValidationError({"due_on": f"延期至：须晚于周期截止日期 {cycle.due_on:%Y-%m-%d}。"})
    if not reason.strip():
        raise ValidationError({"reason": "理由：请写明延期的理由。"})
    extension = DeadlineExtension.objects.create(cycle=cycle, department=department, due_on=due_on,
                                                 reason=reason.strip(), granted_by=actor)
    audit_record(actor=actor, action="extension.grant", target=cycle, department=department, reason=extension.reason,
                 summary=f"准予{department.name}延期至 {due_on:%Y-%m-%d}", changes={"due_on": due_on.isoformat()})
    return extension


@transaction.atomic
def attachment_add(*, section: Section, upload: UploadedFile, actor: AbstractBaseUser) -> SectionAttachment:
    """Attach a file to a section while it is with its writers; audited on the section."""
    if not perms.can_edit_unit(actor, section.unit):
        raise PermissionDenied("您不能编辑该单位的章节。")
    # the row lock makes a concurrent submit wait for this transaction (SQLite: IMMEDIATE serialises writers)
    current = Section.objects.select_for_update().get(pk=section.pk)
    if not content_editable(current):
        raise ContentLocked(current.get_state_display())
    attachment = SectionAttachment.objects.create(section=section, file=upload, name=upload.name[:200],
                                                  size=upload.size, uploaded_by=actor)
    audit_record(actor=actor, action="attachment.add", target=section, department=section.report.department,
                 summary=f"上传附件「{attachment.name}」", changes={"attachment": attachment.pk, "size": attachment.size})
    return attachment


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
    data = selectors.section_content(section, data)
    ctx = checks.context_for_draft(section, data)
    findings = checks.section_findings(section.kind, data, ctx)
    errors, warnings = checks.counts(findings)
    revision = submission_content_save(
        item=section, changes={"data": data, "error_count": errors, "warning_count": warnings},
        base_version=base_version, actor=actor, on_behalf=_is_on_behalf(actor, section),
    )
    return SaveResult(section, revision, findings)


@dataclass(frozen=True)
class CarryResult:
    brought: dict[str, int]  # section title → values brought in
    locked: list[str]  # sections under review or approved: left alone until they are editable again


@transaction.atomic
def report_carry_over(*, report: Report, actor: AbstractBaseUser) -> CarryResult:
    """从上年报告带入: bring year N−1's approved 上年 values into ``report`` again (DESIGN §11), for a
    previous report approved after this one was launched; a value a user changed is never overwritten."""
    if not perms.can_coordinate(actor, report.department):
        raise PermissionDenied("只有本部门的联络员可以从上年报告带入数据。")
    brought: dict[str, int] = {}
    locked: list[str] = []
    for offer in carry.offers(report):
        title = offer.section.node.title
        if not content_editable(offer.section):
            locked.append(title)
            continue
        section_save(section=offer.section, data=offer.data, base_version=offer.section.version, actor=actor)
        brought[title] = len(offer.changed)
    if brought or locked:
        audit_record(actor=actor, action="report.carry_over", target=report, department=report.department,
                     summary=f"从{report.cycle.year - 1}年度已审定报告带入上年数据：{sum(brought.values())} 项，"
                             f"{len(brought)} 个章节" + (f"；{len(locked)} 个章节审核中未带入" if locked else ""),
                     changes={"brought": brought, "locked": locked})
    return CarryResult(brought, locked)
