"""The demo's 2020 cycle, just enough of one to show the carry-over (DESIGN §11): the 分局's
2020 打处 figures, approved by the finance bureau, arrive as the 上年 values of the 2021 report.

The seed gives no 2020 report; these counts are the priors its own 2021 同比 imply (see
``reports.annual.demo``: 880 ↔ 557, 497 ↔ 257, 426 ↔ 104, 265 ↔ 63, 147 ↔ 41) — demo assumptions.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from departments.demo import POLICE
from departments.models import Department
from reports.models import EvaluationCycle, OutlineNode, Report, ReportTemplate, SectionKind
from workflow import services as wf

from .services import cycle_launch, extension_grant, section_save

YEAR = 2020
CRACKDOWN_2020 = {
    "text": "演示数据（由2021年度报告的同比推算）：2020年共刑拘刑侦治安类嫌疑人{刑拘刑侦治安类嫌疑人}人，打处{打处}人；"
            "抓获涉网违法犯罪嫌疑人{涉网违法犯罪嫌疑人}人，刑拘{涉网刑拘}人，逮捕{涉网逮捕}人。",
    "figures": [
        {"name": name, "unit": "人", "value": value, "prior": "", "stated_change": "", "parent": ""}
        for name, value in (("刑拘刑侦治安类嫌疑人", "557"), ("打处", "257"), ("涉网违法犯罪嫌疑人", "104"),
                            ("涉网刑拘", "63"), ("涉网逮捕", "41"))
    ],
    "ratios": [],
}


def _template() -> ReportTemplate:
    """A one-slot outline: the slot key matches the default outline's, which is what carries over."""
    template, _ = ReportTemplate.objects.get_or_create(code="demo-2020", version=1,
                                                       defaults={"name": "2020年度演示模板（仅含结转所需章节）"})
    OutlineNode.objects.get_or_create(template=template, key="crackdown", defaults={
        "title": "始终保持严打高压态势", "kind": SectionKind.STATISTICS, "order": 1})
    return template


def demo_prior_year_load() -> Report | None:
    """The 2020 cycle with the 分局's approved 打处 section (idempotent; None if it existed)."""
    if EvaluationCycle.objects.filter(year=YEAR).exists():
        return None
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["fin_admin", "coord_jwbz", "leader_zz", "fin_reviewer"])}
    police = Department.objects.get(code=POLICE[0])
    cycle = cycle_launch(year=YEAR, name="2020年度部门整体支出绩效自评（演示：仅含上年结转所需数据）",
                         template=_template(), departments=[police], opens_on=date(2021, 1, 10),
                         due_on=date(2021, 3, 31), actor=users["fin_admin"])
    report = cycle.reports.get()
    extension_grant(cycle=cycle, department=police, due_on=timezone.localdate() + timedelta(days=30),
                    reason="演示：补录2020年度数据", actor=users["fin_admin"])
    section = report.sections.get(node__key="crackdown")
    section_save(section=section, data=CRACKDOWN_2020, base_version=0, actor=users["coord_jwbz"])
    for step, who in ((wf.submit, "coord_jwbz"), (wf.leading_approve, "leader_zz"),
                      (wf.finance_approve, "fin_reviewer")):
        section.refresh_from_db()
        step(item=section, actor=users[who], version=section.version)
    return report
