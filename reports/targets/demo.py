"""The 分局's 2021 整体绩效目标表, declared by the coordinator and approved through the workflow:
the indicators the demo's quarters monitor and its annual report scores against.

The seed gives no target table: the indicators are the demo's (marked ``DEMO_TARGET`` in the report),
the goal is the seed's 部门职责 summarised, the key tasks are the seed's named works."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from departments.demo import POLICE
from departments.models import Department
from reports.models import TargetTable
from workflow import services as wf
from workflow.states import State

from .services import target_table_create, target_table_save

# three-level indicator name → responsible unit
RESPONSIBLE = {
    "矛盾纠纷排查化解率": "城关派出所",
    "刑事案件打处人数": "刑侦大队",
    "毒品刑事案件破获数": "禁毒大队",
    "肇事肇祸精神病患者漏管失控人数": "治安大队",
    "预算执行进度": POLICE[1],
    "“零发案”小区、城中村占比": "治安大队",
    "“两区一村”智慧安防建设覆盖率": "指挥中心",
    "非税收入上缴国库比例": POLICE[1],
    "服务对象满意度": "城关派出所",
}
GOAL = ("依法预防、制止和侦查违法犯罪活动，维护社会稳定和社会治安秩序，全力做好建党100周年和COP15大会安保维稳工作，"
        "进一步夯实基础工作、提升打防效能，净化社会环境，优化服务举措，确保辖区持续安全稳定。")
TASKS = [
    {"name": "COP15大会安保", "content": "会场及活动现场安保、治安要素“大起底”、安保控制性工程建设。", "amount": "40000000.00"},
    {"name": "平安小区建设", "content": "“两区一村”智慧安防建设全覆盖，创建“零发案”小区、城中村。"},
    {"name": "打击治理电信网络新型违法犯罪", "content": "止付冻结涉案账户，反诈宣传“四进”。"},
]


def rows_as_targets(department: Department, rows: list[dict[str, Any]], responsible: dict[str, str]
                    ) -> list[dict[str, Any]]:
    """A report's indicator rows as target table indicators (``responsible``: name → unit name)."""
    codes = {u.name: u.code for u in Department.objects.filter(budget_department=department)} | {
        department.name: department.code}
    keys = ("level1", "level2", "name", "nature", "target")
    return [{k: row[k] for k in keys} | {"measure_unit": row["unit"], "weight": row["weight"], "standard": "",
                                         "unit": codes[responsible.get(row["name"], department.name)]}
            for row in rows]


def table_data(department: Department, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The 分局's table from its report's indicator rows (``reports.annual.demo.INDICATORS``)."""
    return {"goal": GOAL, "tasks": TASKS, "indicators": rows_as_targets(department, rows, RESPONSIBLE)}


def targets_approve(department: Department, year: int, data: dict[str, Any],
                    usernames: tuple[str, str, str]) -> TargetTable:
    """Declare ``data`` as the department's targets for ``year`` and walk them to 已审定 once
    (coordinator → 组长 → finance reviewer, the three ``usernames``)."""
    existing = TargetTable.objects.filter(department=department, year=year).order_by("edition").first()
    if existing:
        return existing
    users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    coordinator, leader, reviewer = (users[name] for name in usernames)
    table = target_table_create(department=department, year=year, actor=coordinator)
    target_table_save(table=table, data=data, base_version=0, actor=coordinator)
    for step, actor in ((wf.submit, coordinator), (wf.leading_approve, leader), (wf.finance_approve, reviewer)):
        table.refresh_from_db()
        step(item=table, actor=actor, version=table.version)
    table.refresh_from_db()
    assert table.state == State.APPROVED
    return table


def demo_targets_load(year: int, rows: list[dict[str, Any]]) -> TargetTable:
    """The 分局's approved targets for ``year``: the indicators of its report's ``rows``."""
    department = Department.objects.get(code=POLICE[0])
    return targets_approve(department, year, table_data(department, rows),
                           ("coord_jwbz", "leader_zz", "fin_reviewer"))
