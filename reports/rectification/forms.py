"""Forms of the 整改台账, 评价结果应用 and 公开版 pages; every message names its field in Chinese."""

from __future__ import annotations

from typing import Any

from django import forms

from departments.models import Department
from reports import figures as fig
from reports.annual.forms import AttachmentForm
from reports.models import Report, ResultApplication, Section

from .services import MAX_TEXT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItemForm(forms.Form):
    measures = forms.CharField(label="整改措施", required=False, max_length=MAX_TEXT,
                               widget=forms.Textarea(attrs={"rows": 4}))
    result = forms.CharField(label="整改结果", required=False, max_length=MAX_TEXT,
                             widget=forms.Textarea(attrs={"rows": 4}))
    due_on = forms.DateField(label="整改时限", widget=DATE)
    unit = forms.ModelChoiceField(label="责任单位", queryset=Department.objects.none())
    base_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: list[Department], can_plan: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Department.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
        if not can_plan:  # 时限 and 责任单位 are the coordinator's and the finance bureau's
            self.fields["due_on"].disabled = True
            self.fields["unit"].disabled = True


class RaiseForm(forms.Form):
    year = forms.IntegerField(label="评价年度", min_value=2000, max_value=2100)
    unit = forms.ModelChoiceField(label="责任单位", queryset=Department.objects.none())
    problem = forms.CharField(label="问题", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label="整改时限", widget=DATE)

    def __init__(self, *args: Any, units: list[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Department.objects.filter(pk__in=[u.pk for u in units]).order_by("path")


class FindingForm(forms.Form):
    section = forms.ModelChoiceField(label="章节", queryset=Section.objects.none())
    problem = forms.CharField(label="审核发现的问题", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = report.sections.select_related("node").order_by("node__order", "id")
        self.fields["section"].label_from_instance = lambda s: s.node.title


class DiscardForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=500)


class EvidenceForm(AttachmentForm):
    ALLOWED = (".pdf", ".docx", ".xlsx", ".jpg", ".jpeg", ".png")


class ApplicationForm(forms.ModelForm):
    amount = forms.CharField(label="调整金额", required=False, max_length=40,
                             help_text="元或万元，如 50万元；按比例调整的可不填。")

    class Meta:
        model = ResultApplication
        fields = ["grade", "budget_link", "amount", "percent", "circulated", "interview", "key_next_year", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.amount is not None and not self.is_bound:
            self.initial["amount"] = f"{fig.yuan_to_wan(self.instance.amount):f}万元"

    def clean_amount(self) -> Any:
        try:
            return fig.parse_amount(self.cleaned_data.get("amount") or "", fig.Unit.WAN)
        except fig.FigureError as exc:
            raise forms.ValidationError(f"调整金额：{exc}") from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        has_figure = cleaned.get("amount") is not None or cleaned.get("percent") is not None
        if has_figure and not cleaned.get("budget_link"):
            self.add_error("budget_link", "预算安排挂钩：填写了金额或比例时须选择增加、维持或压减。")
        return cleaned


class PublishForm(forms.Form):
    published_on = forms.DateField(label="公开日期", widget=DATE)
