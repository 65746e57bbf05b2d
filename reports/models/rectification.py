"""Closing the loop (DESIGN §11): 整改事项 through the workflow, 评价结果应用, the 公开版's publication."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse

from departments.models import AppendOnly, Department
from workflow.contract import blocking_check_run
from workflow.models import Revision, Submission
from workflow.states import State


class RectificationSource(models.TextChoices):
    PROBLEMS = "problems", "报告“存在的问题”"
    FINDING = "finding", "财政审核意见"
    INDICATOR = "indicator", "未完成的绩效指标"
    CHECK = "check", "一致性检查发现"
    FINANCE = "finance", "财政局直接提出"


# The workflow's states, named as a rectification item reads (销号 = the finance bureau's approval).
RECTIFICATION_STATE_LABELS = {
    State.DRAFT: "整改中", State.SUBMITTED: "待领导小组审核", State.LEADING_APPROVED: "待财政确认销号",
    State.APPROVED: "已销号", State.RETURNED: "已退回",
}


class RectificationItem(Submission):
    """One problem the evaluation found, its 整改措施 and 整改结果; closed (销号) by the finance bureau.

    Raised as a proposal (``confirmed_at`` empty) from the report's 存在的问题, which the department's
    coordinator confirms; raised confirmed from any other source. ``source_ref`` names the exact
    origin (a list item, a return, an indicator, a check), so raising twice creates nothing twice.
    """

    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Department, verbose_name="责任单位", on_delete=models.PROTECT,
                             related_name="rectification_items")
    year = models.PositiveIntegerField("评价年度", db_index=True)
    report = models.ForeignKey("reports.Report", verbose_name="来源报告", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="rectification_items")
    source = models.CharField("来源", max_length=20, choices=RectificationSource.choices)
    source_ref = models.CharField("来源标识", max_length=120, blank=True)
    problem = models.TextField("问题")
    measures = models.TextField("整改措施", blank=True)
    due_on = models.DateField("整改时限")
    result = models.TextField("整改结果", blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["department_id", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "source", "source_ref"],
                                    condition=~models.Q(source_ref=""), name="rectification_source_once"),
        ]
        indexes = [models.Index(fields=["department", "year", "state"]), models.Index(fields=["due_on", "state"])]

    def __str__(self) -> str:
        return self.problem[:40]

    @property
    def is_proposed(self) -> bool:
        return self.confirmed_at is None

    @property
    def state_label(self) -> str:
        return RECTIFICATION_STATE_LABELS[self.state]

    # workflow hooks -------------------------------------------------------------
    def workflow_department(self) -> Department:
        return self.department

    def workflow_unit(self) -> Department:
        return self.unit

    def workflow_title(self) -> str:
        return f"{self.year}年度整改事项「{self.problem[:24]}」（{self.unit.name}）"

    def workflow_deadline(self) -> date | None:
        # 整改时限 is when the work should be done, not a submission cut-off: a late result is still
        # reported (and the item is flagged overdue until then by workflow.deadlines).
        return None

    def workflow_blocking(self) -> list[str]:
        return blocking_check_run(self)

    def workflow_finance_gate(self) -> str | None:
        return None

    def workflow_frozen_reason(self) -> str | None:
        # A 销号 item may be reopened by the finance admin (the problem recurred, the result was wrong).
        return None

    def workflow_latest_revision(self) -> RectificationRevision | None:
        return self.revisions.select_related("author").first()

    def workflow_revision_create(self, *, number: int, actor: object) -> RectificationRevision:
        return RectificationRevision.objects.create(item=self, number=number, author=actor, data={
            "problem": self.problem, "measures": self.measures, "result": self.result,
            "due_on": self.due_on.isoformat(), "unit": self.unit_id,
        })

    def get_absolute_url(self) -> str:
        return reverse("reports:rectification_detail", args=[self.pk])


class RectificationRevision(Revision):
    item = models.ForeignKey(RectificationItem, verbose_name="整改事项", on_delete=models.CASCADE,
                             related_name="revisions")

    class Meta:
        verbose_name = "整改事项修订"
        verbose_name_plural = "整改事项修订"
        ordering = ["item", "-number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="rectification_revision_number")]

    def __str__(self) -> str:
        return f"{self.item} 第 {self.number} 版"


def evidence_path(instance: RectificationEvidence, filename: str) -> str:
    return f"rectification/{instance.item.department_id}/{instance.item_id}/{filename}"


class RectificationEvidence(models.Model):
    """A file that shows the 整改结果 (a new rule, a voucher, minutes)."""

    item = models.ForeignKey(RectificationItem, verbose_name="整改事项", on_delete=models.CASCADE,
                             related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改佐证材料"
        verbose_name_plural = "整改佐证材料"
        ordering = ["item", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class BudgetLink(models.TextChoices):
    INCREASE = "increase", "增加"
    KEEP = "keep", "维持"
    REDUCE = "reduce", "压减"


class ResultApplication(models.Model):
    """How the finance bureau applies one department's evaluation result of one year (评价结果应用)."""

    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("评价年度")
    grade = models.CharField("评价等级", max_length=2, choices=[(g, g) for g in ("优", "良", "中", "差")])
    budget_link = models.CharField("预算安排挂钩", max_length=10, choices=BudgetLink.choices, blank=True)
    amount = models.DecimalField("调整金额（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    percent = models.DecimalField("调整比例（%）", max_digits=6, decimal_places=2, null=True, blank=True)
    circulated = models.BooleanField("通报", default=False)
    interview = models.BooleanField("约谈", default=False)
    key_next_year = models.BooleanField("纳入下年重点评价", default=False)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "评价结果应用"
        verbose_name_plural = "评价结果应用"
        ordering = ["-year", "department_id"]
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="result_application_once")]

    def __str__(self) -> str:
        return f"{self.year}年度 {self.department} 结果应用"


class ReportPublication(AppendOnly):
    """The 公开版 of an approved report was published on ``published_on`` (every record kept)."""

    report = models.ForeignKey("reports.Report", verbose_name="报告", on_delete=models.CASCADE,
                               related_name="publications")
    published_on = models.DateField("公开日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "报告公开"
        verbose_name_plural = "报告公开"
        ordering = ["report", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.report} 公开于 {self.published_on}"
