"""驾驶舱: every chart's numbers equal the lists it links to; scope; query counts; bad parameters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.sample import sample_district_build
from reports.dashboard.charts import hbar
from reports.models import QuarterlyReport
from reports.quarterly.selectors import WARNING_KINDS
from reports.review.selectors import GRADES, REPORT_STAGES
from reports.sample import QUARTER, YEAR, sample_reports_build

pytestmark = pytest.mark.django_db
MAX_QUERIES = 12


def district(prefix: str, departments: int, units: int = 2):
    sample_district_build(departments=departments, units=units, prefix=prefix)
    return sample_reports_build(prefix=prefix)


def _coord_name(code: str) -> str:
    prefix = code.split("-")[0]
    return f"{prefix.lower()}_{code.lower()}_coord"


def charts(client, user, query: str = ""):
    client.force_login(user)
    response = client.get(f"{reverse('reports:dashboard')}{query}")
    assert response.status_code == 200
    return {c.title: c for c in response.context["charts"]}, response


def list_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def chart_titled(found: dict, part: str):
    return next(c for title, c in found.items() if part in title)


def test_every_bar_counts_what_its_list_shows(client):
    built = district("DA", 12)
    found, _ = charts(client, built.reviewer)
    checked = 0
    for part in ("预警", "评价进度", "等级分布"):
        chart = chart_titled(found, part)
        for bar in chart.bars:
            assert list_count(client, bar.item.url) == bar.item.value, (part, bar.item.label)
            checked += 1
    assert checked == len(WARNING_KINDS) + len(REPORT_STAGES) + 1 + len(GRADES)


def test_the_figures_match_the_data(client):
    built = district("DB", 12)
    found, response = charts(client, built.reviewer)
    quarter = response.context["quarter"]
    assert (quarter.year, quarter.quarter) == (YEAR, QUARTER)  # the latest quarter by default
    mains = QuarterlyReport.objects.filter(
        department__in=built.departments, year=YEAR, quarter=QUARTER, is_main=True
    )
    assert len(quarter.execution) == mains.count() == 12
    # the sample puts departments 0 and 2 of every four behind the 75% checkpoint
    assert quarter.behind == 6
    behind_url = (
        f"{reverse('reports:quarterly_list')}?year={YEAR}&quarter={QUARTER}&warning=behind_checkpoint"
    )
    assert list_count(client, behind_url) == 6
    execution = chart_titled(found, "预算执行率")
    assert [b.item.tone for b in execution.bars[:6]] == ["err"] * 6 and execution.bars[6].item.tone == "ok"
    progress = chart_titled(found, "评价进度")
    stages = {b.item.label: b.item.value for b in progress.bars}
    assert stages["已定稿"] == 3 and stages["待财政审核"] == 3 and stages["部门填报或审核中"] == 6
    grades = chart_titled(found, "等级分布")
    assert sum(b.item.value for b in grades.bars) == 12
    assert {b.item.label[0] for b in grades.bars if b.item.value} == set(GRADES)


def test_a_saved_quarterly_report_shows_at_once_in_the_cached_figures(client):
    """The quarter's figures are cached; a save changes the stamp, so the next page has the new figures."""
    from reports.quarterly.services import quarterly_save
    from workflow.states import EDITABLE_STATES

    built = district("DV", 8)
    found, response = charts(client, built.reviewer)
    behind = response.context["quarter"].behind
    behind_url = f"{reverse('reports:quarterly_list')}?year={YEAR}&quarter={QUARTER}&warning=behind_checkpoint"
    assert list_count(client, behind_url) == behind > 0
    late = next(e for e in response.context["quarter"].execution if e.gap is not None and e.gap < 0
                and QuarterlyReport.objects.get(pk=e.report_id).state in EDITABLE_STATES)
    report = QuarterlyReport.objects.get(pk=late.report_id)
    coordinator = get_user_model().objects.get(username=_coord_name(report.department.code))
    budget = report.data["budget"] | {"executed": report.data["budget"]["annual"]}  # all of it spent
    quarterly_save(report=report, data=report.data | {"budget": budget}, base_version=report.version,
                   actor=coordinator)

    found, response = charts(client, built.reviewer)
    quarter = response.context["quarter"]
    assert quarter.behind == behind - 1
    assert next(e for e in quarter.execution if e.report_id == report.pk).rate == 1
    bar = next(b for b in chart_titled(found, "预算执行率").bars if b.item.label == report.department.name)
    assert bar.item.text == "100.00%" and bar.item.tone == "ok"
    assert list_count(client, behind_url) == behind - 1


def test_the_figures_select_the_reports_the_list_shows_for_every_kind_of_user():
    """The cached figures select reports by ``IN (units)``, the list by path joins: the same reports."""
    from reports.quarterly import selectors

    built = district("DW", 3)
    tag = built.departments[1].code.lower()
    users = get_user_model().objects
    people = [built.reviewer, built.admin, *(users.get(username=f"dw_{tag}_{role}") for role in ("coord", "fin")),
              users.get(username=f"dw_{tag}-u001")]
    seen = []
    for user in people:
        listed = set(selectors.quarterlies_visible(user).values_list("pk", flat=True))
        counted = QuarterlyReport.objects.filter(selectors._visible_quarterly_in_q(user)).values_list("pk", flat=True)
        assert listed == set(counted), user.username
        seen.append(len(listed))
    assert seen[0] == QuarterlyReport.objects.filter(department__in=built.departments).count()
    assert seen[0] > seen[2] > seen[4] > 0  # the district, one department, one unit


def test_a_coordinator_sees_only_their_department(client):
    built = district("DC", 6)
    coordinator = get_user_model().objects.get(username=_coord_name(built.departments[2].code))
    found, response = charts(client, coordinator)
    quarter = response.context["quarter"]
    assert [e.department_id for e in quarter.execution] == [built.departments[2].pk]
    assert (
        quarter.reports
        == QuarterlyReport.objects.filter(department=built.departments[2], quarter=QUARTER).count()
    )
    assert sum(b.item.value for b in chart_titled(found, "评价进度").bars[:3]) == 1
    assert sum(b.item.value for b in chart_titled(found, "等级分布").bars) == 1
    other = built.departments[3].name
    assert other not in response.content.decode()


def test_an_outsider_sees_empty_charts_that_say_so(client, demo, clerk):
    found, response = charts(client, clerk)
    assert all(not c.bars for c in found.values())
    html = response.content.decode()
    assert "没有季度监控数据" in html and "尚无整改事项" in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("?cycle=abc", "评价周期参数"),
        ("?year=2021", "年度和季度须同时指定"),
        ("?year=2021&quarter=9", "季度参数"),
        ("?cycle=999999", "评价周期不存在"),
    ],
)
def test_bad_parameters_are_a_400_in_chinese(client, finance_admin, query, message):
    client.force_login(finance_admin)
    response = client.get(f"{reverse('reports:dashboard')}{query}")
    assert response.status_code == 400 and message in response.content.decode()


@pytest.mark.parametrize(
    "url, message",
    [
        ("/quarterly/?warning=nope", "预警类型"),
        ("/quarterly/?department=x", "部门参数"),
        ("/progress/?stage=nope", "进度参数"),
        ("/progress/?grade=A", "等级参数"),
    ],
)
def test_the_lists_refuse_bad_filters(client, finance_admin, url, message):
    client.force_login(finance_admin)
    response = client.get(url)
    assert response.status_code == 400 and message in response.content.decode()


def test_a_chart_without_data_says_so():
    chart = hbar("标题", [], empty="没有数据。")
    assert chart.bars == [] and chart.empty == "没有数据。"


def _queries(client, user, url: str) -> int:
    client.force_login(user)
    client.get(url)  # warm the per-process caches (content types)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


PAGES = {
    "dashboard (reviewer)": ("reviewer", lambda b: f"{reverse('reports:dashboard')}?cycle={b.cycle.pk}"),
    "dashboard (admin)": ("admin", lambda b: f"{reverse('reports:dashboard')}?cycle={b.cycle.pk}"),
    "dashboard (coordinator)": (
        "coordinator",
        lambda b: f"{reverse('reports:dashboard')}?cycle={b.cycle.pk}",
    ),
    "inbox (reviewer)": ("reviewer", lambda b: reverse("home")),
    "inbox (admin)": ("admin", lambda b: reverse("home")),
    "inbox (coordinator)": ("coordinator", lambda b: reverse("home")),
    "progress (reviewer)": ("reviewer", lambda b: f"{reverse('reports:progress')}?cycle={b.cycle.pk}"),
    "progress by stage": (
        "reviewer",
        lambda b: f"{reverse('reports:progress')}?cycle={b.cycle.pk}&stage=finance",
    ),
    "quarterly main (coordinator)": (
        "coordinator",
        lambda b: reverse(
            "reports:quarterly_detail",
            args=[
                QuarterlyReport.objects.get(
                    department=b.departments[0], unit=b.departments[0], quarter=QUARTER
                ).pk
            ],
        ),
    ),
    "quarterly list by warning": (
        "reviewer",
        lambda b: f"{reverse('reports:quarterly_list')}?warning=unlikely",
    ),
    "quarterly list (reviewer)": ("reviewer", lambda b: reverse("reports:quarterly_list")),
}


@pytest.fixture(scope="module")
def two_sizes(django_db_setup, django_db_blocker):
    """A district of 10 and one of 200 departments, built once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield [district("QS", 10, units=1), district("QL", 200, units=1)]
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.parametrize("page", list(PAGES))
def test_query_counts_are_equal_at_10_and_200_departments_and_at_most_12(two_sizes, client, page):
    who, url = PAGES[page]
    counts = []
    for built in two_sizes:
        user = {
            "reviewer": built.reviewer,
            "admin": built.admin,
            "coordinator": get_user_model().objects.get(username=_coord_name(built.departments[0].code)),
        }[who]
        counts.append(_queries(client, user, url(built)))
    assert counts[0] == counts[1] <= MAX_QUERIES, counts


def test_the_inbox_lists_one_row_per_department_paginated(client):
    built = district("DI", 45, units=1)
    client.force_login(built.reviewer)
    response = client.get(reverse("home"))
    ready = response.context["ready"]
    assert ready.paginator.count == 45 - 9  # the final ones are done
    assert len(ready.object_list) == 20
    row = next(r for r in ready if r.ready)
    query = parse_qs(
        urlsplit(
            f"?cycle={row.report.cycle_id}&department={row.report.department_id}&state=leading_approved"
        ).query
    )
    items = client.get(reverse("home"), {k: v[0] for k, v in query.items()}).context["page"]
    assert items.paginator.count == row.ready
    second = client.get(reverse("home"), {"dpage": 2}).context["ready"]
    assert second.number == 2 and len(second.object_list) == 16


def test_the_rectification_chart_counts_what_the_ledger_shows(client, demo_report_loaded, finance_admin, settings,
                                                               tmp_path):
    from reports.models import EvaluationCycle
    from reports.rectification.demo import demo_rectification_load

    settings.MEDIA_ROOT = tmp_path / "media"
    demo_rectification_load()
    cycle = EvaluationCycle.objects.filter(year=2021).first()
    found, _ = charts(client, finance_admin, f"?cycle={cycle.pk}")
    chart = chart_titled(found, "整改事项")
    assert sum(b.item.value for b in chart.bars[:-1]) == 5  # the demo's five items of 2021
    for bar in chart.bars:
        assert list_count(client, bar.item.url) == bar.item.value, bar.item.label
