"""Narrative sections: paragraphs and numbered points, figures of the report by placeholder."""

from typing import Any

from django import forms

from .base import CheckContext, Issue, KindSpec, clean_text, error, paragraphs, placeholder_issues

MAX_TEXT = 20_000


class NarrativeForm(forms.Form):
    text = forms.CharField(
        label="正文", required=False, max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="每段一行。可用 {预算.全年预算数}、{预算.执行率}、{三公.合计} 等引用本报告的数据。",
    )


class Narrative(KindSpec):
    code = "narrative"
    form_class = NarrativeForm
    render_template = "reports/annual/kinds/narrative.html"

    def empty_data(self) -> dict[str, Any]:
        return {"text": ""}

    def form_initial(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"text": data.get("text", "")}

    def to_data(self, form: forms.Form, formsets: dict) -> dict[str, Any]:
        return {"text": clean_text(form.cleaned_data["text"])}

    def check(self, data: dict[str, Any], computed: dict[str, Any], ctx: CheckContext) -> list[Issue]:
        issues = placeholder_issues(data.get("text", ""), ctx.report_figures)
        if not paragraphs(data.get("text", "")):
            issues.append(error("narrative.empty", "正文尚未填写", "text"))
        return issues

    def is_empty(self, data: dict[str, Any]) -> bool:
        return not paragraphs(data.get("text", ""))
