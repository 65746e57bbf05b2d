"""The quarterly entry sheet: download pre-filled, fill offline, upload, preview, confirm.

The upload is parsed defensively (DESIGN §6): size and zip checks before openpyxl,
read-only mode with the declared dimensions discarded and row/column caps, defused XML,
and every refusal names the sheet and cell in Chinese.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

import openpyxl
from defusedxml import ElementTree
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from departments.tabular import TableError, open_xlsx, read_upload
from reports import figures as fig
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
INPUT_FILL = PatternFill("solid", fgColor="FFF6D5")
HEAD_FILL = PatternFill("solid", fgColor="DDE4EC")
THIN = Side(style="thin", color="999999")


def marker(report: QuarterlyReport) -> str:
    return f"EVQ-{report.pk}-{report.year}Q{report.quarter}"


def sheet_filename(report: QuarterlyReport) -> str:
    return f"{report.year}年第{report.quarter}季度绩效运行监控表-{report.unit.name}.xlsx"


# --- download ------------------------------------------------------------------------------------

def _title(ws: Any, report: QuarterlyReport, what: str) -> None:
    ws["A1"] = f"{report.year}年第{report.quarter}季度绩效运行监控表（{what}）"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"部门：{report.department.name}　填报单位：{report.unit.name}　截止：{report.due_on:%Y-%m-%d}　" \
               f"序时进度：{report.checkpoint}%"
    ws["A3"], ws["B3"] = "模板编号（请勿修改）", marker(report)
    ws["A4"] = "黄色单元格为填写项；数字请直接填写数值，不要填写公式。"
    ws["A4"].font = Font(color="666666")


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
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.row == HEADER_ROW:
                cell.fill, cell.font = HEAD_FILL, Font(bold=True)
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
        ws.cell(row=HEADER_ROW, column=col, value=text)
    prev_report = previous_of(report)
    prev_rows = prev_report.data.get("rows", {}) if prev_report else {}
    targets = targets_of(report)
    for i, t in enumerate(targets):
        values = _row_values(t, report.data.get("rows", {}).get(str(t.pk), {}), prev_rows.get(str(t.pk), {}))
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=FIRST_ROW + i, column=col, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # the nature "=" is text, not a formula
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
    ws.cell(row=HEADER_ROW, column=1, value="项目")
    ws.cell(row=HEADER_ROW, column=2, value="数值")
    prev_report = previous_of(report)
    budget = report.data.get("budget", {})
    previous = (prev_report.data.get("budget", {}) if prev_report else {}).get("executed")
    for i, (key, label) in enumerate(BUDGET_ROWS):
        ws.cell(row=FIRST_ROW + i, column=1, value=label)
        raw = previous if key == "previous" else budget.get(key)
        value = raw if key == "reason" else (float(fig.yuan_to_wan(fig.to_decimal(raw))) if raw not in (None, "") else None)
        cell = ws.cell(row=FIRST_ROW + i, column=2, value=value)
        if key != "reason":
            cell.number_format = "#,##0.00####"
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


# --- upload ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BadCell:
    sheet: str
    cell: str
    value: str
    reason: str


@dataclass(frozen=True)
class Change:
    sheet: str
    cell: str
    label: str
    old: str
    new: str


@dataclass
class ParsedSheet:
    data: dict[str, Any]
    changes: list[Change] = field(default_factory=list)
    bad: list[BadCell] = field(default_factory=list)


def _merged_ranges(data: bytes) -> list[str]:
    ranges = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name)
                if b"mergeCell" in xml:
                    root = ElementTree.fromstring(xml)
                    ranges += [el.get("ref", "") for el in root.iter() if el.tag.endswith("}mergeCell")]
    return ranges


class Formula(str):
    """A cell that holds a formula (kept apart from text that merely starts with '=')."""


def _cells(ws: Any) -> dict[tuple[int, int], Any]:
    ws.reset_dimensions()  # a file may declare A1:XFD1048576; read only what is there
    values = {}
    for r, row in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
        if r > MAX_ROWS:
            raise TableError(f"「{ws.title}」超过 {MAX_ROWS} 行，不是本平台的季度监控表。")
        for c, cell in enumerate(row, start=1):
            value = getattr(cell, "value", None)
            if value is not None and value != "":
                values[(r, c)] = Formula(value) if getattr(cell, "data_type", "") == "f" else value
    return values


def _ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def _check_layout(name: str, cells: dict, headers: list[str], report: QuarterlyReport) -> None:
    found = str(cells.get(MARKER_CELL, ""))
    if found != marker(report):
        raise TableError(f"模板不符：这不是「{report}」的季度监控表（{name}!B3 的模板编号应为 {marker(report)}，"
                         f"文件中为「{found or '空'}」）。请重新下载本季度的表格。")
    for col, text in enumerate(headers, start=1):
        value = str(cells.get((HEADER_ROW, col), ""))
        if value != text:
            raise TableError(f"表头被修改：{name}!{_ref(HEADER_ROW, col)} 应为「{text}」，文件中为「{value}」。")


def _formulas(name: str, cells: dict) -> list[BadCell]:
    return [BadCell(name, _ref(r, c), str(v), "含公式，请改为数值或文字") for (r, c), v in cells.items()
            if isinstance(v, Formula)]


def _number(value: Any) -> str:
    if isinstance(value, bool):
        raise fig.FigureError("不是数字")
    if isinstance(value, (int, float, Decimal)):
        return f"{Decimal(repr(value)) if isinstance(value, float) else Decimal(value):f}"
    parsed = fig.parse_decimal(str(value))
    return "" if parsed is None else f"{parsed:f}"


def _parse_rows(report: QuarterlyReport, cells: dict, parsed: ParsedSheet) -> None:
    targets = {t.pk: t for t in targets_of(report)}
    rows = {k: dict(v) for k, v in report.data.get("rows", {}).items()}
    for (r, c), value in sorted(cells.items()):
        if r < FIRST_ROW or c != 1:
            continue
        target = targets.get(int(value)) if str(value).isdigit() else None
        if target is None:
            parsed.bad.append(BadCell(ROWS_SHEET, _ref(r, 1), str(value), "不是本表的指标编号"))
            continue
        row = rows.setdefault(str(target.pk), {})
        for col, key in INPUT_COLUMNS.items():
            _parse_row_cell(target, row, key, cells.get((r, col)), _ref(r, col), parsed)
    parsed.data["rows"] = rows


def _parse_row_cell(target: AnnualTarget, row: dict, key: str, value: Any, ref: str, parsed: ParsedSheet) -> None:
    text = "" if value is None else str(value).strip()
    try:
        if key in NUMBER_FIELDS and target.nature != "定性":
            new = _number(value) if text else ""
        elif key == "likelihood":
            new = LIKELIHOOD_BY_LABEL[text] if text else ""
        elif key == "cause":
            new = CAUSE_BY_LABEL[text] if text else ""
        else:
            new = text[:200 if key in NUMBER_FIELDS else 2000]
    except fig.FigureError:
        parsed.bad.append(BadCell(ROWS_SHEET, ref, text, f"{FIELD_LABELS[key]}须为数字"))
        return
    except KeyError:
        options = "、".join(LIKELIHOOD_BY_LABEL if key == "likelihood" else CAUSE_BY_LABEL)
        parsed.bad.append(BadCell(ROWS_SHEET, ref, text, f"{FIELD_LABELS[key]}只能填：{options}"))
        return
    if new != row.get(key, ""):
        parsed.changes.append(Change(ROWS_SHEET, ref, f"{target.name} · {FIELD_LABELS[key]}",
                                     _shown(key, row.get(key, "")), _shown(key, new)))
        row[key] = new


def _shown(key: str, value: str) -> str:
    if not value:
        return "（空）"
    if key == "likelihood":
        return Likelihood(value).label
    if key == "cause":
        return DeviationCause(value).label
    return value


def _shown_budget(key: str, value: str | None) -> str:
    if value in (None, ""):
        return "（空）"
    return value if key == "reason" else f"{fig.yuan_to_wan(fig.to_decimal(value)):f} 万元"


def _parse_budget(report: QuarterlyReport, cells: dict, parsed: ParsedSheet) -> None:
    budget = dict(report.data.get("budget", {}))
    for i, (key, label) in enumerate(BUDGET_ROWS):
        if key not in BUDGET_INPUTS:
            continue
        ref, value = _ref(FIRST_ROW + i, 2), cells.get((FIRST_ROW + i, 2))
        if key == "reason":
            new = "" if value is None else str(value).strip()[:2000]
        else:
            try:
                new = fig.to_json(fig.parse_amount(_number(value), fig.Unit.WAN)) if value is not None else None
            except fig.FigureError as exc:
                parsed.bad.append(BadCell(BUDGET_SHEET, ref, str(value), f"{label}：{exc}"))
                continue
        if new != budget.get(key) and not (new in ("", None) and budget.get(key) in ("", None)):
            parsed.changes.append(Change(BUDGET_SHEET, ref, label, _shown_budget(key, budget.get(key)),
                                         _shown_budget(key, new)))
            budget[key] = new
    parsed.data["budget"] = budget


def sheet_parse(report: QuarterlyReport, name: str, stream: BinaryIO) -> ParsedSheet:
    """Parse an uploaded sheet against the report; refuse the file or list bad cells and changes."""
    data = read_upload(name, stream, (".xlsx",))
    merged = _merged_ranges(data)
    if merged:
        raise TableError(f"文件含合并单元格（{'、'.join(merged[:5])}），请取消合并后再上传。")
    workbook = open_xlsx(data)
    try:
        sheets = {ws.title: ws for ws in workbook.worksheets}
        needed = [ROWS_SHEET] + ([BUDGET_SHEET] if report.is_main else [])
        missing = [s for s in needed if s not in sheets]
        if missing:
            raise TableError(f"模板不符：缺少工作表「{'、'.join(missing)}」。请重新下载本季度的表格。")
        parsed = ParsedSheet(data={"explanations": report.data.get("explanations", {})})
        row_cells = _cells(sheets[ROWS_SHEET])
        _check_layout(ROWS_SHEET, row_cells, ROW_HEADERS, report)
        parsed.bad += _formulas(ROWS_SHEET, row_cells)
        if report.is_main:
            budget_cells = _cells(sheets[BUDGET_SHEET])
            _check_layout(BUDGET_SHEET, budget_cells, ["项目", "数值"], report)
            parsed.bad += _formulas(BUDGET_SHEET, budget_cells)
            if not parsed.bad:
                _parse_budget(report, budget_cells, parsed)
        if not parsed.bad:
            _parse_rows(report, row_cells, parsed)
        return parsed
    finally:
        workbook.close()


__all__ = ["BUDGET_FIELDS", "BadCell", "Change", "ParsedSheet", "TableError", "sheet_build", "sheet_parse"]
