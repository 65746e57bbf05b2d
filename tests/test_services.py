"""The real services CI provides: PostgreSQL (index use) and a Redis-backed Celery worker."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from departments.models import Department

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.postgres
@pytest.mark.django_db
def test_subtree_filter_uses_the_path_index_on_postgres(demo):
    police = Department.objects.get(code="CG-GAFJ")
    sql, params = Department.objects.filter(path__startswith=police.path).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # An Index Scan or a Bitmap Index Scan, by the planner's statistics: either way the prefix
    # filter goes through the varchar_pattern_ops ("_like") index on the path.
    assert re.search(r"(Bitmap )?Index Scan on departments_department_path_\w*_like|"
                     r"Index Scan using departments_department_path_\w*_like", plan), plan


@pytest.mark.redis
def test_a_celery_worker_on_the_redis_broker_answers():
    broker = os.environ["CELERY_TEST_BROKER_URL"]
    env = {**os.environ, "CELERY_BROKER_URL": broker, "DJANGO_SETTINGS_MODULE": "evalsite.settings.test"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "evalsite", "worker", "--pool=solo", "-n", f"ci-{os.getpid()}@%h",
         "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        from celery import Celery

        client = Celery(broker=broker, set_as_current=False)
        deadline = time.monotonic() + 30
        replies = []
        while time.monotonic() < deadline and not replies:
            replies = client.control.ping(timeout=1.0)
        assert replies, "no Celery worker answered on " + broker
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def test_each_xdist_worker_has_a_redis_database_of_its_own():
    from tests.conftest import _worker_broker_url

    assert _worker_broker_url("redis://127.0.0.1:6379/10", "") == "redis://127.0.0.1:6379/10"
    assert _worker_broker_url("redis://127.0.0.1:6379/10", "gw0") == "redis://127.0.0.1:6379/10"
    assert _worker_broker_url("redis://127.0.0.1:6379/10", "gw1") == "redis://127.0.0.1:6379/11"
