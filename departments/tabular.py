"""Read the rows of an uploaded table (.xlsx or .csv) safely; shared by every upload.

The upload's real size is checked first, then an .xlsx goes through ``departments.xlsx``
(streamed inflation under byte and ratio caps, counted cells, columns and shared strings)
and a CSV through the csv module with its field size, cell count and NUL bytes checked.
Every refusal is a TableError whose message is for the user and names the cell.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from .xlsx import Formula, Limits, Number, TableError, Workbook, cell_ref

MAX_ROWS = 20_000
MAX_COLUMNS = 50
MAX_FIELD = 32_767
TABLE_LIMITS = Limits(rows=MAX_ROWS, columns=MAX_COLUMNS)

__all__ = ["Limits", "TableError", "TableRow", "open_xlsx", "read_table", "read_upload", "size_text"]


@dataclass(frozen=True)
class TableRow:
    number: int  # 1-based, as Excel shows it
    cells: tuple[str, ...]


def size_text(size: int) -> str:
    """12.3 MB / 840 KB, as the user's file manager would say it."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(size, 1) / 1024:.0f} KB" if size >= 1024 else f"{size} 字节"


def _real_size(stream: BinaryIO) -> int | None:
    size = getattr(stream, "size", None)
    if size is not None:
        return int(size)
    try:
        return os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None


def read_upload(name: str, stream: BinaryIO, allowed: tuple[str, ...]) -> bytes:
    """The bytes of an upload after the type and size checks; a too-large file is never read whole."""
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        kinds = " 或 ".join(allowed)
        raise TableError(f"不支持的文件类型「{suffix or '无扩展名'}」，请上传 {kinds} 文件。")
    limit = settings.EVALSITE_UPLOAD_MAX_BYTES
    data = stream.read(limit + 1)
    if not data:
        raise TableError("文件为空。")
    if len(data) > limit:
        size = _real_size(stream)
        shown = size_text(size) if size and size > limit else f"超过 {size_text(limit)}"
        raise TableError(f"文件过大（{shown}），上限为 {size_text(limit)}。")
    return data


def open_xlsx(data: bytes, limits: Limits) -> Workbook:
    """A bounded reader of checked bytes (see read_upload)."""
    return Workbook(data, limits)


def _cell_text(ref: str, value: object) -> str:
    if isinstance(value, Formula):
        raise TableError(f"单元格 {ref} 含公式，请改为数值或文字。")
    if isinstance(value, Number) and not value.is_valid:
        raise TableError(f"单元格 {ref} 的数值「{value[:20]}」无效，请改为数字或文字。")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return value.shown if isinstance(value, Number) else str(value).strip()


def _xlsx_rows(data: bytes) -> list[TableRow]:
    workbook = open_xlsx(data, TABLE_LIMITS)
    try:
        sheet = workbook.sheet(workbook.sheet_names[0])
    finally:
        workbook.close()
    by_row: dict[int, dict[int, str]] = {}
    for (row, col), value in sheet.cells.items():
        by_row.setdefault(row, {})[col] = _cell_text(cell_ref(row, col), value)
    return [TableRow(r, tuple(cols.get(c, "") for c in range(1, max(cols) + 1))) for r, cols in sorted(by_row.items())]


def _decode(data: bytes) -> str:
    # Excel on Chinese Windows saves CSV as GBK; everything else sends UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("CSV 文件编码无法识别，请另存为 UTF-8。")


def _csv_rows(data: bytes) -> list[TableRow]:
    text = _decode(data)
    if text.count(",") > TABLE_LIMITS.cells:  # bounds every row's list before csv builds it
        raise TableError(f"单元格超过 {TABLE_LIMITS.cells} 个，已拒绝。")
    reader = csv.reader(io.StringIO(text))
    rows: list[TableRow] = []
    try:
        for number, row in enumerate(reader, start=1):  # records, as Excel numbers them
            if number > MAX_ROWS:
                raise TableError(f"行数超过上限 {MAX_ROWS} 行。")
            rows.append(TableRow(number, tuple(_csv_cell(number, c, t) for c, t in enumerate(row[:MAX_COLUMNS], 1))))
    except csv.Error as exc:
        raise TableError(f"第 {len(rows) + 1} 行无法按 CSV 读取（某个单元格过长或引号不成对），请检查该行。") from exc
    return rows


def _csv_cell(row: int, col: int, text: str) -> str:
    if "\x00" in text:
        raise TableError(f"第 {row} 行第 {col} 列（{cell_ref(row, col)}）含空字符（NUL），请删除后再导入。")
    if len(text) > MAX_FIELD:
        raise TableError(f"第 {row} 行第 {col} 列（{cell_ref(row, col)}）超过 {MAX_FIELD} 个字符。")
    return text.strip()


def read_table(name: str, stream: BinaryIO) -> list[TableRow]:
    """All non-empty rows of the first sheet of an .xlsx or of a .csv file."""
    data = read_upload(name, stream, (".xlsx", ".csv"))
    rows = _xlsx_rows(data) if Path(name).suffix.lower() == ".xlsx" else _csv_rows(data)
    return [row for row in rows if any(row.cells)]
