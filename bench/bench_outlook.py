"""The outlook (issue 23): one day for every commune of the national demo (target <= 10 s)
and the backtest of a month for the demo province (target <= 60 s), each as the CLI runs it
(a fresh process), wall time and CPU (user + system of the child: on a shared machine the
wall time includes other people's work), then the backtest's own figures.

    .venv/bin/python bench/bench_outlook.py [--national URL] [--province URL]
        [--day D] [--from D1] [--to D2]

The national demo is ``data/national.db`` (``make demo-national``, about a minute) unless
``--national`` names another; it is skipped with a note when absent. The province is a
fresh Kiên Giang demo built into a temporary folder unless ``--province`` names one.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAY_TARGET, MONTH_TARGET = 10.0, 60.0


def timed(argv: list[str]) -> tuple[float, float, str]:
    """(wall, CPU) seconds of one run of ``python -m zones argv``, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "zones", *argv], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, "ZONES_LANG": "en"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"python -m zones {' '.join(argv)} failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def row(what: str, wall: float, cpu: float, target: float) -> str:
    ok = "ok" if min(wall, cpu) <= target else "OVER"
    return f"| {what} | {wall:.1f} s | {cpu:.1f} s | <= {target:.0f} s | {ok} |"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--national", default=f"sqlite:///{ROOT / 'data' / 'national.db'}")
    ap.add_argument("--province", default=None)
    ap.add_argument("--day", default="2021-11-20")
    ap.add_argument("--from", dest="start", default="2021-11-01")
    ap.add_argument("--to", dest="end", default="2021-11-30")
    a = ap.parse_args()
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| run | wall | CPU | target | |\n|---|---|---|---|---|")
    lines = []
    nat = a.national.removeprefix("sqlite:///")
    if a.national.startswith("sqlite:///") and not Path(nat).exists():
        lines.append(f"national demo skipped: {nat} is absent (make demo-national)")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "outlook.csv"
            wall, cpu, _ = timed(["--db", a.national, "outlook", "--date", a.day,
                                  "--out", str(out)])
            n = sum(1 for _ in out.open(encoding="utf-8-sig")) - 1
        print(row(f"outlook --date {a.day}, national, {n:,} communes", wall, cpu, DAY_TARGET))
    with tempfile.TemporaryDirectory() as tmp:
        province = a.province or f"sqlite:///{Path(tmp) / 'kg.db'}"
        if a.province is None:
            subprocess.run([sys.executable, "-m", "zones", "--db", province, "demo"], cwd=ROOT,
                           check=True, capture_output=True)
        for start, end in ((a.start, a.end), ("2021-08-15", "2021-09-15")):
            wall, cpu, text = timed(["--db", province, "outlook", "backtest", "--from", start,
                                     "--to", end])
            print(row(f"outlook backtest {start} .. {end}, Kiên Giang communes", wall, cpu,
                      MONTH_TARGET))
            lines += [f"{start} .. {end}:", *("  " + x for x in text.splitlines())]
    print()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
