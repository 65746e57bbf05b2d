"""A Celery worker (prefork, one child) whose export builder is slow on its first attempt and
records each attempt's process id, so a test can kill the child mid-export.

Run as ``python -m tests.reports.slow_export_worker NAME`` with SLOW_BUILD_DIR set.
"""

import os
import sys
import time
from pathlib import Path

import django

django.setup()

from reports.exports import services  # noqa: E402
from reports.exports.base import BuildResult  # noqa: E402


def slow_build(params: dict, out: Path, progress) -> BuildResult:  # noqa: ANN001
    marks = Path(os.environ["SLOW_BUILD_DIR"])
    attempt = len(list(marks.glob("attempt-*"))) + 1
    progress(22)
    out.write_bytes(b"half a file")
    (marks / f"attempt-{attempt}").write_text(str(os.getpid()))
    if attempt == 1:
        time.sleep(300)  # the test kills this process here
    out.write_bytes(b"rebuilt")
    return BuildResult("重新生成.xlsx", [])


services.builder_for = lambda kind: slow_build

if __name__ == "__main__":
    from evalsite.celery import app

    app.worker_main(["worker", "--pool=prefork", "--concurrency=1", "--loglevel=WARNING", "-n", sys.argv[1]])
