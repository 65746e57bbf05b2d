"""驾驶舱's cached evaluation figures: a change that moves a count shows on the next page at once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from departments.sample import sample_district_build
from reports.annual import scoring
from reports.annual.services import extension_grant
from reports.models import Report, Section
from reports.review.selectors import report_stage
from reports.sample import sample_reports_build
from workflow.services import finance_return
from workflow.states import State

pytestmark = pytest.mark.django_db


def district(prefix: str, departments: int = 6):
    sample_district_build(departments=departments, units=1, prefix=prefix)
    return sample_reports_build(prefix=prefix)


def cycle_view(client, user, cycle):
    client.force_login(user)
    response = client.get(f"{reverse('reports:dashboard')}?cycle={cycle.pk}")
    assert response.status_code == 200
    return response.context["cycle_view"]


def test_a_section_returned_by_the_finance_bureau_moves_its_department_back_at_once(client):
    built = district("FR")
    before = cycle_view(client, built.reviewer, built.cycle)
    section = Section.objects.filter(report__cycle=built.cycle, state=State.LEADING_APPROVED).select_related(
        "report__department", "report__cycle").first()
    finance_return(item=section, actor=built.reviewer, version=section.version, comment="请补充说明。")

    after = cycle_view(client, built.reviewer, built.cycle)
    assert after.stages["finance"] == before.stages["finance"] - 1
    assert after.stages["department"] == before.stages["department"] + 1


def test_a_changed_deadline_and_an_extension_show_at_once_in_the_overdue_count(client):
    built = district("FX")
    assert cycle_view(client, built.reviewer, built.cycle).overdue == 0  # the sample's deadline is ahead
    built.cycle.due_on = date.today() - timedelta(days=1)
    built.cycle.save(update_fields=["due_on"])
    late = cycle_view(client, built.reviewer, built.cycle).overdue
    assert late == sum(1 for r in Report.objects.filter(cycle=built.cycle) if _open(r))
    assert late > 0
    department = next(r.department for r in Report.objects.filter(cycle=built.cycle).select_related("department")
                      if _open(r))
    extension_grant(cycle=built.cycle, department=department, due_on=date.today() + timedelta(days=30),
                    reason="机构改革。", actor=built.admin)
    assert cycle_view(client, built.reviewer, built.cycle).overdue == late - 1


def _open(report: Report) -> bool:
    return report.sections.filter(state__in=[State.DRAFT, State.RETURNED]).exists()


def test_an_adjusted_score_shows_at_once_in_the_average(client):
    built = district("FS")
    before = cycle_view(client, built.reviewer, built.cycle)
    report = Report.objects.filter(cycle=built.cycle).select_related("template", "department", "cycle").first()
    row = next(r for r in scoring.report_score(report).rows if r.score and r.score > 0)
    scoring.score_adjust(report=report, row_name=row.name, score="0", reason="佐证不足。", actor=built.reviewer)

    after = cycle_view(client, built.reviewer, built.cycle)
    reports = list(Report.objects.filter(cycle=built.cycle).select_related("template"))
    totals = [s.total for s in scoring.reports_scores(reports).values()]
    assert after.average == (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01"))
    assert after.average < before.average


def test_the_stages_equal_the_statuses_computed_afresh_for_a_coordinator(client):
    """The cached statuses of the whole cycle, counted over the coordinator's one report."""
    from django.contrib.auth import get_user_model

    from reports.annual.selectors import report_status, with_status

    built = district("FC", 5)
    department = built.departments[1]
    coordinator = get_user_model().objects.get(username=f"fc_{department.code.lower()}_coord")
    view = cycle_view(client, coordinator, built.cycle)
    report = with_status(Report.objects.filter(cycle=built.cycle, department=department)).get()
    assert view.reports == 1
    assert view.stages[report_stage(report_status(report))] == 1 and sum(view.stages.values()) == 1


def test_a_unit_moved_to_another_department_shows_at_once_in_the_quarter_figures(client):
    """The quarter's counts are kept while no report changes anywhere and the user's units stay the same:
    a unit moved into a department's subtree brings its quarterly reports to that coordinator at once."""
    from django.contrib.auth import get_user_model

    from departments.models import Department
    from departments.services import department_save
    from reports.models import QuarterlyReport
    from reports.sample import QUARTER

    built = district("FM", 3)
    taker, giver = built.departments[0], built.departments[1]
    coordinator = get_user_model().objects.get(username=f"fm_{taker.code.lower()}_coord")
    client.force_login(coordinator)
    before = client.get(reverse("reports:dashboard")).context["quarter"].reports
    unit = Department.objects.filter(parent=giver).exclude(pk=giver.pk).first()
    moved = QuarterlyReport.objects.filter(unit=unit, quarter=QUARTER).count()
    assert moved > 0
    unit.parent = taker
    department_save(department=unit)

    after = client.get(reverse("reports:dashboard")).context["quarter"].reports
    assert after == before + moved


def test_a_newly_opened_quarter_becomes_the_dashboards_quarter_at_once(client):
    from reports.quarterly.services import quarter_open
    from reports.sample import QUARTER, YEAR

    built = district("FQ", 2)
    client.force_login(built.reviewer)
    assert client.get(reverse("reports:dashboard")).context["quarter"].quarter == QUARTER
    quarter_open(year=YEAR, quarter=QUARTER + 1, departments=built.departments, due_on=date(YEAR + 1, 1, 15),
                 actor=built.admin)
    quarter = client.get(reverse("reports:dashboard")).context["quarter"]
    assert (quarter.year, quarter.quarter) == (YEAR, QUARTER + 1) and quarter.reports > 0


def test_a_department_added_to_a_running_cycle_is_counted_at_once(client):
    from departments.models import Department
    from reports.annual.services import cycle_extend

    built = district("FE", 4)
    before = cycle_view(client, built.reviewer, built.cycle)
    sample_district_build(departments=5, units=1, prefix="FE")  # one more department, the others kept
    newcomer = Department.objects.get(code="FE-D0005")
    cycle_extend(cycle=built.cycle, departments=[newcomer], templates={newcomer.pk: built.cycle.template},
                 actor=built.admin)

    after = cycle_view(client, built.reviewer, built.cycle)
    assert after.reports == before.reports + 1 == 5
    assert sum(after.stages.values()) == 5 and after.stages["department"] == before.stages["department"] + 1
