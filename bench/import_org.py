"""How long an org-chart import takes, and what a lying .xlsx dimension costs.

For CSV and XLSX files of 2,000 and 10,000 rows it runs ``import_departments``
twice (the second run must change nothing) and reports both times; the peak
memory (tracemalloc) of a first import is measured on a twin file with other
codes, so the timed runs carry no tracing overhead. Then it reads a ~20 KB
.xlsx whose sheet declares ``A1:XFD1048576`` through ``read_table``.

    .venv/bin/python bench/import_org.py [--database-url postgres://postgres@127.0.0.1:5432/evalsite_bench]
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from harness import (
    banner,
    django_setup,
    markdown_table,
    median_seconds,
    mib,
    ms,
    parse_args,
    peak_bytes,
    throwaway_database,
    timed,
)

SIZES = (2_000, 10_000)
FORMATS = ("csv", "xlsx")
UNITS_PER_DEPARTMENT = 20
UNIT_KINDS = ("内设机构", "派出所")
HEADER = ("编码", "名称", "类型", "上级编码")
NO_CHANGES = "新增 0 个，更新 0 个"
BOMB_ROWS = 800
BOMB_DIMENSION = '<dimension ref="A1:XFD1048576"/>'

Row = tuple[str, str, str, str]


@dataclass(frozen=True)
class ImportFigures:
    fmt: str
    rows: int
    file_kb: float
    first_s: float
    first_summary: str
    second_s: float
    second_unchanged: bool
    first_peak: int


@dataclass(frozen=True)
class BombFigures:
    file_kb: float
    rows_returned: int
    rows_written: int
    median_s: float
    peak: int


def org_rows(count: int, prefix: str) -> list[Row]:
    """A bureau, then departments of 20 units each, cut at ``count`` rows (header excluded)."""
    bureau = f"{prefix}-CZJ"
    rows: list[Row] = [(bureau, f"样本区财政局（样本数据 {prefix}）", "财政局", "")]
    for d in itertools.count(1):
        dept = f"{prefix}-D{d:04d}"
        rows.append((dept, f"样本部门{d:04d}（样本数据）", "预算部门", bureau))
        rows += [
            (f"{dept}-U{u:03d}", f"样本单位{u:03d}", UNIT_KINDS[u % 2], dept)
            for u in range(1, UNITS_PER_DEPARTMENT + 1)
        ]
        if len(rows) >= count:
            return rows[:count]
    raise AssertionError("unreachable")


def write_csv(path: Path, rows: list[Row]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[Row]) -> Path:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("组织机构")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_chart(directory: Path, fmt: str, count: int, prefix: str) -> Path:
    path = directory / f"{prefix}.{fmt}"
    rows = org_rows(count, prefix)
    return write_csv(path, rows) if fmt == "csv" else write_xlsx(path, rows)


def run_import(path: Path) -> str:
    """The command's output (its summary line)."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command("import_departments", str(path), stdout=out)
    return out.getvalue().strip()


def measure_import(directory: Path, fmt: str, count: int) -> ImportFigures:
    path = write_chart(directory, fmt, count, f"I{fmt.upper()}{count}")
    first_s, first_out = timed(lambda: run_import(path))
    second_s, second_out = timed(lambda: run_import(path))
    twin = write_chart(directory, fmt, count, f"M{fmt.upper()}{count}")
    peak = peak_bytes(lambda: run_import(twin))
    return ImportFigures(
        fmt, count, path.stat().st_size / 1024, first_s, first_out, second_s, NO_CHANGES in second_out, peak
    )


def write_dimension_bomb(path: Path) -> Path:
    """A small real sheet whose XML claims the whole Excel grid (16,384 × 1,048,576 cells)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in org_rows(BOMB_ROWS - 1, "DIM"):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, replaced = re.subn(rb'<dimension ref="[^"]*"\s*/>', BOMB_DIMENSION.encode(), data)
                assert replaced == 1, "openpyxl wrote no <dimension> element"
            target.writestr(item, data)
    return path


def measure_dimension_bomb(directory: Path) -> BombFigures:
    from departments.tabular import read_table

    path = write_dimension_bomb(directory / "dimension.xlsx")

    def read() -> list:
        with path.open("rb") as stream:
            return read_table(path.name, stream)

    rows = read()
    return BombFigures(path.stat().st_size / 1024, len(rows), BOMB_ROWS, median_seconds(read), peak_bytes(read))


def import_table(results: list[ImportFigures]) -> str:
    header = ["format", "rows", "file (KB)", "1st import (s)", "2nd import (s)", "2nd: no changes", "1st peak (MiB)"]
    rows = [
        [r.fmt, f"{r.rows:,}", f"{r.file_kb:.0f}", f"{r.first_s:.2f}", f"{r.second_s:.2f}",
         "yes" if r.second_unchanged else "**NO**", mib(r.first_peak)]
        for r in results
    ]
    return markdown_table(header, rows)


def bomb_table(bomb: BombFigures) -> str:
    header = ["file (KB)", "declared", "rows written", "rows returned", "median read (ms)", "peak (MiB)"]
    row = [f"{bomb.file_kb:.1f}", "A1:XFD1048576", f"{bomb.rows_written:,}", f"{bomb.rows_returned:,}",
           ms(bomb.median_s), mib(bomb.peak)]
    return markdown_table(header, [row])


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    with throwaway_database(args.database_url) as url, tempfile.TemporaryDirectory() as tmp:
        vendor = django_setup(url)
        results = [measure_import(Path(tmp), fmt, n) for n in SIZES for fmt in FORMATS]
        bomb = measure_dimension_bomb(Path(tmp))
        print(banner("import_org", vendor))
        print("\nimport_departments, run twice on the same file:\n")
        print(import_table(results))
        print("\nFirst-run summaries:\n")
        print("\n".join(f"- {r.fmt} {r.rows:,}: {r.first_summary}" for r in results))
        print("\nread_table on an .xlsx declaring the whole grid (median of 5 reads):\n")
        print(bomb_table(bomb))


if __name__ == "__main__":
    main()
