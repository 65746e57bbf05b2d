"""Who hears of a transition, and the in-app notification plus e-mail they get."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mass_mail
from django.utils import timezone

from departments import permissions as perms
from departments.models import Role

from .models import Notification, TransitionLog
from .states import State


def recipients(log: TransitionLog, item: Any) -> list[AbstractBaseUser]:
    """Whoever must act next (or, on a return, the clerks who must fix it)."""
    department = item.workflow_department()
    if log.to_state == State.SUBMITTED:
        users = perms.leading_reviewers(department)
    elif log.to_state == State.LEADING_APPROVED:
        users = perms.finance_reviewers(department)
    elif log.to_state == State.RETURNED:
        clerks = perms.users_holding(item.workflow_unit(), frozenset({Role.CLERK}))
        users = (clerks | get_user_model().objects.filter(pk=item.submitted_by_id)).distinct()
    elif log.to_state == State.APPROVED:
        users = get_user_model().objects.filter(pk=item.submitted_by_id)
    else:
        return []
    return [u for u in users if u.pk != log.actor_id]


def _message(log: TransitionLog, item: Any) -> tuple[str, str]:
    actor = log.actor.get_full_name() or log.actor.get_username()
    title = f"{item.workflow_title()}：{log.get_action_display()}"
    body = f"{actor} {timezone.localtime(log.created_at):%Y-%m-%d %H:%M} {log.get_action_display()}，当前状态：{log.get_to_state_display()}。"
    if log.comment:
        body += f"\n意见：{log.comment}"
    return title, body


def notify_transition(log: TransitionLog) -> list[Notification]:
    item = log.item
    users = recipients(log, item)
    title, body = _message(log, item)
    return notify_users(users, title, body, item.get_absolute_url(), key=f"log:{log.pk}")


def notify_users(users: list[AbstractBaseUser], title: str, body: str, url: str, *, key: str) -> list[Notification]:
    """An in-app notification for each user and an e-mail to those with an address.

    Idempotent per ``key``: a retried task neither duplicates notes nor re-sends sent mail.
    """
    Notification.objects.bulk_create(
        [Notification(user=u, title=title, body=body, url=url, key=key) for u in users], ignore_conflicts=True
    )
    notes = list(Notification.objects.filter(key=key, user__in=users).select_related("user"))
    pending = [n for n in notes if not n.emailed and n.user.email]
    if pending:
        send_mass_mail([(n.title, f"{n.body}\n\n{n.url}", settings.DEFAULT_FROM_EMAIL, [n.user.email])
                        for n in pending], fail_silently=False)
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed=True)
    return notes
