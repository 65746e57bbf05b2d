"""The quarter summary export (reports/exports/quarter_summary.py) against a bare openpyxl loop.

Builds synthetic districts of 50 departments with 1k, 10k and 100k indicator rows in two
shapes — more reporting units (10 targets per quarterly report) and more targets per report
(20 reports per department) — with approved Q2 and Q3 reports written by bulk_create, then
exports Q3. Every measurement runs in a fresh subprocess and starts with a warm-up run:

- time: export and bare loop alternately, RUNS times each, so that both see the same load
  on a shared machine; the bare loop is an openpyxl write-only sheet of plain values with as
  many rows and cells as the export wrote (counted in its file), without database or styles;
- memory: in a process that has imported everything but run nothing, its RSS before one
  export and at the export's peak (/proc VmHWM, reset before the run); in another process
  the tracemalloc peak of a run after a warm-up (Python allocations only: lxml's and zlib's
  are in C); the same for the bare loop.

    .venv/bin/python bench/export_quarter.py [--database-url postgres://postgres@127.0.0.1:5432/evalsite_bench_qs]
        [--shapes '10k,100k · units']
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import tracemalloc
import zipfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import PROJECT_DIR, banner, django_setup, markdown_table, mib, throwaway_database, timed

DEPARTMENTS = 50
YEAR, QUARTER = 2021, 3
RUNS = 5
BATCH = 5000
# (label, units per department besides the department itself, targets per report)
SHAPES = [
    ("1k · units", 1, 10), ("10k", 19, 10), ("100k · units", 199, 10),
    ("1k · targets", 19, 1), ("100k · targets", 19, 100),
]


@dataclass(frozen=True)
class Measure:
    seconds: list[float]
    rss_before: int
    rss_peak: int
    traced_peak: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


# ---------------------------------------------------------------------------------------------
# Synthetic data (parent process)


def _prefix(label: str) -> str:
    return "Q" + re.sub(r"[^0-9a-z]", "", label.lower())


def _row(quarter: int, k: int) -> dict[str, str]:
    at_risk = k % 10 == 9
    return {"actual": str(20 * quarter + k % 7), "expected": "100",
            "likelihood": "possible" if at_risk else "certain",
            "cause": "funding" if at_risk else "", "measures": "加快项目实施进度，按月调度。" if at_risk else ""}


def _budget(quarter: int, n: int) -> dict[str, Any]:
    executed = {2: "4000000.00", 3: "6000000.00" if n % 3 == 0 else "8000000.00"}[quarter]
    return {"initial": "10000000.00", "annual": "10000000.00", "executed": executed, "expected": "10000000.00",
            "reason": "项目支出集中在第四季度支付。"}


def district_build(label: str, units: int, per_report: int) -> int:
    """A sample district with approved Q2 and Q3 reports; returns the indicator rows of Q3."""
    from datetime import date

    from departments.models import Department, DepartmentKind
    from departments.sample import sample_district_build
    from reports.models import AnnualTarget, QuarterlyReport, TargetTable
    from workflow.states import State

    prefix = _prefix(label)
    sample_district_build(departments=DEPARTMENTS, units=units, prefix=prefix)
    depts = list(Department.objects.filter(code__startswith=f"{prefix}-D", kind=DepartmentKind.DEPARTMENT))
    by_dept: dict[int, list[Any]] = {d.pk: [d] for d in depts}
    for unit in Department.objects.filter(budget_department__in=depts).exclude(kind=DepartmentKind.DEPARTMENT):
        by_dept[unit.budget_department_id].append(unit)
    rows = 0
    for n, dept in enumerate(depts):
        table = TargetTable.objects.create(department=dept, year=YEAR, state=State.APPROVED)
        targets = AnnualTarget.objects.bulk_create([
            AnnualTarget(table=table, department=dept, unit=unit, year=YEAR, order=k, level1="产出", level2="数量",
                         name=f"样本指标{unit.code[-4:]}-{k:03d}", nature="≥", target="100", measure_unit="%")
            for unit in by_dept[dept.pk] for k in range(per_report)
        ], batch_size=BATCH)
        per_unit: dict[int, list[Any]] = {}
        for t in targets:
            per_unit.setdefault(t.unit_id, []).append(t)
        QuarterlyReport.objects.bulk_create([
            QuarterlyReport(
                department=dept, unit=unit, year=YEAR, quarter=quarter, is_main=unit.pk == dept.pk,
                due_on=date(YEAR, 3 * quarter + 1, 15), state=State.APPROVED, version=3, target_table=table,
                data={"rows": {str(t.pk): _row(quarter, k) for k, t in enumerate(per_unit[unit.pk])}}
                | ({"budget": _budget(quarter, n),
                    "explanations": {"quarterly.behind_checkpoint": "项目支出集中在第四季度支付。"}}
                   if unit.pk == dept.pk else {}),
            )
            for unit in by_dept[dept.pk] for quarter in (2, 3)
        ], batch_size=BATCH)
        rows += len(targets)
    return rows


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# ---------------------------------------------------------------------------------------------
# Measurements (child processes)


def _proc_status(field_name: str) -> int:
    """VmRSS / VmHWM of this process in bytes. getrusage's ru_maxrss is no use here: it survives
    fork and exec, so a child would report the parent's peak (the data build)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # not Linux: an upper bound


def _child_django(url: str) -> None:
    """Django on the already migrated bench database (no migrate: its memory is not the export's)."""
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.update(DJANGO_SETTINGS_MODULE="evalsite.settings.dev", DATABASE_URL=url, DEBUG="0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _export_once(prefix: str, out: Path) -> Any:
    from departments.models import Department, DepartmentKind
    from reports.exports.quarter_summary import build

    ids = list(Department.objects.filter(code__startswith=f"{prefix}-D", kind=DepartmentKind.DEPARTMENT)
               .values_list("pk", flat=True))
    params = {"year": YEAR, "quarter": QUARTER, "include_unapproved": False, "department_ids": ids,
              "requested_by": "bench"}
    return build(params, out, lambda percent: None)


ROW = ["样本部门0001（样本数据）", "样本单位001", "产出", "数量", "样本指标U001-001", "≥", "100", "%",
       40, 60, 100, "确定能", "人员保障", "加快进度", "已审定", 1]


def _bare_once(rows: int, cells: int, out: Path) -> None:
    """The floor: as many rows and cells as the export wrote, plain values in one write-only
    sheet — no database, no styles, no computation."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("指标进度")
    width, wider = divmod(cells, rows)
    for n in range(rows):
        ws.append(ROW[: width + (n < wider)])
    wb.save(out)


def child(args: argparse.Namespace) -> None:
    """One measurement in a fresh process; prints a JSON line."""
    if args.child != "bare-memory":
        _child_django(args.database_url)
        import reports.exports.quarter_summary  # noqa: F401  (imported before any baseline)
    with tempfile.TemporaryDirectory(prefix="evalsite-bench-qs-") as tmp:
        out, floor = Path(tmp) / "export.xlsx", Path(tmp) / "bare.xlsx"
        export = lambda: _export_once(args.prefix, out)  # noqa: E731
        if args.child == "time":
            print(json.dumps(_time_both(export, lambda: _bare_once(args.rows, args.cells, floor), out, args.runs)))
        elif args.child == "export-memory":
            print(json.dumps(_memory(export, trace=args.trace)))
        else:
            import openpyxl  # noqa: F401  (imported before the baseline, as Django is for the export)

            print(json.dumps(_memory(lambda: _bare_once(args.rows, args.cells, floor), trace=args.trace)))


def _time_both(export: Any, bare: Any, out: Path, runs: int) -> dict[str, Any]:
    """Export and bare loop alternately, after one warm-up run of each (imports, first queries):
    on a shared machine both then see the same load, and each pair gives a ratio."""
    export()
    rows, cells = count_rows_cells(out)
    bare_rows_cells = (rows, cells)
    bare()
    pairs = []
    for _ in range(runs):
        pairs.append((timed(export)[0], timed(bare)[0]))
    return {"export": [e for e, _ in pairs], "bare": [b for _, b in pairs], "ratios": [e / b for e, b in pairs],
            "rows": bare_rows_cells[0], "cells": bare_rows_cells[1], "bytes": out.stat().st_size}


def _memory(work: Any, *, trace: bool) -> dict[str, Any]:
    """RSS before one run and at its peak, in a process that has imported everything but run
    nothing yet (as a fresh worker); or, traced, Python's own peak of a run after a warm-up."""
    if trace:
        work()  # one-time caches (first queries, lazy imports) are not the export's
        tracemalloc.start()
        work()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return {"traced_peak": peak}
    before = _proc_status("VmRSS")
    _reset_peak()
    work()
    return {"rss_before": before, "rss_peak": _proc_status("VmHWM")}


def _reset_peak() -> None:
    """Start VmHWM afresh at the current RSS, so the peak is this run's (Linux ≥ 4.0)."""
    with suppress(OSError), open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")


def count_rows_cells(path: Path) -> tuple[int, int]:
    """Rows and cells written in every sheet of an .xlsx (streamed: the 100k file is not parsed)."""
    rows = cells = 0
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
                continue
            tail = b""
            with archive.open(name) as stream:
                while chunk := stream.read(1 << 20):
                    data = tail + chunk
                    rows += data.count(b"<row ")
                    cells += data.count(b"<c r=")
                    tail = data[-4:]  # shorter than either pattern: nothing is counted twice
    return rows, cells


def _run_child(url: str, mode: str, **extra: Any) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", mode, "--database-url", url]
    for key, value in ({"runs": RUNS} | extra).items():
        cmd += [f"--{key}"] if value is True else [f"--{key}", str(value)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=PROJECT_DIR / "bench")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# Parent


@dataclass(frozen=True)
class SizeResult:
    label: str
    rows: int
    reports: int
    build_s: float
    sheet_rows: int
    cells: int
    file_mib: float
    export: Measure
    bare: Measure
    ratio: float  # median of the per-pair ratios


def measure(url: str, label: str, units: int, per_report: int) -> SizeResult:
    build_s, rows = timed(lambda: district_build(label, units, per_report))
    _analyze()
    prefix = _prefix(label)
    # The bare loop writes as many rows and cells as the export does: count them once first.
    probe = _run_child(url, "time", prefix=prefix, rows=1, cells=1, runs=0)
    size = {"rows": probe["rows"], "cells": probe["cells"]}
    timing = _run_child(url, "time", prefix=prefix, **size)
    memory = _run_child(url, "export-memory", prefix=prefix)
    traced = _run_child(url, "export-memory", prefix=prefix, trace=True)
    bare_memory = _run_child(url, "bare-memory", **size)
    bare_traced = _run_child(url, "bare-memory", trace=True, **size)
    export = Measure(timing["export"], memory["rss_before"], memory["rss_peak"], traced["traced_peak"])
    bare = Measure(timing["bare"], bare_memory["rss_before"], bare_memory["rss_peak"], bare_traced["traced_peak"])
    reports = DEPARTMENTS * (units + 1)
    ratio = statistics.median(timing["ratios"])
    print(f"  {label}: {rows:,} rows, export {export.median:.2f} s, bare {bare.median:.2f} s, ratio {ratio:.2f}",
          file=sys.stderr)
    return SizeResult(label, rows, reports, build_s, size["rows"], size["cells"], timing["bytes"] / (1 << 20),
                      export, bare, ratio)


def _tables(results: list[SizeResult]) -> str:
    data = markdown_table(
        ["shape", "indicator rows", "reports (Q3)", "rows written", "cells written", "file (MiB)",
         "data build (s)"],
        [[r.label, f"{r.rows:,}", f"{r.reports:,}", f"{r.sheet_rows:,}", f"{r.cells:,}", f"{r.file_mib:.1f}",
          f"{r.build_s:.1f}"]
         for r in results])
    timing = markdown_table(
        ["shape", "export (s)", "bare loop (s)", "export / bare", "export RSS before → peak (MiB)",
         "bare RSS before → peak (MiB)", "export traced peak (MiB)", "bare traced peak (MiB)"],
        [[r.label, f"{r.export.median:.2f}", f"{r.bare.median:.2f}", f"{r.ratio:.2f}",
          f"{mib(r.export.rss_before)} → {mib(r.export.rss_peak)}", f"{mib(r.bare.rss_before)} → {mib(r.bare.rss_peak)}",
          mib(r.export.traced_peak), mib(r.bare.traced_peak)] for r in results])
    return (f"{data}\n\nMedians of {RUNS} alternating export/bare runs after a warm-up; the ratio is the median "
            f"of the pairs' ratios. Memory from separate processes (RSS: first run; traced: after a warm-up):\n\n{timing}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="postgres://user@host:port/NAME (created and dropped)")
    parser.add_argument("--shapes", help="comma-separated shape labels to run (default: all), e.g. '10k,100k · units'")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cells", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=RUNS, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    shapes = SHAPES
    if args.shapes:
        wanted = [label.strip() for label in args.shapes.split(",")]
        unknown = set(wanted) - {label for label, *_ in SHAPES}
        if unknown:
            parser.error(f"unknown shapes {sorted(unknown)}; known: {[label for label, *_ in SHAPES]}")
        shapes = [shape for shape in SHAPES if shape[0] in wanted]
    with throwaway_database(args.database_url) as url:
        vendor = django_setup(url)
        results = [measure(url, *shape) for shape in shapes]
        print(banner("export_quarter", vendor))
        print()
        print(_tables(results))


if __name__ == "__main__":
    main()
