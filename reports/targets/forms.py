"""Forms of the target table: the goal, the key tasks and the indicators (one row each)."""

from __future__ import annotations

from typing import Any

from django import forms

from departments.models import Department
from reports import figures as fig
from reports.annual.kinds.base import clean_text, formset_rows, wan_initial
from reports.annual.kinds.indicators import LEVEL1, LEVEL2, NATURES, QUALITATIVE, BaseIndicatorFormSet

INDICATOR_FIELDS = ["level1", "level2", "name", "nature", "target", "measure_unit", "weight", "standard", "unit"]
TASK_FIELDS = ["name", "content", "amount"]


class TargetTableForm(forms.Form):
    goal = forms.CharField(label="年度总体目标", max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))


class TaskForm(forms.Form):
    name = forms.CharField(label="任务名称", max_length=100)
    content = forms.CharField(label="主要内容", max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    amount = forms.CharField(label="预算金额（万元）", max_length=40, required=False,
                             widget=forms.TextInput(attrs={"class": "amount", "inputmode": "decimal"}))

    def clean_amount(self) -> str | None:
        try:
            return fig.to_json(fig.parse_amount(self.cleaned_data.get("amount", ""), fig.Unit.WAN))
        except fig.FigureError as exc:
            raise forms.ValidationError(f"预算金额：{exc}") from exc


class IndicatorForm(forms.Form):
    level1 = forms.ChoiceField(label="一级指标", choices=[(v, v) for v in LEVEL1])
    level2 = forms.ChoiceField(label="二级指标", choices=[(v, v) for vs in LEVEL2.values() for v in vs])
    name = forms.CharField(label="三级指标", max_length=100)
    nature = forms.ChoiceField(label="指标性质", choices=NATURES)
    target = forms.CharField(label="指标值", max_length=100)
    measure_unit = forms.CharField(label="计量单位", max_length=20, required=False)
    weight = forms.CharField(label="分值", max_length=10)
    standard = forms.CharField(label="评分标准", max_length=500, required=False)
    unit = forms.ChoiceField(label="责任单位")

    def __init__(self, *args: Any, units: list[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(u.code, u.name) for u in units]
        if len(units) == 1:  # a unit's clerk: its new rows are its own
            self.fields["unit"].initial = units[0].code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        level1, level2 = cleaned.get("level1"), cleaned.get("level2")
        if level1 and level2 and level2 not in LEVEL2[level1]:
            self.add_error("level2", f"二级指标「{level2}」不属于一级指标「{level1}」")
        numbers = [("weight", "分值")] + ([] if cleaned.get("nature") == QUALITATIVE else [("target", "指标值")])
        for name, label in numbers:
            try:
                cleaned[name] = fig.measure_text(cleaned.get(name) or "")  # stored normalised, like the report's
            except fig.FigureError as exc:
                self.add_error(name, f"{label}：{exc}")
        return cleaned


TaskFormSet = forms.formset_factory(TaskForm, extra=1, can_delete=True, max_num=100, validate_max=True)
IndicatorFormSet = forms.formset_factory(IndicatorForm, formset=BaseIndicatorFormSet, extra=1, can_delete=True,
                                         max_num=200, validate_max=True)


def table_forms(data: dict[str, Any], units: list[Department], post: Any = None
                ) -> tuple[TargetTableForm, forms.BaseFormSet, forms.BaseFormSet]:
    tasks = [dict(t, amount=wan_initial(t.get("amount"))) for t in data.get("tasks", [])]
    return (
        TargetTableForm(post, initial={"goal": data.get("goal", "")}, prefix="t"),
        TaskFormSet(post, prefix="tasks", initial=tasks),
        IndicatorFormSet(post, prefix="ind", initial=data.get("indicators", []), form_kwargs={"units": units}),
    )


def posted_data(form: TargetTableForm, tasks: forms.BaseFormSet, indicators: forms.BaseFormSet
                ) -> dict[str, Any] | None:
    if not (form.is_valid() and tasks.is_valid() and indicators.is_valid()):
        return None
    return {"goal": clean_text(form.cleaned_data["goal"]), "tasks": formset_rows(tasks, TASK_FIELDS),
            "indicators": formset_rows(indicators, INDICATOR_FIELDS)}


def rows_formset(rows: list[dict[str, Any]], units: list[Department], post: Any = None) -> forms.BaseFormSet:
    """A unit's rows: the responsible unit offers only the user's own units."""
    formset = IndicatorFormSet(post, prefix="ind", initial=rows, form_kwargs={"units": units})
    for form in formset.forms:
        form.fields["unit"].error_messages["invalid_choice"] = "责任单位只能选择您所在的单位。"
    return formset


def posted_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]] | None:
    return formset_rows(formset, INDICATOR_FIELDS) if formset.is_valid() else None


class CreateForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class AdjustForm(forms.Form):
    reason = forms.CharField(label="调整理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
