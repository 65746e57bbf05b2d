"""Sections and reports as they read: placeholders filled, figures computed, numbers generated."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reports.models import OutlineNode, Report, ReportTemplate, Section

from . import checks
from .kinds import KINDS, CheckContext
from .kinds.base import fill_placeholders, paragraphs
from .outline import OutlineEntry, build_outline, flatten, format_number


@dataclass
class RenderedSection:
    section: Section
    data: dict[str, Any]
    template_name: str
    computed: dict[str, Any]
    paragraphs: list[str]
    findings: list[checks.Finding]
    items: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def errors(self) -> list[checks.Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[checks.Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def explainable(self) -> list[checks.Finding]:
        """Findings a written explanation resolves: warnings and stated-vs-computed mismatches."""
        return [f for f in self.findings if f.issue.takes_explanation]


def _item_format(template: ReportTemplate, depth: int) -> str:
    formats = template.numbering_formats()
    return formats[min(depth, len(formats) - 1)]


def render_section(section: Section, ctx: CheckContext, depth: int, template: ReportTemplate,
                   data: dict[str, Any] | None = None) -> RenderedSection:
    data = section.data if data is None else data
    spec = KINDS[section.kind]
    computed = spec.compute(data) | spec.context_compute(data, ctx)
    values = spec.figures(data, computed) | ctx.report_figures
    # a list's items as typed; a generated kind may list its own (in the .docx as numbered paragraphs)
    items = data.get("items", []) if section.kind == "list" else computed.get("items", [])
    fmt = _item_format(template, depth)
    return RenderedSection(
        section=section,
        data=data,
        template_name=spec.render_template,
        computed=computed,
        paragraphs=[fill_placeholders(p, values) for p in paragraphs(data.get("text", ""))],
        findings=checks.section_findings(section.kind, data, ctx),
        items=[(format_number(fmt, i), item) for i, item in enumerate(items, start=1)],
    )


def filled_text(kind: str, data: dict[str, Any], ctx: CheckContext) -> str:
    """The section's text as it reads, placeholders replaced by its figures."""
    spec = KINDS[kind]
    values = spec.figures(data, spec.compute(data)) | ctx.report_figures
    return fill_placeholders(data.get("text", ""), values)


@dataclass
class ReportPart:
    entry: OutlineEntry
    rendered: RenderedSection | None


def section_depth(section: Section, nodes: list[OutlineNode], template: ReportTemplate) -> OutlineEntry:
    entries = {e.node.id: e for e in flatten(build_outline(nodes, template.numbering_formats()))}
    return entries[section.node_id]


def render_report(report: Report, nodes: list[OutlineNode], sections: list[Section]) -> list[ReportPart]:
    """Every outline entry in reading order with its rendered section (if the slot has one)."""
    template = report.template
    ctx = checks.context_for(report, [s for s in sections if s.kind in checks.FIGURE_PREFIX])
    by_node = {s.node_id: s for s in sections}
    parts = []
    for entry in flatten(build_outline(nodes, template.numbering_formats())):
        section = by_node.get(entry.node.id)
        rendered = render_section(section, ctx, entry.depth, template) if section else None
        parts.append(ReportPart(entry, rendered))
    return parts
