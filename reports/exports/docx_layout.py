"""Page set-up and closing parts of the report .docx, after GB/T 9704-2012 (党政机关公文格式).

- page numbers: 4号半角宋体, "— 1 —", odd pages on the right and even pages on the left, each one
  character in from the edge (§7.5), so they sit on the outside of a document printed on both sides;
- 附件说明 (§7.3.6): one blank line under the body, two characters in, "附件：" then the names,
  numbered "1." "2." when there are several, without closing punctuation, later names aligned with
  the first;
- 落款 (§7.3.5): the department's name centred over the date of writing, the date four characters
  in from the right, with room above for the red seal that presses on both (盖章).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

FONT_PAGE = "宋体"
FONT_LATIN = "Times New Roman"
PAGE_PT = 14  # 4号
BODY_PT = 16  # 三号: the character the indents are counted in
SEAL_MARK = "（盖章）"


def set_fonts(element: Any, east_asia: str, latin: str = FONT_LATIN) -> None:
    """Name the fonts explicitly (and drop theme fonts, which would win over them)."""
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin),
                        ("w:hint", "eastAsia")):
        rfonts.set(qn(attr), value)


def run_font(run: Any, font: str, size: float, bold: bool | None = None) -> Any:
    run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    set_fonts(run._r, font, FONT_PAGE if font == FONT_PAGE else FONT_LATIN)
    return run


def _field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    def fld(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    for part in (fld("begin"), None, fld("separate"), placeholder, fld("end")):
        run = paragraph.add_run()
        run_font(run, FONT_PAGE, PAGE_PT)
        if part is None:
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = f" {instruction} "
            run._r.append(text)
        elif isinstance(part, str):
            run.text = part
        else:
            run._r.append(part)


def _page_number(paragraph: Paragraph, *, odd: bool) -> None:
    """"— N —" on the outside edge, one character (of the number's size) in."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    pf = paragraph.paragraph_format
    pf.first_line_indent = Pt(0)
    if odd:
        pf.right_indent = Pt(PAGE_PT)
    else:
        pf.left_indent = Pt(PAGE_PT)
    run_font(paragraph.add_run("— "), FONT_PAGE, PAGE_PT)
    _field(paragraph, "PAGE", "1")
    run_font(paragraph.add_run(" —"), FONT_PAGE, PAGE_PT)


def _draft_header(paragraph: Paragraph, style: Any, mark: str) -> None:
    paragraph.style = style
    if mark:
        run = paragraph.add_run(mark)
        run.font.size = Pt(14)
        run.font.bold = True


def page_setup(doc: DocumentObject, *, draft_mark: str, header_style: str, footer_style: str) -> None:
    """A4 portrait, the GB/T 9704 margins, the draft mark in every header, page numbers outside."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(25)
    doc.settings.odd_and_even_pages_header_footer = True
    for header in (section.header, section.even_page_header):
        _draft_header(header.paragraphs[0], doc.styles[header_style], draft_mark)
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        paragraph = footer.paragraphs[0]
        paragraph.style = doc.styles[footer_style]
        _page_number(paragraph, odd=odd)


def _chars(paragraph: Paragraph, *, left: float = 0, first: float = 0, right: float = 0) -> None:
    """Indents in characters of the body size (w:*Chars, with lengths for readers that ignore them)."""
    pf = paragraph.paragraph_format
    pf.left_indent, pf.first_line_indent, pf.right_indent = Pt(left * BODY_PT), Pt(first * BODY_PT), Pt(right * BODY_PT)
    ind = pf.element.get_or_add_pPr().get_or_add_ind()
    for attr, value in (("w:leftChars", left), ("w:firstLineChars", first), ("w:rightChars", right)):
        ind.set(qn(attr), str(round(value * 100)))
    if first < 0:
        ind.attrib.pop(qn("w:firstLineChars"), None)
        ind.set(qn("w:hangingChars"), str(round(-first * 100)))


def attachment_list(doc: DocumentObject, names: Sequence[str]) -> None:
    """附件：1.… under the body (nothing when there are no attachments)."""
    if not names:
        return
    doc.add_paragraph("")
    number = 1 if len(names) > 1 else 0  # "1." is about one character wide (two half-width glyphs)
    for i, name in enumerate(names, start=1):
        label = f"{i}.{name}" if number else name
        # "附件：" and the number hang: a name that wraps lines up with its own first character
        lead = 3 + number if i == 1 else number
        _chars(doc.add_paragraph(f"附件：{label}" if i == 1 else label), left=5 + number, first=-lead)


def _width(text: str) -> float:
    """Width in body characters (a digit or Latin letter is half a character)."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def closing_block(doc: DocumentObject, department: str, day: date) -> None:
    """落款: room for the seal, the name centred over the date, the date four characters in."""
    written = f"{day.year}年{day.month}月{day.day}日"
    name = f"{department}{SEAL_MARK}"
    for _ in range(3):  # blank lines: the seal presses on the name and the date
        doc.add_paragraph("").paragraph_format.keep_with_next = True
    right_of_date = 4
    signature = doc.add_paragraph(name)
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _chars(signature, right=max(0, right_of_date + (_width(written) - _width(name)) / 2))
    signature.paragraph_format.keep_with_next = True
    dated = doc.add_paragraph(written)
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _chars(dated, right=right_of_date)
