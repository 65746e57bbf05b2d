from datetime import date

from celery import shared_task
from django.utils import timezone

from .reminders import deadline_reminders_send


@shared_task(acks_late=True)
def deadline_reminders(today: str | None = None) -> dict[str, int]:
    """Daily (Celery beat): reminders before deadlines, escalation after them; safe to run twice."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    result = deadline_reminders_send(day)
    return {"reminded": result.reminded, "escalated": result.escalated}
