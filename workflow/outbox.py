"""The transactional outbox: Celery work is a row written with the change that causes it.

``outbox_enqueue`` writes an ``OutboxMessage`` inside the caller's transaction, so the message
exists exactly when the change committed. After the commit one send is attempted off the request
thread (a request never waits on the broker, even a stalled one); whatever is not sent then —
broker refused, stalled past its short timeouts, process gone — the beat task ``outbox_relay``
sends, with backoff, once the broker is back. A send first claims the row with a lease (a
compare-and-swap on ``due_at``), so two relays do not both send it; the tasks it names are
idempotent, so a send repeated after a lost acknowledgement is harmless.
"""

from __future__ import annotations

import enum
import importlib
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from celery import current_app
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)  # longer than a send can take with the broker timeouts of the settings
BACKOFF_MAX = timedelta(minutes=10)
KEEP_SENT = timedelta(days=7)  # sent rows stay a week for the admin's 待发送任务 list, then go
RELAY_BATCH = 200

# One background sender per process: after-commit sends queue here instead of in the request.
_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")


def outbox_enqueue(task: str, *args: Any) -> OutboxMessage:
    """Ask for ``task(*args)``: written in the current transaction, sent after it commits."""
    message = OutboxMessage.objects.create(task=task, args=list(args))
    transaction.on_commit(lambda: _dispatch(message.pk))
    return message


def _dispatch(pk: int) -> None:
    if current_app.conf.task_always_eager:
        outbox_send(pk)  # no broker: the task runs in-process (the embedded demo, the tests)
    else:
        _sender.submit(_send_off_thread, pk)


def _send_off_thread(pk: int) -> None:
    try:
        outbox_send(pk)
    except Exception:  # the relay sends it later; never let the thread die silently
        logger.exception("outbox: sending message %s failed", pk)
    finally:
        connection.close()


def _claim(pk: int) -> OutboxMessage | None:
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(pk=pk, sent_at=None, due_at__lte=now).update(
        due_at=now + LEASE, attempts=F("attempts") + 1
    )
    return OutboxMessage.objects.get(pk=pk) if claimed else None


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF_MAX, timedelta(seconds=15 * 2 ** min(attempts - 1, 10)))


def _task(path: str) -> Any:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


class Sent(enum.Enum):
    SENT = "sent"
    HELD = "held"  # already sent, or another sender holds the lease
    BROKER_DOWN = "broker_down"


def outbox_send(pk: int) -> Sent:
    """Send one pending message unless someone else holds it."""
    message = _claim(pk)
    if message is None:
        return Sent.HELD
    task = _task(message.task)
    if current_app.conf.task_always_eager:
        OutboxMessage.objects.filter(pk=pk).update(sent_at=timezone.now())
        task.apply_async(args=message.args)  # runs here; its own errors are its own
        return Sent.SENT
    try:
        task.apply_async(args=message.args, retry=False, ignore_result=True)
    except Exception as exc:  # broker refused or stalled: keep the row, back off, try again later
        OutboxMessage.objects.filter(pk=pk).update(due_at=timezone.now() + _backoff(message.attempts),
                                                   last_error=f"{type(exc).__name__}: {exc}"[:2000])
        logger.warning("outbox: broker unavailable for %s (%s)", message.task, exc)
        return Sent.BROKER_DOWN
    OutboxMessage.objects.filter(pk=pk).update(sent_at=timezone.now(), last_error="")
    return Sent.SENT


def outbox_relay(limit: int = RELAY_BATCH) -> int:
    """Send what is due (the beat task); stops at the first broker failure. Returns the number sent."""
    OutboxMessage.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()
    due = list(OutboxMessage.objects.filter(sent_at=None, due_at__lte=timezone.now())
               .order_by("due_at", "id").values_list("pk", flat=True)[:limit])
    sent = 0
    for pk in due:
        result = outbox_send(pk)
        if result is Sent.BROKER_DOWN:
            break  # the next beat tick tries again
        sent += result is Sent.SENT
    return sent
