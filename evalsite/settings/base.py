"""Settings shared by every environment; each value comes from the environment."""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("EVALSITE_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "django_filters",
    "axes",
    "departments",
    "workflow",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "departments.security.content_security_policy",
    "departments.middleware.PasswordChangeRequiredMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "evalsite.urls"
WSGI_APPLICATION = "evalsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "departments.context_processors.user_scope",
                "workflow.context_processors.unread_notifications",
                "reports.navigation.main_menu",
            ],
        },
    },
]


def _database_config() -> dict:
    url = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'evalsite.sqlite3'}")
    config = dj_database_url.parse(url)
    # Persistent connections: a PostgreSQL connection (TCP, authentication, backend start) costs
    # several milliseconds, as much as a small page; each gunicorn worker keeps its own for
    # DB_CONN_MAX_AGE seconds and checks it before reuse, so a restarted database costs one
    # failed check, not a 500. SQLite opens a file: nothing to keep.
    postgres = config["ENGINE"] != "django.db.backends.sqlite3"
    config["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60 if postgres else 0)
    config["CONN_HEALTH_CHECKS"] = env_bool("DB_CONN_HEALTH_CHECKS", True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE makes concurrent writers wait for the lock instead of failing
        # with "database is locked" half-way through a transaction.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "departments.security.ClientThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    # Django's validators, messages in Chinese (departments/password_validation.py)
    {"NAME": "departments.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "departments.password_validation.MinimumLengthValidator"},
    {"NAME": "departments.password_validation.CommonPasswordValidator"},
    {"NAME": "departments.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Uploads (org charts, quarterly sheets) are small; anything larger is refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
EVALSITE_UPLOAD_MAX_BYTES = env_int("EVALSITE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)

# Failed logins (django-axes, see departments/security.py): a username is locked on one client after
# AXES_FAILURE_LIMIT failures (nobody can lock another person out from elsewhere); one client failing
# across usernames is refused after EVALSITE_CLIENT_FAILURE_LIMIT; both for the cool-off.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "departments.security.client_ip"
EVALSITE_CLIENT_FAILURE_LIMIT = env_int("EVALSITE_CLIENT_FAILURE_LIMIT", 20)
# The client address comes from this header only on requests from these proxies (the intranet's HTTPS
# proxy); with none configured it is the connection's own address.
EVALSITE_TRUSTED_PROXIES = env_list("EVALSITE_TRUSTED_PROXIES", [])
EVALSITE_CLIENT_IP_HEADER = "HTTP_" + env_str("EVALSITE_CLIENT_IP_HEADER", "X-Forwarded-For").upper().replace("-", "_")

# An office day: a session lasts 8 hours and ends when the browser closes. Sessions live in the database
# (Django's engine; its load on every request compiled once per process: evalsite/sessions.py).
SESSION_ENGINE = "evalsite.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Every script, style, font and image is served from here (no CDN, no inline code).
EVALSITE_CSP = env_str("EVALSITE_CSP", "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None

# Celery: without a broker, tasks run in-process (the embedded demo).
_BROKER = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not _BROKER
CELERY_BROKER_URL = _BROKER or "memory://localhost/"  # a hostname, else kombu logs an English warning
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", _BROKER or "cache+memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # no caller waits on a result: job state lives in the database
# A task is acknowledged after it ran; if its worker dies it is requeued (at once when a pool child
# is killed; after the visibility timeout when the whole worker is lost), never silently dropped.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 2 * CELERY_TASK_TIME_LIMIT)
if not CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "Need CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT: a task still "
        "running when the broker's visibility timeout ends would be delivered a second time."
    )
# Short broker timeouts: web processes send only from the outbox's background thread, but a
# stalled Redis must not hold even that (or a worker's publish) for long; the relay retries.
CELERY_BROKER_TIMEOUT = env_int("CELERY_BROKER_TIMEOUT", 3)
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": CELERY_BROKER_TIMEOUT,
    "socket_timeout": CELERY_BROKER_TIMEOUT,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = CELERY_BROKER_TIMEOUT
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_KB", 512_000)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {  # notifications and exports the after-commit send could not hand to the broker
        "task": "workflow.tasks.outbox_relay",
        "schedule": env_int("EVALSITE_OUTBOX_RELAY_SECONDS", 30),
    },
    "export-sweep": {  # jobs whose worker died end as failed; stray .part files go
        "task": "reports.tasks.export_jobs_sweep",
        "schedule": 300,
    },
    "deadline-reminders": {
        "task": "reports.tasks.deadline_reminders",
        "schedule": crontab(hour=env_int("EVALSITE_REMINDER_HOUR", 8), minute=0),
    },
    "quarter-summary": {  # the district summary of the quarter that just ended
        "task": "reports.tasks.quarter_summary_scheduled",
        "schedule": crontab(day_of_month=1, month_of_year="1,4,7,10", hour=6, minute=0),
    },
}
EVALSITE_REMINDER_DAYS = [int(d) for d in env_list("EVALSITE_REMINDER_DAYS", ["7", "3", "1"])]

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "evalsite@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "celery": {"level": "WARNING"}},
}
AXES_VERBOSE = False
