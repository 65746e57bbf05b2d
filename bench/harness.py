"""Shared set-up for the bench scripts: a throwaway database, Django, small timers.

Each script is run as ``.venv/bin/python bench/<name>.py [--database-url URL]``.
Without a URL it uses a fresh SQLite file under /tmp; with a PostgreSQL URL the
database named in it is created here and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/NAME: NAME is created and dropped; default: SQLite under /tmp",
    )
    return parser.parse_args()


def _admin_dsn(url: str) -> tuple[str, str]:
    """The same server's maintenance database ``postgres``, and the bench database's name."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name == "postgres":
        raise SystemExit("--database-url must name a throwaway database, not 'postgres'")
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), name


def _postgres_admin(url: str, sql: str) -> None:
    import psycopg
    from psycopg import sql as pgsql

    dsn, name = _admin_dsn(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(pgsql.SQL(sql).format(pgsql.Identifier(name)))


@contextmanager
def throwaway_database(url: str | None) -> Iterator[str]:
    """Yield a DATABASE_URL for a database that exists only for this run."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="evalsite-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("--database-url must be a postgres:// URL (SQLite is the default)")
    _postgres_admin(url, "CREATE DATABASE {}")
    try:
        yield url
    finally:
        from django.db import connections

        connections.close_all()
        _postgres_admin(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")


def django_setup(database_url: str) -> str:
    """Configure dev settings on the given database, migrate it; return the engine's vendor."""
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "evalsite.settings.dev"
    os.environ["DATABASE_URL"] = database_url
    # DEBUG off as in production: no query log growing in memory, no debug toolbar-ish costs.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    return connection.vendor


def timed(func: Callable[[], T]) -> tuple[float, T]:
    """Seconds taken by one call, and its result."""
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def median_seconds(func: Callable[[], object], runs: int = 5) -> float:
    return statistics.median(timed(func)[0] for _ in range(runs))


def peak_bytes(func: Callable[[], object]) -> int:
    """Peak memory allocated by Python during one call (tracemalloc)."""
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def banner(title: str, vendor: str) -> str:
    """A heading that says where and under what load the figures were taken."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"## {title} — {vendor}, Python {sys.version.split()[0]}, {os.cpu_count()} cores, load {load}"
