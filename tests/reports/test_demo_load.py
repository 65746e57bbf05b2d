"""Loading the demo twice changes nothing; the command prints its summary (fresh database per test:
kept apart from test_demo_report, whose tests share one loaded demo)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from reports.models import EvaluationCycle, Report, ReportTemplate, Section, SectionRevision
from reports.review.demo import demo_report_load
from tests.reports.test_demo_report import SLOT_KEYS

pytestmark = pytest.mark.django_db


def test_a_second_load_creates_and_changes_nothing(demo):
    from workflow.models import TransitionLog

    first = demo_report_load()
    assert first.startswith(f"2021 年度报告：已填写 {len(SLOT_KEYS)} 个章节（本次新建 {len(SLOT_KEYS)} 个修订，已走完演示审核流程）")
    models = (ReportTemplate, EvaluationCycle, Report, Section, SectionRevision, TransitionLog)
    state = list(Section.objects.values_list("id", "version", "data", "state"))
    before = [m.objects.count() for m in models], state
    second = demo_report_load()
    assert second.startswith(f"2021 年度报告：已填写 {len(SLOT_KEYS)} 个章节（本次新建 0 个修订）")
    after = [m.objects.count() for m in models], list(Section.objects.values_list("id", "version", "data", "state"))
    assert after == before


def test_the_load_demo_command_prints_the_summary(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "2021 年度报告：已填写" in out.getvalue()
