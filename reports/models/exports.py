"""Export jobs: files built by Celery, downloadable by users whose scope covers them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from departments.models import AppendOnly, Department


class ExportKind(models.TextChoices):
    QUARTER_SUMMARY = "quarter_summary", "季度绩效监控汇总表"
    REPORT_DOCX = "report_docx", "部门整体支出绩效评价报告（Word）"
    SELF_EVALUATION = "self_evaluation", "部门整体支出绩效自评表"
    DISTRICT_SCORES = "district_scores", "全区部门自评得分表"
    RECTIFICATION_LEDGER = "rectification_ledger", "问题整改台账"
    PUBLIC_VERSION = "public_version", "绩效评价报告公开版（报告＋自评表）"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


class ExportJob(models.Model):
    kind = models.CharField("类型", max_length=30, choices=ExportKind.choices)
    params = models.JSONField("参数", default=dict)
    status = models.CharField("状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    file = models.FileField("文件", upload_to="exports/", blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    error = models.TextField("错误", blank=True)
    departments = models.ManyToManyField(Department, verbose_name="涉及部门", related_name="+")
    revisions = models.JSONField("所用修订", default=list, blank=True)
    content_hash = models.CharField("内容摘要", max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ScoreAdjustment(AppendOnly):
    """The finance reviewer's adjustment of one indicator's score, with the reason (logged, never edited)."""

    section = models.ForeignKey("reports.Section", verbose_name="章节", on_delete=models.CASCADE,
                                related_name="score_adjustments")
    row_name = models.CharField("三级指标", max_length=100)
    score = models.DecimalField("调整后得分", max_digits=6, decimal_places=2)
    reason = models.TextField("理由")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="调整人", on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "得分调整"
        verbose_name_plural = "得分调整"
        ordering = ["section", "row_name", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.row_name} → {self.score}"

