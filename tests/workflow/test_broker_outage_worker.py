"""On the real services: with Redis down, submitting and requesting an export succeed for the user,
and both complete once Redis is back (the outbox relay sends what waited)."""

import time

import pytest
from django.urls import reverse

from evalsite.celery import app as celery_app
from reports.models import ExportJob, JobStatus
from tests.conftest import _forget_broker_pools
from workflow import outbox
from workflow.models import Notification, OutboxMessage

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REFUSED = "redis://127.0.0.1:1/0"


def _wait_for(check, seconds: float = 60):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    return check()


def test_with_redis_down_submit_and_export_succeed_and_complete_once_it_is_back(
        celery_worker, client, clerk, finance_admin, ready_section):
    real_broker = celery_app.conf.broker_url
    celery_app.conf.update(broker_url=REFUSED)
    _forget_broker_pools(celery_app)
    client.force_login(clerk)
    submitted = client.post(reverse("reports:section_act", args=[ready_section.pk, "submit"]),
                            {"version": ready_section.version})
    client.force_login(finance_admin)
    requested = client.post(reverse("reports:export_request"), {"kind": "district_scores", "year": "2021"})
    assert submitted.status_code == 302 and requested.status_code == 302
    outbox._sender.submit(lambda: None).result(timeout=30)
    assert OutboxMessage.objects.filter(sent_at=None).count() == 2
    assert ExportJob.objects.get().status == JobStatus.QUEUED

    celery_app.conf.update(broker_url=real_broker)  # Redis is back; the beat relay's next tick:
    _forget_broker_pools(celery_app)
    OutboxMessage.objects.update(due_at=ready_section.updated_at)
    assert outbox.outbox_relay() == 2
    job = ExportJob.objects.get()
    assert _wait_for(lambda: ExportJob.objects.filter(pk=job.pk, status=JobStatus.DONE).exists())
    assert _wait_for(lambda: Notification.objects.filter(user__username="leader_zz").exists())
