"""The dashboard's charts: the figures of ``selectors`` drawn by ``charts``, each bar linked to its list."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from reports import figures as fig
from reports.annual import scoring
from reports.models import EvaluationCycle
from reports.quarterly.selectors import WARNING_KINDS
from reports.review.selectors import GRADES, OVERDUE, REPORT_STAGES

from .charts import Chart, Item, hbar
from .selectors import TOP_DEPARTMENTS, CycleView, QuarterView, RectificationView

STAGE_TONES = {"department": "warn", "finance": "info", "final": "ok"}
GRADE_TONES = {"优": "ok", "良": "info", "中": "warn", "差": "err"}


def _link(name: str, **params: object) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", False)})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _detail_url() -> Callable[[int], str]:
    marker = 987654321
    head, _, tail = reverse("reports:quarterly_detail", args=[marker]).partition(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def execution_chart(view: QuarterView) -> Chart:
    """执行率 per department against 序时进度, the most behind first; behind in red."""
    detail = _detail_url()
    items = [
        Item(
            e.department,
            e.rate or Decimal(0),
            fig.format_percent(e.rate) if e.rate is not None else "未填报",
            detail(e.report_id),
            "err" if e.gap is not None and e.gap < 0 else ("muted" if e.rate is None else "ok"),
        )
        for e in view.execution[:TOP_DEPARTMENTS]
    ]
    marker = view.checkpoint
    return hbar(
        f"{view.label}预算执行率与序时进度",
        items,
        percent=True,
        scale=Decimal(1),
        marker=marker,
        marker_text=f"序时进度 {fig.format_percent(marker)}" if marker is not None else "",
        empty=f"{view.label or '本季度'}没有季度监控数据（尚未开启或不在您的范围内）。",
    )


def warnings_chart(view: QuarterView) -> Chart:
    items = [
        Item(
            label,
            view.warnings[kind],
            f"{view.warnings[kind]} 份",
            _link("reports:quarterly_list", year=view.year, quarter=view.quarter, warning=kind),
            "warn",
        )
        for kind, label in WARNING_KINDS.items()
    ]
    if not any(view.warnings.values()):
        items = []
    return hbar(
        f"{view.label}预警（按类型，份）",
        items,
        empty=f"{view.label}没有预警。" if view.reports else "没有季度监控数据。",
    )


def stage_chart(view: CycleView, cycle: EvaluationCycle) -> Chart:
    items = [
        Item(
            label,
            view.stages[key],
            f"{view.stages[key]} 个",
            _link("reports:progress", cycle=cycle.pk, stage=key),
            STAGE_TONES[key],
        )
        for key, label in REPORT_STAGES.items()
    ]
    items.append(
        Item(
            "其中已逾期",
            view.overdue,
            f"{view.overdue} 个",
            _link("reports:progress", cycle=cycle.pk, stage=OVERDUE),
            "err",
        )
    )
    return hbar(
        f"{cycle.name}：评价进度（部门数）", items if view.reports else [], empty="本周期没有您负责的部门。"
    )


def grade_chart(view: CycleView, cycle: EvaluationCycle) -> Chart:
    bands = {label: f"≥{lower}" for label, lower in scoring.DEFAULT_GRADES}
    items = [
        Item(
            f"{grade}（{bands.get(grade, '')}）",
            view.grades[grade],
            f"{view.grades[grade]} 个",
            _link("reports:progress", cycle=cycle.pk, grade=grade),
            GRADE_TONES.get(grade, ""),
        )
        for grade in GRADES
    ]
    title = f"{cycle.year}年度自评得分等级分布（部门数）"
    if view.average is not None:
        title += f"，平均 {view.average} 分"
    return hbar(title, items if view.reports else [], empty="本周期没有您负责的部门。")


RECTIFICATION_TONES = {"approved": "ok", "returned": "err"}


def rectification_chart(view: RectificationView) -> Chart:
    """整改事项 of the year by state, and how many are overdue; each bar the ledger filtered alike."""
    items = [Item(label, n, f"{n} 项", _link("reports:rectification_ledger", year=view.year, state=code),
                  RECTIFICATION_TONES.get(code, "warn")) for code, label, n in view.states]
    items.append(Item("其中已逾期", view.overdue, f"{view.overdue} 项",
                      _link("reports:rectification_ledger", year=view.year, overdue="true"), "err"))
    title = f"{view.year}年度整改事项（按状态）" if view.year else "整改事项"
    return hbar(title, items if view.total else [],
                empty="尚无整改事项：整改事项登记后在此显示未完成和逾期的数量。")
