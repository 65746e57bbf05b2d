"""Every write of the template library. A version a cycle used is frozen: an edit of it goes to the
next version (copied once, then edited in place until a cycle uses it); every change is audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.crypto import get_random_string

from departments import permissions as perms
from departments.models import Department, DepartmentKind
from departments.services import audit_record
from reports.annual.kinds.indicators import LEVEL1
from reports.annual.scoring import BUDGET_KEY, GRADES_KEY
from reports.annual.services import (
    DEFAULT_TEMPLATE_CODE,
    outline_install,
    template_copy,
    template_install_default,
)
from reports.models import DepartmentTemplate, OutlineNode, ReportTemplate, SectionKind

from .outline_generic import GENERIC_CODE, GENERIC_NAME, GENERIC_OUTLINE, GENERIC_SCORING
from .selectors import newer_draft

NODE_FIELDS = ("title", "kind", "guidance", "default_unit_kind", "default_unit_name")
GRADES = ("优", "良", "中", "差")
TOTAL = Decimal(100)


@transaction.atomic
def template_install_generic() -> ReportTemplate:
    """The generic outline as version 1 of its family (idempotent)."""
    existing = ReportTemplate.objects.filter(code=GENERIC_CODE, version=1).first()
    if existing:
        return existing
    template = ReportTemplate.objects.create(code=GENERIC_CODE, version=1, name=GENERIC_NAME,
                                             scoring=GENERIC_SCORING)
    outline_install(template, GENERIC_OUTLINE, None)
    return template


@transaction.atomic
def library_install(*, actor: AbstractBaseUser) -> list[ReportTemplate]:
    """Ship the built-in templates (the seed's police outline, the generic one) into an empty library."""
    _check_admin(actor)
    missing = [code for code in (DEFAULT_TEMPLATE_CODE, GENERIC_CODE) if not ReportTemplate.objects.filter(code=code).exists()]
    installed = [template_install_default(), template_install_generic()]
    for template in installed:
        if template.code in missing:
            _audit(actor, template, "template.install", f"安装内置模板「{template.name}」")
    return installed


def _check_admin(actor: AbstractBaseUser) -> None:
    if not perms.can_administer(actor):
        raise PermissionDenied("只有财政局管理员可以修改报告模板。")


def editable_version(template: ReportTemplate, actor: AbstractBaseUser) -> ReportTemplate:
    """The version an edit goes to: this one while unused, else the next (created on first edit)."""
    _check_admin(actor)
    # the row lock makes two admins' first edits of a frozen version share one new version (PostgreSQL;
    # SQLite's IMMEDIATE transactions serialise writers anyway)
    current = ReportTemplate.objects.select_for_update().get(pk=template.pk)
    if not current.is_frozen:
        return template
    return newer_draft(template) or template_copy(template=template, actor=actor)


def _node(template: ReportTemplate, key: str) -> OutlineNode:
    node = template.nodes.filter(key=key).first()
    if node is None:
        raise ValidationError({"key": f"模板中没有标识为「{key}」的标题。"})
    return node


def _renumber(template: ReportTemplate, parent_id: int | None) -> None:
    siblings = list(template.nodes.filter(parent_id=parent_id).order_by("order", "id"))
    for order, sibling in enumerate(siblings, start=1):
        if sibling.order != order:
            OutlineNode.objects.filter(pk=sibling.pk).update(order=order)


def _audit(actor: AbstractBaseUser, template: ReportTemplate, action: str, summary: str,
           changes: dict[str, Any] | None = None) -> None:
    audit_record(actor=actor, action=action, target=template, summary=f"第 {template.version} 版：{summary}",
                 changes=changes)


def _clean_node(values: dict[str, Any]) -> dict[str, Any]:
    values = {k: (values.get(k) or "").strip() for k in NODE_FIELDS}
    if not values["title"]:
        raise ValidationError({"title": "标题：不能为空"})
    if values["kind"] and values["kind"] not in SectionKind.values:
        raise ValidationError({"kind": f"填报类型：「{values['kind']}」无效"})
    if values["default_unit_kind"] and values["default_unit_kind"] not in DepartmentKind.values:
        raise ValidationError({"default_unit_kind": "默认填报单位类型无效"})
    return values


def _parent(template: ReportTemplate, parent_key: str) -> OutlineNode | None:
    return _node(template, parent_key) if parent_key else None


@transaction.atomic
def node_add(*, template: ReportTemplate, parent_key: str = "", actor: AbstractBaseUser,
             **values: Any) -> tuple[ReportTemplate, OutlineNode]:
    """Add a heading (or a section slot, with a kind) at the end of its parent's children."""
    version = editable_version(template, actor)
    cleaned = _clean_node(values)
    parent = _parent(version, parent_key)
    order = version.nodes.filter(parent=parent).count() + 1
    node = OutlineNode.objects.create(template=version, parent=parent, order=order,
                                      key=f"n-{get_random_string(8, 'abcdefghijkmnpqrstuvwxyz23456789')}", **cleaned)
    _audit(actor, version, "template.node_add", f"新增标题「{node.title}」", {"key": node.key})
    return version, node


@transaction.atomic
def node_update(*, template: ReportTemplate, key: str, parent_key: str | None = None, actor: AbstractBaseUser,
                **values: Any) -> tuple[ReportTemplate, OutlineNode]:
    """Rename a heading, change its section kind, guidance or default unit, or move it under another."""
    version = editable_version(template, actor)
    node = _node(version, key)
    cleaned = _clean_node(values)
    before = {f: getattr(node, f) for f in NODE_FIELDS}
    old_parent = node.parent_id
    if parent_key is not None:
        _move_under(version, node, _parent(version, parent_key))
    for field, value in cleaned.items():
        setattr(node, field, value)
    node.save()
    _renumber(version, old_parent)
    changed = {f: [before[f], cleaned[f]] for f in NODE_FIELDS if before[f] != cleaned[f]}
    _audit(actor, version, "template.node_change", f"修改标题「{node.title}」", {"key": key, **changed})
    return version, node


def _move_under(template: ReportTemplate, node: OutlineNode, parent: OutlineNode | None) -> None:
    if (parent.pk if parent else None) == node.parent_id:
        return
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == node.pk:
            raise ValidationError({"parent_key": "上级标题不能是本标题或其下级标题。"})
        ancestor = ancestor.parent
    node.parent = parent
    node.order = template.nodes.filter(parent=parent).count() + 1


@transaction.atomic
def node_move(*, template: ReportTemplate, key: str, step: int, actor: AbstractBaseUser
              ) -> tuple[ReportTemplate, OutlineNode]:
    """Move a heading up (step -1) or down (+1) among its siblings."""
    version = editable_version(template, actor)
    node = _node(version, key)
    siblings = list(version.nodes.filter(parent_id=node.parent_id).order_by("order", "id"))
    index = next(i for i, s in enumerate(siblings) if s.pk == node.pk)
    target = index + step
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        for order, sibling in enumerate(siblings, start=1):
            OutlineNode.objects.filter(pk=sibling.pk).update(order=order)
        _audit(actor, version, "template.node_move", f"{'上移' if step < 0 else '下移'}标题「{node.title}」")
    return version, node


@transaction.atomic
def node_remove(*, template: ReportTemplate, key: str, actor: AbstractBaseUser) -> ReportTemplate:
    """Remove a heading with everything under it (from an unused version only: reports keep theirs)."""
    version = editable_version(template, actor)
    node = _node(version, key)
    count = _subtree_size(node)
    parent_id, title = node.parent_id, node.title
    node.delete()
    _renumber(version, parent_id)
    _audit(actor, version, "template.node_remove", f"删除标题「{title}」（含下级共 {count} 个）", {"key": key})
    return version


def _subtree_size(node: OutlineNode) -> int:
    return 1 + sum(_subtree_size(child) for child in node.children.all())


def _decimal(text: Any, label: str) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({label: f"{label}：「{text}」不是数字"}) from None
    if value < 0 or value > TOTAL:
        raise ValidationError({label: f"{label}：须在 0 到 100 之间"})
    return value


def scoring_from(weights: dict[str, Any], grades: dict[str, Any]) -> dict[str, Any]:
    """Checked weights (预算执行率 and the first-level groups, summing to 100) and grade bands."""
    parsed = {key: _decimal(weights.get(key, "0"), key) for key in (BUDGET_KEY, *LEVEL1)}
    total = sum(parsed.values(), Decimal(0))
    if total != TOTAL:
        raise ValidationError({BUDGET_KEY: f"各项权重合计须为 100 分，现为 {total.normalize():f} 分"})
    bands = {label: _decimal(grades.get(label, "0"), label) for label in GRADES}
    lows = [bands[label] for label in GRADES]
    if lows[-1] != 0 or any(a <= b for a, b in zip(lows, lows[1:], strict=False)):
        raise ValidationError({"优": "等级下限须从“优”到“差”依次降低，“差”的下限为 0"})
    as_number = {k: int(v) if v == v.to_integral() else float(v) for k, v in parsed.items()}
    return as_number | {GRADES_KEY: {k: int(v) if v == v.to_integral() else float(v) for k, v in bands.items()}}


@transaction.atomic
def scoring_update(*, template: ReportTemplate, weights: dict[str, Any], grades: dict[str, Any],
                   actor: AbstractBaseUser) -> ReportTemplate:
    version = editable_version(template, actor)
    scoring = scoring_from(weights, grades)
    before = version.scoring_weights()
    version.scoring = scoring
    version.save(update_fields=["scoring"])
    _audit(actor, version, "template.scoring", "修改评分权重和等级", {"before": before, "after": scoring})
    return version


@transaction.atomic
def template_rename(*, template: ReportTemplate, name: str, actor: AbstractBaseUser) -> ReportTemplate:
    version = editable_version(template, actor)
    if not name.strip():
        raise ValidationError({"name": "名称：不能为空"})
    before, version.name = version.name, name.strip()[:100]
    version.save(update_fields=["name"])
    _audit(actor, version, "template.rename", f"名称由「{before}」改为「{version.name}」")
    return version


@transaction.atomic
def department_template_set(*, department: Department, code: str, actor: AbstractBaseUser) -> DepartmentTemplate:
    """Which template family a department writes on from its next cycle; audited on the department."""
    _check_admin(actor)
    template = ReportTemplate.objects.filter(code=code).order_by("-version").first()
    if template is None:
        raise ValidationError({"template": f"没有编码为「{code}」的模板。"})
    if department.kind != DepartmentKind.DEPARTMENT:
        raise ValidationError({"department": f"「{department.name}」不是预算部门。"})
    choice, _ = DepartmentTemplate.objects.update_or_create(department=department,
                                                            defaults={"template_code": code, "chosen_by": actor})
    audit_record(actor=actor, action="template.assign", target=department, department=department,
                 summary=f"报告模板设为「{template.name}」", changes={"template_code": code})
    return choice
