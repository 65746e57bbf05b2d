"""The district's pages under load: 150 departments × 20 units on PostgreSQL behind gunicorn.

Builds the district with ``manage.py generate_sample --departments 150 --units 20`` and
``manage.py generate_sample_reports`` (a cycle of 150 × 37 sections in mixed states, two quarters
of monitoring), starts gunicorn (3 sync workers, DEBUG off, persistent database connections), logs
in a finance reviewer, a finance admin and a coordinator (a session row each), and loads every page
with CLIENTS concurrent clients. The pages are measured in ROUNDS interleaved rounds, ``GET /login/``
among them, so that the trivial page sees the same load as the others; each prints its p50 and p95
and the ratio of its p95 to the login page's p95 in the same run.

    .venv/bin/python bench/district_pages.py --database-url postgres://postgres@127.0.0.1:5432/evalsite_bench_pages
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from harness import PROJECT_DIR, banner, django_setup, markdown_table, throwaway_database

DEPARTMENTS, UNITS, PREFIX = 150, 20, "BP"
WORKERS = 3
CLIENTS = 4
ROUNDS = 5
PER_CLIENT = 5  # requests per client and round: ROUNDS × CLIENTS × PER_CLIENT samples per page
FLOOR, GOAL = 15, 6


@dataclass(frozen=True)
class Page:
    label: str
    who: str  # "", "reviewer", "admin" or "coordinator"
    path: str


def _manage(url: str, *args: str) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "evalsite.settings.dev", "DATABASE_URL": url, "DEBUG": "0"}
    subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def district_build(url: str, departments: int, units: int) -> None:
    _manage(url, "generate_sample", "--departments", str(departments), "--units", str(units), "--prefix", PREFIX)
    _manage(url, "generate_sample_reports", "--prefix", PREFIX)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _session(user: Any) -> str:
    """A logged-in session for ``user``, as the login view would store it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def pages_and_sessions() -> tuple[list[Page], dict[str, str]]:
    from django.contrib.auth import get_user_model

    from departments.models import Department
    from reports.models import EvaluationCycle, QuarterlyReport

    users = get_user_model().objects
    first = Department.objects.get(code=f"{PREFIX}-D0001")
    people = {"reviewer": users.get(username=f"{PREFIX.lower()}-reviewer"),
              "admin": users.get(username=f"{PREFIX.lower()}-admin"),
              "coordinator": users.get(username=f"{PREFIX.lower()}_{first.code.lower()}_coord")}
    cycle = EvaluationCycle.objects.get(name__contains=f"样本数据 {PREFIX}")
    main = QuarterlyReport.objects.filter(department=first, unit=first).order_by("-year", "-quarter").first()
    pages = [
        Page("登录页 GET /login/", "", "/login/"),
        Page("我的待办（财政局审核员）", "reviewer", "/"),
        Page("我的待办（财政局管理员）", "admin", "/"),
        Page("我的待办（部门联络员）", "coordinator", "/"),
        Page("审核进度（财政局审核员）", "reviewer", f"/progress/?cycle={cycle.pk}"),
        Page("审核进度（财政局管理员）", "admin", f"/progress/?cycle={cycle.pk}"),
        Page("驾驶舱（财政局审核员）", "reviewer", f"/dashboard/?cycle={cycle.pk}"),
        Page("驾驶舱（部门联络员）", "coordinator", f"/dashboard/?cycle={cycle.pk}"),
        Page("季度监控主表（部门联络员）", "coordinator", f"/quarterly/{main.pk}/"),
        Page("季度监控清单（财政局审核员）", "reviewer", "/quarterly/"),
    ]
    return pages, {who: _session(user) for who, user in people.items()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(url: str) -> Iterator[int]:
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "evalsite.settings.dev", "DATABASE_URL": url, "DEBUG": "0",
           "DB_CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING"}
    cmd = [str(PROJECT_DIR / ".venv/bin/gunicorn"), "evalsite.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(WORKERS),
           "--worker-class", "sync", "--timeout", "60", "--log-level", "warning"]
    server = subprocess.Popen(cmd, cwd=PROJECT_DIR, env=env, start_new_session=True)
    try:
        _wait_for(port)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _get(port, "/login/", "")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def _get(port: int, path: str, session: str) -> tuple[int, int, float]:
    """One request on a new connection (sync workers close it after each response): status, bytes, seconds."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1", "Cookie": f"sessionid={session}"} if session else {"Host": "127.0.0.1"}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, len(body), time.perf_counter() - start


def _burst(port: int, page: Page, session: str, samples: list[float], sizes: list[tuple[int, int]]) -> None:
    """CLIENTS threads, PER_CLIENT requests each, all for one page."""
    lock = threading.Lock()

    def client() -> None:
        for _ in range(PER_CLIENT):
            status, size, seconds = _get(port, page.path, session)
            with lock:
                samples.append(seconds)
                sizes.append((status, size))

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def measure(port: int, pages: list[Page], sessions: dict[str, str], rounds: int) -> list[list[str]]:
    """The pages in turn, ``rounds`` times; per page the pooled p50/p95, the pooled p95 over login's, and
    the ratio of each round's p95 to login's p95 in the same round (median and spread)."""
    samples: dict[str, list[list[float]]] = {p.label: [] for p in pages}
    sizes: dict[str, list[tuple[int, int]]] = {p.label: [] for p in pages}
    for page in pages:  # warm-up: every worker's first request of each page (imports, caches, connections)
        _burst(port, page, sessions.get(page.who, ""), [], [])
    for _ in range(rounds):
        for page in pages:
            samples[page.label].append([])
            _burst(port, page, sessions.get(page.who, ""), samples[page.label][-1], sizes[page.label])
    login = samples[pages[0].label]
    base = p95([t for r in login for t in r])
    rows = []
    for page in pages:
        pooled = [t for r in samples[page.label] for t in r]
        per_round = sorted(p95(r) / p95(b) for r, b in zip(samples[page.label], login, strict=True))
        statuses = sorted({s for s, _ in sizes[page.label]})
        ratio = p95(pooled) / base
        verdict = "goal" if ratio <= GOAL else ("ok" if ratio <= FLOOR else "OVER")
        rows.append([page.label, page.path.split("?")[0], ",".join(map(str, statuses)),
                     f"{statistics.median(s for _, s in sizes[page.label]) / 1024:.0f}",
                     f"{statistics.median(pooled) * 1000:.0f}", f"{p95(pooled) * 1000:.0f}", f"{ratio:.1f}×",
                     f"{statistics.median(per_round):.1f}× ({per_round[0]:.1f}–{per_round[-1]:.1f})", verdict])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="postgres://user@host:port/NAME (created and dropped)")
    parser.add_argument("--departments", type=int, default=DEPARTMENTS, help=argparse.SUPPRESS)  # smoke runs
    parser.add_argument("--units", type=int, default=UNITS, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"interleaved rounds (default {ROUNDS})")
    args = parser.parse_args()
    with throwaway_database(args.database_url) as url:
        vendor = django_setup(url)
        started = time.perf_counter()
        district_build(url, args.departments, args.units)
        built = time.perf_counter() - started
        pages, sessions = pages_and_sessions()
        from django.db import connections

        connections.close_all()
        with gunicorn(url) as port:
            rows = measure(port, pages, sessions, args.rounds)
        print(banner("district_pages", vendor))
        print()
        print(f"{args.departments} departments × {args.units} units, built in {built:.0f} s; gunicorn {WORKERS} sync workers, "
              f"{CLIENTS} concurrent clients, {args.rounds} rounds × {CLIENTS * PER_CLIENT} requests per page "
              f"(after one warm-up burst each).")
        print()
        print(markdown_table(["page", "path", "status", "KiB", "p50 (ms)", "p95 (ms)", "p95 / login p95",
                              "per round: median (min–max)", ""], rows))


if __name__ == "__main__":
    main()
