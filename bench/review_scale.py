"""How the authoring and review pages scale with the district: 我的填报, 我的待办, 审核进度, a report page.

For N departments (N = 10, 40, 200) of 5 units each it launches a cycle with the default
template (37 sections per department), moves some sections along the workflow states,
then measures for a finance reviewer of the whole district, the leader and the
coordinator of one department: SQL queries, median wall time (5 runs after one warm-up)
and peak Python memory (tracemalloc, one request).

    .venv/bin/python bench/review_scale.py [--database-url postgres://postgres@127.0.0.1:5432/evalsite_bench_review]
"""

from __future__ import annotations

from datetime import date
from typing import Any

from harness import (
    banner,
    django_setup,
    markdown_table,
    median_seconds,
    mib,
    ms,
    parse_args,
    peak_bytes,
    throwaway_database,
    timed,
)

SIZES = (10, 40, 200)
UNITS = 5


def _district(prefix: str, departments: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from departments.models import Department, Membership, Role
    from departments.sample import sample_district_build
    from reports.annual.services import cycle_launch, template_install_default
    from reports.models import Section
    from workflow.states import State

    bureau = sample_district_build(departments=departments, units=UNITS, prefix=prefix)
    users = get_user_model().objects
    admin = users.create(username=f"{prefix}-admin")
    Membership.objects.create(user=admin, unit=bureau, role=Role.FINANCE_ADMIN)
    reviewer = users.create(username=f"{prefix}-reviewer")
    Membership.objects.create(user=reviewer, unit=bureau, role=Role.FINANCE_REVIEWER)
    depts = list(Department.objects.filter(parent=bureau).order_by("code"))
    cycle = cycle_launch(year=2030, name=f"{prefix}", template=template_install_default(), departments=depts,
                         opens_on=date(2031, 1, 1), due_on=date(2031, 3, 31), actor=admin)
    sections = Section.objects.filter(report__cycle=cycle)
    for order, state in enumerate([State.SUBMITTED, State.LEADING_APPROVED, State.RETURNED, State.APPROVED], 1):
        sections.filter(node__order=order).update(state=state)
    tag = f"{prefix.lower()}_{depts[0].code.lower()}"
    return {"cycle": cycle, "reviewer": reviewer, "leader": users.get(username=f"{tag}_leader"),
            "coordinator": users.get(username=f"{tag}_coord"), "report": cycle.reports.get(department=depts[0])}


def _measure(user: Any, url: str) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries = len(ctx.captured_queries)  # now: the next request resets the query log
    seconds = median_seconds(lambda: client.get(url))
    peak = peak_bytes(lambda: client.get(url))
    return [str(queries), ms(seconds), mib(peak)]


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    with throwaway_database(args.database_url) as url:
        vendor = django_setup(url)
        from django.db import connection
        from django.urls import reverse

        rows = []
        for size in SIZES:
            build_s, d = timed(lambda size=size: _district(f"R{size}", size))
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            pages = [
                ("我的填报", "coordinator", reverse("reports:section_list")),
                ("我的待办", "reviewer", reverse("home")),
                ("我的待办", "leader", reverse("home")),
                ("审核进度", "reviewer", f"{reverse('reports:progress')}?cycle={d['cycle'].pk}"),
                ("报告页", "coordinator", reverse("reports:report_detail", args=[d["report"].pk])),
            ]
            for name, who, page_url in pages:
                rows.append([str(size), f"{size * 37}", f"{build_s:.1f}", name, who, *_measure(d[who], page_url)])
        print(banner("review_scale", vendor))
        print(markdown_table(["departments", "sections", "build s", "page", "user", "queries", "median ms",
                              "peak MiB"], rows))


if __name__ == "__main__":
    main()
