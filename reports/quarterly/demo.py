"""Demo quarterly monitoring: Q1–Q4 2021 for the 呈贡分局, consistent with the annual report.

The 2021 quarters are back-filled for the demo, so their deadlines are set a month ahead
(演示补录); Q4's cumulative execution is the annual report's 37364.61 万元 (100%).
Q1 runs behind the 25% checkpoint — a warning with its reason; in Q2 one target is at risk.
城关派出所's Q3 sheet is left empty for the clerk to download, fill and upload.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from departments.demo import POLICE
from departments.models import Department
from reports import figures as fig
from reports.annual.demo import INDICATORS, YEAR
from reports.models import AnnualTarget, QuarterlyReport
from reports.targets.demo import demo_targets_load
from workflow import services as wf
from workflow.transitions import Action

from .services import quarter_open, quarterly_save

# target name → cumulative actual Q1..Q4 (the indicators and their responsible units are the approved
# 2021 target table's: reports.targets.demo)
ACTUALS = {
    "矛盾纠纷排查化解率": ["97.2", "98.1", "98.5", "98.79"],
    "刑事案件打处人数": ["118", "241", "365", "497"],
    "毒品刑事案件破获数": ["12", "25", "41", "56"],
    "肇事肇祸精神病患者漏管失控人数": ["0", "0", "0", "0"],
    "预算执行进度": ["22.70", "51.40", "76.80", "100"],
    "“零发案”小区、城中村占比": ["70.1", "74.7", "77.0", "78.16"],
    "“两区一村”智慧安防建设覆盖率": ["62", "85", "100", "100"],
    "非税收入上缴国库比例": ["100", "100", "100", "100"],
    "服务对象满意度": ["", "", "", ""],
}
# cumulative execution in 万元, against the annual 37364.61
EXECUTED = ["8481.77", "19205.41", "28696.02", "37364.61"]
ANNUAL = "37364.61"
AT_RISK = ("毒品刑事案件破获数", 2)  # (target, quarter): 有可能, with cause and measures


def _targets(department: Department) -> list[AnnualTarget]:
    return list(demo_targets_load(YEAR, INDICATORS["rows"]).targets.order_by("order", "id"))


def _row(target: AnnualTarget, quarter: int) -> dict[str, str]:
    actual = ACTUALS[target.name][quarter - 1]
    row = {"actual": actual, "expected": ACTUALS[target.name][3], "likelihood": "certain", "cause": "",
           "measures": ""}
    if target.nature == "定性":
        row["expected"] = "满意"
    if (target.name, quarter) == AT_RISK:
        row |= {"likelihood": "possible", "cause": "staff", "measures": "抽调警力开展毒品线索专项经营，加强与周边县区协作。",
                "expected": "58"}
    return row


def _data(report: QuarterlyReport, targets: list[AnnualTarget]) -> dict[str, Any]:
    data: dict[str, Any] = {"rows": {str(t.pk): _row(t, report.quarter) for t in targets if t.unit_id == report.unit_id}}
    if report.is_main:
        def yuan(wan: object) -> str | None:
            return fig.to_json(fig.parse_amount(str(wan), fig.Unit.WAN))

        data["budget"] = {"initial": yuan(ANNUAL), "annual": yuan(ANNUAL),
                          "executed": yuan(EXECUTED[report.quarter - 1]), "expected": yuan(ANNUAL), "reason": ""}
    explanations = {}
    if report.is_main and report.quarter == 1:
        explanations["quarterly.behind_checkpoint"] = "一季度人员经费按月拨付，项目支出集中在下半年支付。"
    for t in targets:
        if (t.name, report.quarter) == AT_RISK and t.unit_id == report.unit_id:
            explanations[f"quarterly.unlikely.{t.pk}"] = "毒品案件线索较上年减少，已调整侦查力量。"
    if explanations:
        data["explanations"] = explanations
    return data


def _walk(report: QuarterlyReport, users: dict[str, Any], final: str) -> None:
    """Submit and review a filled report up to ``final`` (submitted, leading_approved or approved)."""
    steps = [(Action.SUBMIT, report.last_edited_by), (Action.LEADING_APPROVE, users["leader_zz"]),
             (Action.FINANCE_APPROVE, users["fin_reviewer"])]
    stop = {"submitted": 1, "leading_approved": 2, "approved": 3}[final]
    for action, actor in steps[:stop]:
        report.refresh_from_db()
        wf.ACTION_SERVICES[action](item=report, actor=actor, version=report.version)


def demo_quarters_load() -> str:
    """Create and fill Q1–Q4 2021 once; a second run changes nothing."""
    department = Department.objects.get(code=POLICE[0])
    if QuarterlyReport.objects.filter(department=department, year=YEAR).exists():
        return f"{YEAR} 年季度监控：已存在，未改动。"
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["clerk_cg", "coord_jwbz", "leader_zz", "fin_reviewer"])}
    targets = _targets(department)
    due = timezone.localdate() + timedelta(days=30)  # 演示补录: the 2021 deadlines are long past
    for quarter in range(1, 5):
        for report in quarter_open(year=YEAR, quarter=quarter, departments=[department], due_on=due, actor=None):
            station = report.unit.name == "城关派出所"
            if quarter == 3 and station:
                continue  # left for the clerk: download, fill, upload, submit
            author = users["clerk_cg"] if station else users["coord_jwbz"]
            quarterly_save(report=report, data=_data(report, targets), base_version=0, actor=author)
            final = "approved" if quarter <= 2 else ("leading_approved" if report.is_main else "submitted")
            if quarter < 4:
                _walk(report, users, final)
    return f"{YEAR} 年季度监控：已生成第1–4季度（{QuarterlyReport.objects.filter(year=YEAR).count()} 份填报）。"
