"""On the real services: with Redis down, submitting and requesting an export succeed for the user,
and both complete once Redis is back (the outbox relay sends what waited)."""

import contextlib
import os
import socket
import threading
import time
from urllib.parse import urlparse

import pytest
from django.urls import reverse

from evalsite.celery import app as celery_app
from reports.models import ExportJob, JobStatus
from tests.conftest import _forget_broker_pools, running_worker
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


class RedisLink:
    """A TCP relay in front of Redis that the test can cut and restore, as if Redis went down."""

    def __init__(self, target: str) -> None:
        parsed = urlparse(target)
        self.target = (parsed.hostname or "127.0.0.1", parsed.port or 6379)
        self.db = parsed.path or "/0"
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.server: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}{self.db}"

    def up(self) -> None:
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", self.port))
        self.port = self.server.getsockname()[1]
        self.server.listen(50)
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def down(self) -> None:
        self.server.close()
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self.sockets.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
                upstream = socket.create_connection(self.target)
            except OSError:
                return
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)


def test_when_redis_goes_down_for_web_and_worker_work_completes_once_it_is_back(
        settings, tmp_path, client, clerk, finance_admin, ready_section):
    link = RedisLink(os.environ["CELERY_TEST_BROKER_URL"])
    link.up()
    command = ["-m", "celery", "-A", "evalsite", "worker", "--pool=solo", "--loglevel=WARNING",
               "-n", f"link-{os.getpid()}@%h"]
    with running_worker(settings, tmp_path, command, env={"CELERY_BROKER_URL": link.url}):
        celery_app.conf.update(broker_url=link.url)
        _forget_broker_pools(celery_app)
        link.down()  # Redis is gone, for the web process and the worker alike
        client.force_login(clerk)
        submitted = client.post(reverse("reports:section_act", args=[ready_section.pk, "submit"]),
                                {"version": ready_section.version})
        client.force_login(finance_admin)
        requested = client.post(reverse("reports:export_request"), {"kind": "district_scores", "year": "2021"})
        assert submitted.status_code == 302 and requested.status_code == 302
        outbox._sender.submit(lambda: None).result(timeout=30)
        assert OutboxMessage.objects.filter(sent_at=None).count() == 2

        link.up()  # Redis is back; the beat relay's next tick:
        _forget_broker_pools(celery_app)
        OutboxMessage.objects.update(due_at=ready_section.updated_at)
        assert outbox.outbox_relay() == 2
        job = ExportJob.objects.get()
        assert _wait_for(lambda: ExportJob.objects.filter(pk=job.pk, status=JobStatus.DONE).exists(), 90), \
            (tmp_path / "worker.log").read_text()[-2000:]
        assert _wait_for(lambda: Notification.objects.filter(user__username="leader_zz").exists())
        link.down()
