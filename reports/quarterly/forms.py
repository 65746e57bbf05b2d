"""The quarterly entry form: the budget block (main report) and one row per responsible target."""

from __future__ import annotations

from typing import Any

from django import forms

from reports import figures as fig
from reports.annual.kinds.base import AmountInputForm, amount_field, wan_initial
from reports.models import AnnualTarget, DeviationCause, Likelihood, QuarterlyReport

from .figures import BUDGET_FIELDS

BLANK = [("", "—")]


class QuarterlyForm(AmountInputForm):
    def __init__(self, *args: Any, report: QuarterlyReport, targets: list[AnnualTarget], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report, self.targets = report, targets
        if report.is_main:
            for key, label in BUDGET_FIELDS.items():
                self.fields[f"budget_{key}"] = amount_field(label)
            self.fields["budget_reason"] = forms.CharField(label="偏差原因", required=False, max_length=2000,
                                                           widget=forms.Textarea(attrs={"rows": 2}))
            self.amount_fields = tuple(f"budget_{k}" for k in BUDGET_FIELDS)
        else:
            del self.fields["input_unit"]
        for t in targets:
            self.fields[f"t{t.pk}_actual"] = forms.CharField(label="累计完成值", required=False, max_length=40)
            self.fields[f"t{t.pk}_expected"] = forms.CharField(label="全年预计", required=False, max_length=40)
            self.fields[f"t{t.pk}_likelihood"] = forms.ChoiceField(label="完成可能性", required=False,
                                                                   choices=BLANK + Likelihood.choices)
            self.fields[f"t{t.pk}_cause"] = forms.ChoiceField(label="偏差原因", required=False,
                                                              choices=BLANK + DeviationCause.choices)
            self.fields[f"t{t.pk}_measures"] = forms.CharField(label="纠偏措施", required=False, max_length=2000,
                                                               widget=forms.Textarea(attrs={"rows": 1}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() if self.report.is_main else forms.Form.clean(self)
        for t in (t for t in self.targets if t.nature != "定性"):
            for key, label in (("actual", "累计完成值"), ("expected", "全年预计")):
                name = f"t{t.pk}_{key}"
                try:
                    cleaned[name] = fig.measure_text(cleaned.get(name) or "")
                except fig.FigureError as exc:
                    self.add_error(name, f"「{t.name}」{label}：{exc}")
        return cleaned

    @property
    def target_rows(self) -> list[dict[str, Any]]:
        return [{"target": t, "fields": [self[f"t{t.pk}_{k}"] for k in ("actual", "expected", "likelihood", "cause",
                                                                         "measures")]} for t in self.targets]

    @property
    def budget_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("budget_")]

    def to_data(self) -> dict[str, Any]:
        c = self.cleaned_data
        rows = {str(t.pk): {k: (c.get(f"t{t.pk}_{k}") or "").strip() for k in
                            ("actual", "expected", "likelihood", "cause", "measures")} for t in self.targets}
        data: dict[str, Any] = {"rows": rows}
        if self.report.is_main:
            data["budget"] = {k: fig.to_json(c.get(f"budget_{k}")) for k in BUDGET_FIELDS} | {
                "reason": c.get("budget_reason", "")}
        return data


def initial_for(report: QuarterlyReport, targets: list[AnnualTarget]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    budget = report.data.get("budget", {})
    for key in BUDGET_FIELDS:
        initial[f"budget_{key}"] = wan_initial(budget.get(key))
    initial["budget_reason"] = budget.get("reason", "")
    for t in targets:
        for key, value in report.data.get("rows", {}).get(str(t.pk), {}).items():
            initial[f"t{t.pk}_{key}"] = value
    return initial


class UploadForm(forms.Form):
    file = forms.FileField(label="填好的季度监控表（.xlsx）")


class OpenQuarterForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="季度", coerce=int, choices=[(q, f"第{q}季度") for q in range(1, 5)])
    due_on = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}))
