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
from django.utils import timezone

from .models import TransitionLog
from .permissions import can_act, is_own_work
from .states import State
from .transitions import TRANSITIONS, Action, Transition


class TransitionRefused(Exception):
    """The action cannot be taken now; the message says why, for the user."""


class AlreadyHandled(TransitionRefused):
    def __init__(self) -> None:
        super().__init__("已被他人处理：该事项的状态或内容已经改变，请刷新后查看。")


def _guard(t: Transition, item: Any, actor: AbstractBaseUser, comment: str) -> None:
    if t.needs_comment and not comment.strip():
        raise TransitionRefused(f"{t.label}须填写意见，写明需要修改的内容。")
    if not can_act(actor, t.action, item):
        raise PermissionDenied(f"您无权执行「{t.label}」。")
    if t.is_approval and is_own_work(actor, item):
        raise TransitionRefused("不能审核自己提交或最后编辑的内容。")
    if t.action == Action.SUBMIT:
        _guard_submit(item)
    if t.action == Action.FINANCE_APPROVE:
        gate = item.workflow_finance_gate()
        if gate:
            raise TransitionRefused(gate)


def _guard_submit(item: Any) -> None:
    deadline = item.workflow_deadline()
    if deadline and timezone.localdate() > deadline:
        raise TransitionRefused(f"已过截止日期 {deadline:%Y-%m-%d}，不能提交；请向财政局申请延期。")
    blocking = item.workflow_blocking()
    if blocking:
        raise TransitionRefused("还有未解决的问题，不能提交：" + "；".join(blocking))


def _changes(t: Transition, actor: AbstractBaseUser, version: int) -> dict[str, Any]:
    changes: dict[str, Any] = {"state": t.target}
    if t.action == Action.SUBMIT:
        changes |= {"submitted_by": actor, "submitted_at": timezone.now(), "submitted_version": version}
    return changes


@transaction.atomic
def transition_apply(*, item: Any, action: str, actor: AbstractBaseUser, version: int, comment: str = "") -> TransitionLog:
    """Take ``action`` on ``item`` as it was at ``version``; raise if it changed meanwhile."""
    t = TRANSITIONS[action]
    _guard(t, item, actor, comment)
    seen_state = item.state
    updated = type(item).objects.filter(pk=item.pk, state__in=t.sources, version=version).update(
        **_changes(t, actor, version)
    )
    item.refresh_from_db()
    if updated != 1:
        if item.state == seen_state and item.version == version:
            raise TransitionRefused(f"当前状态为「{State(item.state).label}」，不能{t.label}。")
        raise AlreadyHandled()
    from_state = seen_state
    log = TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk,
        department=item.workflow_department(), action=action, from_state=from_state, to_state=t.target,
        actor=actor, comment=comment.strip(), revision=version,
    )
    transaction.on_commit(lambda: _queue_notification(log.pk))
    return log


def _queue_notification(log_id: int) -> None:
    from .tasks import transition_notify

    transition_notify.delay(log_id)


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
