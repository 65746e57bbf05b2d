"""A broker outage loses nothing and hangs nothing: work for Celery is an outbox row written with the
change, sent after the commit off the request thread, and relayed until the broker takes it."""

import socket
import threading
import time
from concurrent.futures import Future
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from departments.models import Department
from evalsite.celery import app as celery_app
from reports.exports import services as jobs
from reports.exports.base import BuildResult
from reports.models import ExportJob, JobStatus
from workflow import outbox
from workflow.models import Notification, OutboxMessage
from workflow.states import State


class _Inline:
    """Sends at once on the test's connection (the thread itself is tested with a transactional database)."""

    def submit(self, fn, pk):  # noqa: ANN001, ANN201
        future = Future()
        future.set_result(outbox.outbox_send(pk))
        return future


# The product's broker timeouts (3 s) and kombu's first retry interval (2 s) at a second and none: the same
# failures, sooner (the stalled broker's two sends took 6 s, each refused send 2 s).
QUICK_BROKER = {"socket_connect_timeout": 1, "socket_timeout": 1, "interval_start": 0}


def _point_broker_at(url: str) -> dict:
    saved = {k: celery_app.conf[k] for k in ("task_always_eager", "broker_url", "broker_transport_options",
                                             "broker_connection_timeout")}
    celery_app.conf.update(task_always_eager=False, broker_url=url, broker_connection_timeout=1,
                           broker_transport_options=saved["broker_transport_options"] | QUICK_BROKER)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    return saved


@pytest.fixture
def broker_at():
    saved = {}

    def point(url: str) -> None:
        saved.update({k: v for k, v in _point_broker_at(url).items() if k not in saved})

    yield point
    if saved:
        _point_broker_at(saved["broker_url"])
        celery_app.conf.update(saved)


def broker_back(broker_at) -> int:
    """The broker is back (here: in-process delivery) and the relay's next tick is due."""
    celery_app.conf.update(task_always_eager=True)
    OutboxMessage.objects.filter(sent_at=None).update(due_at=timezone.now())
    return outbox.outbox_relay()


REFUSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def stalled_broker():
    """A socket that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()
    for conn in held:
        conn.close()


def fake_build(params, out, progress) -> BuildResult:
    out.write_bytes(b"ok")
    return BuildResult("测试.xlsx", [])


@pytest.fixture
def fake_builder(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(jobs, "builder_for", lambda kind: fake_build)


@pytest.mark.django_db
def test_with_the_broker_refusing_a_submit_succeeds_and_notifies_once_it_is_back(
        client, clerk, ready_section, broker_at, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(outbox, "_sender", _Inline())
    broker_at(REFUSED)
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:section_act", args=[ready_section.pk, "submit"]),
                               {"version": ready_section.version})
    ready_section.refresh_from_db()
    assert response.status_code == 302 and ready_section.state == State.SUBMITTED
    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.attempts == 1 and "refused" in message.last_error.lower()
    assert message.due_at > timezone.now()  # backed off
    assert not Notification.objects.exists()
    assert broker_back(broker_at) == 1
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"leader_zz", "leader_cy"}
    assert OutboxMessage.objects.get().sent_at is not None
    assert outbox.outbox_relay() == 0  # sent once, never again


@pytest.mark.django_db
def test_with_the_broker_refusing_an_export_request_succeeds_and_builds_once_it_is_back(
        client, finance_admin, fake_builder, broker_at, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(outbox, "_sender", _Inline())
    broker_at(REFUSED)
    client.force_login(finance_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:export_request"), {"kind": "district_scores", "year": "2021"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.status == JobStatus.QUEUED
    assert OutboxMessage.objects.get().args == [job.pk]
    broker_back(broker_at)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


@pytest.mark.django_db
def test_the_message_is_written_in_the_transaction_of_the_change(finance_admin, demo, fake_builder):
    police = Department.objects.get(code="CG-GAFJ")
    with pytest.raises(RuntimeError), __import__("django").db.transaction.atomic():
        jobs.export_job_request(kind="district_scores", params={}, departments=[police], actor=finance_admin)
        raise RuntimeError("rolled back")
    assert not ExportJob.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_claimed_message_is_not_sent_twice(demo, finance_admin, fake_builder, broker_at):
    message = OutboxMessage.objects.create(task="reports.tasks.export_jobs_sweep")
    assert outbox._claim(message.pk) is not None
    assert outbox._claim(message.pk) is None  # held by the first sender's lease
    assert outbox.outbox_send(message.pk) is outbox.Sent.HELD


@pytest.mark.django_db
def test_the_relay_stops_at_the_first_broker_failure(demo, broker_at):
    for _ in range(3):
        OutboxMessage.objects.create(task="reports.tasks.export_jobs_sweep")
    broker_at(REFUSED)
    assert outbox.outbox_relay() == 0
    assert list(OutboxMessage.objects.order_by("id").values_list("attempts", flat=True)) == [1, 0, 0]


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_stalled_submit_and_export_answer_at_once(client, clerk, finance_admin, ready_section,
                                                                  broker_at, stalled_broker, fake_builder):
    broker_at(stalled_broker)
    client.force_login(clerk)
    started = time.monotonic()
    submitted = client.post(reverse("reports:section_act", args=[ready_section.pk, "submit"]),
                            {"version": ready_section.version})
    client.force_login(finance_admin)
    requested = client.post(reverse("reports:export_request"), {"kind": "district_scores", "year": "2021"})
    elapsed = time.monotonic() - started
    assert submitted.status_code == 302 and requested.status_code == 302 and elapsed < 2, elapsed
    outbox._sender.submit(lambda: None).result(timeout=60)  # the background sends gave up (timeouts)
    unsent = OutboxMessage.objects.filter(sent_at=None)
    assert unsent.count() == 2  # nothing sent, nothing lost
    if connection.vendor == "postgresql":
        assert unsent.filter(last_error__icontains="timeout").count() == 2
    else:  # the test's shared in-memory SQLite may refuse the sender thread's write ("table is locked"):
        # the message then keeps its lease and the relay sends it later, as below
        assert unsent.filter(last_error__icontains="timeout").count() >= 1
    assert broker_back(broker_at) == 2
    assert Notification.objects.filter(user__username="leader_zz").exists()
    assert ExportJob.objects.get().status == JobStatus.DONE


@pytest.mark.django_db
def test_the_relay_forgets_messages_sent_more_than_a_week_ago(demo):
    old = OutboxMessage.objects.create(task="reports.tasks.export_jobs_sweep", sent_at=timezone.now() - timedelta(days=8))
    recent = OutboxMessage.objects.create(task="reports.tasks.export_jobs_sweep", sent_at=timezone.now())
    outbox.outbox_relay()
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk] and old.pk != recent.pk
