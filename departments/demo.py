"""The demo organisation: the seed's tree (names exactly as in the 2021 report) and one account per role."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from .models import Department, DepartmentKind, DepartmentSector, Role
from .services import department_save, membership_grant

DEMO_PASSWORD = "Demo@2021"
FINANCE_BUREAU = ("CG-CZJ", "呈贡区财政局")
POLICE = ("CG-GAFJ", "昆明市公安局呈贡分局")
INTERNAL_UNITS = [
    "指挥中心", "政工室", "纪检室", "警务保障室", "法制大队", "国保大队",
    "刑侦大队", "治安大队", "禁毒大队", "经侦大队", "网安大队", "特警大队",
]
POLICE_STATIONS = ["城关派出所", "龙街派出所", "吴家营派出所", "雨花派出所", "石龙湖派出所", "乌龙派出所", "白龙潭派出所"]
CUSTODY = ["看守所", "拘留所"]
# A second, invented department so that scope boundaries can be seen in the demo.
OTHER = ("CG-JTJ", "呈贡区教育体育局（演示）")
OTHER_UNITS = ["办公室", "计划财务科", "基础教育科"]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    description: str
    grants: tuple[tuple[str, str, bool], ...]  # (unit code, role, 组长)
    is_staff: bool = False


ACCOUNTS = [
    DemoAccount("clerk_cg", "张明", "城关派出所 填报员", (("CG-GAFJ-P01", Role.CLERK, False),)),
    DemoAccount(
        "coord_jwbz", "李芳", "警务保障室 部门绩效联络员",
        (("CG-GAFJ", Role.COORDINATOR, False), ("CG-GAFJ-N04", Role.CLERK, False)),
    ),
    DemoAccount("leader_zz", "王建国", "领导小组组长", (("CG-GAFJ", Role.LEADER, True),)),
    DemoAccount("leader_cy", "赵卫东", "领导小组成员", (("CG-GAFJ", Role.LEADER, False),)),
    DemoAccount("fin_reviewer", "陈静", "财政局审核员（分管公安分局）", (("CG-GAFJ", Role.FINANCE_REVIEWER, False),)),
    DemoAccount("fin_admin", "刘洋", "财政局管理员", (("CG-CZJ", Role.FINANCE_ADMIN, False),), is_staff=True),
    DemoAccount("other_clerk", "孙丽", "教育体育局 办公室 填报员（另一部门）", (("CG-JTJ-N01", Role.CLERK, False),)),
]


def demo_unit(code: str, name: str, kind: str, parent: Department | None, order: int, sector: str = ""
              ) -> tuple[Department, bool]:
    """Create or correct one unit of the demo tree; (unit, whether it was written)."""
    unit = Department.objects.filter(code=code).first()
    target = (name, kind, parent and parent.pk, order, sector)
    if unit and (unit.name, unit.kind, unit.parent_id, unit.order, unit.sector) == target:
        return unit, False
    unit = unit or Department(code=code)
    unit.name, unit.kind, unit.parent, unit.order, unit.sector = name, kind, parent, order, sector
    return department_save(department=unit), True


def _subunits(parent: Department, prefix: str, names: list[str], kind: str, start: int) -> int:
    created = 0
    for index, name in enumerate(names, start=1):
        created += demo_unit(f"{parent.code}-{prefix}{index:02d}", name, kind, parent, start + index)[1]
    return created


def _org() -> int:
    bureau, c1 = demo_unit(*FINANCE_BUREAU, DepartmentKind.FINANCE_BUREAU, None, 1)
    police, c2 = demo_unit(*POLICE, DepartmentKind.DEPARTMENT, bureau, 1, DepartmentSector.PUBLIC_SECURITY)
    other, c3 = demo_unit(*OTHER, DepartmentKind.DEPARTMENT, bureau, 2, DepartmentSector.EDUCATION)
    created = c1 + c2 + c3
    created += _subunits(police, "N", INTERNAL_UNITS, DepartmentKind.INTERNAL_UNIT, 0)
    created += _subunits(police, "P", POLICE_STATIONS, DepartmentKind.POLICE_STATION, 100)
    created += _subunits(police, "C", CUSTODY, DepartmentKind.CUSTODY, 200)
    created += _subunits(other, "N", OTHER_UNITS, DepartmentKind.INTERNAL_UNIT, 0)
    return created


def demo_accounts(accounts: list[DemoAccount]) -> int:
    """Create the missing demo accounts with their roles; returns how many were created."""
    user_model = get_user_model()
    units = {d.code: d for d in Department.objects.filter(code__in={g[0] for a in accounts for g in a.grants})}
    admin_perms = Permission.objects.filter(content_type__app_label="departments")
    created = 0
    for account in accounts:
        user, is_new = user_model.objects.get_or_create(
            username=account.username,
            defaults={"first_name": account.full_name, "is_staff": account.is_staff},
        )
        if is_new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            if account.is_staff:
                user.user_permissions.add(*admin_perms)
            created += 1
        for code, role, group_leader in account.grants:
            membership_grant(user=user, unit=units[code], role=role, is_group_leader=group_leader)
    return created


@transaction.atomic
def demo_org_load() -> tuple[int, int]:
    """Create what is missing; a second run creates nothing. Returns (units, accounts) created."""
    return _org(), demo_accounts(ACCOUNTS)
