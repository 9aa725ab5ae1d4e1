"""Benchmark `cfinfra plan` as the stack grows: wall time and peak memory, no assertions.

Each size is the prod stack's data plus N repositories and N people in 40 teams (the synthetic
project of ``bench_diff.py``); N = 0 is prod as it is. Every round is one fresh
``cfinfra plan --stack prod --json FILE`` process, as admins and CI run it: interpreter start-up,
imports, loading and validating the data, the program under the mock engine, the summary and the
JSON all count. Peak memory is the process's maximum resident set size.

    uv run python benchmarks/bench_plan.py                     # N = 0, 500, 1000, 2000; 3 rounds
    uv run python benchmarks/bench_plan.py --sizes 0 4000 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_diff import synthetic_project  # noqa: E402


def one_plan(root: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, peak resident MiB) of one ``cfinfra plan`` process on ``root``."""
    cmd = [sys.executable, "-m", "infra.cli", "plan", "--stack", "prod", "--root", str(root)]
    start = time.perf_counter()
    child = subprocess.Popen(
        [*cmd, "--json", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"cfinfra plan failed on {root}:\n{child.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 500, 1_000, 2_000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print("cfinfra plan --stack prod (prod data + N repositories and N people):")
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="cfinfra-bench-plan-") as tmp:
            root = ROOT if n == 0 else synthetic_project(Path(tmp), n)
            if root is None:
                print(f"  N={n:>6,}: skipped (the stack has no people data)")
                continue
            runs = [one_plan(root, Path(tmp) / "plan.json") for _ in range(args.rounds)]
        walls = [wall for wall, _ in runs]
        print(
            f"  N={n:>6,}: {statistics.median(walls):6.2f} s median "
            f"(best {min(walls):.2f} s, {args.rounds} rounds), "
            f"peak {max(rss for _, rss in runs):,.0f} MiB"
        )


if __name__ == "__main__":
    main()
