"""Production settings: check --deploy is clean with the documented variables, and refuses without them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "evalsite.settings.production",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "evalsite.example.internal",
    "DATABASE_URL": "sqlite:////tmp/evalsite-deploy-check.sqlite3",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True
    )


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_bad_boolean_fails_loudly():
    result = manage("check", env={**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": "maybe"})
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr


def test_a_visibility_timeout_within_the_task_time_limit_fails_loudly():
    result = manage("check", env={**PRODUCTION_ENV, "CELERY_VISIBILITY_TIMEOUT": "300"})
    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT" in result.stderr


def test_lost_tasks_are_redelivered_and_the_broker_never_holds_a_request():
    from django.conf import settings

    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert options["socket_connect_timeout"] <= 5 and options["socket_timeout"] <= 5
    assert settings.CELERY_TASK_PUBLISH_RETRY is False
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"workflow.tasks.outbox_relay", "reports.tasks.export_jobs_sweep"} <= schedule


def _database_settings(url: str, **extra: str) -> str:
    code = "from django.conf import settings; d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    result = manage("shell", "-c", code, env={**PRODUCTION_ENV, "DATABASE_URL": url, **extra})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_postgresql_connections_persist_and_are_checked_before_reuse():
    assert _database_settings("postgres://u:p@db.example.internal:5432/evalsite") == "60 True"
    assert _database_settings("postgres://u@db/evalsite", DB_CONN_MAX_AGE="300", DB_CONN_HEALTH_CHECKS="0") == "300 False"
    assert _database_settings("sqlite:////tmp/evalsite-deploy-check.sqlite3") == "0 True"
