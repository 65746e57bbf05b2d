from datetime import date

from celery import shared_task
from django.utils import timezone

from .review.services import deadline_reminders_send


@shared_task(acks_late=True)
def deadline_reminders(today: str | None = None) -> dict[str, int]:
    """Daily (Celery beat): reminders before deadlines, escalation after them; safe to run twice."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    result = deadline_reminders_send(day)
    return {"reminded": result.reminded, "escalated": result.escalated}


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=True,
             retry_backoff_max=600, max_retries=3)
def export_job_build(self, job_id: int) -> str:  # noqa: ANN001
    """Build one export file; retried with backoff on I/O failure, idempotent per job.

    Acknowledged late and requeued when its worker dies (a killed child is redelivered at once,
    a lost worker after the broker's visibility timeout); the job counts attempts and gives up
    after a few. Time limits are the worker's (settings)."""
    from .exports.services import export_job_run

    return export_job_run(job_id).status


@shared_task(acks_late=True, ignore_result=True)
def export_jobs_sweep() -> int:
    """Beat: jobs running past the time limit end as failed; stray temporary files go."""
    from .exports.services import export_jobs_sweep as sweep

    return sweep()


@shared_task(acks_late=True)
def quarter_summary_scheduled(today: str | None = None) -> int | None:
    """Beat, on the first day of each quarter: the district summary of the quarter that just ended."""
    from .exports.scheduled import quarter_summary_request_for

    day = date.fromisoformat(today) if today else timezone.localdate()
    job = quarter_summary_request_for(day)
    return job.pk if job else None
