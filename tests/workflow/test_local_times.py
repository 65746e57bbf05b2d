"""Every time written into a text is Asia/Shanghai, like the rest of the page."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from reports.models import SectionRevision
from workflow import services as wf
from workflow.models import TransitionLog
from workflow.notifications import notify_transition

pytestmark = pytest.mark.django_db

UTC_NOON = datetime(2026, 3, 1, 4, 5, tzinfo=UTC)  # 12:05 in Shanghai


def test_a_notification_text_shows_shanghai_time(ready_section, clerk):
    log = wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    TransitionLog.objects.filter(pk=log.pk).update(created_at=UTC_NOON)
    log.refresh_from_db()
    notes = notify_transition(log)
    assert notes and all("2026-03-01 12:05" in n.body for n in notes)


def test_the_save_conflict_message_shows_shanghai_time(client, clerk, ready_section):
    SectionRevision.objects.filter(section=ready_section).update(created_at=UTC_NOON)
    client.force_login(clerk)
    response = client.post(reverse("reports:section_edit", args=[ready_section.pk]),
                           {"base_version": ready_section.version - 1, "f-text": "旧版本上的修改"})
    assert response.status_code == 409
    assert "于 03-01 12:05 修改" in response.content.decode()
