"""A tiny submittable item that knows nothing of reports: proof that the workflow is generic."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from departments.models import AppendOnly, Department
from workflow.models import Submission


class Memo(Submission):
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    due_on = models.DateField(null=True, blank=True)
    problem = models.CharField(max_length=100, blank=True)  # a blocking problem, when set
    gate = models.CharField(max_length=100, blank=True)  # why finance may not approve yet, when set
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "submittable"

    def workflow_department(self) -> Department:
        return self.department

    def workflow_unit(self) -> Department:
        return self.unit

    def workflow_title(self) -> str:
        return f"备忘「{self.text[:10]}」"

    def workflow_deadline(self) -> date | None:
        return self.due_on

    def workflow_blocking(self) -> list[str]:
        return [self.problem] if self.problem else []

    def workflow_finance_gate(self) -> str | None:
        return self.gate or None

    def workflow_frozen_reason(self) -> str | None:
        return None

    def workflow_latest_revision(self) -> MemoRevision | None:
        return self.revisions.select_related("author").order_by("-number").first()

    def workflow_revision_create(self, *, number: int, actor: object) -> MemoRevision:
        return MemoRevision.objects.create(memo=self, number=number, text=self.text, author=actor)

    def get_absolute_url(self) -> str:
        return f"/memos/{self.pk}/"


class MemoRevision(AppendOnly):
    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "submittable"
