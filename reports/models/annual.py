"""Report templates (outline trees), evaluation cycles, reports, sections and their revisions."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from departments.models import AppendOnly, Department, DepartmentKind
from workflow.contract import blocking_check_run
from workflow.models import Revision, Submission
from workflow.states import State

DEFAULT_NUMBERING = ["一、", "（一）", "1.", "（1）", "a."]
DEFAULT_SCORING = {"budget_execution": 10, "产出": 50, "效益": 30, "满意度": 10}


class SectionKind(models.TextChoices):
    NARRATIVE = "narrative", "文字说明"
    BUDGET = "budget", "预算收支"
    THREE_PUBLIC = "three_public", "三公经费"
    INDICATORS = "indicators", "绩效指标"
    STATISTICS = "statistics", "统计数据"
    LIST = "list", "问题/建议清单"
    RECTIFICATION = "rectification", "上年问题整改情况"


class ReportTemplate(models.Model):
    """One version of an outline. Once a cycle uses it, it is frozen; edit a copy."""

    code = models.SlugField("模板编码", max_length=50)
    version = models.PositiveIntegerField("版本", default=1)
    name = models.CharField("名称", max_length=100)
    title_format = models.CharField(
        "报告标题格式", max_length=200, default="{year}年度{department}\n整体支出绩效评价报告"
    )
    numbering = models.JSONField("各级编号格式", default=list, blank=True,
                                 help_text="从第一级起，如 [\"一、\", \"（一）\", \"1.\", \"（1）\", \"a.\"]")
    scoring = models.JSONField("评分权重", default=dict, blank=True,
                               help_text="如 {\"budget_execution\": 10, \"产出\": 50, \"效益\": 30, \"满意度\": 10}")
    based_on = models.ForeignKey("self", verbose_name="复制自", null=True, blank=True, on_delete=models.SET_NULL)
    is_frozen = models.BooleanField("已冻结", default=False, help_text="已被评价周期使用的版本不能再修改。")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "报告模板"
        verbose_name_plural = "报告模板"
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="template_code_version")]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.version} 版）"

    def numbering_formats(self) -> list[str]:
        return self.numbering or DEFAULT_NUMBERING

    def scoring_weights(self) -> dict[str, int]:
        return self.scoring or DEFAULT_SCORING


class OutlineNode(models.Model):
    """A heading of the outline; a node with a section kind is a slot that becomes a Section."""

    template = models.ForeignKey(ReportTemplate, verbose_name="模板", on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey("self", verbose_name="上级标题", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    order = models.PositiveIntegerField("顺序", default=0)
    key = models.SlugField("标识", max_length=60, help_text="模板内唯一，复制模板时保持不变。")
    title = models.CharField("标题", max_length=200)
    kind = models.CharField("填报类型", max_length=20, choices=SectionKind.choices, blank=True,
                            help_text="留空表示仅为标题。")
    guidance = models.TextField("填报提示", blank=True)
    default_unit_kind = models.CharField("默认填报单位类型", max_length=20, choices=DepartmentKind.choices, blank=True)
    default_unit_name = models.CharField("默认填报单位名称", max_length=100, blank=True,
                                         help_text="如“警务保障室”；部门内找不到时由部门本身填报。")
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2, null=True, blank=True)
    options = models.JSONField("选项", default=dict, blank=True)

    class Meta:
        verbose_name = "大纲节点"
        verbose_name_plural = "大纲节点"
        ordering = ["template", "parent_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="outline_node_key")]

    def __str__(self) -> str:
        return self.title


class CycleKind(models.TextChoices):
    DEPARTMENT_SELF_EVALUATION = "department_self", "部门整体支出绩效自评"


class EvaluationCycle(models.Model):
    year = models.PositiveIntegerField("年度")
    kind = models.CharField("类型", max_length=30, choices=CycleKind.choices,
                            default=CycleKind.DEPARTMENT_SELF_EVALUATION)
    name = models.CharField("名称", max_length=100)
    template = models.ForeignKey(ReportTemplate, verbose_name="模板", on_delete=models.PROTECT, related_name="cycles")
    departments = models.ManyToManyField(Department, verbose_name="参评部门", related_name="cycles")
    opens_on = models.DateField("开始日期")
    due_on = models.DateField("截止日期")
    require_leading_before_finance = models.BooleanField(
        "财政审核须待全部章节经领导小组审核", default=True
    )
    launched_at = models.DateTimeField("发起时间", auto_now_add=True)
    launched_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "评价周期"
        verbose_name_plural = "评价周期"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name


class _Due(Coalesce):
    """Grouped by the columns it reads, not by itself: a report annotated with section counts (one
    row per section before the GROUP BY) then runs the extension subquery once per report, not once
    per section (150 × 37 times on a district's 审核进度 page)."""

    def get_group_by_cols(self) -> list:
        return [col for source in self.get_source_expressions() for col in source.get_group_by_cols()]


def department_due(via: str = "") -> Coalesce:
    """The one definition of a department's deadline in a cycle: its latest extension, else the
    cycle's. ``via`` is the lookup path from the annotated model to its Report ("" or "report__")."""
    latest = DeadlineExtension.objects.filter(
        cycle_id=OuterRef(f"{via}cycle_id"), department_id=OuterRef(f"{via}department_id"),
    ).order_by("-granted_at", "-id").values("due_on")[:1]
    return _Due(Subquery(latest), F(f"{via}cycle__due_on"))


class ReportQuerySet(models.QuerySet):
    def with_due(self) -> ReportQuerySet:
        return self.annotate(due=department_due())


class Report(models.Model):
    cycle = models.ForeignKey(EvaluationCycle, verbose_name="评价周期", on_delete=models.CASCADE,
                              related_name="reports")
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="reports")
    # Departments of one cycle may write on different templates (a police bureau, a chamber of commerce).
    template = models.ForeignKey(ReportTemplate, verbose_name="模板", on_delete=models.PROTECT,
                                 related_name="reports")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "绩效评价报告"
        verbose_name_plural = "绩效评价报告"
        constraints = [models.UniqueConstraint(fields=["cycle", "department"], name="report_cycle_department")]

    def __str__(self) -> str:
        return f"{self.cycle.year}年度 {self.department.name}"

    @property
    def title(self) -> str:
        fmt = self.template.title_format
        return fmt.format(year=self.cycle.year, department=self.department.name)

    def due_on(self) -> date:
        """The department's deadline (``department_due``); annotated in bulk by ``with_due()``."""
        if getattr(self, "due", None) is None:
            self.due = Report.objects.with_due().values_list("due", flat=True).get(pk=self.pk)
        return self.due


class Section(Submission):
    """One slot of one report, written by one unit; ``version`` counts its revisions."""

    report = models.ForeignKey(Report, verbose_name="报告", on_delete=models.CASCADE, related_name="sections")
    node = models.ForeignKey(OutlineNode, verbose_name="大纲节点", on_delete=models.PROTECT, related_name="sections")
    unit = models.ForeignKey(Department, verbose_name="填报单位", on_delete=models.PROTECT, related_name="sections")
    kind = models.CharField("填报类型", max_length=20, choices=SectionKind.choices)
    data = models.JSONField("内容", default=dict, blank=True)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("待说明的提醒数", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "章节"
        verbose_name_plural = "章节"
        ordering = ["report", "node__order", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "node"], name="section_report_node")]
        indexes = [models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        return self.node.title

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    # workflow hooks -------------------------------------------------------------
    def workflow_department(self) -> Department:
        return self.report.department

    def workflow_unit(self) -> Department:
        return self.unit

    def workflow_title(self) -> str:
        return f"{self.report.cycle.year}年度{self.report.department.name}「{self.node.title}」"

    def workflow_deadline(self) -> date:
        return self.report.due_on()

    def workflow_blocking(self) -> list[str]:
        return blocking_check_run(self)

    def workflow_finance_gate(self) -> str | None:
        if not self.report.cycle.require_leading_before_finance:
            return None
        pending = self.report.sections.exclude(state__in=[State.LEADING_APPROVED, State.APPROVED]).count()
        if pending:
            return f"本报告还有 {pending} 个章节未通过领导小组审核，财政暂不能审定。"
        return None

    def workflow_frozen_reason(self) -> str | None:
        return None

    def workflow_latest_revision(self) -> SectionRevision | None:
        return self.revisions.select_related("author").first()

    def workflow_revision_create(self, *, number: int, actor: object, on_behalf: bool = False) -> SectionRevision:
        return SectionRevision.objects.create(section=self, number=number, data=self.data, author=actor,
                                              on_behalf=on_behalf)

    def get_absolute_url(self) -> str:
        return reverse("reports:section_detail", args=[self.pk])


class SectionRevision(Revision):
    """An immutable snapshot written by every save."""

    section = models.ForeignKey(Section, verbose_name="章节", on_delete=models.CASCADE, related_name="revisions")
    on_behalf = models.BooleanField("代录", default=False)

    class Meta:
        verbose_name = "章节修订"
        verbose_name_plural = "章节修订"
        ordering = ["section", "-number"]
        constraints = [models.UniqueConstraint(fields=["section", "number"], name="revision_section_number")]

    def __str__(self) -> str:
        return f"{self.section} 第 {self.number} 版"




class DeadlineExtension(AppendOnly):
    """A later deadline for one department in one cycle, granted by the finance admin.

    Every grant is kept (who, when, why); the latest one is in force (``department_due``).
    """

    cycle = models.ForeignKey(EvaluationCycle, verbose_name="评价周期", on_delete=models.CASCADE,
                              related_name="extensions")
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField("延期至")
    reason = models.CharField("理由", max_length=200)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="批准人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField("批准时间", auto_now_add=True)

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["cycle", "department", "-granted_at"], name="extension_latest")]

    def __str__(self) -> str:
        return f"{self.department} 延期至 {self.due_on}"


def attachment_path(instance: SectionAttachment, filename: str) -> str:
    return f"attachments/{instance.section.report_id}/{instance.section_id}/{filename}"


class SectionAttachment(models.Model):
    section = models.ForeignKey(Section, verbose_name="章节", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name


