from celery import shared_task

from . import outbox
from .models import TransitionLog
from .notifications import notify_transition


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=60)
def transition_notify(self, log_id: int) -> int:  # noqa: ANN001
    """Notify whoever must act after a transition (runs after the transaction commits)."""
    log = TransitionLog.objects.select_related("actor").get(pk=log_id)
    try:
        return len(notify_transition(log))
    except OSError as exc:  # SMTP down: try again later; the in-app notes are already written
        raise self.retry(exc=exc) from exc


@shared_task(acks_late=True, ignore_result=True)
def outbox_relay() -> int:
    """Beat, every minute: send the outbox messages the after-commit attempt could not."""
    return outbox.outbox_relay()
