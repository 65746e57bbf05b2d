"""What every submission carries, the transition log and in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from departments.models import AppendOnly, Department

from .states import State
from .transitions import ACTION_LABELS

WORKFLOW_FIELDS = ("state", "version", "last_edited_by", "submitted_by", "submitted_at", "submitted_version")


class Submission(models.Model):
    """Abstract: the fields the state machine reads and writes on a submitted item.

    A concrete model also provides ``department`` (the budget department), ``unit``
    and the ``workflow_*`` hooks used by the services (deadline, blocking checks, gate).
    """

    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    version = models.PositiveIntegerField("版本号", default=0)
    last_edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后编辑人", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_version = models.PositiveIntegerField("提交时的版本号", null=True, blank=True)

    class Meta:
        abstract = True

    def workflow_refresh(self) -> None:
        """Reload the workflow's own fields, keeping the cached relations (``refresh_from_db()`` would
        drop them, and every hook would read the report, its department and cycle again)."""
        self.refresh_from_db(fields=WORKFLOW_FIELDS)


class TransitionLog(AppendOnly):
    """One row per transition; append-only (no edit through the UI or the admin)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    action = models.CharField("操作", max_length=30, choices=list(ACTION_LABELS.items()))
    from_state = models.CharField("原状态", max_length=20, choices=State.choices)
    to_state = models.CharField("新状态", max_length=20, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT,
                              related_name="+")
    comment = models.TextField("意见", blank=True)
    revision = models.PositiveIntegerField("内容版本号")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}（{self.get_from_state_display()} → {self.get_to_state_display()}）"




class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                             related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed = models.BooleanField("已发邮件", default=False)
    # What caused it ("log:17", "remind:2022-03-24:…"): a retried task creates nothing twice.
    key = models.CharField("来源", max_length=100)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_user_key")]

    def __str__(self) -> str:
        return self.title


class OutboxMessage(models.Model):
    """A Celery task to send, written in the same transaction as the change that asks for it.

    The broker is never called inside a request's transaction: a message exists exactly when the
    change committed, and ``workflow.outbox`` sends it (on commit, then by the beat relay) until
    the broker takes it. The tasks it names are idempotent, so a repeated send is harmless.
    """

    task = models.CharField("任务", max_length=200)
    args = models.JSONField("参数", default=list)
    created_at = models.DateTimeField("写入时间", auto_now_add=True)
    due_at = models.DateTimeField("下次发送时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.TextField("最近一次发送错误", blank=True)

    class Meta:
        verbose_name = "待发送任务"
        verbose_name_plural = "待发送任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["due_at"], condition=models.Q(sent_at__isnull=True),
                                name="outbox_pending")]

    def __str__(self) -> str:
        return f"{self.task}{self.args}"


class Revision(AppendOnly):
    """The immutable snapshot a save of a submittable item writes (``workflow_revision_create``): its
    number, its content and who wrote it when. Each item's revision model adds the link to its item."""

    number = models.PositiveIntegerField("版本号")
    data = models.JSONField("内容")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True,
                               on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        abstract = True
