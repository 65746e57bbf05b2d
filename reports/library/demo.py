"""The demo's second real department: 呈贡区工商业联合会 on the generic template, with its units, a person
in every role and a complete 2021 report walked through the workflow into mixed states."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from departments.demo import FINANCE_BUREAU, DemoAccount, demo_accounts, demo_unit
from departments.models import Department, DepartmentKind, DepartmentSector, Role
from reports.annual.demo import ADMIN, YEAR, demo_cycle
from reports.annual.services import cycle_extend, extension_grant, section_assign, section_save
from reports.models import Report, Section
from reports.targets.demo import rows_as_targets, targets_approve
from workflow import selectors as history
from workflow import services as wf
from workflow.states import State
from workflow.transitions import Action

from .demo_content import SECTION_DATA
from .selectors import templates_for
from .services import template_install_generic

GSL = ("CG-GSL", "呈贡区工商业联合会")
GSL_UNITS = ["办公室", "会员联络部", "经济服务部"]
ACCOUNTS = [
    DemoAccount("gsl_clerk", "周敏", "区工商联 办公室 填报员", (("CG-GSL-N01", Role.CLERK, False),)),
    DemoAccount("gsl_clerk_jj", "钱磊", "区工商联 经济服务部 填报员", (("CG-GSL-N03", Role.CLERK, False),)),
    DemoAccount("gsl_coord", "杨柳", "区工商联 部门绩效联络员", (("CG-GSL", Role.COORDINATOR, False),)),
    DemoAccount("gsl_leader_zz", "马宏", "区工商联 领导小组组长", (("CG-GSL", Role.LEADER, True),)),
    DemoAccount("gsl_leader_cy", "黄蕾", "区工商联 领导小组成员", (("CG-GSL", Role.LEADER, False),)),
    DemoAccount("fin_reviewer_gsl", "吴倩", "财政局审核员（分管区工商联）", (("CG-GSL", Role.FINANCE_REVIEWER, False),)),
    DemoAccount("gsl_viewer", "郑洁", "区工商联 查阅", (("CG-GSL", Role.VIEWER, False),)),
]
REASSIGN = {"goal_list": "办公室", "goal_setting": "办公室", "output": "经济服务部", "benefit": "经济服务部",
            "indicators": "经济服务部"}
FINANCE_APPROVED = ("functions", "overview", "three_public", "goal_list", "goal_setting", "purpose")
FINANCE_RETURN = ("indicators", "请补充“新发展会员数”未完成的佐证材料，并复核会员企业满意度调查样本数。")
LEADER_RETURN = ("benefit", "融资金额请附银行放款清单汇总，写明统计口径。")
SUBMITTED = ("output", "conclusion")
DRAFTS = ("problems", "suggestions", "other")


def _org() -> int:
    bureau = Department.objects.get(code=FINANCE_BUREAU[0])
    gsl, created = demo_unit(*GSL, DepartmentKind.DEPARTMENT, bureau, 3, DepartmentSector.MASS_ORGANISATION)
    for index, name in enumerate(GSL_UNITS, start=1):
        created += demo_unit(f"{GSL[0]}-N{index:02d}", name, DepartmentKind.INTERNAL_UNIT, gsl, index)[1]
    return created


def _user(username: str) -> AbstractBaseUser:
    return get_user_model().objects.get(username=username)


def _report() -> tuple[Report, bool]:
    cycle = demo_cycle()
    report = Report.objects.filter(cycle=cycle, department__code=GSL[0]).first()
    if report is not None:
        return report, False
    gsl = Department.objects.get(code=GSL[0])
    template_install_generic()
    templates = {pk: t for pk, t in templates_for([gsl]).items() if t is not None}
    return cycle_extend(cycle=cycle, departments=[gsl], templates=templates, actor=_user(ADMIN))[0], True


def _writer(section: Section) -> AbstractBaseUser:
    clerks = {"办公室": "gsl_clerk", "经济服务部": "gsl_clerk_jj"}
    return _user(clerks.get(section.unit.name, "gsl_coord"))


def _targets(report: Report) -> None:
    """The 工商联's 2021 targets, approved: its indicators section scores against them."""
    rows = SECTION_DATA["indicators"]["rows"]
    data = {"goal": "团结服务会员企业，促进非公有制经济健康发展和非公有制经济人士健康成长。", "tasks": [],
            "indicators": rows_as_targets(report.department, rows, {r["name"]: "经济服务部" for r in rows})}
    targets_approve(report.department, YEAR, data, ("gsl_coord", "gsl_leader_zz", "fin_reviewer_gsl"))


def _fill(report: Report) -> None:
    _targets(report)
    coordinator = _user("gsl_coord")
    units = {u.name: u for u in Department.objects.filter(budget_department=report.department)}
    sections = {s.node.key: s for s in report.sections.select_related("node", "unit", "report__template")}
    for key, unit_name in REASSIGN.items():
        section_assign(section=sections[key], unit=units[unit_name], actor=coordinator)
    for section in sorted(sections.values(), key=lambda s: s.kind not in ("budget", "three_public")):
        section.refresh_from_db()
        section_save(section=section, data=SECTION_DATA[section.node.key], base_version=section.version,
                     actor=_writer(section))


def _act(section: Section, action: str, actor: AbstractBaseUser, comment: str = "") -> None:
    section.refresh_from_db()
    kwargs: dict[str, Any] = {"item": section, "actor": actor, "version": section.version}
    if comment:
        kwargs["comment"] = comment
    wf.ACTION_SERVICES[action](**kwargs)


def _stage(report: Report) -> None:
    """Every section submitted and approved by the leading group, then finance decides some, the rest goes
    back: approved, 待财政, 待领导小组, returned by either stage, drafts."""
    sections = {s.node.key: s for s in report.sections.select_related("node", "unit", "last_edited_by")}
    extension_grant(cycle=report.cycle, department=report.department, actor=_user(ADMIN), reason="演示：延期以便体验审核流程",
                    due_on=timezone.localdate() + timedelta(days=60))
    leader, group_leader, reviewer = _user("gsl_leader_cy"), _user("gsl_leader_zz"), _user("fin_reviewer_gsl")
    for section in sections.values():
        _act(section, Action.SUBMIT, section.last_edited_by)
        _act(section, Action.LEADING_APPROVE, leader)
    for key in FINANCE_APPROVED:
        _act(sections[key], Action.FINANCE_APPROVE, reviewer)
    _act(sections[FINANCE_RETURN[0]], Action.FINANCE_RETURN, reviewer, FINANCE_RETURN[1])
    for key in (*SUBMITTED, *DRAFTS, LEADER_RETURN[0]):
        _act(sections[key], Action.FINANCE_RETURN, reviewer, "请补充完善后重新提交。")
        _act(sections[key], Action.SUBMIT, sections[key].last_edited_by)
    for key in DRAFTS:
        _act(sections[key], Action.WITHDRAW, sections[key].last_edited_by)
    _act(sections[LEADER_RETURN[0]], Action.LEADING_RETURN, group_leader, LEADER_RETURN[1])


@transaction.atomic
def demo_general_load() -> str:
    """Create the 区工商联, its people and its 2021 report in mixed states; a second run changes nothing."""
    units = _org()
    accounts = demo_accounts(ACCOUNTS)
    report, created = _report()
    if created or not history.any_history(list(report.sections.all())):
        _fill(report)
        _stage(report)
    states = Counter(report.sections.values_list("state", flat=True))
    summary = "，".join(f"{State(k).label} {v}" for k, v in sorted(states.items()))
    return (f"{YEAR} 年度{GSL[1]}报告（通用模板“{report.template.name}”，本次新建单位 {units} 个、账号 {accounts} 个）："
            f"{summary}。")
