"""Reads of the transition log for any submittable item (sections, quarterly reports, …).

Items are found through their ContentType, so nothing here knows a concrete model.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from .contract import Submittable
from .models import TransitionLog
from .states import State
from .transitions import RETURN_ACTIONS, Action


def _logs_of(item: Submittable) -> QuerySet[TransitionLog]:
    ct = ContentType.objects.get_for_model(type(item))
    return TransitionLog.objects.filter(content_type=ct, object_id=item.pk)


def item_history(item: Submittable) -> list[TransitionLog]:
    """Every transition of the item with its actor, newest first (one query)."""
    return list(_logs_of(item).select_related("actor"))


def last_transition(item: Submittable) -> TransitionLog | None:
    """The item's latest transition (one query)."""
    return _logs_of(item).order_by("-id").first()


def any_history(items: Sequence[Submittable]) -> bool:
    """Has any of these items (of one model) ever been through a transition? (one query)"""
    if not items:
        return False
    ct = ContentType.objects.get_for_model(type(items[0]))
    return TransitionLog.objects.filter(content_type=ct, object_id__in=[i.pk for i in items]).exists()


def last_returns(items: Sequence[Submittable]) -> dict[int, TransitionLog]:
    """The latest return (with its comment) of each item, by item pk; one query for a page of items
    of one model."""
    if not items:
        return {}
    ct = ContentType.objects.get_for_model(type(items[0]))
    logs = TransitionLog.objects.filter(
        content_type=ct, object_id__in=[i.pk for i in items], action__in=list(RETURN_ACTIONS),
    ).select_related("actor").order_by("object_id", "-created_at", "-id")
    latest: dict[int, TransitionLog] = {}
    for log in logs:
        latest.setdefault(log.object_id, log)
    return latest


def return_comment(item: Submittable) -> TransitionLog | None:
    """The return the item is in now (with the reviewer's comment); None unless it is returned."""
    return last_returns([item]).get(item.pk) if item.state == State.RETURNED else None


def previous_submitted_revision(item: Submittable) -> int | None:
    """The revision number submitted before the one now under review (None: first submission)."""
    current = item.submitted_version if item.submitted_version is not None else item.version
    return (
        _logs_of(item).filter(action=Action.SUBMIT, revision__lt=current)
        .order_by("-created_at", "-id").values_list("revision", flat=True).first()
    )


def round_actor_id(item: Submittable, action: str) -> int | None:
    """Who took ``action`` on the item since its latest submission (None: nobody in this round)."""
    latest = (
        _logs_of(item).filter(action__in=[Action.SUBMIT, action]).order_by("-id")
        .values_list("action", "actor_id").first()
    )
    return latest[1] if latest and latest[0] == action else None
