from html import escape
from typing import Any

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe

from reports.models import Section, SectionKind
from workflow.states import State


class PlainSelect(forms.Select):
    """A select drawn in Python: Django renders each option through a template (about 0.3 ms each),
    which a district's 150 departments make the slowest part of 我的待办; ``format_html`` per option
    still cost a few milliseconds, so the options are escaped with the standard library's ``html.escape``
    (the same five characters as Django's ``escape``)."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        chosen = "" if value is None else str(value[0] if isinstance(value, (list, tuple)) and value else value)
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) == chosen else ""}>{escape(str(label))}</option>'
            for key, label in self.choices)
        attributes = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return mark_safe(f"<select{attributes}>{options}</select>")  # noqa: S308 (every part escaped above)


class InboxFilter(django_filters.FilterSet):
    # the user's cycles are read once into choices (a model choice field would read them through a
    # server-side cursor: three round trips for a handful of rows)
    cycle = django_filters.ChoiceFilter(field_name="report__cycle_id", label="评价周期", empty_label="全部",
                                        widget=PlainSelect)
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

    def __init__(self, *args: object, cycles: list[tuple[int, str]] = (), departments: list[tuple[int, str]] = (),
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.filters["cycle"].extra["choices"] = lambda: cycles
        self.filters["department"].extra["choices"] = lambda: departments  # not deep-copied with the form

    def filter_overdue(self, queryset, name: str, value: bool | None):  # noqa: ANN001, ANN201
        # ``is_overdue`` is annotated by the inbox selector from the one rule (workflow.deadlines)
        return queryset if value is None else queryset.filter(is_overdue=value)
