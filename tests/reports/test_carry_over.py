"""Prior year carried over at cycle launch (DESIGN §11)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reports.annual import checks
from reports.annual.kinds import KINDS
from reports.annual.services import cycle_launch, template_install_default
from reports.models import Report, Section
from reports.review.demo import demo_report_load
from workflow.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_2021(demo) -> Report:
    demo_report_load()
    report = Report.objects.get(cycle__year=2021, department__code="CG-GAFJ")
    # the finance bureau has approved these (the demo leaves them under review)
    report.sections.filter(node__key__in=["three_public", "crackdown", "indicators"]).update(state=State.APPROVED)
    report.sections.filter(node__key="public_order").update(state=State.RETURNED)
    return report


def _launch_2022(report: Report, admin) -> Report:
    cycle = cycle_launch(year=2022, name="2022年度部门整体支出绩效自评", template=template_install_default(),
                         departments=[report.department], opens_on=date(2023, 1, 10), due_on=date(2023, 3, 31),
                         actor=admin)
    return cycle.reports.get()


def _section(report: Report, key: str) -> Section:
    return report.sections.get(node__key=key)


def test_launching_the_next_year_fills_every_prior_value_from_the_approved_sections(report_2021, finance_admin):
    report = _launch_2022(report_2021, finance_admin)
    budget = _section(report, "overview").data
    assert budget["carried_over"] == "0.00"  # 2021's 年末结转结余 is 2022's 上年结转
    three = _section(report, "three_public").data
    assert three["rows"]["reception"]["prior"] == "1480.00"
    assert three["rows"]["vehicle_operation"]["prior"] == "2692000.00"
    figures = {f["name"]: f for f in _section(report, "crackdown").data["figures"]}
    assert (figures["打处"]["prior"], figures["打处"]["value"], figures["打处"]["unit"]) == ("497", "", "人")
    assert _section(report, "indicators").data["prior_actuals"]["刑事案件打处人数"] == "497"
    assert _section(report, "crackdown").data["carry"]["year"] == 2021
    # only approved sections carry over: public_order was returned
    assert "carry" not in _section(report, "public_order").data
    assert _section(report, "public_order").data["figures"] == []


def test_change_is_computed_from_the_carried_prior(report_2021, finance_admin):
    section = _section(_launch_2022(report_2021, finance_admin), "crackdown")
    data = section.data
    data["figures"] = [dict(f, value="600") if f["name"] == "打处" else f for f in data["figures"]]
    computed = KINDS["statistics"].compute(data)
    change = next(f["change"] for f in computed["figures"] if f["name"] == "打处")
    assert change == (Decimal(600) - 497) / 497


def test_a_changed_prior_value_needs_a_reason(report_2021, finance_admin):
    report = _launch_2022(report_2021, finance_admin)
    section = _section(report, "three_public")
    data = section.data
    data["rows"]["reception"]["prior"] = "2000.00"
    ctx = checks.context_for(report, checks.figure_sections(report))
    (finding,) = [f for f in checks.section_findings("three_public", data, ctx) if f.issue.code.startswith("carry.")]
    assert finding.blocking and "审定为 1480.00，现为 2000.00" in finding.issue.message
    data["explanations"] = {finding.issue.code: "上年决算经审计调整。"}
    (finding,) = [f for f in checks.section_findings("three_public", data, ctx) if f.issue.code.startswith("carry.")]
    assert not finding.blocking


def test_the_carry_marker_survives_a_save(report_2021, finance_admin, coordinator):
    from reports.annual.services import section_save

    report = _launch_2022(report_2021, finance_admin)
    section = _section(report, "three_public")
    data = {k: v for k, v in section.data.items() if k != "carry"}  # what a form posts
    section_save(section=section, data=data, base_version=section.version, actor=coordinator)
    section.refresh_from_db()
    assert section.data["carry"]["values"]["rows.reception.prior"] == "1480.00"


def test_the_demo_2021_report_arrived_with_2020s_approved_figures(report_2021):
    crackdown = _section(report_2021, "crackdown").data
    assert crackdown["carry"]["year"] == 2020
    assert crackdown["carry"]["values"]["figures.打处.prior"] == "257"
