from typing import Any

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from reports.models import EvaluationCycle, Section, SectionKind
from workflow.states import State


class PlainSelect(forms.Select):
    """A select drawn in Python: Django renders each option through a template (about 0.3 ms each),
    which a district's 150 departments make the slowest part of 我的待办."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        chosen = "" if value is None else str(value[0] if isinstance(value, (list, tuple)) and value else value)
        options = format_html_join("", '<option value="{}"{}>{}</option>', (
            (str(key), mark_safe(" selected") if str(key) == chosen else "", label) for key, label in self.choices))
        return format_html("<select{}>{}</select>", flatatt(self.build_attrs(self.attrs, {**(attrs or {}),
                                                                                          "name": name})), options)


class InboxFilter(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(
        field_name="report__cycle", label="评价周期", queryset=EvaluationCycle.objects.none(), empty_label="全部",
        widget=PlainSelect,
    )
    department = django_filters.ChoiceFilter(field_name="report__department_id", label="部门", empty_label="全部",
                                             widget=PlainSelect)
    kind = django_filters.ChoiceFilter(label="类型", choices=SectionKind.choices, empty_label="全部", widget=PlainSelect)
    state = django_filters.ChoiceFilter(label="状态", choices=State.choices, empty_label="全部", widget=PlainSelect)
    overdue = django_filters.BooleanFilter(
        label="逾期", method="filter_overdue",
        widget=PlainSelect(choices=[("", "全部"), ("true", "已逾期"), ("false", "未逾期")]),
    )

    class Meta:
        model = Section
        fields = ["cycle", "department", "kind", "state", "overdue"]

    def __init__(self, *args: object, cycles: object = None, departments: list[tuple[int, str]] = (),
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if cycles is not None:
            self.filters["cycle"].queryset = cycles
        self.filters["department"].extra["choices"] = departments

    def filter_overdue(self, queryset, name: str, value: bool | None):  # noqa: ANN001, ANN201
        # ``is_overdue`` is annotated by the inbox selector from the one rule (workflow.deadlines)
        return queryset if value is None else queryset.filter(is_overdue=value)
