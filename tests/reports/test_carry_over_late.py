"""从上年报告带入 (DESIGN §11): last year's report approved after this year's cycle was launched.

Apart from ``test_carry_over.py``, whose tests share the demo's walked-through 2021 report (loaded once per
module): here 2021's report is only filled, never walked, when 2022 is launched."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from departments.models import AuditEntry
from reports.annual import carry
from reports.annual.demo import demo_report_fill
from reports.annual.services import report_carry_over
from reports.models import Report, Section, SectionRevision
from tests.reports.test_carry_over import _launch, _section
from workflow.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(demo, finance_admin) -> tuple[Report, Report]:
    """2022 launched while 2021's report was still being written; its 三公 and 打处 sections approved afterwards."""
    report_2021, _ = demo_report_fill()
    report = _launch(report_2021, finance_admin)
    report_2021.sections.filter(node__key__in=["three_public", "crackdown"]).update(state=State.APPROVED)
    return report_2021, report


def test_a_report_approved_after_the_launch_is_offered_and_brought_in(late, coordinator):
    report_2021, report = late
    assert "carry" not in _section(report, "crackdown").data
    assert {o.section.node.key for o in carry.offers(report)} == {"three_public", "crackdown"}
    before = SectionRevision.objects.count()
    result = report_carry_over(report=report, actor=coordinator)
    assert result.brought == {"“三公”经费支出情况": 4, "始终保持严打高压态势": 14} and result.locked == []
    three = _section(report, "three_public").data
    assert three["rows"]["reception"]["prior"] == "1480.00" and three["carry"]["year"] == 2021
    figures = {f["name"]: f for f in _section(report, "crackdown").data["figures"]}
    assert (figures["打处"]["prior"], figures["打处"]["unit"]) == ("497", "人")
    assert SectionRevision.objects.count() == before + 2  # every change a revision
    entry = AuditEntry.objects.get(action="report.carry_over")
    assert entry.changes["brought"] == result.brought and "18 项" in entry.summary
    assert carry.offers(report) == []  # nothing left to bring: a second run changes nothing
    assert report_carry_over(report=report, actor=coordinator).brought == {}


def test_sections_under_review_are_left_alone_and_named(late, coordinator, group_leader):
    _, report = late
    section = _section(report, "crackdown")
    Section.objects.filter(pk=section.pk).update(state=State.SUBMITTED)
    result = report_carry_over(report=report, actor=coordinator)
    assert result.locked == ["始终保持严打高压态势"] and list(result.brought) == ["“三公”经费支出情况"]
    assert "carry" not in _section(report, "crackdown").data


def test_only_the_departments_coordinator_may_bring_figures_in(late, clerk, finance_reviewer):
    _, report = late
    for user in (clerk, finance_reviewer):
        with pytest.raises(PermissionDenied):
            report_carry_over(report=report, actor=user)
    assert not AuditEntry.objects.filter(action="report.carry_over").exists()


def test_the_report_page_offers_the_action_to_the_coordinator_only(late, client, coordinator, clerk, outsider):
    _, report = late
    url, post = reverse("reports:report_detail", args=[report.pk]), reverse("reports:report_carry_over",
                                                                           args=[report.pk])
    client.force_login(coordinator)
    page = client.get(url).content.decode()
    assert "从上年报告带入" in page and "“三公”经费支出情况、始终保持严打高压态势" in page
    response = client.post(post, follow=True)
    assert "已从2021年度已审定报告带入 18 项上年数据（2 个章节）" in response.content.decode()
    assert "从上年报告带入</button>" not in client.get(url).content.decode()
    client.force_login(clerk)
    assert "从上年报告带入</button>" not in client.get(url).content.decode()
    assert client.post(post).status_code == 404
    client.force_login(outsider)
    assert client.post(post).status_code == 404


def test_a_section_changed_meanwhile_brings_nothing_in(late, client, coordinator, monkeypatch):
    _, report = late
    real = carry.offers

    def stale(report):  # noqa: ANN001, ANN202 - someone saves the 打处 section after the offers were read
        found = real(report)
        Section.objects.filter(pk=found[-1].section.pk).update(version=found[-1].section.version + 1)
        return found

    monkeypatch.setattr(carry, "offers", stale)
    client.force_login(coordinator)
    response = client.post(reverse("reports:report_carry_over", args=[report.pk]), follow=True)
    assert "未带入任何数据" in response.content.decode()
    monkeypatch.undo()
    assert "carry" not in _section(report, "three_public").data  # the whole action rolled back
    assert not AuditEntry.objects.filter(action="report.carry_over").exists()


