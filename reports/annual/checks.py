"""Consistency checks of DESIGN §7, per section and across the report."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reports import findings as found
from reports.findings import Finding, counts, error  # noqa: F401 (counts: the checks' API)
from reports.models import Report, Section, SectionKind
from reports.targets.selectors import approved_table

from . import carry
from .kinds import KINDS, CheckContext
from .prior import prior_rows

FIGURE_PREFIX = {SectionKind.BUDGET: "预算", SectionKind.THREE_PUBLIC: "三公"}


def report_figures(sections: Iterable[Section]) -> dict[str, str]:
    """Figures other sections may cite: {预算.执行率}, {三公.合计} …"""
    values: dict[str, str] = {}
    for section in sections:
        prefix = FIGURE_PREFIX.get(section.kind)
        if prefix:
            spec = KINDS[section.kind]
            for name, value in spec.figures(section.data, spec.compute(section.data)).items():
                values[f"{prefix}.{name}"] = value
    return values


def context_for(report: Report, sections: Iterable[Section]) -> CheckContext:
    table = approved_table(report.department_id, report.cycle.year)
    return CheckContext(scoring=report.template.scoring_weights(), report_figures=report_figures(sections),
                        prior_loader=lambda: prior_rows(report),
                        target_edition=table.edition if table else None, targets_checked=True)


def figure_sections(report: Report) -> list[Section]:
    return list(report.sections.filter(kind__in=list(FIGURE_PREFIX)))


def context_for_draft(section: Section, data: dict[str, Any]) -> CheckContext:
    """The report's context with ``data`` standing in for the section's saved content."""
    sources = [s for s in figure_sections(section.report) if s.pk != section.pk]
    if section.kind in FIGURE_PREFIX:
        sources.append(Section(kind=section.kind, data=data))
    return context_for(section.report, sources)


def section_findings(kind: str, data: dict[str, Any], ctx: CheckContext) -> list[Finding]:
    spec = KINDS[kind]
    issues = spec.check(data, spec.compute(data) | spec.context_compute(data, ctx), ctx) + carry.carry_issues(data)
    return found.with_explanations(issues, data.get("explanations", {}))


def report_level_findings(report: Report, sections: list[Section]) -> list[Finding]:
    kinds = [s.kind for s in sections]
    findings = []
    if kinds.count(SectionKind.BUDGET) != 1:
        findings.append(Finding(error("report.budget_count", f"报告应有且仅有一个预算收支章节（现有 {kinds.count('budget')} 个）")))
    if kinds.count(SectionKind.INDICATORS) == 0:
        findings.append(Finding(error("report.no_indicators", "报告没有绩效指标章节，无法自评打分")))
    department = report.department_id
    for section in sections:
        if section.unit.budget_department_id != department:
            findings.append(Finding(error("report.unit_outside", f"「{section.node.title}」的填报单位不属于本部门")))
    return findings


def blocking_messages(section: Section) -> list[str]:
    """What stops a submission: errors, and warnings or mismatches without a written explanation."""
    ctx = context_for(section.report, figure_sections(section.report))
    return found.blocking_messages(section_findings(section.kind, section.data, ctx))
