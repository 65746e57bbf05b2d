"""The Excel kit of every workbook the platform writes: one palette, one width estimate, one safe writer.

Every value that reaches a cell goes through :func:`put` (or :func:`safe_row` for the bare rows of
write-only sheets): text a user typed is kept as text — never a formula, never an error code, never a
control character Excel refuses — so "=HYPERLINK(…)" in a 偏差原因 shows as typed, and a sheet
downloaded, left unchanged and uploaded again reads back the same text (OWASP "CSV injection").
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .base import zip_normalize

# --- palette ---------------------------------------------------------------------------------------
HEADER_COLOR = "D9E1F2"  # header rows
TOTAL_COLOR = "FFF8E1"  # subtotal and total rows
WARN_COLOR = "FFF2CC"  # rows with a warning
INPUT_COLOR = "FFF6D5"  # cells a user fills in (the quarterly entry sheet)
GRADE_COLORS = {"优": "E2F0D9", "良": "DDEBF7", "中": "FFF2CC", "差": "F8CBAD"}
GRID_COLOR = "808080"

HEADER_FILL = PatternFill("solid", fgColor=HEADER_COLOR)
TOTAL_FILL = PatternFill("solid", fgColor=TOTAL_COLOR)
WARN_FILL = PatternFill("solid", fgColor=WARN_COLOR, bgColor=WARN_COLOR)
INPUT_FILL = PatternFill("solid", fgColor=INPUT_COLOR)
THIN = Side(style="thin", color=GRID_COLOR)
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = "宋体"
TITLE_FONT = "黑体"
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
TOP = Alignment(vertical="top", wrap_text=True)

# --- number formats --------------------------------------------------------------------------------
MONEY = "#,##0.00"
RATE = "0.00%"
SCORE = "0.00"
INPUT_NUMBER = "#,##0.00####"

MAX_LINES = 10  # a row's height is capped; the cell keeps the whole text
LINE_HEIGHT = 15

# Text Excel would read as a formula or an error code: "=…" (also after a line break, where a
# user's edit of the cell would turn it into one) and "#…"; and the control characters it refuses.
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
UNSAFE = re.compile(r"(?:\A|\n)[=#]|" + _CONTROL)
CONTROL = re.compile(_CONTROL)


# --- the one writer --------------------------------------------------------------------------------


def is_unsafe(value: Any) -> bool:
    """Whether a value needs a quoted text cell rather than a bare value."""
    return isinstance(value, str) and UNSAFE.search(value) is not None


def any_unsafe(texts: list[str]) -> bool:
    """Whether UNSAFE matches one of the texts: one test for a whole row, in substring searches
    (UNSAFE's search tries its alternation at every character, twice as slow on a row of text)."""
    joined = "\n" + "\n".join(texts)
    return "\n=" in joined or "\n#" in joined or CONTROL.search(joined) is not None


def put(cell: Cell | WriteOnlyCell, value: Any) -> Any:
    """Set a cell's value; text stays text (quoted when Excel would take it for a formula)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters pasted from elsewhere
    cell.value = value
    if cell.data_type in ("f", "e"):
        cell.data_type = "s"
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def write(ws: Worksheet, row: int, column: int, value: Any = None) -> Cell:
    """``ws.cell(row, column, value)`` through :func:`put`."""
    return put(ws.cell(row=row, column=column), value)


def safe_row(ws: Any, values: list[Any]) -> list[Any]:
    """A row of bare values for a write-only sheet, with unsafe text replaced by quoted cells."""
    for i, value in enumerate(values):
        if is_unsafe(value):
            values[i] = put(WriteOnlyCell(ws), value)
    return values


# --- sizes -----------------------------------------------------------------------------------------


def text_units(text: str) -> int:
    """Width units of one line: a CJK character counts two, as in Excel's column width (a character of
    three UTF-8 bytes counts two, of one byte one: exact for CJK and ASCII, and cheap)."""
    return (len(text.encode()) + len(text)) // 2


@lru_cache(maxsize=1024)  # a department's name recurs on every one of its rows
def text_lines(text: str, width: float, cap: int = MAX_LINES) -> int:
    """Lines a wrapped text needs in a column ``width`` units wide (at most ``cap``)."""
    usable = max(int(width) - 1, 1)
    return min(cap, sum(max(1, -(-text_units(part) // usable)) for part in text.splitlines() or [""]))


def fit_height(
    ws: Worksheet, row: int, texts: Sequence[tuple[Any, float]], line: float = LINE_HEIGHT
) -> None:
    """Set a row's height for wrapped text (Excel does not for merged cells, nor for write-only rows)."""
    lines = max([text_lines(str(text or ""), width, cap=100) for text, width in texts] or [1])
    ws.row_dimensions[row].height = max(line * lines + 4, 20)


# --- styled cells of normal (not write-only) sheets ------------------------------------------------


def cell(
    ws: Worksheet,
    row: int,
    column: int,
    value: Any = None,
    *,
    fmt: str | None = None,
    align: Alignment = CENTER,
    bold: bool = False,
    fill: PatternFill | None = None,
    size: float = 10.5,
    border: bool = True,
) -> Cell:
    target = write(ws, row, column, value)
    target.font = Font(name=FONT, size=size, bold=bold)
    target.alignment = align
    if border:
        target.border = BORDER
    if fmt:
        target.number_format = fmt
    if fill:
        target.fill = fill
    return target


def merge(
    ws: Worksheet,
    row: int,
    first: int,
    last: int,
    value: Any = None,
    *,
    to_row: int | None = None,
    **style: Any,
) -> Cell:
    """Merge a block; every cell of it gets the border (Excel draws merged borders per cell)."""
    to_row = to_row or row
    for r in range(row, to_row + 1):
        for c in range(first, last + 1):
            cell(ws, r, c, **{k: v for k, v in style.items() if k != "fmt"})
    target = cell(ws, row, first, value, **style)
    if (first, row) != (last, to_row):
        ws.merge_cells(start_row=row, start_column=first, end_row=to_row, end_column=last)
    return target


def grade_fill(grade: str) -> PatternFill:
    return PatternFill("solid", fgColor=GRADE_COLORS.get(grade, "FFFFFF"))


def print_setup(ws: Any, title_rows: str, *, landscape: bool = True) -> None:
    """A4, fit to the page width, titles repeated on every page, page numbers in the footer."""
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    # the footer needs its own room below the table: LibreOffice clips it inside a 0.6" margin
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.9
    ws.page_margins.header, ws.page_margins.footer = 0.3, 0.35
    ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def workbook_save(wb: Workbook, out: Path, *, created: datetime, modified: datetime) -> None:
    """Save with fixed core properties and zip timestamps (openpyxl's save_workbook stamps 'now'), so a
    re-export of unchanged data is byte-identical."""
    props = wb.properties
    props.creator = props.lastModifiedBy = "evalsite"
    props.created = created.astimezone(UTC).replace(tzinfo=None)
    props.modified = modified.astimezone(UTC).replace(tzinfo=None)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    zip_normalize(out, modified)
