"""The transition table of DESIGN §4, as plain data."""

from __future__ import annotations

from dataclasses import dataclass

from .states import State


class Action:
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    LEADING_APPROVE = "leading_approve"
    LEADING_RETURN = "leading_return"
    FINANCE_APPROVE = "finance_approve"
    FINANCE_RETURN = "finance_return"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    needs_comment: bool = False
    is_approval: bool = False
    takes_comment: bool = True  # reviews carry a comment; submitting and withdrawing do not
    # The review stage before this one: whoever took it in the same submission round may not take
    # this one (separation of duties: one person, one review stage of an item).
    prior_stage: str | None = None


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition(Action.SUBMIT, "提交审核", frozenset({State.DRAFT, State.RETURNED}), State.SUBMITTED,
               takes_comment=False),
    Transition(Action.WITHDRAW, "撤回", frozenset({State.SUBMITTED}), State.DRAFT, takes_comment=False),
    Transition(Action.LEADING_APPROVE, "领导小组审核通过", frozenset({State.SUBMITTED}), State.LEADING_APPROVED,
               is_approval=True),
    Transition(Action.LEADING_RETURN, "领导小组退回", frozenset({State.SUBMITTED}), State.RETURNED, needs_comment=True),
    Transition(Action.FINANCE_APPROVE, "财政审核通过", frozenset({State.LEADING_APPROVED}), State.APPROVED,
               is_approval=True, prior_stage=Action.LEADING_APPROVE),
    Transition(Action.FINANCE_RETURN, "财政退回", frozenset({State.LEADING_APPROVED}), State.RETURNED,
               needs_comment=True, prior_stage=Action.LEADING_APPROVE),
    Transition(Action.REOPEN, "重新打开", frozenset({State.APPROVED}), State.RETURNED, needs_comment=True),
)}

ACTION_LABELS = {action: t.label for action, t in TRANSITIONS.items()}
RETURN_ACTIONS = frozenset(a for a, t in TRANSITIONS.items() if t.target == State.RETURNED)


def available_actions(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if state in t.sources]
