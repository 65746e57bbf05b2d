import django_filters
from django import forms

from reports.models import EvaluationCycle, Section, SectionKind
from workflow.states import State


class InboxFilter(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(
        field_name="report__cycle", label="评价周期", queryset=EvaluationCycle.objects.none(), empty_label="全部"
    )
    department = django_filters.ChoiceFilter(field_name="report__department_id", label="部门", empty_label="全部")
    kind = django_filters.ChoiceFilter(label="类型", choices=SectionKind.choices, empty_label="全部")
    state = django_filters.ChoiceFilter(label="状态", choices=State.choices, empty_label="全部")
    overdue = django_filters.BooleanFilter(
        label="逾期", method="filter_overdue",
        widget=forms.Select(choices=[("", "全部"), ("true", "已逾期"), ("false", "未逾期")]),
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
