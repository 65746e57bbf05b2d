"""Test settings: fast hashing, local memory e-mail; database from DATABASE_URL."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .env import env_str

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A test-only submittable model (installed only here, so its tables exist only in the test database),
# proving the workflow runs on any model that implements its contract.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.workflow.submittable"]  # noqa: F405

# Tests never write into the demo's var/media: uploads and export files go to a directory of the run's
# own (removed at the end by tests/conftest.py), unless MEDIA_ROOT is given (the Celery worker's tests).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", "") or tempfile.mkdtemp(prefix="evalsite-test-media-"))
