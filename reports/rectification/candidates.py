"""What a report offers to raise as 整改事项: one candidate per source (DESIGN §11), each with the
``source_ref`` that makes raising it twice a no-op.

Sources: every item of the 存在的问题 list, each finance return with its comment (the reviewer's
finding on a section), each indicator that missed its target, each §7 finding of the checklist.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType

from departments.models import Department
from reports.annual import checks, scoring, selectors
from reports.models import RectificationItem, RectificationSource, Report, Section, SectionKind
from workflow.models import TransitionLog
from workflow.transitions import Action

PROBLEMS_KEY = "problems"  # the outline slot whose items are the report's 存在的问题


@dataclass
class Candidate:
    source: str
    ref: str
    problem: str
    unit: Department
    due_on: date
    origin: str  # where it comes from, for the user (a section title)
    raised: bool = False

    @property
    def source_label(self) -> str:
        return RectificationSource(self.source).label


def text_ref(prefix: str, text: str) -> str:
    """A stable reference to a text (a list item may move; its wording identifies it)."""
    return f"{prefix}:{hashlib.sha1(text.encode()).hexdigest()[:16]}"


def default_due(report: Report) -> date:
    """Without a date given: the end of the year after the evaluated one (the next budget year)."""
    return date(report.cycle.year + 1, 12, 31)


def _unit_named(name: str, units: dict[str, Department], fallback: Department) -> Department:
    return units.get((name or "").strip(), fallback)


def _problems(report: Report, sections: list[Section], units: dict[str, Department]) -> list[Candidate]:
    found = []
    for section in sections:
        if section.node.key != PROBLEMS_KEY:
            continue
        for item in section.data.get("items", []):
            text = (item.get("text") or "").strip()
            if not text:
                continue
            due = date.fromisoformat(item["due"]) if item.get("due") else default_due(report)
            found.append(Candidate(RectificationSource.PROBLEMS, text_ref("problem", text), text,
                                   _unit_named(item.get("owner", ""), units, section.unit), due, section.node.title))
    return found


def _findings(report: Report, sections: list[Section]) -> list[Candidate]:
    by_pk = {s.pk: s for s in sections}
    logs = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Section), object_id__in=list(by_pk),
        action=Action.FINANCE_RETURN,
    ).order_by("created_at", "id")
    return [
        Candidate(RectificationSource.FINDING, f"return:{log.pk}", log.comment, by_pk[log.object_id].unit,
                  default_due(report), by_pk[log.object_id].node.title)
        for log in logs if log.comment.strip()
    ]


def _indicators(report: Report, sections: list[Section]) -> list[Candidate]:
    score = scoring.report_score(report, sections)
    section = score.indicator_section
    if section is None:
        return []
    found = []
    for r in score.rows:
        if r.row.get("met") is False:
            row = r.row
            text = (f"绩效指标「{r.name}」未完成：指标值 {row.get('target', '')}{row.get('unit', '')}，"
                    f"实际完成 {row.get('actual', '')}{row.get('unit', '')}。{row.get('reason', '')}").strip()
            found.append(Candidate(RectificationSource.INDICATOR, f"indicator:{section.pk}:{r.name}"[:120], text,
                                   section.unit, default_due(report), section.node.title))
    return found


def _checks(report: Report, sections: list[Section]) -> list[Candidate]:
    ctx = checks.context_for(report, [s for s in sections if s.kind in checks.FIGURE_PREFIX])
    found = []
    for section in sections:
        for finding in checks.section_findings(section.kind, section.data, ctx):
            text = finding.issue.message + (f"（说明：{finding.explanation}）" if finding.explanation else "")
            found.append(Candidate(RectificationSource.CHECK, f"check:{section.pk}:{finding.issue.code}"[:120], text,
                                   section.unit, default_due(report), section.node.title))
    return found


def report_candidates(report: Report) -> list[Candidate]:
    """Every source of the report, each flagged ``raised`` when an item exists for it already."""
    sections = [s for s in selectors.report_sections(report) if s.kind != SectionKind.RECTIFICATION]
    units = {u.name: u for u in selectors.department_units(report.department)}
    found = (_problems(report, sections, units) + _findings(report, sections) + _indicators(report, sections)
             + _checks(report, sections))
    raised = set(RectificationItem.objects.filter(department=report.department, year=report.cycle.year)
                 .values_list("source", "source_ref"))
    for candidate in found:
        candidate.raised = (candidate.source, candidate.ref) in raised
    return found


def candidate_find(report: Report, source: str, ref: str) -> Candidate | None:
    return next((c for c in report_candidates(report) if c.source == source and c.ref == ref), None)
