"""Forms of the template library: raw input; the services check and answer in Chinese."""

from __future__ import annotations

from typing import Any

from django import forms

from departments.models import DepartmentKind
from reports.annual.kinds.indicators import LEVEL1
from reports.models import ReportTemplate, SectionKind

from .services import GRADES


class NodeForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    parent_key = forms.ChoiceField(label="上级标题", required=False)
    kind = forms.ChoiceField(label="填报类型", required=False,
                             choices=[("", "（仅标题，不填报）"), *SectionKind.choices])
    default_unit_kind = forms.ChoiceField(label="默认填报单位类型", required=False,
                                          choices=[("", "（部门本身）"), *DepartmentKind.choices])
    default_unit_name = forms.CharField(label="默认填报单位名称", max_length=100, required=False,
                                        help_text="如“办公室”；部门内找不到时由部门本身填报。")
    guidance = forms.CharField(label="填报提示", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, parents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent_key"].choices = [("", "（第一级）"), *parents]


class ScoringForm(forms.Form):
    """预算执行率 and the first-level indicator weights, then the lower bound of each grade."""

    def __init__(self, *args: Any, template: ReportTemplate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        weights = template.scoring_weights()
        grades = dict(weights.get("grades") or {"优": 90, "良": 80, "中": 60, "差": 0})
        self.fields["w_budget_execution"] = forms.CharField(label="预算执行率", initial=weights.get("budget_execution", 0))
        for group in LEVEL1:
            self.fields[f"w_{group}"] = forms.CharField(label=f"{group}指标", initial=weights.get(group, 0))
        for grade in GRADES:
            self.fields[f"g_{grade}"] = forms.CharField(label=f"“{grade}”下限", initial=grades.get(grade, 0))

    def weights(self) -> dict[str, str]:
        return {k[2:]: v for k, v in self.cleaned_data.items() if k.startswith("w_")}

    def grades(self) -> dict[str, str]:
        return {k[2:]: v for k, v in self.cleaned_data.items() if k.startswith("g_")}


class RenameForm(forms.Form):
    name = forms.CharField(label="模板名称", max_length=100)


class AssignForm(forms.Form):
    department = forms.IntegerField(widget=forms.HiddenInput)
    code = forms.ChoiceField(label="报告模板")

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = codes
