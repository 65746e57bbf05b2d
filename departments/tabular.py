"""Read the rows of an uploaded table (.xlsx or .csv) safely.

A spreadsheet is a zip of XML: a small file can declare millions of cells or
unpack to gigabytes. We check the zip before openpyxl sees it, read in
read-only mode with the declared dimensions discarded, and cap rows and
columns. openpyxl parses with defusedxml when it is installed (it is pinned).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import openpyxl
from django.conf import settings

MAX_ROWS = 20_000
MAX_COLUMNS = 50
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100


class TableError(Exception):
    """A file that cannot be read as a table; the message is for the user."""


@dataclass(frozen=True)
class TableRow:
    number: int  # 1-based, as Excel shows it
    cells: tuple[str, ...]


def _check_size(data: bytes) -> None:
    limit = settings.EVALSITE_UPLOAD_MAX_BYTES
    if not data:
        raise TableError("文件为空。")
    if len(data) > limit:
        raise TableError(f"文件过大（{len(data) // 1024} KB），上限为 {limit // 1024} KB。")


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise TableError("文件不是有效的 .xlsx 工作簿。") from exc
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_UNZIPPED_BYTES:
        raise TableError("工作簿解压后过大，已拒绝。")
    if total > MAX_COMPRESSION_RATIO * len(data) and total > 1024 * 1024:
        raise TableError("工作簿压缩比异常，已拒绝。")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_upload(name: str, stream: BinaryIO, allowed: tuple[str, ...]) -> bytes:
    """The bytes of an upload after the size and type checks (and, for .xlsx, the zip checks)."""
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        kinds = " 或 ".join(allowed)
        raise TableError(f"不支持的文件类型「{suffix or '无扩展名'}」，请上传 {kinds} 文件。")
    data = stream.read(settings.EVALSITE_UPLOAD_MAX_BYTES + 1)
    _check_size(data)
    if suffix == ".xlsx":
        _check_zip(data)
    return data


def open_xlsx(data: bytes) -> openpyxl.Workbook:
    """A read-only workbook of checked bytes (see read_upload); formulas are kept as text."""
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise TableError("无法读取 .xlsx 工作簿，请用 Excel 或 WPS 重新保存后再试。") from exc


def _xlsx_rows(data: bytes) -> Iterator[TableRow]:
    workbook = open_xlsx(data)
    try:
        sheet = workbook.worksheets[0]
        # The declared dimension may be a lie (A1:XFD1048576); read what is there.
        sheet.reset_dimensions()
        for number, row in enumerate(
            sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
        ):
            if number > MAX_ROWS:
                raise TableError(f"行数超过上限 {MAX_ROWS} 行。")
            cells = tuple(_cell_text(v) for v in row)
            for col, text in enumerate(cells, start=1):
                if text.startswith("="):
                    letter = openpyxl.utils.get_column_letter(col)
                    raise TableError(f"单元格 {letter}{number} 含公式，请改为数值或文字。")
            yield TableRow(number, cells)
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> Iterator[TableRow]:
    # Excel on Chinese Windows saves CSV as GBK; everything else sends UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError("CSV 文件编码无法识别，请另存为 UTF-8。")
    reader = csv.reader(io.StringIO(text))
    for number, row in enumerate(reader, start=1):
        if number > MAX_ROWS:
            raise TableError(f"行数超过上限 {MAX_ROWS} 行。")
        yield TableRow(number, tuple(cell.strip() for cell in row[:MAX_COLUMNS]))


def read_table(name: str, stream: BinaryIO) -> list[TableRow]:
    """All non-empty rows of the first sheet of an .xlsx or of a .csv file."""
    data = read_upload(name, stream, (".xlsx", ".csv"))
    rows = _xlsx_rows(data) if Path(name).suffix.lower() == ".xlsx" else _csv_rows(data)
    return [row for row in rows if any(row.cells)]
