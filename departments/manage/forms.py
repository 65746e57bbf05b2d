"""Forms of the organisation pages: raw input only, the services validate and answer in Chinese."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from departments.models import Department, DepartmentKind, Role

UPLOAD_TYPES = (".xlsx", ".csv")


class UnitForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "kind", "sector", "parent", "order"]

    def __init__(self, *args: Any, parents: QuerySet[Department], kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents.filter(retired_at__isnull=True).order_by("path")
        self.fields["parent"].label_from_instance = lambda d: f"{'　' * (d.depth - 1)}{d.name}（{d.code}）"
        self.fields["kind"].choices = [(k, DepartmentKind(k).label) for k in kinds]
        if self.instance.pk:
            self.fields["code"].disabled = True  # the stable code other systems and files refer to

    def validate_unique(self) -> None:
        """Left to the service (department_save's full_clean), so every caller gets the same answer."""


class RetireForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=200, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label="文件（.xlsx 或 .csv）")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(UPLOAD_TYPES):
            raise forms.ValidationError("文件：只接受 .xlsx 或 .csv 文件。")
        return upload


def _role_choices(roles: frozenset[str]) -> list[tuple[str, str]]:
    return [(r.value, r.label) for r in Role if r.value in roles]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return f"{'　' * (obj.depth - 1)}{obj.name}（{obj.code}）"


class PersonCreateForm(forms.Form):
    username = forms.CharField(label="账号", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=150)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput(render_value=True),
                               help_text="首次登录时须修改。")
    unit = UnitChoiceField(label="单位", queryset=Department.objects.none())
    role = forms.ChoiceField(label="角色")
    is_group_leader = forms.BooleanField(label="组长", required=False)

    def __init__(self, *args: Any, units: QuerySet[Department], roles: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.filter(retired_at__isnull=True).order_by("path")
        self.fields["role"].choices = _role_choices(roles)


class RoleGrantForm(forms.Form):
    unit = UnitChoiceField(label="单位", queryset=Department.objects.none())
    role = forms.ChoiceField(label="角色")
    is_group_leader = forms.BooleanField(label="组长", required=False)
    reason = forms.CharField(label="理由", max_length=200, required=False)

    def __init__(self, *args: Any, units: QuerySet[Department], roles: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.filter(retired_at__isnull=True).order_by("path")
        self.fields["role"].choices = _role_choices(roles)


class RenameForm(forms.Form):
    full_name = forms.CharField(label="姓名", max_length=150)


class PasswordResetForm(forms.Form):
    password = forms.CharField(label="临时密码", widget=forms.PasswordInput(render_value=True),
                               help_text="该人员下次登录时须修改。")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=200, required=False)
