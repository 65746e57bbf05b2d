"""Writes of the review package: daily reminders and escalation (Celery beat), the finance bureau's
bulk approval of a department's ready sections, marking notifications read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from departments import permissions as perms
from departments.models import Role
from reports.annual.selectors import report_status, with_status
from reports.models import Report, Section
from reports.rectification.services import rectification_reminders_send
from workflow import services as workflow
from workflow.notifications import notify_users
from workflow.states import EDITABLE_STATES, State


@dataclass
class ReminderResult:
    reminded: int = 0
    escalated: int = 0


def deadline_reminders_send(today: date) -> ReminderResult:
    """Remind units N days before their deadline; escalate overdue reports to the 组长 and finance reviewer;
    the same for rectification items and their 整改时限."""
    result = ReminderResult()
    days_ahead = set(settings.EVALSITE_REMINDER_DAYS)
    reports = with_status(Report.objects.filter(cycle__opens_on__lte=today)).select_related("cycle", "department")
    for report in reports:
        left = (report.due - today).days
        if left in days_ahead:
            result.reminded += _remind_units(report, left)
        elif report_status(report).is_overdue(today):
            result.escalated += _escalate(report, today)
    reminded, escalated = rectification_reminders_send(today, days_ahead)
    result.reminded += reminded
    result.escalated += escalated
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
    open_count = report_status(report).open
    department = report.department
    users = list((perms.users_holding(department, frozenset({Role.LEADER}), group_leader_only=True)
                  | perms.finance_reviewers(department)).distinct())
    return len(notify_users(
        users, f"逾期：{report.cycle.year}年度{department.name}绩效评价报告",
        f"已过截止日期 {report.due:%Y-%m-%d}，仍有 {open_count} 个章节未通过审核，请督促办理。",
        f"/reports/{report.pk}/", key=f"overdue:{report.pk}:{today}",
    ))


@dataclass
class BulkApproval:
    approved: list[str] = field(default_factory=list)  # titles of the sections approved
    failures: list[str] = field(default_factory=list)  # one message per section refused
    refused: str = ""  # why nothing could be approved (the finance gate)


def report_finance_approve_ready(*, report: Report, actor: AbstractBaseUser) -> BulkApproval:
    """Approve every ready section of one department's report; each is checked, swapped and logged on
    its own by the workflow (one refusal does not stop the others)."""
    if not perms.can_review_finance(actor, report.department):
        raise PermissionDenied("您不是该部门的财政审核员。")
    ready = list(report.sections.filter(state=State.LEADING_APPROVED)
                 .select_related("node", "report__cycle", "report__department"))
    result = BulkApproval()
    gate = ready[0].workflow_finance_gate() if ready else None
    if gate:
        result.refused = gate
        return result
    for section in ready:
        try:
            workflow.finance_approve(item=section, actor=actor, version=section.version)
            result.approved.append(section.node.title)
        except (workflow.TransitionRefused, PermissionDenied) as exc:
            result.failures.append(f"「{section.node.title}」：{exc}")
    return result


def notifications_mark_read(*, user: AbstractBaseUser, pk: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; another user's are untouched."""
    notes = user.notifications.filter(read_at__isnull=True)
    if pk is not None:
        notes = notes.filter(pk=pk)
    return notes.update(read_at=timezone.now())
