"""Issue 9.6: the SQLite test suite's wall time now against a baseline commit, in one sitting.

    .venv/bin/python bench/suite_time.py [--baseline 3681f64] [--rounds 2]

Checks the baseline out into a temporary worktree (sharing this virtualenv). Each round runs the two
suites one after the other, never together, so each has the machine to itself (as far as this script
decides: other work on the machine is reported through the load average); the order alternates
(now then baseline, baseline then now, ...) so a trend in the machine's load does not favour one side.
"now" runs the README's command, ``scripts/test.sh -q`` (pytest-xdist on every core); the baseline runs
its own pytest as it was (one process). Prints each run's time, result line and load average, the median
of each side with its spread, the ratio now / baseline per round and its median, and the load average
before and after. Both suites run with Python's bytecode cache on (the environment's
PYTHONDONTWRITEBYTECODE is dropped, as test.sh drops it), after one collection in each tree to fill it.
Only wall time is measured; a failure of the old suite does not matter for the timing but is reported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
# PYTHONDONTWRITEBYTECODE too: both suites run with Python's bytecode cache, as test.sh runs "now" (a warm-up
# collection in each tree fills the caches before the rounds, so no round pays for compiling).
SERVICES = ("DATABASE_URL", "EVALSITE_REQUIRE_SERVICES", "CELERY_TEST_BROKER_URL", "PYTEST_ADDOPTS",
            "PYTHONDONTWRITEBYTECODE")
PYTEST_ARGS = ["-q", "-p", "no:cacheprovider", "--no-header"]


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def run_suite(name: str, directory: Path, log: Path) -> tuple[float, str]:
    """Run one suite to its end; its wall time and its pytest result line."""
    env = {k: v for k, v in os.environ.items() if k not in SERVICES}
    if name == "now":
        command = [str(directory / "scripts/test.sh"), *PYTEST_ARGS]
    else:
        command = [str(PROJECT_DIR / ".venv/bin/python"), "-m", "pytest", *PYTEST_ARGS]
    started = time.monotonic()
    with log.open("w") as out:
        subprocess.run(command, cwd=directory, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    elapsed = time.monotonic() - started
    tail = log.read_text().strip().splitlines()[-1:]
    return elapsed, tail[0].strip("= ") if tail else ""


def warm_up(directory: Path) -> None:
    """Collect the suite once: the bytecode and the rewritten test modules are cached for both trees alike."""
    env = {k: v for k, v in os.environ.items() if k not in SERVICES}
    subprocess.run([str(PROJECT_DIR / ".venv/bin/python"), "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist"],
                   cwd=directory, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def one_round(dirs: dict[str, Path], tmp: Path, n: int) -> dict[str, float]:
    order = ["now", "baseline"] if n % 2 else ["baseline", "now"]
    times = {}
    for name in order:
        before = load()
        times[name], result = run_suite(name, dirs[name], tmp / f"{name}-{n}.log")
        print(f"  round {n} {name:8s} {times[name]:7.1f} s   {result}   (load before {before}, after {load()})",
              flush=True)
    return times


def spread(values: list[float], unit: str = " s", digits: int = 1) -> str:
    return (f"median {statistics.median(values):.{digits}f}{unit}  "
            f"(min {min(values):.{digits}f}, max {max(values):.{digits}f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="3681f64")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"load average before: {load()}   cores: {os.cpu_count()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="evalsite-suite-") as tmp_name:
        tmp = Path(tmp_name)
        baseline_dir = tmp / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(baseline_dir), args.baseline],
                       cwd=PROJECT_DIR, check=True)
        try:
            dirs = {"now": PROJECT_DIR, "baseline": baseline_dir}
            for directory in dirs.values():
                warm_up(directory)
            results = [one_round(dirs, tmp, n) for n in range(1, args.rounds + 1)]
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline_dir)], cwd=PROJECT_DIR, check=False)
    now, base = [r["now"] for r in results], [r["baseline"] for r in results]
    print(f"now      {spread(now)}")
    print(f"baseline {spread(base)}")
    print(f"ratio now/baseline per round {spread([a / b for a, b in zip(now, base, strict=True)], '', 2)}")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
