"""The organisation tree, the roles users hold in it, and the audit trail of changes to them."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models

PATH_SEPARATOR = "/"

code_validator = RegexValidator(
    r"^[A-Za-z0-9_.\-]+$", "编码只能包含字母、数字、下划线、点和短横线。"
)


class AppendOnly(models.Model):
    """A record that is written once and never changed or deleted (logs, revisions, adjustments)."""

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk and not self._state.adding:
            raise ValueError(f"{self._meta.verbose_name}不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{self._meta.verbose_name}不可删除。")


class DepartmentKind(models.TextChoices):
    FINANCE_BUREAU = "finance_bureau", "财政局"
    DEPARTMENT = "department", "预算部门"
    INTERNAL_UNIT = "internal_unit", "内设机构"
    POLICE_STATION = "police_station", "派出所"
    CUSTODY = "custody", "监管场所"
    OTHER = "other", "其他"


class DepartmentSector(models.TextChoices):
    """What a budget department does; picks its default report template (a police bureau is asked about
    派出所 and 打处, a chamber of commerce is not)."""

    PUBLIC_SECURITY = "public_security", "公安机关"
    EDUCATION = "education", "教育"
    MASS_ORGANISATION = "mass_organisation", "群团组织"
    GENERAL = "general", "一般部门"


class Department(models.Model):
    """A node of the one tree: finance bureau → budget departments → sub-units."""

    code = models.CharField("编码", max_length=64, unique=True, validators=[code_validator])
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveIntegerField("排序", default=0)
    # db_index on PostgreSQL also creates the varchar_pattern_ops "_like" index.
    # Materialised path of codes ("/CZJ/GAFJ/P01/"): a subtree is one indexed
    # prefix filter, so scope queries stay constant however deep the tree is.
    path = models.CharField("路径", max_length=1000, editable=False, db_index=True)
    # The budget department a unit belongs to (itself for a department): the
    # boundary of "another department's object".
    budget_department = models.ForeignKey(
        "self",
        verbose_name="所属预算部门",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="units",
    )
    leader_approval_by_group_leader_only = models.BooleanField(
        "仅组长可审核", default=False, help_text="勾选后，领导小组审核只能由组长（或其代理）完成。"
    )
    sector = models.CharField("部门类别", max_length=20, choices=DepartmentSector.choices, blank=True,
                              help_text="仅预算部门填写；决定默认的报告模板。")
    # Retired (撤销), not deleted, once reports, roles or the audit trail refer to the unit.
    retired_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]
        # 代理 (acting for the leading group) is an ActingGrant, with dates; guardian keeps sharing only.
        permissions = [("view_scope", "查阅该单位及下级单位")]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count(PATH_SEPARATOR) - 1

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Role(models.TextChoices):
    CLERK = "clerk", "填报员"
    COORDINATOR = "coordinator", "部门绩效联络员"
    LEADER = "leader", "领导小组成员"
    FINANCE_REVIEWER = "finance_reviewer", "财政局审核员"
    FINANCE_ADMIN = "finance_admin", "财政局管理员"
    VIEWER = "viewer", "查阅"


class Membership(models.Model):
    """A user holds a role at a unit; the role reaches the unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Department, verbose_name="单位", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    is_group_leader = models.BooleanField("组长", default=False)

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=models.Q(is_group_leader=False) | models.Q(role="leader"),
                name="membership_group_leader_is_leader",
            ),
        ]

    def __str__(self) -> str:
        label = self.get_role_display()
        if self.is_group_leader:
            label += "（组长）"
        return f"{self.user} · {self.unit} · {label}"


class ActingGrant(models.Model):
    """代理: a user approves for one department's leading group from ``starts_on`` to ``ends_on``
    (inclusive), e.g. while a leader is away. The source of truth for acting approvers; granted and
    revoked only through ``departments.services`` (refusing self-grants), each with an audit row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="代理人", on_delete=models.CASCADE,
                             related_name="acting_grants")
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.CASCADE,
                                   related_name="acting_grants")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    reason = models.CharField("理由", max_length=200)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="授权人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "代理授权"
        verbose_name_plural = "代理授权"
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["user", "ends_on"], name="acting_grant_user_end")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="acting_grant_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.user} 代理 {self.department}（{self.starts_on}—{self.ends_on}）"


class AuditEntry(AppendOnly):
    """Who changed what, when and why: every change that is not a content revision or a
    workflow transition (assignments, grants, extensions, template copies, attachments, settings)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)  # kept if the account goes
    action = models.CharField("操作", max_length=50, db_index=True)
    summary = models.TextField("内容")
    reason = models.TextField("理由", blank=True)
    changes = models.JSONField("变更前后", default=dict, blank=True)
    content_type = models.ForeignKey(ContentType, verbose_name="对象类型", on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField("对象编号")
    target = GenericForeignKey("content_type", "object_id")
    department = models.ForeignKey(Department, verbose_name="部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_name or '系统'}：{self.summary}"


class Account(models.Model):
    """What the platform keeps about a login beyond Django's user: people are deactivated, never
    deleted, and a password set by an administrator must be changed by its owner at the next login."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                                related_name="account")
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    deactivated_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "账号状态"
        verbose_name_plural = "账号状态"

    def __str__(self) -> str:
        return str(self.user)


class ImportKind(models.TextChoices):
    ORG_CHART = "org_chart", "组织机构表"
    PEOPLE = "people", "人员表"


class ImportPreview(models.Model):
    """The rows of an uploaded table between the dry run and the user's confirmation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    filename = models.CharField(max_length=200)
    rows = models.JSONField(default=list)  # [[row number, [cells…]], …]
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "导入预览"
        verbose_name_plural = "导入预览"

    def __str__(self) -> str:
        return self.filename
