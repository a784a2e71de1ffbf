"""How much CPU a command costs before it does anything: ``python -m zones --help``
against importing geopandas and SQLAlchemy, in the same run.

Each figure is the best of ``--runs`` runs of a fresh interpreter (user + system CPU of
the child, from ``resource.getrusage(RUSAGE_CHILDREN)``), so the other work of a shared
machine counts as little as it can. Target (issue 21): the ratio <= 1.3. With ``--db``,
``python -m zones assess`` on that database is measured too (figures only).

    .venv/bin/python bench/bench_cli_start.py [--runs N] [--db URL] [--date YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.3


def cpu_of(argv: list[str]) -> float:
    """CPU seconds (user + system) one run of ``argv`` costs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best(argv: list[str], runs: int) -> float:
    return min(cpu_of(argv) for _ in range(runs))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--db", help="a database URL: also time `assess` on it")
    ap.add_argument("--date", default="2021-09-01", help="the day `assess` reads")
    args = ap.parse_args()
    py = sys.executable
    cpu_of([py, "-m", "zones", "--help"])  # warm the file cache, not measured
    floor = best([py, "-c", "import geopandas, sqlalchemy"], args.runs)
    help_ = best([py, "-m", "zones", "--help"], args.runs)
    ratio = help_ / floor
    print(f"CPU, best of {args.runs} runs")
    print(f"  {'import geopandas, sqlalchemy':<40} {floor:6.2f} s")
    print(f"  {'python -m zones --help':<40} {help_:6.2f} s")
    print(f"  {'ratio':<40} {ratio:6.2f}   (target <= {TARGET}: "
          f"{'PASS' if ratio <= TARGET else 'MISS'})")
    if args.db:
        assess = best([py, "-m", "zones", "--db", args.db, "assess", "--date", args.date],
                      max(1, args.runs // 2))
        print(f"  {'python -m zones assess --date ' + args.date:<40} {assess:6.2f} s")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
