"""整体绩效目标表 (DESIGN §11): declared per department and year, reviewed like a section, frozen
once approved; a mid-year change (调整) is a new edition with a reason, reviewed again."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse

from departments.models import Department
from workflow.models import Revision, Submission
from workflow.states import State


class TargetTable(Submission):
    """One edition of a department's targets for a year. ``data`` holds the content (for revisions
    and diffs): {"goal", "tasks": [{name, content, amount}], "indicators": [{level1, level2, name,
    nature, target, measure_unit, weight, standard, unit}]} (amount in 元, unit a department code);
    its indicators are also kept as ``AnnualTarget`` rows, which the quarters and exports read."""

    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度")
    edition = models.PositiveIntegerField("版次", default=1)
    based_on = models.ForeignKey("self", verbose_name="调整自", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="adjustments")
    reason = models.TextField("调整理由", blank=True)
    data = models.JSONField("内容", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "整体绩效目标表"
        verbose_name_plural = "整体绩效目标表"
        ordering = ["-year", "department", "-edition"]
        constraints = [models.UniqueConstraint(fields=["department", "year", "edition"], name="target_table_edition")]

    def __str__(self) -> str:
        return f"{self.year}年度{self.department.name}整体绩效目标表（{self.edition_label}）"

    @property
    def edition_label(self) -> str:
        return f"第 {self.edition} 版" + ("（调整）" if self.edition > 1 else "")

    # workflow hooks -------------------------------------------------------------
    def workflow_department(self) -> Department:
        return self.department

    def workflow_unit(self) -> Department:
        return self.department

    def workflow_title(self) -> str:
        return str(self)

    def workflow_deadline(self) -> date | None:
        return None

    def workflow_blocking(self) -> list[str]:
        from reports.targets.checks import blocking_messages

        return blocking_messages(self.data)

    def workflow_finance_gate(self) -> str | None:
        return None

    def workflow_frozen_reason(self) -> str | None:
        if self.state == State.APPROVED:
            return "已审定的绩效目标表不能重新打开；年度中需要修改的，请发起调整（新版本，写明理由）。"
        return None

    def workflow_latest_revision(self) -> TargetRevision | None:
        return self.revisions.select_related("author").first()

    def workflow_revision_create(self, *, number: int, actor: object) -> TargetRevision:
        return TargetRevision.objects.create(table=self, number=number, data=self.data, author=actor)

    def get_absolute_url(self) -> str:
        return reverse("reports:target_detail", args=[self.pk])


class TargetRevision(Revision):
    """An immutable snapshot written by every save of a target table."""

    table = models.ForeignKey(TargetTable, verbose_name="目标表", on_delete=models.CASCADE, related_name="revisions")

    class Meta:
        verbose_name = "目标表修订"
        verbose_name_plural = "目标表修订"
        ordering = ["table", "-number"]
        constraints = [models.UniqueConstraint(fields=["table", "number"], name="target_revision_number")]

    def __str__(self) -> str:
        return f"{self.table} 第 {self.number} 次修订"
