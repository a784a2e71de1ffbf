"""Operations, measured: ``python -m zones check`` (a fresh process, as a monitor's cron
runs it), ``/zones-health`` answered by a live server to many clients at once, and
``export`` of the levels in force in each format.

    .venv/bin/python bench/bench_ops.py [--db URL] [--date YYYY-MM-DD] [--clients N]
                                        [--requests N]

Without ``--db`` it builds the Kiên Giang demo into a temporary folder (a few seconds).
Figures are CPU seconds of the child (the machine is shared) and wall time. Targets:
``check`` at most twice the CPU of ``--help`` (it opens the database and reads five
things); ``/zones-health`` p95 under 100 ms with 32
clients; a GeoPackage of the province's communes under 5 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import streamlit_server  # noqa: E402
from zones import api  # noqa: E402


def timed(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system of the child) and exit code of a run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, code


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--db")
    p.add_argument("--date", default="2021-09-01")
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--requests", type=int, default=640)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ops-"))
    url = args.db
    if not url:
        url = f"sqlite:///{tmp / 'kg.db'}"
        api.demo(api.open_workspace(url), api.LOCAL_ADMIN)
    zones = [sys.executable, "-m", "zones", "--db", url]

    for name, argv in (("--help", [sys.executable, "-m", "zones", "--help"]),
                       ("check", [*zones, "check"])):
        runs = [timed(argv) for _ in range(3)]
        print(f"{name}: {min(r[1] for r in runs):.2f} s CPU, {min(r[0] for r in runs):.2f} s "
              f"wall (best of 3, a fresh process), exit {runs[0][2]}")
    for fmt in ("gpkg", "geojson", "csv"):
        out = tmp / f"levels.{fmt}"
        wall, cpu, code = timed([*zones, "export", "--date", args.date, "--format", fmt,
                                 "--out", str(out)])
        print(f"export {fmt}: {cpu:.2f} s CPU, {wall:.2f} s wall (a fresh process), "
              f"{out.stat().st_size / 1024:.0f} KB, exit {code}")

    with streamlit_server(url) as base:
        def one(_):
            start = time.perf_counter()
            with urllib.request.urlopen(f"{base}/zones-health", timeout=60) as answer:
                answer.read()
                return time.perf_counter() - start, answer.status
        one(0)
        start = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            got = list(pool.map(one, range(args.requests)))
        total = time.perf_counter() - start
        times = sorted(t for t, _ in got)
        p95 = times[int(0.95 * (len(times) - 1))]
        print(f"/zones-health: {args.requests} requests from {args.clients} clients in "
              f"{total:.2f} s ({args.requests / total:.0f}/s), median "
              f"{statistics.median(times) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
              f"statuses {sorted({s for _, s in got})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
