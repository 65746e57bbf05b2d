"""The header's unread count (compiled once per process, filled in per user) counts this user's unread
notifications only, and a new or read notification shows on the next page."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone

from workflow.context_processors import _COMPILED, unread_count
from workflow.models import Notification


def _badge(client) -> int:  # noqa: ANN001
    page = client.get(reverse("reports:notification_list")).content.decode()
    found = re.search(r'title="通知">通知<span class="count">(\d+)</span>', page)
    return int(found.group(1)) if found else 0


def test_it_counts_the_users_unread_notifications_only(db, clerk, coordinator):
    assert unread_count(clerk) == 0
    for i in range(3):
        Notification.objects.create(user=clerk, title=f"t{i}", key=f"k{i}")
    Notification.objects.create(user=coordinator, title="other", key="k")
    Notification.objects.filter(user=clerk, key="k0").update(read_at=timezone.now())
    assert unread_count(clerk) == 2
    assert unread_count(coordinator) == 1
    assert _COMPILED[Notification.objects.db] is not None  # this backend takes the compiled path


def test_the_header_shows_a_change_at_once(client, db, clerk):
    client.force_login(clerk)
    before = _badge(client)
    note = Notification.objects.create(user=clerk, title="新通知", key="new")
    assert _badge(client) == before + 1
    Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    assert _badge(client) == before
