"""Benchmark: the real 2025 ward map (3,321 wards) as the country's commune layer.

    .venv/bin/python bench/bench_wards.py [FILE] [--keep DIR]

FILE defaults to ../shared/geodata/vn_wards_2025_web.parquet (never copied into the
project: the benchmark reads it where it lies and works in a temporary folder). Without
the file it says so and exits 0.

What it does, and the budgets of issue 14:

1. ``units import FILE`` into a fresh SQLite database, then two weeks of figures for
   every ward (generated here, the same for every run) through ``observations import``;
2. ``map --level commune`` (the country's wards): the HTML export's size (<= 4 MB) and its
   first paint in headless Debian Chromium from ``file://`` (<= 1.5 s, median of 3);
3. the dashboard on that database: switch the map to "Xã/phường" and count the bytes on
   the wire of that switch, the layer's JSON included (<= 1.5 MB).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT = ROOT.parent / "shared" / "geodata" / "vn_wards_2025_web.parquet"
BUDGETS = {"export_mb": 4.0, "export_paint_s": 1.5, "dashboard_mb": 1.5}
FIRST_DAY, DAYS = date(2021, 9, 1), 14
PAINTED_JS = ("() => !!(window.__zl && window.__zl.layer"
              " && Object.keys(window.__zl.layer._layers).length > 0)")


def cli(db: str, *args: str) -> tuple[int, float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "zones", "--db", db, *args], cwd=ROOT,
                          capture_output=True, text=True)
    return done.returncode, time.perf_counter() - start, done.stdout + done.stderr


def figures(db: str, out: Path) -> int:
    """Two weeks of figures for every ward (deterministic: from the ward's row number)."""
    from zones import api

    codes = api.units(api.open_workspace(db)).query("level == 'commune'").index
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["date", "unit_code", "new_cases_community", "tests_pcr",
                    "tests_pcr_positive", "vaccinated_1dose_18plus"])
        for i, code in enumerate(codes):
            for d in range(DAYS):
                w.writerow([(FIRST_DAY + timedelta(days=d)).isoformat(), code,
                            (i * 7 + d * 3) % 11, 40 + i % 30, (i + d) % 4, 1000 + i % 500])
    return len(codes) * DAYS


def paint_export(html: Path, runs: int = 3) -> list[float]:
    from bench_map import ARGS
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for _ in range(runs + 1):  # the first one warms the disk cache
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(html.as_uri(), wait_until="commit")
            page.wait_for_function(PAINTED_JS, timeout=120_000, polling=4)
            times.append(page.evaluate(
                "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame("
                "() => r(performance.now() / 1000))))"))
            page.close()
        browser.close()
    return times[1:]


def dashboard_switch(db: str, tmp: Path) -> dict:
    import bench_staff as staff
    from bench_map import ARGS
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM

    os.environ["ZONES_PUBLIC_READ"] = "1"  # the map without an account, as in a briefing room
    with sync_playwright() as p, staff.server(ROOT, staff.APP_LAUNCH, db, tmp / "app.log",
                                              timeout=300) as base:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        external: list[str] = []
        out = []
        for _ in range(2):  # the first one builds the server's caches
            with staff.Visit(browser, external) as v:
                ev, first = staff.first_paint(v, base)
                _, switch = staff.level_switch(v, ev, staff.COMMUNE_LABEL)
                out.append({"first": first, "switch": switch})
        browser.close()
    last = out[-1]
    return {"features": last["switch"]["features"], "switch_s": last["switch"]["s"],
            "switch_bytes": last["switch"]["http_bytes"] + last["switch"]["ws_bytes"],
            "switch_http": last["switch"]["http_bytes"],
            "first_bytes": last["first"]["first_bytes"], "external": external}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = ap.parse_args(argv)
    path = Path(args.file)
    if not path.is_file():
        print(f"{path} is missing: nothing to benchmark (the real wards are not shipped)")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-wards-") as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        db = f"sqlite:///{tmp / 'wards.db'}"
        code, took, text = cli(db, "units", "import", str(path))
        print(f"units import: exit {code}, {took:.1f} s", flush=True)
        if code == 2:
            print(text)
            return 1
        rows = figures(db, tmp / "figures.csv")
        code, took, text = cli(db, "observations", "import", str(tmp / "figures.csv"))
        print(f"observations import ({rows:,} rows): exit {code}, {took:.1f} s", flush=True)
        day = FIRST_DAY + timedelta(days=DAYS - 1)
        html = tmp / "wards.html"
        code, took, text = cli(db, "map", "--date", day.isoformat(), "--level", "commune",
                               "--out", str(html))
        if code:
            print(text)
            return 1
        size = html.stat().st_size / 1e6
        paint = paint_export(html)
        dash = dashboard_switch(db, tmp)
    b = BUDGETS
    med = statistics.median(paint)

    def verdict(value, limit):
        return "PASS" if value <= limit else "MISS"

    print()
    print(f"export map --level commune: {size:.2f} MB (budget ≤ {b['export_mb']:g} MB) "
          f"{verdict(size, b['export_mb'])}; written in {took:.1f} s")
    print(f"export first paint (file://): median {med:.2f} s "
          f"[{min(paint):.2f}–{max(paint):.2f}] (budget ≤ {b['export_paint_s']:g} s) "
          f"{verdict(med, b['export_paint_s'])}")
    mb = dash["switch_bytes"] / 1e6
    print(f"dashboard: switch to {dash['features']:,} wards: {mb:.2f} MB on the wire "
          f"(HTTP {dash['switch_http'] / 1e6:.2f} MB; budget ≤ {b['dashboard_mb']:g} MB) "
          f"{verdict(mb, b['dashboard_mb'])}; painted {dash['switch_s']:.2f} s after the click")
    print(f"dashboard: first load (provinces) {dash['first_bytes'] / 1e6:.2f} MB")
    if dash["external"]:
        print(f"WARNING: requests left loopback: {dash['external'][:5]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
