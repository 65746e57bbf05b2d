"""The three documents as they print (issue 11.7), read back from the files: the report .docx's page
numbers outside, 附件 list and closing block (GB/T 9704); the 自评表's extra rows and its one A4
landscape page with a visible footer; the quarter summary's page numbers and print titles. With
LibreOffice installed, the 自评表 is also rendered to PDF and its first page read back."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from openpyxl import load_workbook

from departments.demo import demo_org_load
from reports.exports.services import build_to_file
from reports.models import ExportKind, Report, Section, SectionAttachment
from reports.quarterly.demo import demo_quarters_load
from reports.review.demo import demo_report_load

pytestmark = pytest.mark.django_db  # (the module fixture needs the test database set up)

ATTACHMENTS = ("2021年度部门决算报表.xlsx", "绩效自评工作方案.pdf")


@pytest.fixture(scope="module")
def files(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo's documents, built once with two attachments on the report; rolled back afterwards."""
    out = tmp_path_factory.mktemp("print")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_org_load()
            demo_report_load()
            demo_quarters_load()
            report = Report.objects.get(cycle__year=2021, department__code="CG-GAFJ")
            plain = build_to_file(ExportKind.REPORT_DOCX, {"report": report.pk}, out / "plain.docx")
            section = Section.objects.get(report=report, node__key="other")
            for name in ATTACHMENTS:
                SectionAttachment.objects.create(section=section, file=SimpleUploadedFile(name, b"x"), name=name,
                                                 size=1, uploaded_by=get_user_model().objects.first())
            build_to_file(ExportKind.REPORT_DOCX, {"report": report.pk}, out / "report.docx")
            build_to_file(ExportKind.SELF_EVALUATION, {"report": report.pk}, out / "self.xlsx")
            build_to_file(ExportKind.QUARTER_SUMMARY, {"year": 2021, "quarter": 4, "include_unapproved": True},
                          out / "quarter.xlsx")
            yield {"dir": out, "department": report.department.name, "plain": plain}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_report_page_numbers_sit_outside(files):
    doc = Document(str(files["dir"] / "report.docx"))
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for paragraph in (odd, even):
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and odd.paragraph_format.right_indent.pt == 14
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT and even.paragraph_format.left_indent.pt == 14
    assert section.even_page_header.paragraphs[0].text == section.header.paragraphs[0].text == "未审定稿"


def test_report_ends_with_attachments_and_the_closing_block(files):
    texts = [t for t in _texts(Document(str(files["dir"] / "report.docx"))) if t]
    name, written = texts[-2], texts[-1]
    assert name == f"{files['department']}（盖章）"
    assert written.endswith("日") and "年" in written and "月" in written
    assert texts[-4:-2] == ["附件：1.2021年度部门决算报表", "2.绩效自评工作方案"]
    paragraphs = Document(str(files["dir"] / "report.docx")).paragraphs
    dated = next(p for p in reversed(paragraphs) if p.text == written)
    assert dated.alignment == WD_ALIGN_PARAGRAPH.RIGHT and dated.paragraph_format.right_indent.pt == 4 * 16
    plain = [t for t in _texts(Document(str(files["dir"] / "plain.docx"))) if t]
    assert not any(t.startswith("附件：") for t in plain) and plain[-2] == name


def test_self_evaluation_form_rows_and_one_landscape_page(files):
    ws = load_workbook(files["dir"] / "self.xlsx")["自评表"]
    values = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for label in ("年度总体目标", "自评结论", "填报人：", "审核人：", "单位负责人："):
        assert label in values, label
    assert any(v.startswith("填报日期：") and v.endswith("日") for v in values)
    assert any("评价等级为“优”" in v for v in values)
    goals = values[values.index("年度总体目标") + 1]
    assert goals.startswith("1. ") and "\n2. " in goals
    setup = ws.page_setup
    assert (setup.orientation, int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 1)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "&P" in ws.oddFooter.center.text
    margins = ws.page_margins
    assert margins.bottom - margins.footer >= 0.5  # room for the footer's line inside the bottom margin


def test_quarter_summary_numbers_its_pages_and_repeats_the_header(files):
    wb = load_workbook(files["dir"] / "quarter.xlsx")
    for ws in wb.worksheets:
        assert ws.print_title_rows, ws.title
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text, ws.title
        assert ws.page_margins.bottom - ws.page_margins.footer >= 0.5, ws.title
    assert wb["指标进度"].print_title_rows == "$1:$3"


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")), reason="需要 LibreOffice 和 poppler")
def test_self_evaluation_prints_on_one_page_with_its_footer(files, tmp_path):
    profile = f"file://{tmp_path}/lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(files["dir"] / "self.xlsx")], check=True, capture_output=True,
                   timeout=180)
    pdf = tmp_path / "self.pdf"
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    assert "部门整体支出绩效自评表" in first and "填报日期" in first  # the whole form is on page 1 …
    assert "第 1 页" in first  # … and so is its footer
    second = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True,
                            text=True).stdout
    assert "部门整体支出绩效自评表" not in second and Path(pdf).exists()
