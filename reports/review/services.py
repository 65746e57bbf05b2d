"""Daily reminders before a deadline and escalation of overdue sections (run by Celery beat)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from departments import permissions as perms
from departments.models import Role
from reports.models import DeadlineExtension, Report, Section
from workflow.notifications import notify_users
from workflow.states import EDITABLE_STATES, State

OPEN_STATES = [*EDITABLE_STATES, State.SUBMITTED]


@dataclass
class ReminderResult:
    reminded: int = 0
    escalated: int = 0


def _reports_with_due(today: date) -> list[Report]:
    extension = DeadlineExtension.objects.filter(cycle_id=OuterRef("cycle_id"), department_id=OuterRef("department_id"))
    return list(
        Report.objects.filter(cycle__opens_on__lte=today)
        .annotate(due=Coalesce(Subquery(extension.values("due_on")[:1]), F("cycle__due_on")))
        .select_related("cycle", "department")
    )


def deadline_reminders_send(today: date) -> ReminderResult:
    """Remind units N days before their deadline; escalate overdue reports to the 组长 and finance reviewer."""
    result = ReminderResult()
    days_ahead = set(settings.EVALSITE_REMINDER_DAYS)
    for report in _reports_with_due(today):
        left = (report.due - today).days
        if left in days_ahead:
            result.reminded += _remind_units(report, left)
        elif left < 0:
            result.escalated += _escalate(report, today)
    return result


def _remind_units(report: Report, left: int) -> int:
    pending = report.sections.filter(state__in=list(EDITABLE_STATES)).select_related("unit", "node")
    by_unit: dict[int, list[Section]] = defaultdict(list)
    for section in pending:
        by_unit[section.unit_id].append(section)
    sent = 0
    for sections in by_unit.values():
        unit = sections[0].unit
        users = list(perms.users_holding(unit, frozenset({Role.CLERK, Role.COORDINATOR})))
        titles = "、".join(s.node.title for s in sections)
        sent += len(notify_users(
            users, f"{report.cycle.name}：还有 {left} 天截止",
            f"{unit.name}尚有 {len(sections)} 个章节未提交（{titles}），截止日期 {report.due:%Y-%m-%d}。",
            sections[0].get_absolute_url(), key=f"remind:{report.pk}:{unit.pk}:{report.due}:{left}",
        ))
    return sent


def _escalate(report: Report, today: date) -> int:
    open_count = report.sections.filter(state__in=OPEN_STATES).count()
    if not open_count:
        return 0
    department = report.department
    users = list((perms.users_holding(department, frozenset({Role.LEADER}), group_leader_only=True)
                  | perms.finance_reviewers(department)).distinct())
    return len(notify_users(
        users, f"逾期：{report.cycle.year}年度{department.name}绩效评价报告",
        f"已过截止日期 {report.due:%Y-%m-%d}，仍有 {open_count} 个章节未通过审核，请督促办理。",
        f"/reports/{report.pk}/", key=f"overdue:{report.pk}:{today}",
    ))
