"""Benchmark of the weekly briefing: ``python bench/bench_briefing.py [--national URL]``.

For the demo province (Kiên Giang, 143 communes) and the national demo's largest province,
each format (PPTX, PDF, PNG) is built in its own process (as a cron job would run
``python -m zones briefing``): wall time and peak memory (max RSS) per format.
Target: <= 10 s and <= 1 GB per format for a province.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_S, TARGET_MB = 10.0, 1024.0
NATIONAL = "sqlite:////tmp/nat/national.db"
DAY = "2021-10-20"

CHILD = f"""
import resource, sys, time
from zones import api
url, unit, fmt, out = sys.argv[1:5]
ws = api.open_workspace(url)
started = time.perf_counter()
data = api.briefing(ws, "{DAY}", unit=unit, fmt=fmt)
open(out, "wb").write(data)
print(time.perf_counter() - started, len(data))
"""


def largest_province(url: str) -> tuple[str, str, int]:
    from zones import api

    units = api.units(api.open_workspace(url))
    communes = units[units["level"] == "commune"]
    districts = units["parent_code"]
    province = communes["parent_code"].map(districts)
    code = province.value_counts().idxmax()
    return code, str(units.at[code, "name"]), int((province == code).sum())


def one(url: str, unit: str, fmt: str, folder: Path) -> dict:
    out = folder / f"b.{fmt}"
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-c", CHILD, url, unit, fmt, str(out)],
                          capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    inside, size = proc.stdout.split()
    return {"format": fmt, "process_s": round(wall, 2), "build_s": round(float(inside), 2),
            "peak_mb": round(max(peak, before) / 1024, 1), "bytes": int(size)}


def demo_db(folder: Path) -> str:
    url = f"sqlite:///{folder / 'demo.db'}"
    subprocess.run([sys.executable, "-m", "zones", "--db", url, "demo"], cwd=ROOT, check=True,
                   capture_output=True)
    return url


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--national", default=NATIONAL, help=f"national demo URL ({NATIONAL})")
    args = ap.parse_args(argv)
    rows, ok = [], True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = [("Kiên Giang (demo)", demo_db(folder), "91", 143)]
        national = args.national
        if national.startswith("sqlite:///") and not Path(national[10:]).is_file():
            print(f"national demo missing at {national}: build it with "
                  f"python -m zones --db {national} demo --national", file=sys.stderr)
        else:
            code, name, n = largest_province(national)
            cases.append((f"{name} (national demo)", national, code, n))
        for label, url, unit, n in cases:
            for fmt in ("pptx", "pdf", "png"):
                # each format in a fresh process: peak RSS of that process alone
                r = one(url, unit, fmt, folder)
                r.update(case=label, communes=n)
                rows.append(r)
                ok &= r["process_s"] <= TARGET_S and r["peak_mb"] <= TARGET_MB
    print(f"{'case':<34} {'communes':>8} {'fmt':>5} {'process s':>9} {'build s':>8} "
          f"{'peak MB':>8} {'KB':>7}")
    for r in rows:
        print(f"{r['case']:<34} {r['communes']:>8} {r['format']:>5} {r['process_s']:>9} "
              f"{r['build_s']:>8} {r['peak_mb']:>8} {r['bytes'] // 1024:>7}")
    print(f"targets: <= {TARGET_S} s and <= {TARGET_MB:.0f} MB per format -> "
          f"{'MET' if ok else 'NOT MET'}")
    print(json.dumps(rows), file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
