"""问题整改台账 as .xlsx for printing: one row per confirmed item of a year, totals by state (openpyxl).

Every text a user typed goes in as a string: a leading = + - @ would make Excel (or a later edit)
read it as a formula, so such a cell is stored as text with Excel's quote prefix.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from departments.models import Department
from reports.models import RECTIFICATION_STATE_LABELS, RectificationItem
from reports.rectification.selectors import items_for_export

from .base import BuildResult, Progress
from .xlsx import CENTER, HEADER_FILL, LEFT, cell, merge, print_setup, workbook_save

HEADER = ("序号", "部门", "责任单位", "问题", "来源", "整改措施", "整改时限", "整改结果", "佐证材料", "状态", "逾期",
          "销号日期")
WIDTHS = (6, 22, 16, 40, 14, 36, 12, 36, 9, 14, 7, 12)
FIRST_ROW = 4  # title, subtitle, blank, header
LATE_FILL = PatternFill("solid", fgColor="F8CBAD")
FORMULA_START = ("=", "+", "-", "@")


def text(ws: Worksheet, row: int, column: int, value: str) -> Any:
    """A user's text, never a formula."""
    target = cell(ws, row, column, value, align=LEFT)
    target.data_type = "s"
    if value.startswith(FORMULA_START):
        target.quotePrefix = True
    return target


def _row(ws: Worksheet, row: int, n: int, item: RectificationItem) -> None:
    fill = LATE_FILL if item.is_overdue else None
    cell(ws, row, 1, n)
    text(ws, row, 2, item.department.name)
    text(ws, row, 3, item.unit.name)
    text(ws, row, 4, item.problem)
    cell(ws, row, 5, item.get_source_display())
    text(ws, row, 6, item.measures)
    cell(ws, row, 7, item.due_on, fmt="yyyy-mm-dd", fill=fill)
    text(ws, row, 8, item.result)
    cell(ws, row, 9, item.evidence_count)
    cell(ws, row, 10, item.state_label)
    cell(ws, row, 11, "是" if item.is_overdue else "", fill=fill)
    closed = timezone.localtime(item.closed_at).date() if item.closed_at else None
    cell(ws, row, 12, closed, fmt="yyyy-mm-dd")


def _totals(ws: Worksheet, row: int, items: list[RectificationItem]) -> None:
    states = Counter(i.state for i in items)
    late = sum(1 for i in items if i.is_overdue)
    spread = "，".join(f"{label} {states.get(state, 0)} 项" for state, label in RECTIFICATION_STATE_LABELS.items())
    merge(ws, row, 1, len(HEADER), f"合计 {len(items)} 项：{spread}；其中逾期 {late} 项。", align=LEFT, bold=True)


def _stamp(items: list[RectificationItem], year: int) -> datetime:
    times = [i.updated_at for i in items] + [i.closed_at for i in items if i.closed_at]
    return max(times) if times else timezone.make_aware(datetime(max(year, 1999) + 1, 1, 1))


def build(params: dict[str, Any], out: Path, progress: Progress) -> BuildResult:
    year = int(params.get("year") or 0)
    departments = list(Department.objects.filter(pk__in=params.get("department_ids") or []).order_by("order", "code"))
    items = items_for_export(year, [d.pk for d in departments], timezone.localdate())
    progress(40)
    wb = Workbook()
    ws = wb.active
    ws.title = "整改台账"
    for column, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    scope = departments[0].name if len(departments) == 1 else "全区"
    merge(ws, 1, 1, len(HEADER), f"{year}年度{scope}绩效评价问题整改台账", bold=True, size=16, border=False)
    merge(ws, 2, 1, len(HEADER), f"数据截至 {timezone.localdate():%Y-%m-%d}；逾期：已过整改时限仍待部门办理。", size=9,
          border=False, align=LEFT)
    for column, label in enumerate(HEADER, start=1):
        cell(ws, FIRST_ROW, column, label, bold=True, fill=HEADER_FILL, align=CENTER)
    for n, item in enumerate(items, start=1):
        _row(ws, FIRST_ROW + n, n, item)
    _totals(ws, FIRST_ROW + len(items) + 1, items)
    ws.freeze_panes = ws.cell(row=FIRST_ROW + 1, column=4)
    ws.auto_filter.ref = f"A{FIRST_ROW}:{get_column_letter(len(HEADER))}{FIRST_ROW + max(len(items), 1)}"
    print_setup(ws, f"{FIRST_ROW}:{FIRST_ROW}")
    progress(80)
    stamp = _stamp(items, year)
    workbook_save(wb, out, created=stamp, modified=stamp)
    progress(100)
    return BuildResult(filename=f"{year}年度{scope}问题整改台账.xlsx", department_ids=[d.pk for d in departments],
                       revisions=[{"item": i.pk, "revision": i.version, "state": i.state} for i in items])
