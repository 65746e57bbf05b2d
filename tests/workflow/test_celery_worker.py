"""Notifications through a real Redis broker and a real Celery worker (PostgreSQL shared with it)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from evalsite.celery import app as celery_app
from workflow import services as wf
from workflow.models import Notification

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker():
    """A worker process on the test database and the Redis broker; the app sends to it, not in-process."""
    broker = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
    env = {**os.environ, "CELERY_BROKER_URL": broker, "DATABASE_URL": _database_url(),
           "DJANGO_SETTINGS_MODULE": "evalsite.settings.test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "evalsite", "worker", "--pool=solo", "--loglevel=WARNING",
         "-n", f"test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    saved = {k: celery_app.conf[k] for k in ("task_always_eager", "broker_url", "result_backend")}
    celery_app.conf.update(task_always_eager=False, broker_url=broker, result_backend=broker)
    try:
        deadline = time.monotonic() + 30
        while not celery_app.control.ping(timeout=1.0):
            assert time.monotonic() < deadline, "the Celery worker did not start"
        yield
    finally:
        celery_app.conf.update(saved)
        process.terminate()
        process.wait(timeout=20)


def test_a_submission_notifies_the_leaders_through_the_worker(worker, ready_section, clerk, monkeypatch):
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
