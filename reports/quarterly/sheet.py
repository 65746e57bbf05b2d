"""The quarterly entry sheet: download pre-filled, fill offline, upload, preview, confirm.

The upload side (parse, validate with the web form's rules, preview) is ``upload.py``.
"""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reports import figures as fig
from reports.exports.xlsx import BORDER, HEADER_FILL, INPUT_FILL, INPUT_NUMBER, put, write
from reports.models import AnnualTarget, DeviationCause, Likelihood, QuarterlyReport

from .figures import BUDGET_FIELDS
from .selectors import previous_of, targets_of

ROWS_SHEET, BUDGET_SHEET = "指标进度", "预算执行"
MARKER_CELL = (3, 2)  # B3
HEADER_ROW, FIRST_ROW = 5, 6
MAX_ROWS, MAX_COLUMNS = 2000, 20
ROW_HEADERS = ["指标编号", "一级指标", "二级指标", "三级指标", "指标性质", "年度指标值", "度量单位",
               "上季度累计完成值", "本季度累计完成值", "全年预计完成值", "完成目标可能性", "偏差原因", "纠偏措施"]
INPUT_COLUMNS = {9: "actual", 10: "expected", 11: "likelihood", 12: "cause", 13: "measures"}
NUMBER_FIELDS = {"actual", "expected"}
BUDGET_ROWS = [("initial", "年初预算数（万元）"), ("annual", "全年预算数（万元）"), ("previous", "上季度累计执行数（万元）"),
               ("executed", "本季度累计执行数（万元）"), ("expected", "全年预计执行数（万元）"), ("reason", "偏差原因")]
BUDGET_INPUTS = {"initial", "annual", "executed", "expected", "reason"}
FIELD_LABELS = {"actual": "本季度累计完成值", "expected": "全年预计完成值", "likelihood": "完成目标可能性",
                "cause": "偏差原因", "measures": "纠偏措施"}
LIKELIHOOD_BY_LABEL = {c.label: c.value for c in Likelihood}
CAUSE_BY_LABEL = {c.label: c.value for c in DeviationCause}


def marker(report: QuarterlyReport) -> str:
    return f"EVQ-{report.pk}-{report.year}Q{report.quarter}"


def sheet_filename(report: QuarterlyReport) -> str:
    return f"{report.year}年第{report.quarter}季度绩效运行监控表-{report.unit.name}.xlsx"


# --- download ------------------------------------------------------------------------------------

def _title(ws: Any, report: QuarterlyReport, what: str) -> None:
    put(ws["A1"], f"{report.year}年第{report.quarter}季度绩效运行监控表（{what}）").font = Font(bold=True, size=14)
    put(ws["A2"], f"部门：{report.department.name}　填报单位：{report.unit.name}　截止：{report.due_on:%Y-%m-%d}　"
                  f"序时进度：{report.checkpoint}%")
    put(ws["A3"], "模板编号（请勿修改）")
    put(ws["B3"], marker(report))
    put(ws["A4"], "黄色单元格为填写项；数字请直接填写数值，不要填写公式。").font = Font(color="666666")


def _row_values(t: AnnualTarget, row: dict[str, str], prev: dict[str, str]) -> list[Any]:
    likelihood = Likelihood(row["likelihood"]).label if row.get("likelihood") else ""
    cause = DeviationCause(row["cause"]).label if row.get("cause") else ""
    return [t.pk, t.level1, t.level2, t.name, t.nature, t.target, t.measure_unit, prev.get("actual", ""),
            _as_number(row.get("actual", "")), _as_number(row.get("expected", "")), likelihood, cause,
            row.get("measures", "")]


def _as_number(text: str) -> Any:
    value = fig.parse_decimal(text) if text and re.fullmatch(r"[\d.,]+", text) else None
    return float(value) if value is not None else (text or None)


def _style_table(ws: Any, last_row: int, widths: list[int], inputs: set[int]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for row in ws.iter_rows(min_row=HEADER_ROW, max_row=last_row, max_col=len(widths)):
        for cell in row:
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.row == HEADER_ROW:
                cell.fill, cell.font = HEADER_FILL, Font(bold=True)
            elif cell.column in inputs:
                cell.fill, cell.protection = INPUT_FILL, Protection(locked=False)
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)
    ws.protection.sheet = True  # no password: it only guards headers against slips


def _rows_sheet(wb: openpyxl.Workbook, report: QuarterlyReport) -> None:
    ws = wb.active
    ws.title = ROWS_SHEET
    _title(ws, report, "指标")
    ws.append([])
    for col, text in enumerate(ROW_HEADERS, start=1):
        write(ws, HEADER_ROW, col, text)
    prev_report = previous_of(report)
    prev_rows = prev_report.data.get("rows", {}) if prev_report else {}
    targets = targets_of(report)
    for i, t in enumerate(targets):
        values = _row_values(t, report.data.get("rows", {}).get(str(t.pk), {}), prev_rows.get(str(t.pk), {}))
        for col, value in enumerate(values, start=1):
            write(ws, FIRST_ROW + i, col, value)  # typed text (and the nature "=") stays text
    last = FIRST_ROW + max(len(targets), 1) - 1
    likelihood = DataValidation(type="list", formula1='"' + ",".join(LIKELIHOOD_BY_LABEL) + '"', allow_blank=True)
    cause = DataValidation(type="list", formula1='"' + ",".join(CAUSE_BY_LABEL) + '"', allow_blank=True)
    ws.add_data_validation(likelihood)
    ws.add_data_validation(cause)
    likelihood.add(f"K{FIRST_ROW}:K{last}")
    cause.add(f"L{FIRST_ROW}:L{last}")
    _style_table(ws, last, [8, 8, 12, 26, 8, 12, 8, 12, 12, 12, 12, 12, 30], set(INPUT_COLUMNS))


def _budget_sheet(wb: openpyxl.Workbook, report: QuarterlyReport) -> None:
    ws = wb.create_sheet(BUDGET_SHEET)
    _title(ws, report, "预算执行")
    write(ws, HEADER_ROW, 1, "项目")
    write(ws, HEADER_ROW, 2, "数值")
    prev_report = previous_of(report)
    budget = report.data.get("budget", {})
    previous = (prev_report.data.get("budget", {}) if prev_report else {}).get("executed")
    for i, (key, label) in enumerate(BUDGET_ROWS):
        write(ws, FIRST_ROW + i, 1, label)
        raw = previous if key == "previous" else budget.get(key)
        value = raw if key == "reason" else (float(fig.yuan_to_wan(fig.to_decimal(raw))) if raw not in (None, "") else None)
        cell = write(ws, FIRST_ROW + i, 2, value)
        if key != "reason":
            cell.number_format = INPUT_NUMBER
    _style_table(ws, FIRST_ROW + len(BUDGET_ROWS) - 1, [26, 40], {2})
    for i, (key, _) in enumerate(BUDGET_ROWS):
        if key not in BUDGET_INPUTS:
            ws.cell(row=FIRST_ROW + i, column=2).fill = PatternFill()
            ws.cell(row=FIRST_ROW + i, column=2).protection = Protection(locked=True)


def sheet_build(report: QuarterlyReport) -> bytes:
    """The pre-filled entry workbook of one quarterly report."""
    wb = openpyxl.Workbook()
    _rows_sheet(wb, report)
    if report.is_main:
        _budget_sheet(wb, report)
    stream = io.BytesIO()
    wb.save(stream)
    return stream.getvalue()


__all__ = ["BUDGET_FIELDS", "sheet_build", "sheet_filename"]
