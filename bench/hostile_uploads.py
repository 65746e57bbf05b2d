"""What a hostile upload costs: time and memory of each refusal against a legitimate upload.

Builds the hostile files of issue 10 in memory (tests/hostile.py): an .xlsx whose zip headers
understate its sheet (1 GB inflating behind a 1 MB header), an honest-header ratio bomb, one row
of 3 million cells, 1.5 million shared strings, 240,000 cells inside the byte limits. Each is read
through the two real paths, ``read_table`` (import_departments' limits) and the quarterly sheet's
reader (``SHEET_LIMITS``), in a fresh subprocess: median of 3 timed reads after a warm-up, RSS
growth (VmHWM − VmRSS before), and the tracemalloc peak of one more read. The baseline, measured
in the same run and the same way, is a legitimate 2,000-row org chart read by ``read_table``.

    .venv/bin/python bench/hostile_uploads.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from harness import PROJECT_DIR, markdown_table, mib

RUNS = 3


def _proc_status(field_name: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _files(directory: Path) -> dict[str, Path]:
    import openpyxl

    from tests import hostile

    wb = openpyxl.Workbook()
    wb.active.append(["编码", "名称", "类型", "上级编码"])
    for i in range(2_000):
        wb.active.append([f"B-U{i:05d}", f"样本单位{i:05d}", "派出所", "B-D0001"])
    built = {
        "baseline: 2,000-row org chart": None,
        "zip headers say 1 MB, sheet inflates to 1 GB": hostile.understated_bomb(1024 * 1024 * 1024),
        "honest headers, 15 MB of whitespace": hostile.ratio_bomb(15 * 1024 * 1024),
        "one row of 3,000,000 cells": hostile.workbook(hostile.sheet_of(hostile.wide_row(3_000_000))),
        "1,500,000 shared strings": hostile.workbook(
            hostile.sheet_of([b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>']),
            shared=hostile.many_strings(1_500_000)),
        "240,000 cells (20,000 rows × 12)": hostile.workbook(hostile.sheet_of(
            [b"<row>" + b"".join(b"<c><v>%d</v></c>" % (r * 12 + c) for c in range(12)) + b"</row>"
             for r in range(20_000)])),
    }
    paths = {}
    for n, (label, data) in enumerate(built.items()):
        path = directory / f"case{n}.xlsx"
        if data is None:
            wb.save(path)
        else:
            path.write_bytes(data)
        paths[label] = path
    return paths


def _reader(path: Path, limits: str):
    from departments.tabular import TableError, open_xlsx, read_table, read_upload
    from reports.quarterly.upload import SHEET_LIMITS

    def read() -> str:
        try:
            with path.open("rb") as stream:
                if limits == "import":
                    return f"{len(read_table(path.name, stream))} rows"
                book = open_xlsx(read_upload(path.name, stream, (".xlsx",)), SHEET_LIMITS)
                try:
                    return f"{len(book.sheet(book.sheet_names[0]).cells)} cells"
                finally:
                    book.close()
        except TableError as exc:
            return f"refused: {exc}"

    return read


def child(path: Path, limits: str) -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evalsite.settings.dev")
    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/evalsite-bench-unused.sqlite3")
    import django

    django.setup()
    read = _reader(path, limits)
    before = _proc_status("VmRSS")
    outcome = read()  # warm-up; its peak is the RSS figure
    rss_peak = _proc_status("VmHWM")
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        read()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    read()
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(json.dumps({"median": statistics.median(times), "rss_growth": rss_peak - before, "traced": traced,
                      "outcome": outcome}))


def measure(path: Path, limits: str) -> dict:
    cmd = [sys.executable, __file__, "--child", str(path), limits]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=PROJECT_DIR / "bench")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    with tempfile.TemporaryDirectory(prefix="evalsite-hostile-") as tmp:
        paths = _files(Path(tmp))
        rows, base = [], None
        for label, path in paths.items():
            for limits in ("import", "sheet"):
                if base is not None and label.startswith("baseline") and limits == "sheet":
                    continue
                result = measure(path, limits)
                base = base or result["median"]
                rows.append([label, "read_table" if limits == "import" else "quarterly sheet",
                             f"{path.stat().st_size / 1024:,.0f}", f"{result['median'] * 1000:,.1f}",
                             f"{result['median'] / base:,.1f}", mib(result["rss_growth"]), mib(result["traced"]),
                             result["outcome"][:70]])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"## hostile_uploads — Python {sys.version.split()[0]}, {os.cpu_count()} cores, load {load}\n")
    print(markdown_table(["file", "reader", "size (KB)", "median (ms)", "× baseline", "RSS growth (MiB)",
                          "traced peak (MiB)", "outcome"], rows))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), sys.argv[3])
    else:
        main()
