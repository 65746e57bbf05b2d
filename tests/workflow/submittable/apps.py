from django.apps import AppConfig


class SubmittableConfig(AppConfig):
    """A test-only app (no migrations; its tables exist only in the test database)."""

    name = "tests.workflow.submittable"
    label = "submittable"
    default_auto_field = "django.db.models.BigAutoField"
