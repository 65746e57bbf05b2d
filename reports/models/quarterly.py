"""Quarterly monitoring (绩效运行监控, “双监控”): annual targets and cumulative quarterly reports."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse

from departments.models import Department
from workflow.contract import blocking_check_run
from workflow.models import Revision, Submission

DEFAULT_CHECKPOINTS = [25, 50, 75, 100]  # 序时进度: months elapsed / 12, in percent


class Likelihood(models.TextChoices):
    CERTAIN = "certain", "确定能"
    POSSIBLE = "possible", "有可能"
    IMPOSSIBLE = "impossible", "完全不可能"


class DeviationCause(models.TextChoices):
    FUNDING = "funding", "经费保障"
    RULES = "rules", "制度保障"
    STAFF = "staff", "人员保障"
    HARDWARE = "hardware", "硬件条件保障"
    OTHER = "other", "其他"


class AnnualTarget(models.Model):
    """One indicator of one edition of a target table (``TargetTable``), kept as a row so the
    quarters, their sheets and the exports read it; rewritten on every save of a draft edition."""

    table = models.ForeignKey("reports.TargetTable", verbose_name="目标表", on_delete=models.CASCADE,
                              related_name="targets")
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度")
    order = models.PositiveIntegerField("顺序", default=0)
    level1 = models.CharField("一级指标", max_length=20)
    level2 = models.CharField("二级指标", max_length=20)
    name = models.CharField("三级指标", max_length=100)
    nature = models.CharField("指标性质", max_length=4)
    target = models.CharField("年度指标值", max_length=100)
    measure_unit = models.CharField("度量单位", max_length=20, blank=True)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2, default=0)
    standard = models.CharField("评分标准", max_length=500, blank=True)
    unit = models.ForeignKey(Department, verbose_name="责任单位", on_delete=models.PROTECT, related_name="targets")

    class Meta:
        verbose_name = "年度绩效目标"
        verbose_name_plural = "年度绩效目标"
        ordering = ["department", "year", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["table", "name"], name="target_table_name")]

    def __str__(self) -> str:
        return self.name


class QuarterlyReport(Submission):
    """One unit's cumulative figures for one quarter. The department's main report (``is_main``)
    also carries the budget execution; each unit reports the targets it is responsible for."""

    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Department, verbose_name="填报单位", on_delete=models.PROTECT,
                             related_name="quarterly_reports")
    year = models.PositiveIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=[(q, f"第{q}季度") for q in range(1, 5)])
    is_main = models.BooleanField("含预算执行", default=False)
    target_table = models.ForeignKey("reports.TargetTable", verbose_name="监控的目标表版本", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField("截止日期")
    checkpoints = models.JSONField("序时进度（%）", default=list, blank=True)
    data = models.JSONField("内容", default=dict, blank=True)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("待说明的预警数", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "季度绩效监控"
        verbose_name_plural = "季度绩效监控"
        ordering = ["-year", "-quarter", "department", "-is_main", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["department", "unit", "year", "quarter"], name="quarterly_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度 {self.unit.name}"

    @property
    def checkpoint(self) -> int:
        points = self.checkpoints or DEFAULT_CHECKPOINTS
        return points[self.quarter - 1]

    # workflow hooks -------------------------------------------------------------
    def workflow_department(self) -> Department:
        return self.department

    def workflow_unit(self) -> Department:
        return self.unit

    def workflow_title(self) -> str:
        return f"{self.year}年第{self.quarter}季度绩效监控（{self.unit.name}）"

    def workflow_deadline(self) -> date:
        return self.due_on

    def workflow_blocking(self) -> list[str]:
        return blocking_check_run(self)

    def workflow_finance_gate(self) -> str | None:
        return None

    def workflow_frozen_reason(self) -> str | None:
        return None

    def workflow_latest_revision(self) -> QuarterlyRevision | None:
        return self.revisions.select_related("author").first()

    def workflow_revision_create(self, *, number: int, actor: object, source: str = "form") -> QuarterlyRevision:
        return QuarterlyRevision.objects.create(report=self, number=number, data=self.data, author=actor,
                                                source=source)

    def get_absolute_url(self) -> str:
        return reverse("reports:quarterly_detail", args=[self.pk])


class QuarterlyRevision(Revision):
    report = models.ForeignKey(QuarterlyReport, verbose_name="季度监控", on_delete=models.CASCADE,
                               related_name="revisions")
    source = models.CharField("来源", max_length=20, default="form")  # form | upload

    class Meta:
        verbose_name = "季度监控修订"
        verbose_name_plural = "季度监控修订"
        ordering = ["report", "-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="quarterly_revision_number")]

    def __str__(self) -> str:
        return f"{self.report} 第 {self.number} 版"



class UploadPreview(models.Model):
    """A parsed upload waiting for the user's confirmation; nothing is applied before that."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    base_version = models.PositiveIntegerField()
    data = models.JSONField()
    changes = models.JSONField(default=list)
    filename = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.filename} → {self.report}"
