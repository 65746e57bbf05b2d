"""The quarter summary workbook of a generated district, cell by cell, against a snapshot.

The snapshot (snapshots/quarter_summary.json.gz) was written by the export as it stood before its
speed-up (main at 008f7f1): every value with its type and every style that shows (number format,
font, fill, border, alignment, quote prefix), the cells written (empty texts too), row heights,
widths, merges, conditional formats, filters and print set-up. A change of the export that changes what a reader sees fails here.
Regenerate only for an intended change of the workbook: ``EVALSITE_UPDATE_SNAPSHOTS=1 pytest <this file>``.
"""

import gzip
import json
import os
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from departments.models import Department, DepartmentKind
from departments.sample import sample_district_build
from reports.exports import quarter_summary as qs
from reports.models import AnnualTarget, QuarterlyReport, TargetTable
from workflow.states import State

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).parent / "snapshots" / "quarter_summary.json.gz"
YEAR, QUARTER, PREFIX = 2021, 3, "QSNAP"
DEPARTMENTS, UNITS = 21, 9  # the last department opens no quarter: 20 × 10 = 200 reports a quarter
# (nature, target, measure unit): ≥ %, ≤ a count, a rate typed in the target, 定性, a large amount
KINDS = [("≥", "100", "%"), ("≤", "0", "起"), ("=", "95%", ""), ("定性", "满意", ""), ("≥", "12.5", "万元")]
ACTUALS = ["40", "60", "95.5", "满意", "", "5000", "120", "0", "3", "abc"]
LIKELIHOODS = ["certain", "certain", "possible", "impossible", "", "certain", "possible"]
CAUSES = ["", "funding", "staff", "other", "rules"]
MEASURES = ["", "加快进度", "按月调度，专人督办，" * 4, '=HYPERLINK("http://example.com")', "第一行\n第二行\n#第三行",
            "含控制字符\x07的文本", "#N/A", "+1"]


def _row(quarter: int, k: int) -> dict[str, str]:
    actual = ACTUALS[(k * 7 + quarter) % len(ACTUALS)] if quarter == 3 else ACTUALS[(k * 3) % len(ACTUALS)]
    return {"actual": actual, "expected": ACTUALS[(k * 5 + 1) % len(ACTUALS)],
            "likelihood": LIKELIHOODS[k % len(LIKELIHOODS)], "cause": CAUSES[(k // 2) % len(CAUSES)],
            "measures": MEASURES[(k // 3) % len(MEASURES)]}


def _budget(quarter: int, n: int) -> dict[str, Any]:
    annual = None if n % 9 == 4 else f"{10_000_000 + 12345 * n}.{n:02d}"
    executed = {2: ["4000000.00", "9000000.00", None][n % 3],
                3: ["6000000.00", "8500000.00", "12000000.00", "7654321.09"][n % 4]}[quarter]
    return {"initial": annual, "annual": annual, "executed": executed, "expected": annual,
            "reason": ["", "项目支出集中在第四季度支付。", "=1+1"][n % 3]}


def _targets(table: TargetTable, dept: Department, units: list[Department], per: int) -> list[AnnualTarget]:
    return AnnualTarget.objects.bulk_create([
        AnnualTarget(table=table, department=dept, unit=unit, year=YEAR, order=k, level1="产出",
                     level2=["数量", "质量", "时效"][k % 3],
                     name=f"样本指标{unit.code[-4:]}-{k:02d}" + ("（含较长的说明文字以便换行显示）" * (k % 2)),
                     nature=KINDS[(k + m) % len(KINDS)][0], target=KINDS[(k + m) % len(KINDS)][1],
                     measure_unit=KINDS[(k + m) % len(KINDS)][2])
        for m, unit in enumerate(units) for k in range(per + m % 2)
    ])


def _reports(dept: Department, units: list[Department], n: int, tables: dict[int, TargetTable],
             by_unit: dict[int, dict[int, list[AnnualTarget]]]) -> list[QuarterlyReport]:
    reports = []
    for quarter in (2, 3):
        for m, unit in enumerate(units):
            targets = by_unit[quarter][unit.pk]
            main = unit.pk == dept.pk
            data: dict[str, Any] = {"rows": {str(t.pk): _row(quarter, k + m + n) for k, t in enumerate(targets)}}
            if main:
                data["budget"] = _budget(quarter, n)
            explained = [f"quarterly.unlikely.{t.pk}" for t in targets[::2]]
            if n % 2:
                explained.append("quarterly.behind_checkpoint")
            if quarter == 3 and (m + n) % 3:
                data["explanations"] = {code: f"说明{i}" for i, code in enumerate(explained)}  # no pk in the text
            draft = quarter == 3 and (n + m) % 7 == 3
            reports.append(QuarterlyReport(
                department=dept, unit=unit, year=YEAR, quarter=quarter, is_main=main,
                due_on=date(YEAR, 3 * quarter + 1, 15), state=State.DRAFT if draft else State.APPROVED,
                version=1 + (n + m) % 4, target_table=tables[quarter], data=data))
    return reports


def _district() -> list[int]:
    """200 reports a quarter of ~2-3 indicators each; department 2 adjusted its targets after Q2."""
    sample_district_build(departments=DEPARTMENTS, units=UNITS, prefix=PREFIX)
    depts = list(Department.objects.filter(code__startswith=f"{PREFIX}-D", kind=DepartmentKind.DEPARTMENT)
                 .order_by("code"))
    for n, dept in enumerate(depts[:-1]):
        units = [dept, *Department.objects.filter(budget_department=dept).exclude(pk=dept.pk).order_by("code")]
        first = TargetTable.objects.create(department=dept, year=YEAR, state=State.APPROVED)
        tables = {2: first, 3: first}
        by_unit: dict[int, dict[int, list[AnnualTarget]]] = {}
        for quarter in (2, 3):
            if quarter == 3 and n == 2:
                tables[3] = TargetTable.objects.create(department=dept, year=YEAR, edition=2, based_on=first,
                                                       state=State.APPROVED)
            if quarter == 2 or tables[3] != first:
                rows = _targets(tables[quarter], dept, units, per=2 + quarter % 2 * (n == 2))
                by_unit[quarter] = {u.pk: [t for t in rows if t.unit_id == u.pk] for u in units}
            else:
                by_unit[3] = by_unit[2]
        QuarterlyReport.objects.bulk_create(_reports(dept, units, n, tables, by_unit))
    QuarterlyReport.objects.filter(department__in=depts).update(updated_at=datetime(2021, 10, 8, 1, 30, tzinfo=UTC))
    return [d.pk for d in depts]


def _style(cell: Any) -> list[Any]:
    fill = cell.fill.fgColor.rgb if cell.fill.fill_type else None
    a, f = cell.alignment, cell.font
    return [cell.data_type, cell.number_format, f.name, f.b, f.sz, fill, cell.border.left.style,
            a.horizontal, a.vertical, a.wrap_text, cell.quotePrefix]


def _value(value: Any) -> Any:
    return [type(value).__name__, value if isinstance(value, int | float | str | bool) or value is None
            else str(value)]


def _sheet(ws: Any) -> dict[str, Any]:
    cells = []
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None and not cell.has_style:
                continue
            value = "(generated at)" if ws.title == "说明" and ws.cell(cell.row, 1).value == "生成时间" and \
                cell.column > 1 else cell.value
            cells.append([cell.coordinate, _value(value), _style(cell)])
    rules = [[str(cf.sqref), [[r.type, r.formula, r.dxf.fill.fgColor.rgb if r.dxf and r.dxf.fill else None,
                               bool(r.dxf and r.dxf.border)] for r in cf.rules]]
             for cf in ws.conditional_formatting]
    return {
        "cells": cells, "rules": rules, "merged": sorted(str(m) for m in ws.merged_cells.ranges),
        "heights": {str(k): d.height for k, d in sorted(ws.row_dimensions.items()) if d.height},
        "widths": {k: d.width for k, d in sorted(ws.column_dimensions.items()) if d.width},
        "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref, "titles": ws.print_title_rows,
        "page": [ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToHeight],
    }


def _written_cells(path: Path) -> dict[str, int]:
    """<c> elements per sheet file: an empty text cell reads back as None, as a cell never written does."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).count(b"<c ") for name in sorted(archive.namelist())
                if name.startswith("xl/worksheets/sheet")}


def _dump(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path)
    return {"sheets": wb.sheetnames, "written": _written_cells(path)} | {name: _sheet(wb[name]) for name in wb.sheetnames}


def _first_difference(expected: Any, actual: Any, where: str = "") -> str:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected.keys() | actual.keys():
            if expected.get(key) != actual.get(key):
                return _first_difference(expected.get(key), actual.get(key), f"{where}/{key}")
    if isinstance(expected, list) and isinstance(actual, list):
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            if e != a:
                return _first_difference(e, a, f"{where}[{i}]")
        return f"{where}: {len(expected)} items expected, {len(actual)} written"
    return f"{where}: expected {expected!r}, written {actual!r}"


def test_the_workbook_of_a_generated_quarter_is_unchanged(tmp_path):
    ids = _district()
    written = {}
    for include in (False, True):
        out = tmp_path / f"summary-{include}.xlsx"
        qs.build({"year": YEAR, "quarter": QUARTER, "include_unapproved": include, "department_ids": ids,
                  "requested_by": "snapshot"}, out, lambda percent: None)
        written[f"include_unapproved={include}"] = _dump(out)
    written = json.loads(json.dumps(written))  # tuples as lists, keys as strings: as read back
    if os.environ.get("EVALSITE_UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_bytes(gzip.compress(json.dumps(written, ensure_ascii=False, sort_keys=True).encode(), mtime=0))
    expected = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))
    rows = len(expected["include_unapproved=True"]["指标进度"]["cells"]) // 16
    assert rows > 400, "the generated quarter is too small to say much"
    assert written == expected, _first_difference(expected, written)
