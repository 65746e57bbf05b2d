"""The demo's 整改台账: the 分局's 2021 findings in every state, the result application, the 2022 report."""

from __future__ import annotations

import pytest

from reports.annual import checks
from reports.models import RectificationItem, Report, ResultApplication
from reports.rectification import selectors
from reports.rectification.demo import demo_rectification_load
from workflow.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(demo_report_loaded, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return demo_rectification_load()


def test_the_findings_become_items_in_every_state(loaded, finance_reviewer):
    items = list(selectors.items_visible(finance_reviewer).filter(year=2021))
    assert "已销号 2 项" in loaded and len(items) == 5
    problems = next(i for i in items if i.source == "problems")
    assert problems.state == State.APPROVED and problems.evidence.count() == 1
    assert sum(1 for i in items if i.state == State.APPROVED and i.evidence.exists()) == 2
    assert [i.problem[:6] for i in items if i.state == State.RETURNED] == ["请补录“三公"]
    assert [i.problem[:6] for i in items if selectors.is_late(i)] == ["原文同比与计"]
    assert all(not i.is_proposed for i in items)
    application = ResultApplication.objects.get(year=2021)
    assert application.grade == "优" and application.key_next_year


def test_the_2022_report_lists_the_open_items_as_warnings(loaded):
    report = Report.objects.get(cycle__year=2022, department__code="CG-GAFJ")
    section = report.sections.get(kind="rectification")
    findings = checks.section_findings(section.kind, section.data, checks.context_for(report, []))
    assert sum(1 for f in findings if f.issue.code.startswith("rectification.open.")) == 3


def test_a_second_load_changes_nothing(loaded):
    before = list(RectificationItem.objects.values_list("id", "state", "version"))
    demo_rectification_load()
    assert list(RectificationItem.objects.values_list("id", "state", "version")) == before
    assert Report.objects.filter(cycle__year=2022).count() == 1
