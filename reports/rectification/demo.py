"""The demo's 整改台账 (after ``reports.review.demo``): the 分局's 2021 findings become items — the
report's 存在的问题, the finance bureau's returns, the missed indicator — walked through the workflow
to every state a finance reviewer meets (已销号 with evidence, 已退回, 逾期, 整改中); the result
application of 2021 is recorded, and the 2022 cycle is opened so its report lists them."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from departments.demo import POLICE
from reports.annual.demo import ADMIN, COORDINATOR, YEAR
from reports.annual.services import cycle_launch
from reports.models import EvaluationCycle, RectificationItem, RectificationSource, Report
from reports.review.demo import FINANCE_RETURNS
from workflow import services as wf

from . import candidates, selectors, services

REVIEWER = "fin_reviewer"
LEADER = "leader_zz"
NEXT_CYCLE = f"{YEAR + 1}年度部门整体支出绩效自评"
RESULTS = {  # problem (prefix) → (整改措施, 整改结果, evidence file name)
    "项目资金支出进度慢": ("建立项目支出进度月报和督办制度，细化2022年绩效目标。",
                   "2022年项目支出进度按月通报，年末执行率98.6%；2022年绩效目标已按三级指标细化。", "项目支出进度月报.pdf"),
    "绩效指标「毒品刑事案件破获数」": ("加强毒品线索经营和跨区域协作。", "2022年破获毒品刑事案件63件，达到目标值。",
                             "禁毒案件统计表.pdf"),
}
RETURNED = ("请补录“三公”经费", "佐证材料不足：请补充公务接待审批单和公务用车运行台账。")
OVERDUE = "原文同比与计算值不一致"


def _user(username: str) -> AbstractBaseUser:
    return get_user_model().objects.get(username=username)


def _raise_all(report: Report) -> list[RectificationItem]:
    coordinator, reviewer = _user(COORDINATOR), _user(REVIEWER)
    for item in services.problems_propose(report=report, actor=coordinator):
        services.item_confirm(item=item, actor=coordinator)
    for found in candidates.report_candidates(report):
        wanted = found.source == RectificationSource.INDICATOR or (
            found.source == RectificationSource.FINDING and found.problem in FINANCE_RETURNS.values())
        if wanted and not found.raised:
            services.item_raise_from_report(report=report, source=found.source, ref=found.ref, actor=reviewer)
    return list(RectificationItem.objects.filter(department=report.department, year=YEAR).select_related("unit"))


def _progress(item: RectificationItem, measures: str, result: str, writer: AbstractBaseUser) -> RectificationItem:
    services.item_save(item=item, measures=measures, result=result, due_on=item.due_on, unit=item.unit,
                       base_version=item.version, actor=writer)
    item.refresh_from_db()
    return item


def _walk(item: RectificationItem, steps: list[tuple]) -> None:
    for action, actor, comment in steps:
        item.refresh_from_db()
        kwargs = {"comment": comment} if comment else {}
        action(item=item, actor=actor, version=item.version, **kwargs)


def _close(item: RectificationItem, measures: str, result: str, evidence: str) -> None:
    writer = _user(COORDINATOR)  # the 联络员 enters the units' results on their behalf (代录)
    item = _progress(item, measures, result, writer)
    services.evidence_add(item=item, upload=ContentFile(b"%PDF-1.4\n% evalsite demo\n", name=evidence), actor=writer)
    _walk(item, [(wf.submit, writer, ""), (wf.leading_approve, _user(LEADER), ""),
                 (wf.finance_approve, _user(REVIEWER), "整改到位，佐证齐全，同意销号。")])


def _stage(items: list[RectificationItem]) -> None:
    today = timezone.localdate()
    for item in items:
        done = next((v for k, v in RESULTS.items() if item.problem.startswith(k)), None)
        if done:
            _close(item, *done)
            continue
        # the demo is loaded any day: the open items' 整改时限 follow it, one of them already past
        late = item.problem.startswith(OVERDUE)
        RectificationItem.objects.filter(pk=item.pk).update(
            due_on=today - timedelta(days=15) if late else today + timedelta(days=90))
        item.refresh_from_db()
        if item.problem.startswith(RETURNED[0]):
            item = _progress(item, "补录预算和决算数据，重新计算控制率。", "已补录。", _user(COORDINATOR))
            _walk(item, [(wf.submit, _user(COORDINATOR), ""), (wf.leading_approve, _user(LEADER), ""),
                         (wf.finance_return, _user(REVIEWER), RETURNED[1])])
        else:
            _progress(item, "核对打处人数上年基数，修订统计口径。" if late else "正在核对台账。", "", _user(COORDINATOR))


def _next_year(report: Report) -> None:
    if EvaluationCycle.objects.filter(year=YEAR + 1).exists():
        return
    today = timezone.localdate()
    cycle_launch(year=YEAR + 1, name=NEXT_CYCLE, template=report.template, departments=[report.department],
                 opens_on=today, due_on=today + timedelta(days=60), actor=_user(ADMIN))


@transaction.atomic
def demo_rectification_load() -> str:
    """Idempotent: a second run changes nothing."""
    report = Report.objects.filter(cycle__year=YEAR, department__code=POLICE[0]).select_related(
        "template", "department").first()
    if report is None:
        return "整改台账：没有 2021 年度报告，未生成。"
    if not RectificationItem.objects.filter(department=report.department, year=YEAR).exists():
        _stage(_raise_all(report))
        services.result_application_save(department=report.department, year=YEAR, actor=_user(REVIEWER), values={
            "grade": selectors.grade_of(report.department, YEAR), "budget_link": "keep", "key_next_year": True,
            "note": "项目支出进度偏慢，2022年预算安排维持上年水平，纳入下年重点评价。"})
    _next_year(report)
    items = RectificationItem.objects.filter(department=report.department, year=YEAR)
    closed = sum(1 for i in items if selectors.is_closed(i))
    return f"整改台账：{YEAR} 年度 {items.count()} 项整改事项（已销号 {closed} 项）；已开启 {YEAR + 1} 年度评价周期。"
