"""The assembled annual report as .docx (python-docx), in the look of an official document.

GB/T 9704 conventions: A4, 方正小标宋简体 二号 title, 三号 body in 仿宋_GB2312 with a
first-line indent of two characters and a fixed 28 pt line, 一级 headings in 黑体, 二级 in
楷体; page numbers outside, the 附件 list and the closing block with the seal's place are
laid out by docx_layout. Fonts are named in ``w:eastAsia`` and the font
table carries the usual fallbacks (仿宋_GB2312 → 仿宋 …) for machines without them.

The file depends on the data only: core properties and zip timestamps come from the
report's last change, so a re-export of unchanged data is byte-identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from lxml import etree

from reports import figures as fig
from reports.annual import rendering, scoring, selectors
from reports.annual.kinds import get_kind
from reports.annual.rendering import RenderedSection
from reports.models import Report, SectionAttachment
from workflow.states import State

from .base import BuildResult, Progress, changed_at, zip_normalize
from .docx_layout import FONT_PAGE, attachment_list, closing_block, page_setup
from .docx_layout import set_fonts as _set_fonts
from .selectors import report_load

FONT_TITLE = "方正小标宋简体"
FONT_H1 = "黑体"
FONT_H2 = "楷体"
FONT_BODY = "仿宋_GB2312"
FONT_TABLE = "仿宋_GB2312"
FONT_LATIN = "Times New Roman"
# Written to the font table as w:altName: what Word substitutes where the first font is missing.
FALLBACKS = {FONT_TITLE: "宋体", FONT_H1: "SimHei", FONT_H2: "KaiTi", FONT_BODY: "仿宋", FONT_PAGE: "SimSun"}

BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
TABLE_PT = 10.5  # 五号
LINE_PT = 28
TEXT_WIDTH_MM = 156  # A4 210 − 28 (left) − 26 (right)
HEADING_FONTS = {1: (FONT_H1, False), 2: (FONT_H2, False), 3: (FONT_BODY, True), 4: (FONT_BODY, False),
                 5: (FONT_BODY, False)}
SMALL_PT = 9  # 小五, for the ten-column indicator table
DRAFT_MARK = "未审定稿"
PPR_AFTER_OVERFLOW_PUNCT = ("w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
                            "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                            "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                            "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
# --- styles ---------------------------------------------------------------------------------------

def _first_line_chars(paragraph_format: Any, chars: int, size_pt: float) -> None:
    """First-line indent in characters (w:firstLineChars), with the length for readers that ignore it."""
    paragraph_format.first_line_indent = Pt(chars * size_pt)
    ind = paragraph_format.element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _reset_style(style: Any) -> None:
    rpr = style.element.rPr
    if rpr is not None:
        style.element.remove(rpr)


def _paragraph_style(doc: DocumentObject, name: str, *, font: str, size: float, bold: bool = False,
                     indent: bool = True, align: int = WD_ALIGN_PARAGRAPH.JUSTIFY,
                     line: float | None = LINE_PT, color: RGBColor | None = None, base: str = "Normal") -> Any:
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, 1)
    if style.base_style is None and name != "Normal":
        style.base_style = styles[base]
    _reset_style(style)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = color or RGBColor(0, 0, 0)
    _set_fonts(style.element, font)
    pf = style.paragraph_format
    pf.alignment = align
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if line:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line)
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if indent:
        _first_line_chars(pf, 2, size)
    else:
        pf.first_line_indent = Pt(0)
        ind = pf.element.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:firstLineChars"), "0")
    pf.widow_control = True
    ppr = pf.element.get_or_add_pPr()
    if ppr.find(qn("w:overflowPunct")) is None:
        # Word's default, said explicitly: without it LibreOffice drops a "。" that ends a justified line.
        punct = OxmlElement("w:overflowPunct")
        punct.set(qn("w:val"), "1")
        ppr.insert_element_before(punct, *PPR_AFTER_OVERFLOW_PUNCT)
    return style


def _defaults(doc: DocumentObject) -> None:
    """Document defaults: the body font, Chinese language, no theme fonts."""
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr_default.find(qn("w:rFonts"))
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for attr, value in (("w:ascii", FONT_LATIN), ("w:hAnsi", FONT_LATIN), ("w:eastAsia", FONT_BODY),
                        ("w:cs", FONT_LATIN)):
        rfonts.set(qn(attr), value)
    lang = rpr_default.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _styles(doc: DocumentObject) -> None:
    _defaults(doc)
    _paragraph_style(doc, "Normal", font=FONT_BODY, size=BODY_PT)
    _paragraph_style(doc, "报告标题", font=FONT_TITLE, size=TITLE_PT, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER,
                     line=36)
    for level, (font, bold) in HEADING_FONTS.items():
        style = _paragraph_style(doc, f"Heading {level}", font=font, size=BODY_PT, bold=bold)
        style.paragraph_format.keep_with_next = True
    _paragraph_style(doc, "表格文字", font=FONT_TABLE, size=TABLE_PT, indent=False, line=None,
                     align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(doc, "表格小字", font=FONT_TABLE, size=SMALL_PT, indent=False, line=None,
                     align=WD_ALIGN_PARAGRAPH.CENTER)
    caption = _paragraph_style(doc, "表格说明", font=FONT_TABLE, size=TABLE_PT + 1.5, indent=False, line=None,
                               align=WD_ALIGN_PARAGRAPH.RIGHT)
    caption.paragraph_format.keep_with_next = True
    _paragraph_style(doc, "表后空行", font=FONT_TABLE, size=6, indent=False, line=None)
    mark = _paragraph_style(doc, "未审定标注", font=FONT_H2, size=12, indent=False, line=None,
                            align=WD_ALIGN_PARAGRAPH.RIGHT, color=RGBColor(0xB4, 0x23, 0x18))
    mark.paragraph_format.keep_with_next = True
    _paragraph_style(doc, "稿件说明", font=FONT_H2, size=14, indent=False, line=LINE_PT,
                     align=WD_ALIGN_PARAGRAPH.CENTER)


def _font_table(doc: DocumentObject) -> None:
    """Declare the CJK fonts (GB2312 charset) with their substitutes in word/fontTable.xml."""
    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    for name, alt in FALLBACKS.items():
        font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
        etree.SubElement(font, qn("w:altName"), {qn("w:val"): alt})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "modern" if name == FONT_H1 else "roman"})
        etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- tables -----------------------------------------------------------------------------------------

def _table(doc: DocumentObject, widths_mm: Sequence[float], header: Sequence[str] | None = None, *,
           style: str = "表格文字", margin_mm: float | None = None) -> Table:
    table = doc.add_table(rows=0, cols=len(widths_mm))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    table._text_style = style  # read by _row
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    if margin_mm is not None:
        _cell_margins(table, margin_mm)
    if header:
        row = _row(doc, table, header, bold=True)
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(repeat)
    return table


def _cell_margins(table: Table, margin_mm: float) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(round(margin_mm * 56.7)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def _row(doc: DocumentObject, table: Table, values: Sequence[str], *, bold: bool = False,
         align: str | None = None) -> Any:
    """A row that never splits across pages; align: one letter a column (l, c, r)."""
    row = table.add_row()
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    widths = [c.width for c in table.columns]
    for i, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
        cell.width = widths[i]
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        paragraph.style = doc.styles[getattr(table, "_text_style", "表格文字")]
        if align:
            paragraph.alignment = {"l": WD_ALIGN_PARAGRAPH.LEFT, "r": WD_ALIGN_PARAGRAPH.RIGHT}.get(
                align[i], WD_ALIGN_PARAGRAPH.CENTER)
        run = paragraph.add_run(value)
        if bold:
            run.font.bold = True
    return row


def _keep_together(table: Table) -> None:
    """A short table stays on one page: every row keeps with the next."""
    for row in table.rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _after_table(doc: DocumentObject) -> None:
    doc.add_paragraph("", style="表后空行")


def _merge(row: Any, first: int, last: int, text: str, *, bold: bool = True) -> None:
    cell = row.cells[first].merge(row.cells[last])
    _set_text(cell, text, bold=bold)


def _set_text(cell: Any, text: str, *, bold: bool = False) -> None:
    for paragraph in cell.paragraphs[1:]:
        paragraph._p.getparent().remove(paragraph._p)
    paragraph = cell.paragraphs[0]
    for run in paragraph.runs:
        run._r.getparent().remove(run._r)
    run = paragraph.add_run(text)
    run.font.bold = bold


def _merge_down(table: Table, column: int, first: int, last: int) -> None:
    """Merge one column over rows first..last (the same 一级/二级 indicator written once)."""
    if last <= first:
        return
    text = table.cell(first, column).text
    merged = table.cell(first, column).merge(table.cell(last, column))
    _set_text(merged, text)


def _caption(doc: DocumentObject, text: str) -> None:
    doc.add_paragraph(text, style="表格说明")


def _wan(value: Decimal | None) -> str:
    return fig.format_wan(value)


def _pct(value: Decimal | None) -> str:
    return fig.format_percent(value)


def _num(value: Decimal | None) -> str:
    return fig.format_number(value)


def _score(value: Decimal | None) -> str:
    return "—" if value is None else f"{scoring.quantize(value):f}"


class DocxOut:
    """What a section kind may write into the report .docx (``KindSpec.write_docx``): paragraphs,
    captions and tables in the report's styles, and the report's number formats. ``public``: the
    公开版, without internal notes."""

    def __init__(self, doc: DocumentObject, *, public: bool = False) -> None:
        self.doc, self.public = doc, public

    def paragraph(self, text: str, *, note: bool = False) -> None:
        paragraph = self.doc.add_paragraph(text, style="表格说明" if note else None)
        if note:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT

    def caption(self, text: str) -> None:
        _caption(self.doc, text)

    def table(self, widths_mm: Sequence[float], header: Sequence[str] | None = None, *, small: bool = False) -> Table:
        if small:
            return _table(self.doc, widths_mm, header, style="表格小字", margin_mm=1)
        return _table(self.doc, widths_mm, header)

    def row(self, table: Table, values: Sequence[str], *, bold: bool = False, align: str | None = None) -> Any:
        return _row(self.doc, table, values, bold=bold, align=align)

    def merge(self, row: Any, first: int, last: int, text: str) -> None:
        _merge(row, first, last, text)

    def merge_down(self, table: Table, column: int, first: int, last: int) -> None:
        _merge_down(table, column, first, last)

    def end_table(self, table: Table, *, keep_together: bool = True) -> None:
        if keep_together:
            _keep_together(table)
        _after_table(self.doc)

    wan, pct, num = staticmethod(_wan), staticmethod(_pct), staticmethod(_num)
    score = staticmethod(_score)


# --- the document --------------------------------------------------------------------------------------

def _title(doc: DocumentObject, report: Report, draft_note: str) -> None:
    paragraph = doc.add_paragraph(style="报告标题")
    for i, line in enumerate(report.title.splitlines()):
        run = paragraph.add_run(line)
        if i:
            run._r.addprevious(OxmlElement("w:br"))
    if draft_note:
        doc.add_paragraph(draft_note, style="稿件说明")
    doc.add_paragraph("", style="稿件说明")


def _section_body(doc: DocumentObject, r: RenderedSection, score: scoring.ReportScore, public: bool = False) -> None:
    section = r.section
    if section.state != State.APPROVED:
        doc.add_paragraph(f"〔未审定：{section.get_state_display()}〕", style="未审定标注")
    get_kind(section.kind).write_docx(DocxOut(doc, public=public), r, score)


def _core_properties(doc: DocumentObject, report: Report, changed: datetime, final: bool) -> None:
    props = doc.core_properties
    props.title = report.title.replace("\n", "")
    props.subject = "部门整体支出绩效评价报告"
    props.author = report.department.name
    props.last_modified_by = "evalsite"
    props.comments = "定稿" if final else DRAFT_MARK
    props.keywords = f"{report.cycle.year};部门整体支出绩效自评"
    props.category = report.cycle.name
    props.revision = 1
    props.created = report.created_at.astimezone(UTC).replace(tzinfo=None)
    props.modified = changed.astimezone(UTC).replace(tzinfo=None)


def report_filename(report: Report) -> str:
    return f"{report.cycle.year}年度{report.department.name}整体支出绩效评价报告.docx"


def revisions_used(parts: list[rendering.ReportPart]) -> list[dict[str, Any]]:
    return [
        {"section": p.rendered.section.pk, "title": f"{p.entry.number}{p.entry.node.title}",
         "revision": p.rendered.section.version, "state": p.rendered.section.state,
         "state_label": p.rendered.section.get_state_display()}
        for p in parts if p.rendered
    ]


def attachment_names(parts: list[rendering.ReportPart]) -> list[str]:
    """The attachments of the report's sections, in outline order, named without the file extension."""
    order = {p.rendered.section.pk: i for i, p in enumerate(parts) if p.rendered}
    attachments = SectionAttachment.objects.filter(section_id__in=order).order_by("uploaded_at", "pk")
    return [Path(a.name).stem for a in sorted(attachments, key=lambda a: order[a.section_id])]


def build(params: dict[str, Any], out: Path, progress: Progress) -> BuildResult:
    report = report_load(params)
    sections = selectors.report_sections(report)
    parts = rendering.render_report(report, selectors.report_nodes(report), sections)
    score = scoring.report_score(report, sections)
    status = selectors.status_of(report, sections)
    approved, final = status.approved, status.is_final
    public = bool(params.get("public"))  # the 公开版: approved reports only, without internal notes
    if public and not final:
        raise ValueError(f"报告尚未全部审定（已审定 {approved}/{len(sections)} 个章节），不能生成公开版。")
    progress(20)
    doc = Document()
    _styles(doc)
    _font_table(doc)
    page_setup(doc, draft_mark="" if final else DRAFT_MARK, header_style="未审定标注", footer_style="表格文字")
    _title(doc, report, "" if final else f"（{DRAFT_MARK}：已审定 {approved}/{len(sections)} 个章节）")
    for i, part in enumerate(parts, start=1):
        level = min(part.entry.depth, max(HEADING_FONTS))
        doc.add_paragraph(f"{part.entry.number}{part.entry.node.title}", style=f"Heading {level}")
        if part.rendered:
            _section_body(doc, part.rendered, score, public)
        progress(20 + 70 * i // max(len(parts), 1))
    changed = changed_at([report], sections)
    attachment_list(doc, attachment_names(parts))
    closing_block(doc, report.department.name, timezone.localtime(changed).date())
    _core_properties(doc, report, changed, final)
    doc.save(str(out))
    zip_normalize(out, changed)
    progress(100)
    return BuildResult(filename=report_filename(report), revisions=revisions_used(parts),
                       department_ids=[report.department_id])
