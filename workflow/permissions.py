"""Who may take which action on a submission; the rules of DESIGN §1 and §4 via departments.permissions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from departments import permissions as perms

from .transitions import Action


def can_act(user: AbstractBaseUser, action: str, item: Any) -> bool:
    """The role check only; state, guards and separation of duties are the service's."""
    department = item.workflow_department()
    if action == Action.SUBMIT:
        return can_write(user, item)
    if action == Action.WITHDRAW:
        return item.submitted_by_id == user.pk or perms.can_coordinate(user, department)
    if action in (Action.LEADING_APPROVE, Action.LEADING_RETURN):
        return perms.can_review_leading(user, department)
    if action in (Action.FINANCE_APPROVE, Action.FINANCE_RETURN):
        return perms.can_review_finance(user, department)
    if action == Action.REOPEN:
        return perms.can_administer(user)
    return False


def can_write(user: AbstractBaseUser, item: Any) -> bool:
    """The clerks of the item's unit (or above it) and the department's coordinators."""
    return perms.can_edit_unit(user, item.workflow_unit())


def is_own_work(user: AbstractBaseUser, item: Any) -> bool:
    """Separation of duties: nobody approves what they submitted or last edited."""
    return user.pk in (item.submitted_by_id, item.last_edited_by_id)
