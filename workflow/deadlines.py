"""When an item is overdue: the one definition used by every page, list filter and reminder.

An item is overdue when its deadline has passed while it still waits on its department: its
writers (草稿, 已退回) or its leading group (待领导小组审核). What waits on the finance bureau or is
approved is not the department's delay.
"""

from __future__ import annotations

from datetime import date

from django.db.models import BooleanField, Case, Q, Value, When
from django.utils import timezone

from .states import State

OVERDUE_STATES = frozenset({State.DRAFT, State.RETURNED, State.SUBMITTED})


def is_overdue(state: str, due: date | None, today: date | None = None) -> bool:
    return due is not None and state in OVERDUE_STATES and due < (today or timezone.localdate())


def overdue_q(due: str = "due", state: str = "state", today: date | None = None) -> Q:
    """The same rule as a filter on a queryset annotated or stored with ``due`` and ``state``."""
    return Q(**{f"{due}__lt": today or timezone.localdate(), f"{state}__in": list(OVERDUE_STATES)})


def overdue_flag(due: str = "due", state: str = "state", today: date | None = None) -> Case:
    """The rule as a boolean annotation, so a list gets ``is_overdue`` per row in its one query."""
    return Case(When(overdue_q(due, state, today), then=Value(True)), default=Value(False),
                output_field=BooleanField())
