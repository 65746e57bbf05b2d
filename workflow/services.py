"""One service per action: check, compare-and-swap the state, log, notify on commit.

The state change is ``UPDATE … WHERE id=… AND state IN (sources) AND version=<seen>``:
exactly one of two concurrent reviewers changes a row, on PostgreSQL and on SQLite
alike (``select_for_update`` is ignored by SQLite). Pinning the version means an
approval applies to the revision the reviewer read, and a save that slipped in
before a submit makes the submit fail instead of sending unreviewed text on.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .contract import Submittable
from .guards import action_check
from .models import TransitionLog
from .outbox import outbox_enqueue
from .selectors import last_transition
from .states import EDITABLE_STATES, State
from .transitions import TRANSITIONS, Action, Transition


class TransitionRefused(Exception):
    """The action cannot be taken now; the message says why, for the user."""


class AlreadyHandled(TransitionRefused):
    def __init__(self) -> None:
        super().__init__("已被他人处理：该事项的状态或内容已经改变，请刷新后查看。")


class AlreadyDone(TransitionRefused):
    """The actor's own earlier request (a double click, a second tab) already took this action."""

    def __init__(self, log: TransitionLog):
        when = timezone.localtime(log.created_at)
        super().__init__(f"您已于 {when:%H:%M:%S} {log.get_action_display()}（第 {log.revision} 版），无需重复操作。")
        self.log = log


class ContentConflict(Exception):
    """The item was saved by someone else since the form was loaded; ``latest`` is their revision."""

    def __init__(self, latest: Any | None):
        super().__init__("conflict")
        self.latest = latest


class ContentLocked(Exception):
    """The item is under review or approved; its content cannot change."""

    def __init__(self, state_label: str):
        super().__init__(state_label)
        self.state_label = state_label


@transaction.atomic
def submission_content_save(*, item: Submittable, changes: dict[str, Any], base_version: int,
                            actor: AbstractBaseUser, **revision: Any) -> Any:
    """Save new content over the revision the form was loaded from, and write that revision.

    Compare-and-swap on version and state: a stale form or an item under review changes
    nothing and raises ContentConflict / ContentLocked; ``revision`` goes to the item's
    ``workflow_revision_create`` hook (e.g. ``on_behalf``, ``source``).
    """
    model = type(item)
    updated = model.objects.filter(pk=item.pk, version=base_version, state__in=EDITABLE_STATES).update(
        **changes, version=F("version") + 1, last_edited_by=actor, updated_at=timezone.now(),
    )
    if not updated:
        current = model.objects.get(pk=item.pk)
        if current.state not in EDITABLE_STATES:
            raise ContentLocked(current.get_state_display())
        raise ContentConflict(current.workflow_latest_revision())
    item.refresh_from_db()
    return item.workflow_revision_create(number=base_version + 1, actor=actor, **revision)


def _guard(action: str, item: Submittable, actor: AbstractBaseUser, comment: str) -> None:
    check = action_check(actor, item, action, comment, check_state=False)
    if not check.permitted:
        raise PermissionDenied(check.refused)
    if check.refused:
        raise TransitionRefused(check.refused)


def _changes(t: Transition, actor: AbstractBaseUser, version: int) -> dict[str, Any]:
    changes: dict[str, Any] = {"state": t.target}
    if t.action == Action.SUBMIT:
        changes |= {"submitted_by": actor, "submitted_at": timezone.now(), "submitted_version": version}
    return changes


@transaction.atomic
def transition_apply(*, item: Any, action: str, actor: AbstractBaseUser, version: int, comment: str = "") -> TransitionLog:
    """Take ``action`` on ``item`` as it was at ``version``; raise if it changed meanwhile."""
    t = TRANSITIONS[action]
    _guard(action, item, actor, comment)
    seen_state = item.state
    updated = type(item).objects.filter(pk=item.pk, state__in=t.sources, version=version).update(
        **_changes(t, actor, version)
    )
    item.workflow_refresh()
    if updated != 1:
        _refuse_unchanged(item, t, actor, version, seen_state)
    from_state = seen_state
    log = TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk,
        department=item.workflow_department(), action=action, from_state=from_state, to_state=t.target,
        actor=actor, comment=comment.strip() if t.takes_comment else "", revision=version,
    )
    outbox_enqueue("workflow.tasks.transition_notify", log.pk)
    return log


def _refuse_unchanged(item: Any, t: Transition, actor: AbstractBaseUser, version: int, seen_state: str) -> None:
    """Why the compare-and-swap changed nothing: the actor's own earlier click, someone else, or the state."""
    last = last_transition(item)
    if last and last.action == t.action and last.actor_id == actor.pk and last.revision == version:
        raise AlreadyDone(last)
    if item.state == seen_state and item.version == version:
        raise TransitionRefused(f"当前状态为「{State(item.state).label}」，不能{t.label}。")
    raise AlreadyHandled()


def submit(*, item: Any, actor: AbstractBaseUser, version: int) -> TransitionLog:
    return transition_apply(item=item, action=Action.SUBMIT, actor=actor, version=version)


def withdraw(*, item: Any, actor: AbstractBaseUser, version: int) -> TransitionLog:
    return transition_apply(item=item, action=Action.WITHDRAW, actor=actor, version=version)


def leading_approve(*, item: Any, actor: AbstractBaseUser, version: int, comment: str = "") -> TransitionLog:
    return transition_apply(item=item, action=Action.LEADING_APPROVE, actor=actor, version=version, comment=comment)


def leading_return(*, item: Any, actor: AbstractBaseUser, version: int, comment: str) -> TransitionLog:
    return transition_apply(item=item, action=Action.LEADING_RETURN, actor=actor, version=version, comment=comment)


def finance_approve(*, item: Any, actor: AbstractBaseUser, version: int, comment: str = "") -> TransitionLog:
    return transition_apply(item=item, action=Action.FINANCE_APPROVE, actor=actor, version=version, comment=comment)


def finance_return(*, item: Any, actor: AbstractBaseUser, version: int, comment: str) -> TransitionLog:
    return transition_apply(item=item, action=Action.FINANCE_RETURN, actor=actor, version=version, comment=comment)


def reopen(*, item: Any, actor: AbstractBaseUser, version: int, comment: str) -> TransitionLog:
    return transition_apply(item=item, action=Action.REOPEN, actor=actor, version=version, comment=comment)


ACTION_SERVICES = {
    Action.SUBMIT: submit, Action.WITHDRAW: withdraw, Action.LEADING_APPROVE: leading_approve,
    Action.LEADING_RETURN: leading_return, Action.FINANCE_APPROVE: finance_approve,
    Action.FINANCE_RETURN: finance_return, Action.REOPEN: reopen,
}
