from django.apps import AppConfig


class SubmittableConfig(AppConfig):
    """A test-only app, installed by the test settings only. It has a migration because PostgreSQL
    creates unmigrated apps' tables before the migrated ones they point to (auth_user)."""

    name = "tests.workflow.submittable"
    label = "submittable"
    default_auto_field = "django.db.models.BigAutoField"
