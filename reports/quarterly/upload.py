"""The uploaded quarterly sheet: read within bounds, checked by the web form's own rules, previewed.

The workbook is read by ``departments.tabular`` (streamed, capped; DESIGN §6). Its cells are
turned into the same POST data the entry form receives and validated by ``QuarterlyForm``,
so the sheet accepts exactly what the form accepts; each form error is mapped back to its
cell. Rows without an indicator ID, unknown IDs and repeated IDs are named by cell.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, BinaryIO

from departments.tabular import Limits, TableError, open_xlsx, read_upload
from departments.xlsx import Formula, Number, Sheet, cell_ref
from reports import figures as fig
from reports.models import AnnualTarget, DeviationCause, Likelihood, QuarterlyReport

from .forms import QuarterlyForm, initial_for
from .selectors import targets_of
from .sheet import (
    BUDGET_INPUTS,
    BUDGET_ROWS,
    BUDGET_SHEET,
    CAUSE_BY_LABEL,
    FIELD_LABELS,
    FIRST_ROW,
    HEADER_ROW,
    INPUT_COLUMNS,
    LIKELIHOOD_BY_LABEL,
    MARKER_CELL,
    MAX_COLUMNS,
    MAX_ROWS,
    ROW_HEADERS,
    ROWS_SHEET,
    marker,
)

SHEET_LIMITS = Limits(rows=MAX_ROWS, columns=MAX_COLUMNS, cells=40_000, shared_strings=40_000,
                      inflated_bytes=20 * 1024 * 1024)
MAX_PREVIEW_BYTES = 1024 * 1024  # what one preview may store (data + changes, as JSON)
MAX_BAD_SHOWN = 100
MAX_VALUE_SHOWN = 60
COLUMN_OF = {key: col for col, key in INPUT_COLUMNS.items()}


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
    bad_count: int = 0

    def refuse(self, sheet: str, cell: str, value: object, reason: str) -> None:
        """Count every bad cell; keep the first ones (values shortened) for the page."""
        self.bad_count += 1
        if len(self.bad) < MAX_BAD_SHOWN:
            text = _text(value)
            shown = text if len(text) <= MAX_VALUE_SHOWN else text[:MAX_VALUE_SHOWN] + "…"
            self.bad.append(BadCell(sheet, cell, shown, reason))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Number):
        return value.shown
    return str(value).strip()


def _check_layout(sheet: Sheet, headers: list[str], report: QuarterlyReport) -> None:
    found = _text(sheet.cells.get(MARKER_CELL))
    if found != marker(report):
        raise TableError(f"模板不符：这不是「{report}」的季度监控表（{sheet.title}!B3 的模板编号应为 {marker(report)}，"
                         f"文件中为「{found[:40] or '空'}」）。请重新下载本季度的表格。")
    for col, text in enumerate(headers, start=1):
        value = _text(sheet.cells.get((HEADER_ROW, col)))
        if value != text:
            raise TableError(f"表头被修改：{sheet.title}!{cell_ref(HEADER_ROW, col)} 应为「{text}」，"
                             f"文件中为「{value[:40]}」。")
    if sheet.merged:
        raise TableError(f"文件含合并单元格（{'、'.join(sheet.merged[:5])}），请取消合并后再上传。")


def _read_sheets(report: QuarterlyReport, data: bytes) -> dict[str, Sheet]:
    """The sheets the report needs, their template checked before anything else is said."""
    workbook = open_xlsx(data, SHEET_LIMITS)
    try:
        needed = [ROWS_SHEET] + ([BUDGET_SHEET] if report.is_main else [])
        missing = [s for s in needed if s not in workbook.sheet_names]
        if missing:
            raise TableError(f"模板不符：缺少工作表「{'、'.join(missing)}」，这不是本平台下载的季度监控表。"
                             "请重新下载本季度的表格。")
        sheets = {name: workbook.sheet(name) for name in needed}
    finally:
        workbook.close()
    _check_layout(sheets[ROWS_SHEET], ROW_HEADERS, report)
    if report.is_main:
        _check_layout(sheets[BUDGET_SHEET], ["项目", "数值"], report)
    return sheets


def _choice(value: str, by_label: dict[str, str]) -> str | None:
    return by_label.get(value) if value else ""


def _row_post(sheet: Sheet, targets: dict[int, AnnualTarget], parsed: ParsedSheet) -> tuple[dict, dict]:
    """POST values of the rows in the sheet, and target id → row number; bad rows refused by cell."""
    post: dict[str, str] = {}
    seen: dict[int, int] = {}
    rows = sorted({r for (r, _c) in sheet.cells if r >= FIRST_ROW})
    for r in rows:
        raw_id = _text(sheet.cells.get((r, 1)))
        inputs = {key: sheet.cells.get((r, col)) for col, key in INPUT_COLUMNS.items()}
        if not raw_id:
            if any(_text(v) for v in inputs.values()):
                parsed.refuse(ROWS_SHEET, cell_ref(r, 1), "", "缺少指标编号：该行填写了内容，但 A 列没有指标编号（请勿删除或清空 A 列）")
            continue
        target = targets.get(int(raw_id)) if raw_id.isdecimal() and len(raw_id) < 10 else None
        if target is None:
            parsed.refuse(ROWS_SHEET, cell_ref(r, 1), raw_id, "不是本表的指标编号（请勿修改 A 列，也不要添加新行）")
        elif target.pk in seen:
            parsed.refuse(ROWS_SHEET, cell_ref(r, 1), raw_id, f"指标编号与 {cell_ref(seen[target.pk], 1)} 重复，同一指标只能填一行")
        else:
            seen[target.pk] = r
            _row_values(target, r, inputs, post, parsed)
    return post, seen


def _row_values(target: AnnualTarget, r: int, inputs: dict[str, Any], post: dict, parsed: ParsedSheet) -> None:
    for key, value in inputs.items():
        if isinstance(value, Formula):
            parsed.refuse(ROWS_SHEET, cell_ref(r, COLUMN_OF[key]), value, "含公式，请改为数值或文字")
            continue
        text = _text(value)
        if key in ("likelihood", "cause"):
            by_label = LIKELIHOOD_BY_LABEL if key == "likelihood" else CAUSE_BY_LABEL
            code = _choice(text, by_label)
            if code is None:
                parsed.refuse(ROWS_SHEET, cell_ref(r, COLUMN_OF[key]), text,
                              f"{FIELD_LABELS[key]}只能填：{'、'.join(by_label)}")
                continue
            text = code
        post[f"t{target.pk}_{key}"] = text


def _budget_post(sheet: Sheet, post: dict, parsed: ParsedSheet) -> None:
    post["input_unit"] = fig.Unit.WAN
    for i, (key, _label) in enumerate(BUDGET_ROWS):
        if key not in BUDGET_INPUTS:
            continue
        value = sheet.cells.get((FIRST_ROW + i, 2))
        if isinstance(value, Formula):
            parsed.refuse(BUDGET_SHEET, cell_ref(FIRST_ROW + i, 2), value, "含公式，请改为数值或文字")
        post[f"budget_{key}"] = _text(value)


def _cell_of(name: str, rows: dict[int, int]) -> tuple[str, str]:
    """The sheet and cell of a form field."""
    if name.startswith("budget_"):
        key = name[len("budget_"):]
        index = next((i for i, (k, _l) in enumerate(BUDGET_ROWS) if k == key), 0)
        return BUDGET_SHEET, cell_ref(FIRST_ROW + index, 2)
    pk, _, key = name[1:].partition("_")
    row = rows.get(int(pk)) if pk.isdigit() else None
    if row is None or key not in COLUMN_OF:
        return ROWS_SHEET, "—"
    return ROWS_SHEET, cell_ref(row, COLUMN_OF[key])


def _validate(report: QuarterlyReport, post: dict, rows: dict[int, int], parsed: ParsedSheet) -> dict[str, Any] | None:
    """The entry form's own validation over the sheet's values; errors become bad cells."""
    targets = targets_of(report)
    initial = {k: v for k, v in initial_for(report, targets).items() if v is not None}
    form = QuarterlyForm(initial | post, report=report, targets=targets)
    if form.is_valid():
        return form.to_data()
    for name, errors in form.errors.items():
        sheet, ref = _cell_of(name, rows)
        for error in errors:
            parsed.refuse(sheet, ref, post.get(name, ""), error)
    return None


def _shown(key: str, value: Any) -> str:
    if value in (None, ""):
        return "（空）"
    if key == "likelihood":
        return Likelihood(value).label
    if key == "cause":
        return DeviationCause(value).label
    if key.startswith("budget_") and key != "budget_reason":
        return f"{fig.wan_text(value)} 万元"
    return str(value)


def _changes(report: QuarterlyReport, new: dict[str, Any], rows: dict[int, int]) -> list[Change]:
    changes = []
    old_budget, new_budget = report.data.get("budget", {}), new.get("budget", {})
    for i, (key, label) in enumerate(BUDGET_ROWS):
        if key in BUDGET_INPUTS and report.is_main and (old_budget.get(key) or "") != (new_budget.get(key) or ""):
            changes.append(Change(BUDGET_SHEET, cell_ref(FIRST_ROW + i, 2), label,
                                  _shown(f"budget_{key}", old_budget.get(key)), _shown(f"budget_{key}", new_budget.get(key))))
    names = {t.pk: t.name for t in targets_of(report)}
    for pk, r in sorted(rows.items(), key=lambda item: item[1]):
        old, now = report.data.get("rows", {}).get(str(pk), {}), new["rows"].get(str(pk), {})
        for col, key in INPUT_COLUMNS.items():
            if (old.get(key) or "") != (now.get(key) or ""):
                changes.append(Change(ROWS_SHEET, cell_ref(r, col), f"{names[pk]} · {FIELD_LABELS[key]}",
                                      _shown(key, old.get(key)), _shown(key, now.get(key))))
    return changes


def _check_preview_size(parsed: ParsedSheet) -> None:
    size = len(json.dumps([parsed.data, [asdict(c) for c in parsed.changes]], ensure_ascii=False).encode())
    if size > MAX_PREVIEW_BYTES:
        raise TableError(f"表格内容过多（约 {size // 1024} KB），超过预览上限 {MAX_PREVIEW_BYTES // 1024} KB，"
                         "请检查是否粘贴了大段无关文字。")


def sheet_parse(report: QuarterlyReport, name: str, stream: BinaryIO) -> ParsedSheet:
    """Parse an uploaded sheet against the report; refuse the file or list bad cells and changes."""
    sheets = _read_sheets(report, read_upload(name, stream, (".xlsx",)))
    parsed = ParsedSheet(data={})
    targets = {t.pk: t for t in targets_of(report)}
    post, rows = _row_post(sheets[ROWS_SHEET], targets, parsed)
    if report.is_main:
        _budget_post(sheets[BUDGET_SHEET], post, parsed)
    data = _validate(report, post, rows, parsed)
    if data is None or parsed.bad_count:
        return parsed
    parsed.data = data | {"explanations": report.data.get("explanations", {})}
    parsed.changes = _changes(report, parsed.data, rows)
    _check_preview_size(parsed)
    return parsed


__all__ = ["BadCell", "Change", "Number", "ParsedSheet", "TableError", "sheet_parse"]
