from datetime import timedelta

import pytest
from django.utils import timezone

from reports.annual.services import section_save
from reports.models import Section
from tests.factories import section_of


@pytest.fixture
def open_report(police_report):
    """The police report of a cycle whose deadline is 30 days away."""
    cycle = police_report.cycle
    cycle.due_on = timezone.localdate() + timedelta(days=30)
    cycle.save(update_fields=["due_on"])
    return police_report


def write_narrative(section: Section, actor, text: str = "预决算已按要求公开。") -> Section:
    return section_save(section=section, data={"text": text}, base_version=section.version, actor=actor).section


@pytest.fixture
def ready_section(open_report, clerk):
    """城关派出所's section turned into a valid narrative the clerk wrote (assigned to the clerk's unit)."""
    section = section_of(open_report, "disclosure")
    Section.objects.filter(pk=section.pk).update(unit=clerk.memberships.get().unit)
    section.refresh_from_db()
    return write_narrative(section, clerk)
