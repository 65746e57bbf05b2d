"""Import people and their roles (账号, 姓名, 单位编码, 角色, 组长): all rows valid, or nothing written.

One row is one role of one person at one unit; a person with two roles has two rows with the same
账号 and 姓名. A second run of the same file changes nothing; new accounts get a random first
password (reported once) that must be changed at the first login.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .accounts import initial_password, person_create, username_errors
from .importing import ImportRejected, RowError
from .models import Department, Membership, Role
from .permissions import can_manage_people_at, can_manage_person, grantable_roles
from .services import membership_grant, membership_refusal
from .tabular import TableRow

COLUMNS = {
    "username": ("账号", {"账号", "用户名", "登录名", "username"}),
    "name": ("姓名", {"姓名", "name"}),
    "unit": ("单位编码", {"单位编码", "编码", "unit", "unit_code"}),
    "role": ("角色", {"角色", "role"}),
    "leader": ("组长", {"组长", "是否组长", "group_leader"}),
}
REQUIRED = ("username", "name", "unit", "role")
ROLE_ALIASES = {"联络员": Role.COORDINATOR, "绩效联络员": Role.COORDINATOR, "领导小组组长": Role.LEADER,
                "审核员": Role.FINANCE_REVIEWER, "查阅人": Role.VIEWER}
_ROLE_BY_TEXT = {**{r.value: r.value for r in Role}, **{r.label: r.value for r in Role}, **ROLE_ALIASES}
_YES, _NO = {"是", "Y", "y", "yes", "1", "√", "true"}, {"否", "", "N", "n", "no", "0", "false"}


@dataclass(frozen=True)
class PersonRow:
    row: int
    username: str
    name: str
    unit: str
    role: str
    is_group_leader: bool


@dataclass
class PeopleResult:
    created: list[str] = field(default_factory=list)  # accounts
    passwords: dict[str, str] = field(default_factory=dict)  # new account → first password
    granted: list[str] = field(default_factory=list)  # "账号 · 单位 · 角色"
    unchanged: int = 0

    def summary(self) -> str:
        return (f"新建 {len(self.created)} 个账号，新授予或变更 {len(self.granted)} 项角色，"
                f"{self.unchanged} 项角色未变。")


def _header_map(header: TableRow) -> tuple[dict[str, int], list[RowError]]:
    positions: dict[str, int] = {}
    for index, text in enumerate(header.cells):
        for key, (_, aliases) in COLUMNS.items():
            if text.strip().lower() in {a.lower() for a in aliases}:
                positions.setdefault(key, index)
    errors = [RowError(header.number, COLUMNS[key][0], "表头缺少此列（应有：账号、姓名、单位编码、角色、组长）")
              for key in REQUIRED if key not in positions]
    return positions, errors


def _cells(row: TableRow, positions: dict[str, int]) -> dict[str, str]:
    return {key: row.cells[i].strip() if (i := positions.get(key)) is not None and i < len(row.cells) else ""
            for key in COLUMNS}


def _parse_row(row: TableRow, positions: dict[str, int], errors: list[RowError]) -> PersonRow | None:
    cell = _cells(row, positions)
    before = len(errors)
    errors.extend(RowError(row.number, "账号", p) for p in username_errors(cell["username"]))
    if not cell["name"]:
        errors.append(RowError(row.number, "姓名", "不能为空"))
    elif len(cell["name"]) > 150:
        errors.append(RowError(row.number, "姓名", "超过 150 个字符"))
    if not cell["unit"]:
        errors.append(RowError(row.number, "单位编码", "不能为空"))
    role = _ROLE_BY_TEXT.get(cell["role"])
    if role is None:
        allowed = "、".join(r.label for r in Role)
        errors.append(RowError(row.number, "角色", f"「{cell['role']}」不是有效角色（可选：{allowed}）"))
    leader_text = cell["leader"]
    if leader_text not in _YES | _NO:
        errors.append(RowError(row.number, "组长", f"「{leader_text}」应填“是”或“否”"))
    elif leader_text in _YES and role not in (None, Role.LEADER):
        errors.append(RowError(row.number, "组长", f"只有领导小组成员可以是组长，本行角色为“{Role(role).label}”"))
    if len(errors) > before:
        return None
    return PersonRow(row.number, cell["username"], cell["name"], cell["unit"], role, leader_text in _YES)


def _check_duplicates(entries: list[PersonRow], errors: list[RowError]) -> list[PersonRow]:
    """One person may have several rows (one per role), always with the same 姓名; a row repeating
    an account's role at the same unit is a duplicate."""
    names: dict[str, PersonRow] = {}
    seen: dict[tuple[str, str, str], int] = {}
    kept = []
    for entry in entries:
        first = names.setdefault(entry.username, entry)
        if first.name != entry.name:
            errors.append(RowError(entry.row, "账号", f"「{entry.username}」重复：第 {first.row} 行的姓名是「{first.name}」"))
            continue
        key = (entry.username, entry.unit, entry.role)
        if key in seen:
            errors.append(RowError(entry.row, "账号", f"「{entry.username}」重复：第 {seen[key]} 行已给同一单位同一角色"))
            continue
        seen[key] = entry.row
        kept.append(entry)
    return kept


def _check_units(entries: list[PersonRow], actor: AbstractBaseUser | None, errors: list[RowError]
                 ) -> dict[str, Department]:
    units = {d.code: d for d in Department.objects.filter(code__in={e.unit for e in entries})}
    for entry in entries:
        unit = units.get(entry.unit)
        if unit is None:
            errors.append(RowError(entry.row, "单位编码", f"找不到编码为「{entry.unit}」的单位"))
        elif unit.is_retired:
            errors.append(RowError(entry.row, "单位编码", f"「{unit.name}」已撤销"))
        elif actor is not None and not can_manage_people_at(actor, unit):
            errors.append(RowError(entry.row, "单位编码", f"「{unit.name}」不在您负责的范围内"))
        elif actor is not None and entry.role not in grantable_roles(actor, unit):
            errors.append(RowError(entry.row, "角色", f"您不能授予“{Role(entry.role).label}”角色"))
    return units


def _check_accounts(entries: list[PersonRow], actor: AbstractBaseUser | None, errors: list[RowError]) -> None:
    """Existing accounts must be the importer's to manage; nobody grants themselves a reviewing role."""
    existing = {u.username: u for u in get_user_model().objects.filter(username__in={e.username for e in entries})}
    refused: set[str] = set()
    for entry in entries:
        user = existing.get(entry.username)
        if user is None:
            continue
        if not user.is_active:
            errors.append(RowError(entry.row, "账号", f"「{entry.username}」已停用，请先重新启用"))
        if actor is not None and entry.username not in refused and user.memberships.exists() \
                and not can_manage_person(actor, user):
            refused.add(entry.username)
            errors.append(RowError(entry.row, "账号", f"「{entry.username}」已存在且属于其他部门，不能在此导入"))
        if refusal := membership_refusal(actor=actor, user=user, role=entry.role, is_group_leader=entry.is_group_leader):
            errors.append(RowError(entry.row, "角色", refusal))


def parse_people(rows: list[TableRow], actor: AbstractBaseUser | None) -> tuple[list[PersonRow], dict[str, Department]]:
    """Validate every row; raise ImportRejected with all errors found, by row and column."""
    if not rows:
        raise ImportRejected([RowError(1, "账号", "文件没有任何数据")])
    positions, errors = _header_map(rows[0])
    if errors:
        raise ImportRejected(errors)
    entries = [e for row in rows[1:] if (e := _parse_row(row, positions, errors))]
    if not entries and not errors:
        errors.append(RowError(rows[0].number + 1, "账号", "表头下没有任何人员"))
    entries = _check_duplicates(entries, errors)
    units = _check_units(entries, actor, errors)
    _check_accounts(entries, actor, errors)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.row, list(COLUMNS).index(_key_of(e.column)))))
    return entries, units


def _key_of(column: str) -> str:
    return next(key for key, (label, _) in COLUMNS.items() if label == column)


def _grant(entry: PersonRow, user: AbstractBaseUser, unit: Department, actor: AbstractBaseUser | None,
           result: PeopleResult) -> None:
    current = Membership.objects.filter(user=user, unit=unit, role=entry.role).first()
    if current is not None and current.is_group_leader == entry.is_group_leader:
        result.unchanged += 1
        return
    membership_grant(user=user, unit=unit, role=entry.role, is_group_leader=entry.is_group_leader, actor=actor,
                     reason="人员表导入")
    result.granted.append(_grant_label(entry, unit))


def _grant_label(entry: PersonRow, unit: Department) -> str:
    return f"{entry.username} · {unit.name} · {Role(entry.role).label}" + ("（组长）" if entry.is_group_leader else "")


@transaction.atomic
def people_import(*, rows: list[TableRow], actor: AbstractBaseUser | None) -> PeopleResult:
    """Create missing accounts and grant every role of the file (idempotent); nothing on any error."""
    entries, units = parse_people(rows, actor)
    users = {u.username: u for u in get_user_model().objects.filter(username__in={e.username for e in entries})}
    result = PeopleResult()
    for entry in entries:
        unit = units[entry.unit]
        user = users.get(entry.username)
        if user is not None:
            _grant(entry, user, unit, actor, result)
            continue
        password = initial_password()
        users[entry.username] = person_create(
            username=entry.username, full_name=entry.name, password=password, actor=actor, unit=unit,
            role=entry.role, is_group_leader=entry.is_group_leader, reason="人员表导入")
        result.created.append(entry.username)
        result.passwords[entry.username] = password
        result.granted.append(_grant_label(entry, unit))
    return result
