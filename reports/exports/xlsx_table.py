"""A table on write-only sheets (openpyxl's streaming mode): memory stays flat whatever its length.

Title row, note row, optional preamble rows (label, text), header row, then data rows; continued on
“名称(2)”, “名称(3)” … when Excel's row limit is reached. Styles come from the kit in ``xlsx.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.properties import PageSetupProperties

from .xlsx import (
    BOLD,
    BORDER,
    HEADER_FILL,
    LINE_HEIGHT,
    TITLE_FONT,
    WARN_FILL,
    WRAP,
    any_unsafe,
    is_unsafe,
    put,
    text_lines,
)

EXCEL_ROWS = 1_048_576  # Excel's last row
BORDER_DXF = DifferentialStyle(border=BORDER)  # the grid of every data cell
# Rows with warnings. It carries the grid too and comes first: LibreOffice applies only the
# first matching rule of a range, Excel merges them all.
WARN_DXF = DifferentialStyle(fill=WARN_FILL, border=BORDER)


@dataclass(frozen=True)
class Col:
    header: str
    width: float
    fmt: str = ""
    wrap: bool = False


class Table:
    """A write-only sheet: title row, note row (units), header row, then data rows;
    continued on “名称(2)”, “名称(3)” … when Excel's row limit is reached.

    Rows go out as bare values, openpyxl's fast path: the grid and the highlighting of
    warnings are conditional formats over the data (``highlight`` is an Excel formula on
    the first data row, e.g. ``$P4>0``), so they cost nothing per cell and follow the rows
    when a reader sorts or filters. Only number formats, long wrapped text and typed text
    that Excel would take for a formula need a styled cell; those are made once and reused.
    """

    def __init__(
        self,
        wb: Workbook,
        name: str,
        title: str,
        note: str,
        cols: list[Col],
        *,
        freeze: str = "A4",
        highlight: str = "",
        preamble: Iterable[tuple[str, str]] = (),
        max_rows: int = EXCEL_ROWS,
    ) -> None:
        self.max_rows = max_rows
        self.wb, self.name, self.title, self.note, self.cols, self.freeze = (
            wb,
            name,
            title,
            note,
            cols,
            freeze,
        )
        self.highlight = highlight
        self.parts: list[WriteOnlyWorksheet] = []
        self.rows = 0
        self.header_row = 0
        self._preamble = list(preamble)
        self._last_col = get_column_letter(len(cols))
        self._formatted = [i for i, c in enumerate(cols) if c.fmt]
        # wrapped columns, and the length past which a text may need more than one line there
        self._wrapped = [(i, c.width, c.width / 2) for i, c in enumerate(cols) if c.wrap]
        self._cells: dict[tuple, Cell] = {}
        self._heights: dict[int, RowDimension] = {}
        self._new_part()

    @property
    def ws(self) -> WriteOnlyWorksheet:
        return self.parts[-1]

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    def _cell(self, i: int, *, bold: bool = False, wrap: bool = False, quote: bool = False) -> Cell:
        key = (i, bold, wrap, quote)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = WriteOnlyCell(self.ws)
            if self.cols[i].fmt:
                cell.number_format = self.cols[i].fmt
            if wrap:
                cell.alignment = WRAP
            if bold:
                cell.font, cell.border = BOLD, BORDER  # a total row, below the conditional grid
            if quote:
                cell.quotePrefix = True  # Excel keeps “=…” typed by a user as text
        return cell

    def _new_part(self) -> None:
        title = self.name if not self.parts else f"{self.name}({len(self.parts) + 1})"
        index = self.wb.sheetnames.index(self.ws.title) + 1 if self.parts else None
        if self.parts:
            self._close_part()
            self._heights.clear()  # bound to the sheet just closed
        ws = self.wb.create_sheet(title=title, index=index)
        preamble = self._preamble if not self.parts else []
        self.parts.append(ws)
        self.header_row = 3 + len(preamble)
        self._setup(ws, bool(preamble))
        self._title_rows(ws, preamble)
        self.rows = self.header_row

    def _setup(self, ws: WriteOnlyWorksheet, has_preamble: bool) -> None:
        """Everything written before the first row: widths, frozen header, page set-up."""
        for i, col in enumerate(self.cols, 1):
            ws.column_dimensions[get_column_letter(i)].width = col.width
        if not has_preamble:
            ws.freeze_panes = self.freeze
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = 9  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as needed
        ws.print_options.horizontalCentered = True
        ws.print_title_rows = (
            f"{self.header_row}:{self.header_row}" if has_preamble else f"1:{self.header_row}"
        )
        # every printed page: the sheet's name and its page number (the header row repeats above)
        ws.oddFooter.center.text = "&A　第 &P 页，共 &N 页"
        ws.oddFooter.center.size = 9
        ws.page_margins.bottom, ws.page_margins.footer = 0.8, 0.3

    def _title_rows(self, ws: WriteOnlyWorksheet, preamble: list[tuple[str, str]]) -> None:
        title = WriteOnlyCell(ws, self.title)
        title.font = Font(name=TITLE_FONT, size=16, bold=True)
        title.alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 28
        ws.append([title])
        ws.merged_cells.add(f"A1:{self._last_col}1")
        note = WriteOnlyCell(ws, self.note)
        note.alignment = Alignment(horizontal="right")
        ws.append([note])
        ws.merged_cells.add(f"A2:{self._last_col}2")
        for offset, (label, text) in enumerate(preamble, 3):
            self._preamble_row(ws, offset, label, text)
        header = []
        for col in self.cols:
            cell = WriteOnlyCell(ws, col.header)
            cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            header.append(cell)
        ws.row_dimensions[self.header_row].height = LINE_HEIGHT * max(
            2, *(text_lines(c.header, c.width) for c in self.cols)
        )
        ws.append(header)

    def _preamble_row(self, ws: WriteOnlyWorksheet, row: int, label: str, text: str) -> None:
        head = WriteOnlyCell(ws, label)
        head.font = BOLD
        head.alignment = Alignment(vertical="top")
        body = WriteOnlyCell(ws)
        put(body, text)
        body.alignment = Alignment(vertical="top", wrap_text=True)
        ws.row_dimensions[row].height = LINE_HEIGHT * (1 + len(text) // 60)
        ws.append([head, body])
        ws.merged_cells.add(f"B{row}:{self._last_col}{row}")

    def append(self, values: list[Any], *, bold: bool = False) -> None:
        """Append one row (the list is used as the row, not copied)."""
        if self.rows >= self.max_rows:
            self._new_part()
        self.rows += 1
        if bold:
            cells = [self._cell(i, bold=True, wrap=c.wrap) for i, c in enumerate(self.cols)]
            for cell, value in zip(cells, values, strict=True):
                put(cell, value)
            values[:] = cells
        lines = self._prepare(values)
        if lines > 1:
            # write-only rows are not auto-fitted everywhere; the entry is dropped once written
            self.ws.row_dimensions[self.rows] = self._height(lines)
            self.ws.append(values)
            del self.ws.row_dimensions[self.rows]
        else:
            self.ws.append(values)

    def _height(self, lines: int) -> RowDimension:
        """A row height of so many lines, made once per sheet (a dimension does not carry its row's number)."""
        dim = self._heights.get(lines)
        if dim is None:
            dim = self._heights[lines] = RowDimension(self.ws, ht=LINE_HEIGHT * lines)
        return dim

    def _prepare(self, values: list[Any]) -> int:
        """Put styled cells where a bare value will not do; return the lines the row needs."""
        if any_unsafe([v for v in values if isinstance(v, str)]):
            for i, value in enumerate(values):
                if is_unsafe(value):
                    values[i] = cell = self._cell(i, quote=True, wrap=self.cols[i].wrap)
                    put(cell, value)
        for i in self._formatted:
            value = values[i]
            if value is not None and not isinstance(value, Cell):
                values[i] = cell = self._cell(i)
                cell.value = value
        lines = 1
        for i, width, short in self._wrapped:
            text = values[i]
            if isinstance(text, str):
                if len(text) > short and (n := text_lines(text, width)) > 1:
                    values[i] = cell = self._cell(i, wrap=True)
                    cell.value = text
                    lines = max(lines, n)
            elif isinstance(text, Cell):  # quoted or bold: already wraps
                text = text.value
                if isinstance(text, str) and len(text) > short and (n := text_lines(text, width)) > 1:
                    lines = max(lines, n)
        return lines

    def _close_part(self) -> None:
        if self.rows <= self.header_row:
            return
        data = f"A{self.first_data_row}:{self._last_col}{self.rows}"
        if self.highlight:
            self.ws.conditional_formatting.add(
                data, _rule(WARN_DXF, self.highlight.format(r=self.first_data_row))
            )
        self.ws.conditional_formatting.add(data, _rule(BORDER_DXF, "TRUE"))
        self.ws.auto_filter.ref = f"A{self.header_row}:{self._last_col}{self.rows}"

    def finish(self) -> None:
        self._close_part()


def _rule(dxf: DifferentialStyle, formula: str) -> Rule:
    return Rule(type="expression", formula=[formula], dxf=dxf)
