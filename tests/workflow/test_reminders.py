"""Reminders before the deadline, escalation after it; idempotent per day."""

from datetime import timedelta

import pytest

from reports.tasks import deadline_reminders
from workflow.models import Notification

pytestmark = pytest.mark.django_db


def test_units_are_reminded_n_days_before(police_report, clerk, coordinator):
    due = police_report.cycle.due_on
    result = deadline_reminders.delay((due - timedelta(days=3)).isoformat()).get()
    assert result["reminded"] > 0 and result["escalated"] == 0
    note = Notification.objects.filter(user=clerk).get()
    assert "还有 3 天截止" in note.title and "城关派出所尚有 2 个章节未提交" in note.body
    units = police_report.sections.values("unit").distinct().count()
    assert Notification.objects.filter(user=coordinator).count() == units  # one per unit with pending work


def test_no_reminder_on_other_days(police_report):
    due = police_report.cycle.due_on
    assert deadline_reminders.delay((due - timedelta(days=5)).isoformat()).get() == {"reminded": 0, "escalated": 0}


def test_overdue_reports_escalate_to_the_group_leader_and_finance_reviewer(police_report):
    due = police_report.cycle.due_on
    result = deadline_reminders.delay((due + timedelta(days=1)).isoformat()).get()
    assert result["escalated"] >= 2
    escalated = set(Notification.objects.filter(title__startswith="逾期").values_list("user__username", flat=True))
    assert escalated == {"leader_zz", "fin_reviewer"}


def test_running_twice_a_day_sends_nothing_new(police_report):
    day = (police_report.cycle.due_on + timedelta(days=1)).isoformat()
    deadline_reminders.delay(day).get()
    count = Notification.objects.count()
    deadline_reminders.delay(day).get()
    assert Notification.objects.count() == count
