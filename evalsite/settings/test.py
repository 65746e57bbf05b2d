"""Test settings: fast hashing, local memory e-mail; database from DATABASE_URL."""

from .base import *  # noqa: F403

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
