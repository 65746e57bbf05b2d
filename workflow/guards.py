"""The one answer to "which actions may this user take on this item now, and if not, why".

The transition services call ``action_check`` before they change anything, and every page
calls ``actions_for`` to show the buttons and the reasons: no page re-derives a rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone

from .contract import Submittable
from .permissions import can_act, can_write, is_own_work
from .selectors import round_actor_id
from .states import EDITABLE_STATES
from .transitions import ACTION_LABELS, TRANSITIONS, Action, Transition, available_actions

OWN_WORK = "不能审核自己提交或最后编辑的内容。"


@dataclass(frozen=True)
class ActionCheck:
    transition: Transition
    permitted: bool  # the user's role allows the action on this item
    refused: str = ""  # why it cannot be taken now, for the user; empty when it can

    @property
    def allowed(self) -> bool:
        return self.permitted and not self.refused

    @property
    def action(self) -> str:
        return self.transition.action

    @property
    def takes_comment(self) -> bool:
        """Reviews carry a comment (required on a return); submitting and withdrawing do not."""
        return self.transition.takes_comment


def _refusal(t: Transition, user: AbstractBaseUser, item: Submittable, comment: str | None) -> str:
    if t.needs_comment and comment is not None and not comment.strip():
        return f"{t.label}须填写意见，写明需要修改的内容。"
    if t.is_approval and is_own_work(user, item):
        return OWN_WORK
    if t.prior_stage and round_actor_id(item, t.prior_stage) == user.pk:
        return (f"您已在本轮进行了「{ACTION_LABELS[t.prior_stage]}」，不能再进行「{t.label}」："
                "同一事项的两个审核环节须由不同的人完成。")
    if t.action == Action.SUBMIT:
        return _submit_refusal(item)
    if t.action == Action.FINANCE_APPROVE:
        return item.workflow_finance_gate() or ""
    if t.action == Action.REOPEN:
        return item.workflow_frozen_reason() or ""
    return ""


def _submit_refusal(item: Submittable) -> str:
    deadline = item.workflow_deadline()
    if deadline and timezone.localdate() > deadline:
        return f"已过截止日期 {deadline:%Y-%m-%d}，不能提交；请向财政局申请延期。"
    blocking = item.workflow_blocking()
    return "还有未解决的问题，不能提交：" + "；".join(blocking) if blocking else ""


def action_check(user: AbstractBaseUser, item: Submittable, action: str, comment: str | None = None, *,
                 check_state: bool = True) -> ActionCheck:
    """May ``user`` take ``action`` on ``item``? ``comment`` None: not known yet (a page shows the buttons).

    The services pass ``check_state=False``: the state is decided by their compare-and-swap,
    never by a copy read before it.
    """
    t = TRANSITIONS[action]
    if not can_act(user, action, item):
        return ActionCheck(t, permitted=False, refused=f"您无权执行「{t.label}」。")
    if check_state and item.state not in t.sources:
        return ActionCheck(t, permitted=True, refused=f"当前状态为「{item.get_state_display()}」，不能{t.label}。")
    return ActionCheck(t, permitted=True, refused=_refusal(t, user, item, comment))


def actions_for(user: AbstractBaseUser, item: Submittable) -> list[ActionCheck]:
    """The actions of the item's state that the user's role allows, each with its refusal (if any)."""
    checks = (action_check(user, item, t.action) for t in available_actions(item.state))
    return [c for c in checks if c.permitted]


def content_editable(item: Submittable) -> bool:
    """Content changes only while the item is with its writers (草稿, 已退回), never under review."""
    return item.state in EDITABLE_STATES


def editable_q(state: str = "state") -> Q:
    """``content_editable`` as a filter, for lists that flag their rows in one query."""
    return Q(**{f"{state}__in": list(EDITABLE_STATES)})


def can_edit(user: AbstractBaseUser, item: Submittable) -> bool:
    """May the user change the item's content now (its unit's writers, while it is editable)?"""
    return content_editable(item) and can_write(user, item)
