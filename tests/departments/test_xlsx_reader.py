"""The bounded .xlsx reader: what a file declares is never trusted; every refusal is a TableError."""

import io

import openpyxl
import pytest

from departments.xlsx import Formula, Limits, Number, TableError, Workbook
from tests import hostile

SMALL = Limits(rows=2_000, columns=20, cells=40_000, shared_strings=40_000, inflated_bytes=20 * 1024 * 1024)


def read(data: bytes, limits: Limits = SMALL, title: str | None = None):
    book = Workbook(data, limits)
    try:
        return book.sheet(title or book.sheet_names[0])
    finally:
        book.close()


def test_it_reads_values_formulas_numbers_and_merged_ranges():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标进度"
    ws["A1"], ws["B1"], ws["C1"], ws["D1"] = "文字", 98.6, "=1+1", True
    ws["A2"] = 3301
    ws.merge_cells("A5:B5")
    stream = io.BytesIO()
    wb.save(stream)
    sheet = read(stream.getvalue())
    assert sheet.cells[(1, 1)] == "文字"
    assert isinstance(sheet.cells[(1, 2)], Number) and sheet.cells[(1, 2)].shown == "98.6"
    assert isinstance(sheet.cells[(1, 3)], Formula) and sheet.cells[(1, 3)] == "=1+1"
    assert sheet.cells[(1, 4)] is True
    assert sheet.cells[(2, 1)].shown == "3301"
    assert sheet.merged == ["A5:B5"]


def test_understated_zip_headers_cannot_inflate_past_what_is_read():
    # Headers say 1 MB; the data inflates to 64 MB. Only small chunks are ever inflated.
    data = hostile.understated_bomb(64 * 1024 * 1024)
    assert len(data) < 200 * 1024
    with pytest.raises(TableError, match="已损坏|不是有效的 XML"):
        read(data)


def test_a_ratio_no_workbook_has_is_refused_on_the_bytes_inflated():
    with pytest.raises(TableError, match="压缩比异常"):
        read(hostile.ratio_bomb(12 * 1024 * 1024))


def test_a_row_of_three_million_cells_is_refused():
    with pytest.raises(TableError, match="解压后超过|压缩比异常|单元格超过"):
        read(hostile.workbook(hostile.sheet_of(hostile.wide_row(3_000_000))))


def test_the_cell_cap_holds_inside_the_byte_limits():
    # 1,500 rows × 40 cells: under the row cap and the ratio floor (~1 MB of XML), over the cell cap.
    data = hostile.workbook(hostile.sheet_of([b"<row>" + b"<c><v>1</v></c>" * 40 + b"</row>"] * 1_500))
    with pytest.raises(TableError, match="单元格超过 40000 个"):
        read(data)


def test_a_row_past_the_last_excel_column_is_refused():
    with pytest.raises(TableError, match="列超出 Excel 的范围"):
        read(hostile.workbook(hostile.sheet_of(hostile.wide_row(20_000))))


def test_columns_past_the_cap_are_ignored_not_kept():
    cells = b"".join(b'<c r="%s1" t="inlineStr"><is><t>x</t></is></c>' % col for col in (b"A", b"T", b"U", b"XFD"))
    sheet = read(hostile.workbook(hostile.sheet_of([b'<row r="1">' + cells + b"</row>"])))
    assert sorted(sheet.cells) == [(1, 1), (1, 20)]


def test_rows_past_the_cap_are_refused():
    with pytest.raises(TableError, match="超过 2000 行"):
        read(hostile.workbook(hostile.sheet_of([b'<row r="2001"><c r="A2001"><v>1</v></c></row>'])))


def test_millions_of_shared_strings_are_refused_at_the_cap():
    data = hostile.workbook(hostile.sheet_of([b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>']),
                            shared=hostile.many_strings(200_000))
    with pytest.raises(TableError, match="共享字符串超过 40000 个"):
        read(data)


def test_a_missing_shared_string_is_named_by_cell():
    data = hostile.workbook(hostile.sheet_of([b'<row r="1"><c r="B1" t="s"><v>7</v></c></row>']),
                            shared=hostile.many_strings(1))
    with pytest.raises(TableError, match="单元格 B1 引用了不存在的共享字符串"):
        read(data)


@pytest.mark.parametrize(
    "sheet",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet>&a;</worksheet>',
        b"<worksheet><sheetData><row>",
        b'<worksheet><sheetData><row><c r="ZZZZ1"><v>1</v></c></row></sheetData></worksheet>',
        b'<worksheet><sheetData><row><c><v>' + b"9" * 40_000 + b"</v></c></row></sheetData></worksheet>",
    ],
    ids=["entities", "truncated", "bad-reference", "huge-text"],
)
def test_malformed_sheets_are_refused(sheet):
    with pytest.raises(TableError):
        read(hostile.workbook(sheet))


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04garbage", b"not a zip", hostile.zip_bytes({"a.txt": b"x"})])
def test_what_is_not_a_workbook_is_refused(data):
    with pytest.raises(TableError):
        read(data)
