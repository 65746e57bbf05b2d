"""The demo's review workflow: the 分局's 2021 report (filled by ``reports.annual.demo``) walked through
the workflow services once, leaving sections in every state so every demo account has work."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from departments.demo import POLICE
from reports.annual.demo import ADMIN, YEAR, demo_report_fill
from reports.annual.kinds import KINDS
from reports.annual.services import extension_grant, section_save
from reports.models import Report, Section
from workflow import selectors as history
from workflow import services as wf
from workflow.states import State
from workflow.transitions import Action

# The coordinator explains the warnings the seed's figures raise, so the sections can be submitted;
# the checklist keeps showing them, with the explanation.
EXPLANATIONS = {
    "three_public": {
        "three_public.no_budget": "种子报告未给出“三公”经费本年预算数，待财务补录。",
        "three_public.no_prior": "种子报告未给出上年决算数，待财务补录。",
    },
    "crackdown": {
        "statistics.stated.打处": "原文同比93.34%有误，正文已按计算值93.39%表述。",
    },
    "public_order": {"statistics.stated.零发案占比": "原文占比78.6%系笔误，正文已按计算值78.16%表述。"},
}
FINANCE_RETURNS = {  # leading_approved → returned, with the finance bureau's comment
    "three_public": "请补录“三公”经费本年预算和上年决算数，计算控制率和变动率后重新提交。",
    "crackdown": "原文同比与计算值不一致，请核对打处人数上年基数。",
    "public_order": "零发案小区占比请与平安小区台账核对。",
}
# Every section with figures that carry over (statistics, budget, 三公, indicators) has been approved by the
# finance bureau once, so the 2022 report (``reports.rectification.demo``) arrives with all its 上年 values:
# those the walkthrough needs under review were reopened after approval (DESIGN §4 reopen), and the next
# year carries their approved version (``reports.annual.carry``).
WAITING_FOR_LEADERS = ("assets", "funds_management", "management", "internal_control", "budget_control")
DRAFTS = ("other", "funds_balance")
FINANCE_APPROVED = ("overview", "goal_list", "disclosure", "idle_funds", "funds_arrival", "funds_use",
                    "political_security", "drugs", "epidemic", "foundation", "cop15", "non_tax", "losses_recovered",
                    "indicators")
REOPENED = ("three_public", "crackdown", "public_order", "risk_prevention", "public_service")
REOPEN_COMMENT = "审定后抽查复核：请与台账再次核对数据后重新提交。"
LEADER_RETURN = ("public_service", "请补充“一门通办”业务量的上年同期数，并写明盗抢险赔付率的计算口径。")
DEMO_EXTENSION = 60  # days: the 2021 deadline is long past; the 分局 gets an extension to try the workflow


def _user(username: str) -> AbstractBaseUser:
    return get_user_model().objects.get(username=username)


def _act(section: Section, action: str, actor: AbstractBaseUser, comment: str = "") -> None:
    section.workflow_refresh()
    kwargs: dict[str, Any] = {"item": section, "actor": actor, "version": section.version}
    if comment:
        kwargs["comment"] = comment
    wf.ACTION_SERVICES[action](**kwargs)


def _author(section: Section) -> AbstractBaseUser:
    return section.last_edited_by


def _explain(sections: dict[str, Section]) -> None:
    for key, explanations in EXPLANATIONS.items():
        section = sections[key]
        section_save(section=section, data=section.data | {"explanations": explanations},
                     base_version=section.version, actor=_author(section))


def _stage(report: Report) -> bool:
    """Walk the report through the workflow once; False when it already has a history."""
    sections = {s.node.key: s for s in report.sections.select_related("node", "unit", "report__cycle",
                                                                       "report__department", "last_edited_by")}
    if history.any_history(list(sections.values())):
        return False
    admin, leader, reviewer = _user(ADMIN), _user("leader_zz"), _user("fin_reviewer")
    extension_grant(cycle=report.cycle, department=report.department, actor=admin,
                    due_on=timezone.localdate() + timedelta(days=DEMO_EXTENSION), reason="演示：延期以便体验审核流程")
    _explain(sections)
    for section in sections.values():
        _act(section, Action.SUBMIT, _author(section))
        _act(section, Action.LEADING_APPROVE, leader)
    for key in (*FINANCE_APPROVED, *REOPENED):
        _act(sections[key], Action.FINANCE_APPROVE, reviewer)
    for key in REOPENED:
        _act(sections[key], Action.REOPEN, admin, REOPEN_COMMENT)
        _act(sections[key], Action.SUBMIT, _author(sections[key]))
        if key != LEADER_RETURN[0]:
            _act(sections[key], Action.LEADING_APPROVE, leader)
    for key, comment in FINANCE_RETURNS.items():
        _act(sections[key], Action.FINANCE_RETURN, reviewer, comment)
    for key in (*WAITING_FOR_LEADERS, *DRAFTS):
        _act(sections[key], Action.FINANCE_RETURN, reviewer, "请补充完善后重新提交。")
        _act(sections[key], Action.SUBMIT, _author(sections[key]))
    for key in DRAFTS:
        _act(sections[key], Action.WITHDRAW, _author(sections[key]))
    _act(sections[LEADER_RETURN[0]], Action.LEADING_RETURN, _user("leader_cy"), LEADER_RETURN[1])
    return True


@transaction.atomic
def demo_report_load() -> str:
    """Create the 2021 cycle, fill every section from the seed and walk it through the review
    workflow; a second run changes nothing."""
    report, created = demo_report_fill()
    if report is None:
        return f"{YEAR} 年度报告：已有的 {YEAR} 年度评价周期不含{POLICE[1]}，未填写。"
    staged = _stage(report)
    filled = sum(not KINDS[s.kind].is_empty(s.data) for s in report.sections.all())
    states = Counter(report.sections.values_list("state", flat=True))
    summary = "，".join(f"{State(k).label} {v}" for k, v in sorted(states.items()))
    return (f"{YEAR} 年度报告：已填写 {filled} 个章节（本次新建 {created} 个修订"
            f"{'，已走完演示审核流程' if staged else ''}）；状态：{summary}。")
