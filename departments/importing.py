"""Import an org chart (code, name, kind, parent code): all rows valid, or nothing written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Department, DepartmentKind, code_validator
from .services import department_save
from .tabular import TableRow

COLUMNS = {
    "code": ("编码", {"编码", "单位编码", "code"}),
    "name": ("名称", {"名称", "单位名称", "name"}),
    "kind": ("类型", {"类型", "单位类型", "kind"}),
    "parent": ("上级编码", {"上级编码", "上级单位编码", "parent", "parent_code", "parent code"}),
    "order": ("排序", {"排序", "顺序", "order"}),
}
REQUIRED = ("code", "name", "kind", "parent")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ORDER = re.compile(r"[0-9]{1,9}")
ROOT_KINDS = {DepartmentKind.FINANCE_BUREAU, DepartmentKind.DEPARTMENT}
_KIND_BY_TEXT = {**{k.value: k.value for k in DepartmentKind}, **{k.label: k.value for k in DepartmentKind}}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行「{self.column}」列：{self.message}"


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    moved: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"新增 {len(self.created)} 个，更新 {len(self.updated)} 个，未变 {len(self.unchanged)} 个单位。"
        if self.moved:
            text += f"\n其中 {len(self.moved)} 个单位改变了上级：\n" + "\n".join(f"  {m}" for m in self.moved)
        return text


@dataclass
class _Entry:
    row: int
    code: str
    name: str
    kind: str
    parent: str
    order: int


def _header_map(header: TableRow) -> tuple[dict[str, int], list[RowError]]:
    positions: dict[str, int] = {}
    for index, text in enumerate(header.cells):
        for key, (_, aliases) in COLUMNS.items():
            if text.strip().lower() in {a.lower() for a in aliases}:
                positions[key] = index
    errors = [
        RowError(header.number, COLUMNS[key][0], "表头缺少此列（应有：编码、名称、类型、上级编码）")
        for key in REQUIRED
        if key not in positions
    ]
    return positions, errors


def _parse_row(row: TableRow, positions: dict[str, int], errors: list[RowError]) -> _Entry | None:
    def cell(key: str) -> str:
        index = positions.get(key)
        return row.cells[index].strip() if index is not None and index < len(row.cells) else ""

    before = len(errors)
    code, name, kind_text, parent, order_text = (cell(k) for k in ("code", "name", "kind", "parent", "order"))
    if not code:
        errors.append(RowError(row.number, "编码", "不能为空"))
    else:
        try:
            code_validator(code)
        except ValidationError:
            errors.append(RowError(row.number, "编码", f"「{code[:40]}」含不允许的字符（只能用字母、数字、_ . -）"))
        if len(code) > 64:
            errors.append(RowError(row.number, "编码", "超过 64 个字符"))
    if not name:
        errors.append(RowError(row.number, "名称", "不能为空"))
    elif len(name) > 100:
        errors.append(RowError(row.number, "名称", f"超过 100 个字符（{len(name)} 个）"))
    elif _CONTROL.search(name):
        errors.append(RowError(row.number, "名称", "含不可见的控制字符（如换行、制表符），请删除后再导入"))
    kind = _KIND_BY_TEXT.get(kind_text)
    if kind is None:
        allowed = "、".join(k.label for k in DepartmentKind)
        errors.append(RowError(row.number, "类型", f"「{kind_text[:20]}」不是有效类型（可选：{allowed}）"))
    order = row.number  # without an 排序 column the file's order is kept
    if order_text:
        if _ORDER.fullmatch(order_text):
            order = int(order_text)
        else:
            errors.append(RowError(row.number, "排序", f"「{order_text[:20]}」不是非负整数（0 至 999999999）"))
    if len(errors) > before:
        return None
    return _Entry(row.number, code, name, kind, parent, order)


def _check_tree(entries: list[_Entry], errors: list[RowError]) -> list[_Entry]:
    """Check parents and cycles; return entries with parents before children."""
    by_code: dict[str, _Entry] = {}
    for entry in entries:
        if entry.code in by_code:
            first = by_code[entry.code].row
            errors.append(RowError(entry.row, "编码", f"「{entry.code[:40]}」与第 {first} 行重复"))
        else:
            by_code[entry.code] = entry
    known = set(Department.objects.filter(code__in={e.parent for e in entries if e.parent}).values_list("code", flat=True))
    for entry in by_code.values():
        if entry.parent == entry.code:
            errors.append(RowError(entry.row, "上级编码", "不能是本单位自己"))
        elif entry.parent and entry.parent not in by_code and entry.parent not in known:
            errors.append(RowError(entry.row, "上级编码", f"找不到编码为「{entry.parent[:40]}」的上级单位"))
        elif not entry.parent and entry.kind not in ROOT_KINDS:
            errors.append(RowError(entry.row, "上级编码", f"{DepartmentKind(entry.kind).label}必须填写上级单位"))
    return _parents_first(by_code, errors)


def _parents_first(by_code: dict[str, _Entry], errors: list[RowError]) -> list[_Entry]:
    ordered: list[_Entry] = []
    state: dict[str, str] = {}
    for entry in by_code.values():
        chain: list[_Entry] = []
        current: _Entry | None = entry
        while current and state.get(current.code) is None:
            state[current.code] = "visiting"
            chain.append(current)
            current = by_code.get(current.parent)
        if current and state.get(current.code) == "visiting":
            errors.append(RowError(current.row, "上级编码", "上下级关系形成循环"))
        for item in reversed(chain):
            state[item.code] = "done"
            ordered.append(item)
    return ordered


def parse_org_chart(rows: list[TableRow]) -> list[_Entry]:
    """Validate every row; raise ImportRejected with all errors found."""
    if not rows:
        raise ImportRejected([RowError(1, "编码", "文件没有任何数据")])
    positions, errors = _header_map(rows[0])
    if errors:
        raise ImportRejected(errors)
    entries = [e for row in rows[1:] if (e := _parse_row(row, positions, errors))]
    if not entries and not errors:
        errors.append(RowError(rows[0].number + 1, "编码", "表头下没有任何单位"))
    ordered = _check_tree(entries, errors)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    return ordered


@transaction.atomic
def departments_import(*, rows: list[TableRow]) -> ImportResult:
    """Create or update every unit of the chart; a second run of the same file changes nothing."""
    entries = parse_org_chart(rows)
    existing = {d.code: d for d in Department.objects.filter(code__in=[e.code for e in entries]).select_related("parent", "budget_department")}
    parents = {d.code: d for d in Department.objects.filter(code__in={e.parent for e in entries if e.parent})}
    result = ImportResult()
    for entry in entries:
        parent = parents.get(entry.parent) if entry.parent else None
        unit = existing.get(entry.code)
        target = (entry.name, entry.kind, parent.pk if parent else None, entry.order)
        if unit and (unit.name, unit.kind, unit.parent_id, unit.order) == target:
            result.unchanged.append(entry.code)
        else:
            unit = _apply(entry, unit, parent, result)
        parents[entry.code] = unit
    return result


def _apply(entry: _Entry, unit: Department | None, parent: Department | None, result: ImportResult) -> Department:
    """Create or update one unit; a change of parent is reported, naming the departments it left and joined."""
    unit = unit or Department(code=entry.code)
    (result.updated if unit.pk else result.created).append(entry.code)
    before = (unit.parent, unit.budget_department) if unit.pk else None
    unit.name, unit.kind, unit.parent, unit.order = entry.name, entry.kind, parent, entry.order
    try:
        department_save(department=unit)
    except ValidationError as exc:
        raise ImportRejected([RowError(entry.row, "上级编码", "；".join(exc.messages))]) from exc
    if before and before[0] != parent:
        result.moved.append(_move_text(entry, before[0], before[1], unit))
    return unit


def _move_text(entry: _Entry, old_parent: Department | None, old_dept: Department | None, unit: Department) -> str:
    text = f"第 {entry.row} 行 {unit.code}（{unit.name}）：上级 {old_parent.code if old_parent else '无'} → {entry.parent or '无'}"
    if old_dept and unit.budget_department_id != old_dept.pk:
        new_dept = unit.budget_department.name if unit.budget_department else "无"
        text += f"，所属部门由「{old_dept.name}」改为「{new_dept}」（其填报、角色和待办随之改变，请核对）"
    return text
