"""How the home page and the organisation pages scale with the size of the district.

For N departments of 20 units each (N = 10, 40, 200, 1000) it builds a sample
district, then measures for a finance administrator of the district and for the
clerk of one unit: SQL queries, median wall time (5 runs, after one warm-up)
and peak memory (tracemalloc, one request) of GET / (我的待办), GET /org/ (the
organisation overview) and GET /org/<department>/.
All sizes share one database (codes prefixed B10, B40, ...), so each later size
also runs against the rows of the earlier ones; ANALYZE runs after each build.

    .venv/bin/python bench/org_scale.py [--database-url postgres://postgres@127.0.0.1:5432/evalsite_bench]
"""

from __future__ import annotations

from dataclasses import dataclass
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

SIZES = (10, 40, 200, 1000)
UNITS = 20
RUNS = 5


@dataclass(frozen=True)
class PageFigures:
    status: int
    queries: int
    median_s: float
    peak: int


@dataclass(frozen=True)
class SizeFigures:
    departments: int
    units: int
    build_s: float
    pages: dict[tuple[str, str], PageFigures]


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    return client


def _measure_page(client: Any, url: str) -> PageFigures:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: URL resolver, template compilation
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url).status_code
    # Count now: the captured list is a slice of the query log, which the next request resets.
    queries = len(captured)
    median_s = median_seconds(lambda: client.get(url), RUNS)
    return PageFigures(status, queries, median_s, peak_bytes(lambda: client.get(url)))


def _analyze() -> None:
    """Refresh planner statistics, as autovacuum does shortly after a bulk load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _people(prefix: str, bureau: Any) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from departments.models import Membership, Role

    user_model = get_user_model()
    admin = user_model.objects.create(username=f"{prefix.lower()}_bench_admin", first_name="样本管理员")
    Membership.objects.create(user=admin, unit=bureau, role=Role.FINANCE_ADMIN)
    clerk = user_model.objects.get(username=f"{prefix.lower()}_{prefix.lower()}-d0001-u001")
    return {"finance_admin": admin, "clerk": clerk}


def _measure_size(departments: int) -> SizeFigures:
    from departments.sample import sample_district_build

    prefix = f"B{departments}"
    build_s, bureau = timed(
        lambda: sample_district_build(departments=departments, units=UNITS, prefix=prefix)
    )
    _analyze()
    pages: dict[tuple[str, str], PageFigures] = {}
    for who, user in _people(prefix, bureau).items():
        client = _client(user)
        for page, url in (("/", "/"), ("/org/", "/org/"), ("/org/<dept>/", f"/org/{prefix}-D0001/")):
            pages[who, page] = _measure_page(client, url)
    return SizeFigures(departments, departments * UNITS, build_s, pages)


def _build_table(results: list[SizeFigures]) -> str:
    rows = [[str(r.departments), f"{r.units:,}", f"{r.build_s:.2f}"] for r in results]
    return markdown_table(["departments", "units", "build (s)"], rows)


def _page_table(results: list[SizeFigures]) -> str:
    rows = []
    for r in results:
        for (who, page), fig in r.pages.items():
            rows.append([str(r.departments), who, page, str(fig.status), str(fig.queries), ms(fig.median_s),
                         mib(fig.peak)])
    header = ["departments", "user", "page", "status", "queries", "median (ms)", "peak (MiB)"]
    return markdown_table(header, rows)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    with throwaway_database(args.database_url) as url:
        vendor = django_setup(url)
        results = [_measure_size(n) for n in SIZES]
        print(banner("org_scale", vendor))
        print(f"\nBuild of the sample district ({UNITS} units per department):\n")
        print(_build_table(results))
        print(f"\nPages (median of {RUNS} runs after one warm-up):\n")
        print(_page_table(results))


if __name__ == "__main__":
    main()
