"""我的待办 and 审核进度 at district size: the page-at-a-time reads agree with the status of every report
read the plain way, a transition shows at once, and the rows drawn in Python escape what they print."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from departments.sample import sample_district_build
from reports.annual.selectors import report_status
from reports.models import Report, Section
from reports.review import selectors
from reports.sample import sample_reports_build
from workflow import services as workflow
from workflow.states import State
from workflow.transitions import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def built():
    sample_district_build(departments=12, units=1, prefix="RV")
    return sample_reports_build(prefix="RV")


def _reference_order(user) -> list[int]:
    """The reviewer's departments as the inbox ordered them before it was paginated: every report read with
    its status in department order, the unfinished ones, approvable-now first, then by year and oldest
    waiting (a stable sort: department order among equals)."""
    rows = []
    reports = selectors.progress_reports(user, Report.objects.first().cycle).select_related("cycle").order_by(
        "-cycle__year", "department__order", "department__code")
    for report in reports:
        status = report_status(report)
        if not status.unapproved:
            continue
        oldest = Section.objects.filter(report=report, state=State.LEADING_APPROVED).order_by(
            "submitted_at").values_list("submitted_at", flat=True).first()
        now = status.ready and selectors.gate_open(status.pending, report.cycle.require_leading_before_finance)
        rows.append(((not now, -report.cycle.year, oldest is None, oldest or 0), report.pk))
    return [pk for _, pk in sorted(rows, key=lambda row: row[0])]


def test_the_inbox_pages_departments_in_the_order_and_with_the_counts_of_every_report(client, built, monkeypatch):
    monkeypatch.setattr("reports.review.views.READY_PAGE", 4)  # three pages of the nine unfinished departments
    for i, department in enumerate(built.departments):  # department order against creation order
        department.order = 100 - i
        department.save(update_fields=["order"])
    client.force_login(built.reviewer)
    shown, number = [], 1
    while True:
        ready = client.get(reverse("home"), {"dpage": number}).context["ready"]
        for row in ready:
            status = report_status(selectors.progress_reports(built.reviewer, built.cycle).get(pk=row.report.pk))
            assert (row.ready, row.approved, row.total, row.pending) == (
                status.ready, status.approved, status.total, status.pending)
            shown.append(row.report.pk)
        if not ready.has_next():
            break
        number += 1
    assert number == 3 and shown == _reference_order(built.reviewer)
    assert len(shown) == 12 - 3  # every fifth department is final: 0, 5, 10


def _ready_row(client, reviewer, report):
    client.force_login(reviewer)
    pages = client.get(reverse("home")).context["ready"]
    return next(r for r in pages if r.report.pk == report.pk)


def test_a_finance_approval_shows_at_once_on_both_pages(client, built):
    report = Report.objects.get(cycle=built.cycle, department=built.departments[1])  # at the finance stage
    before = _ready_row(client, built.reviewer, report)
    section = Section.objects.filter(report=report, state=State.LEADING_APPROVED).order_by("node__order").first()
    workflow.transition_apply(item=section, action=Action.FINANCE_APPROVE, actor=built.reviewer,
                              version=section.version, comment="同意")
    after = _ready_row(client, built.reviewer, report)
    assert (after.ready, after.approved) == (before.ready - 1, before.approved + 1)
    progress = client.get(reverse("reports:progress"), {"cycle": built.cycle.pk})
    [row] = [r for r in progress.context["rows"] if r.report.pk == report.pk]
    assert row.status.approved == before.approved + 1
    assert f'href="/sections/{section.pk}/" title="已审定"' in str(row.cells)


def test_the_progress_rows_agree_with_each_reports_status(client, built):
    client.force_login(built.reviewer)
    response = client.get(reverse("reports:progress"), {"cycle": built.cycle.pk})
    rows = response.context["rows"]
    assert len(rows) == 12
    today = timezone.localdate()
    for row in rows:
        status = report_status(selectors.progress_reports(built.reviewer, built.cycle).get(pk=row.report.pk))
        assert row.status == status and row.is_overdue == status.is_overdue(today)
        assert str(row.cells).count('<td class="cell">') == len(response.context["entries"])


def test_the_rows_drawn_in_python_escape_names(client, built):
    department = built.departments[1]
    department.name = '<script>alert("x")</script>部门'
    department.save(update_fields=["name"])
    client.force_login(built.reviewer)
    for url in (reverse("home"), f"{reverse('reports:progress')}?cycle={built.cycle.pk}"):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;部门" in page
