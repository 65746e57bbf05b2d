import django_filters
from django import forms

from reports.models import EvaluationCycle, Section, SectionKind
from workflow.states import State


class SectionFilter(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(
        field_name="report__cycle", label="评价周期", queryset=EvaluationCycle.objects.all(), empty_label="全部"
    )
    unit = django_filters.ChoiceFilter(field_name="unit_id", label="填报单位", empty_label="全部")
    kind = django_filters.ChoiceFilter(label="类型", choices=SectionKind.choices, empty_label="全部")
    state = django_filters.ChoiceFilter(label="状态", choices=State.choices, empty_label="全部")
    has_errors = django_filters.BooleanFilter(
        label="有错误", method="filter_has_errors",
        widget=forms.Select(choices=[("", "全部"), ("true", "有错误"), ("false", "无错误")]),
    )

    class Meta:
        model = Section
        fields = ["cycle", "unit", "kind", "state", "has_errors"]

    def __init__(self, *args: object, unit_choices: list[tuple[int, str]] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.filters["unit"].extra["choices"] = unit_choices

    def filter_has_errors(self, queryset, name: str, value: bool | None):  # noqa: ANN001, ANN201
        if value is None:
            return queryset
        return queryset.filter(error_count__gt=0) if value else queryset.filter(error_count=0)
