"""Notifications through a real Redis broker and a real Celery worker (PostgreSQL shared with it)."""

import time

import pytest

from workflow import services as wf
from workflow.models import Notification

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_submission_notifies_the_leaders_through_the_worker(celery_worker, ready_section, clerk, monkeypatch):
    def not_here(*args, **kwargs):
        raise AssertionError("the task ran in the test process instead of the worker")

    monkeypatch.setattr("workflow.tasks.notify_transition", not_here)
    log = wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    deadline = time.monotonic() + 30
    notes = Notification.objects.none()
    while time.monotonic() < deadline:
        notes = Notification.objects.filter(key=f"log:{log.pk}")
        if notes.count() >= 2:
            break
        time.sleep(0.3)
    assert set(notes.values_list("user__username", flat=True)) == {"leader_zz", "leader_cy"}
