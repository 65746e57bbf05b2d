import django_filters
from django import forms
from django.db.models import QuerySet

from reports.models import RECTIFICATION_STATE_LABELS, RectificationItem, RectificationSource

from .selectors import confirmed_overdue_q

PROPOSED = "proposed"
STATE_CHOICES = [(PROPOSED, "待确认"), *RECTIFICATION_STATE_LABELS.items()]


class LedgerFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label="评价年度", min_value=2000, max_value=2100)
    department = django_filters.ChoiceFilter(field_name="department_id", label="部门", empty_label="全部")
    unit = django_filters.ChoiceFilter(field_name="unit_id", label="责任单位", empty_label="全部")
    state = django_filters.ChoiceFilter(label="状态", choices=STATE_CHOICES, empty_label="全部", method="filter_state")
    source = django_filters.ChoiceFilter(label="来源", choices=RectificationSource.choices, empty_label="全部")
    overdue = django_filters.BooleanFilter(
        label="逾期", method="filter_overdue",
        widget=forms.Select(choices=[("", "全部"), ("true", "已逾期"), ("false", "未逾期")]),
    )

    class Meta:
        model = RectificationItem
        fields = ["year", "department", "unit", "state", "source", "overdue"]

    def __init__(self, *args: object, departments: list[tuple[int, str]] = (), units: list[tuple[int, str]] = (),
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.filters["department"].extra["choices"] = departments
        self.filters["unit"].extra["choices"] = units

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == PROPOSED:
            return queryset.filter(confirmed_at__isnull=True)
        return queryset.filter(state=value, confirmed_at__isnull=False) if value else queryset

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        # the rule of workflow.deadlines, as the selector defines it for the ledger
        if value is None:
            return queryset
        return queryset.filter(confirmed_overdue_q()) if value else queryset.filter(~confirmed_overdue_q())
