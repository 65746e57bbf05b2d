"""Issue 9.6: the SQLite test suite's wall time now against a baseline commit, in one sitting.

    .venv/bin/python bench/suite_time.py [--baseline 3681f64] [--rounds 2]

Checks the baseline out into a temporary worktree (sharing this virtualenv), then runs both suites
*at the same time* in each round (one process each, so both see the same machine load), several
rounds, and prints each round's times, the median of each and the median ratio now / baseline with
its spread, and the load average before and after. Only wall time is measured; failures of the old
suite (e.g. against a newer service) do not matter for the timing but are reported.
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


def run_suite(directory: Path, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EVALSITE_REQUIRE_SERVICES")}
    return subprocess.Popen(
        [str(PROJECT_DIR / ".venv/bin/python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header"],
        cwd=directory, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def one_round(baseline_dir: Path, tmp: Path, n: int) -> tuple[float, float]:
    started = time.monotonic()
    procs = {"now": run_suite(PROJECT_DIR, tmp / f"now-{n}.log"),
             "baseline": run_suite(baseline_dir, tmp / f"baseline-{n}.log")}
    ended = {}
    while len(ended) < len(procs):
        for name, proc in procs.items():
            if name not in ended and proc.poll() is not None:
                ended[name] = time.monotonic() - started
        time.sleep(0.5)
    for name in procs:
        tail = (tmp / f"{name}-{n}.log").read_text().strip().splitlines()[-1:]
        print(f"  round {n} {name:8s} {ended[name]:7.1f} s   {tail[0] if tail else ''}")
    return ended["now"], ended["baseline"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", default="3681f64")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="evalsite-suite-") as tmp_name:
        tmp = Path(tmp_name)
        baseline_dir = tmp / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(baseline_dir), args.baseline],
                       cwd=PROJECT_DIR, check=True)
        try:
            results = [one_round(baseline_dir, tmp, n) for n in range(1, args.rounds + 1)]
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline_dir)], cwd=PROJECT_DIR, check=False)
    now, base = [r[0] for r in results], [r[1] for r in results]
    ratios = [a / b for a, b in results]
    print(f"now      median {statistics.median(now):.1f} s  (min {min(now):.1f}, max {max(now):.1f})")
    print(f"baseline median {statistics.median(base):.1f} s  (min {min(base):.1f}, max {max(base):.1f})")
    print(f"ratio now/baseline median {statistics.median(ratios):.2f}  (min {min(ratios):.2f}, max {max(ratios):.2f})")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
