"""Personas, and the gate for tests that need real services.

Tests marked ``postgres``, ``redis`` or ``browser`` skip (with the reason) when
the service is missing, so a fresh machine still gets a green run; CI sets
EVALSITE_REQUIRE_SERVICES=1 and then a missing service is a failure.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import hypothesis
import pytest
from django.db import connection

from departments.models import Department
from tests.browser import (
    browser,  # noqa: F401 (the Playwright fixture, shared by the browser tests)
    browser_stop,
    chromium_path,
)
from tests.replay import demo_org_replayed, demo_report_replayed

REQUIRE_SERVICES = os.environ.get("EVALSITE_REQUIRE_SERVICES") == "1"

# How fast examples come depends on the machine's load (the suite runs on every core, beside other
# work), not on the code: the same number of examples is still checked, without wall-clock limits.
hypothesis.settings.register_profile("evalsite", deadline=None,
                                     suppress_health_check=[hypothesis.HealthCheck.too_slow])
hypothesis.settings.load_profile("evalsite")


def _worker_broker_url(url: str, worker: str) -> str:
    """The Redis database of one pytest-xdist worker: the given one plus the worker's index
    (gw0 -> /N, gw1 -> /N+1, ...), so each worker's Celery worker, queue and results are its own
    and a ping is answered only by the worker this process started."""
    from urllib.parse import urlparse

    if not worker.startswith("gw"):
        return url
    parsed = urlparse(url)
    db = int(parsed.path.strip("/") or 0) + int(worker[2:])
    return parsed._replace(path=f"/{db}").geturl()


# Every reader (the Celery worker fixtures, the broker-outage proxy) takes the broker from here.
os.environ["CELERY_TEST_BROKER_URL"] = _worker_broker_url(
    os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/12"), os.environ.get("PYTEST_XDIST_WORKER", ""))


def _redis_url() -> str:
    return os.environ["CELERY_TEST_BROKER_URL"]


def _redis_reachable() -> bool:
    from urllib.parse import urlparse

    url = urlparse(_redis_url())
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _missing_service(item: pytest.Item) -> str | None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "需要 PostgreSQL：设置 DATABASE_URL=postgres://… 后运行"
    if item.get_closest_marker("redis") and not _redis_reachable():
        return f"需要 Redis（{_redis_url()}）"
    if item.get_closest_marker("browser") and not chromium_path():
        return "需要 Chromium（/usr/bin/chromium-headless-shell 或 /usr/bin/chromium：apt-get install chromium-headless-shell fonts-noto-cjk）"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The browser tests first: with ``--dist loadfile`` each process takes the next file when it is free,
    so the longest files (7–15 s each) are shared out at the start rather than left to one process at the end."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    browser_stop()
    from django.conf import settings

    media = Path(settings.MEDIA_ROOT)
    if media.name.startswith("evalsite-test-media-"):
        shutil.rmtree(media, ignore_errors=True)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: the cached figures are keyed by row ids and times, and a
    rolled-back test's ids are handed out again on SQLite (a later test could read the earlier one's)."""
    from django.core.cache import cache

    from reports.memo import forget

    cache.clear()
    forget()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After the last of consecutive browser tests, Chromium goes first: its open connections to the live
    server hold database sessions, which the database's teardown (a flush, or the test database's drop) waits on."""
    if nextitem is None or not nextitem.get_closest_marker("browser"):
        browser_stop()


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = _missing_service(item)
    if reason is None:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"EVALSITE_REQUIRE_SERVICES=1 but: {reason}")
    pytest.skip(reason)


def cycle_2021_launch(actor):  # noqa: ANN001, ANN201
    """A 2021 cycle over the police bureau and the demo department, with empty sections."""
    from datetime import date

    from reports.annual.services import cycle_launch, template_install_default

    return cycle_launch(
        year=2021, name="2021年度部门整体支出绩效自评", template=template_install_default(),
        departments=list(Department.objects.filter(code__in=["CG-GAFJ", "CG-JTJ"]).order_by("code")),
        opens_on=date(2022, 1, 10), due_on=date(2022, 3, 31), actor=actor,
    )


@pytest.fixture
def cycle(demo, finance_admin):
    """A 2021 cycle over the police bureau and the demo department, with empty sections."""
    return cycle_2021_launch(finance_admin)


@pytest.fixture
def police_report(cycle):
    return cycle.reports.get(department__code="CG-GAFJ")


@contextlib.contextmanager
def module_data(django_db_blocker):  # noqa: ANN001, ANN201
    """Data a test module loads once and its tests share (in a module-scoped fixture).

    The data lives in an outer transaction that is rolled back when the module ends; each test
    (``django_db``, not ``transaction=True``) runs in a savepoint inside it and is rolled back to it,
    so every test still sees the data exactly as loaded."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def demo_report_module(django_db_setup, django_db_blocker):  # noqa: ANN001
    """The demo organisation, accounts and 2021 report, loaded once per test module (``module_data``).
    Use through ``demo_report_loaded``."""
    with module_data(django_db_blocker):
        demo_report_replayed()
        yield


@pytest.fixture(scope="module")
def demo_quarters_module(demo_report_module, django_db_blocker):  # noqa: ANN001
    """``demo_report_module`` plus the demo's 2021 quarterly monitoring, once per module."""
    from reports.quarterly.demo import demo_quarters_load

    with module_data(django_db_blocker):
        demo_quarters_load()
        yield


@pytest.fixture
def demo_quarters_loaded(demo_quarters_module, db):  # noqa: ANN001
    return {d.code: d for d in Department.objects.all()}


@pytest.fixture
def demo_report_loaded(demo_report_module, db):  # noqa: ANN001
    """Per test: the module's demo report (see ``demo_report_module``)."""
    return {d.code: d for d in Department.objects.all()}


@pytest.fixture
def demo(db):
    """The demo organisation and accounts (``tests/replay.py``: written for real once per process)."""
    demo_org_replayed()
    return {d.code: d for d in Department.objects.all()}


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


@pytest.fixture
def clerk(demo):
    """城关派出所 填报员."""
    return _user("clerk_cg")


@pytest.fixture
def coordinator(demo):
    return _user("coord_jwbz")


@pytest.fixture
def group_leader(demo):
    return _user("leader_zz")


@pytest.fixture
def leader(demo):
    return _user("leader_cy")


@pytest.fixture
def finance_reviewer(demo):
    return _user("fin_reviewer")


@pytest.fixture
def finance_admin(demo):
    return _user("fin_admin")


@pytest.fixture
def outsider(demo):
    """A clerk of another department."""
    return _user("other_clerk")


# --- a real Celery worker (tests marked postgres + redis) ----------------------------------------

def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker(settings, tmp_path):
    """A worker process on the test database, the Redis broker and a shared MEDIA_ROOT;
    while it runs, the app sends tasks to it instead of running them in-process."""
    command = ["-m", "celery", "-A", "evalsite", "worker", "--pool=solo", "--loglevel=WARNING",
               "-n", f"test-{os.getpid()}@%h"]
    with running_worker(settings, tmp_path, command):
        yield


@contextlib.contextmanager
def running_worker(settings, tmp_path, command: list[str], env: dict[str, str] | None = None):  # noqa: ANN201
    """Run ``python <command>`` as a Celery worker on the test database and Redis until the block ends."""
    broker = _redis_url()
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {**os.environ, "CELERY_BROKER_URL": broker, "DATABASE_URL": _database_url(),
           "DJANGO_SETTINGS_MODULE": "evalsite.settings.test", "MEDIA_ROOT": str(settings.MEDIA_ROOT),
           **(env or {})}
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen([sys.executable, *command], cwd=Path(__file__).resolve().parent.parent, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    from celery import Celery

    from evalsite.celery import app as celery_app

    saved = {k: celery_app.conf[k] for k in ("task_always_eager", "broker_url", "result_backend")}
    celery_app.conf.update(task_always_eager=False, broker_url=broker, result_backend=broker)
    _forget_broker_pools(celery_app)
    probe = Celery(broker=broker, set_as_current=False)  # else shared tasks of this thread go to it
    try:
        deadline = time.monotonic() + 90
        while not probe.control.ping(timeout=1.0):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("the Celery worker did not start:\n" + (tmp_path / "worker.log").read_text()[-3000:])
        yield process
    finally:
        celery_app.conf.update(saved)
        _forget_broker_pools(celery_app)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _forget_broker_pools(app) -> None:  # noqa: ANN001
    """Make the app look up its (global, per-URL) connection and producer pools again, so tasks
    go to the broker just configured rather than to one an earlier test's pool points at."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(scope="session", autouse=True)
def _no_stray_database_sessions(django_db_setup, django_db_blocker):  # noqa: ANN001
    """Before the test database is dropped, end the sessions a live server thread or a worker left
    open on it (PostgreSQL refuses to drop a database in use and pytest-django only warns)."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
