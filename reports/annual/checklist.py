"""A report's checklist as rows (DESIGN §7) and its 基础数据 ratios: what the report page shows
under 检查清单 and what ``manage.py check_report`` prints for a finance bureau's batch check."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from reports import figures as fig
from reports.findings import Finding
from reports.models import Report, Section, SectionKind

from . import checks, rendering, selectors
from .kinds import KINDS

SEVERITY = {True: "错误", False: "提醒"}


@dataclass(frozen=True)
class ChecklistRow:
    code: str
    severity: str  # 错误 / 提醒
    section: str  # the numbered heading, or 报告 for report-level findings
    unit: str
    message: str
    stated: str
    computed: str
    explanation: str
    resolved: bool  # explained (a warning or a mismatch), so it no longer blocks

    @property
    def is_error(self) -> bool:
        return self.severity == SEVERITY[True]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BasicRatio:
    """A 基础数据 ratio: computed from the report's figures, never typed."""

    name: str
    formula: str
    value: Decimal | None

    @property
    def shown(self) -> str:
        return fig.format_percent(self.value)


def _row(finding: Finding, section: str, unit: str) -> ChecklistRow:
    issue = finding.issue
    return ChecklistRow(issue.code, SEVERITY[issue.is_error], section, unit, issue.message, issue.stated,
                        issue.computed, finding.explanation, not finding.blocking)


def report_checklist(report: Report, sections: list[Section] | None = None) -> list[ChecklistRow]:
    """Every finding of the report, in outline order, report-level findings first."""
    sections = selectors.report_sections(report) if sections is None else sections
    rows = [_row(f, "报告", report.department.name) for f in checks.report_level_findings(report, sections)]
    for part in rendering.render_report(report, selectors.report_nodes(report), sections):
        if part.rendered is None:
            continue
        title = f"{part.entry.number}{part.entry.node.title}"
        rows += [_row(f, title, part.rendered.section.unit.name) for f in part.rendered.findings]
    return rows


def unresolved_errors(rows: list[ChecklistRow]) -> list[ChecklistRow]:
    return [r for r in rows if r.is_error and not r.resolved]


def _computed(sections: list[Section], kind: str) -> dict[str, Any]:
    section = next((s for s in sections if s.kind == kind), None)
    return KINDS[kind].compute(section.data) if section else {}


def basic_ratios(sections: list[Section]) -> list[BasicRatio]:
    """预算执行率, 结转结余率, 三公经费变动率, 在职人员控制率 (财预〔2013〕53号 formulas)."""
    budget, three = _computed(sections, SectionKind.BUDGET), _computed(sections, SectionKind.THREE_PUBLIC)
    return [
        BasicRatio("预算执行率", "全年执行数 ÷ 全年预算数", budget.get("execution_rate")),
        BasicRatio("结转结余率", "年末结转结余 ÷ 全年预算数", budget.get("balance_rate")),
        BasicRatio("三公经费变动率", "（本年决算 − 上年决算）÷ 上年决算", three.get("change")),
        BasicRatio("在职人员控制率", "实有在职人数 ÷ 编制数", budget.get("staff_control_rate")),
    ]
