"""Benchmark of issue 25's finishing touches: ``python bench/bench_sites_finish.py [--n N]``.

Builds the Kiên Giang demo in a temporary SQLite database, then prints:

1. reading an XLSX of ``--n`` (10,000) facilities (``zones.sites.read.read_sites``, in
   this process): score cells plain, then formatted as percent (the cells' formats read
   with openpyxl, the score column only);
2. checking 500 lockdown polygons against their units by area (``check_sites``);
3. the briefing's PNG of the province on 01/09/2021 with and without ``--sites`` after
   storing 20,000 facilities (``bench_sites.facilities_csv``), and the marks' build time.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_sites import facilities_csv
from zones import api
from zones.api.sites import briefing_site_marks
from zones.sites.read import read_sites


def workbook(n: int, percent: bool) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["site_id", "name", "unit_code", "lat", "lon", "from", "to", "sector",
                  "score"])
    for i in range(n):
        sheet.append([f"P{i}", f"Cơ sở {i}", "30745", 10.0, 105.08, "01/08/2021", None,
                      "chợ", (i % 101) / 100 if percent else i % 101])
        if percent:
            sheet.cell(i + 2, 9).number_format = "0%"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def timed(fn, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        ws = api.open_workspace(url)
        api.demo(ws, api.LOCAL_ADMIN)
        for percent in (False, True):
            data = workbook(args.n, percent)
            seconds = timed(lambda d=data: read_sites(d, "f.xlsx", "facility", lang="vi"))
            print(f"read XLSX, {args.n:,} facilities, score cells "
                  f"{'as percent' if percent else 'plain'}: {seconds:.2f} s")
        shape = api.units(ws).geometry["30745"]
        x0, y0, x1, y1 = shape.bounds
        feats = []
        for i in range(500):
            cx = x0 + (x1 - x0) * (0.2 + 0.6 * (i % 25) / 25)
            cy = y0 + (y1 - y0) * (0.2 + 0.6 * (i // 25) / 20)
            d = (x1 - x0) * 0.02
            ring = [[cx, cy], [cx + d, cy], [cx + d, cy + d], [cx, cy + d], [cx, cy]]
            feats.append({"type": "Feature", "geometry": {"type": "Polygon",
                                                          "coordinates": [ring]},
                          "properties": {"site_id": f"L{i}", "name": "x",
                                         "unit_code": "30745", "from": "24/08/2021"}})
        data = json.dumps({"type": "FeatureCollection", "features": feats}).encode()
        seconds = timed(lambda: api.check_sites(ws, data, "l.geojson", "lockdown"))
        print(f"check 500 lockdown polygons (read in the child process + area check): "
              f"{seconds:.2f} s")
        checked = api.check_sites(ws, facilities_csv(ws, 20_000), "f.csv", "facility")
        api.store_sites(ws, checked, api.LOCAL_ADMIN)
        day = date(2021, 9, 1)
        seconds = timed(lambda: briefing_site_marks(ws, day, None, "vi"))
        marks = briefing_site_marks(ws, day, None, "vi")
        print(f"marks of {len(marks.facilities):,} facilities: {seconds * 1000:.0f} ms")
        for sites in (False, True):
            seconds = timed(lambda s=sites: api.briefing(ws, day, fmt="png", sites=s), 2)
            print(f"briefing PNG of the province {'with' if sites else 'without'} the "
                  f"sites: {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
