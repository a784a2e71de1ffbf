"""Benchmark of the safety map's sites (issue 25): ``python bench/bench_sites.py [--n N]``.

Builds the Kiên Giang demo in a temporary SQLite database, then:

1. an upload of ``--n`` (20,000) facilities spread over the province's communes, each a
   point inside its commune: read + check in the child process (the point-in-unit test
   of every row) and store, through the front door (``api.check_sites``,
   ``api.store_sites``);
2. the map's sites file (built once per data version, then served from memory): build
   time, raw and gzipped size;
3. what a date step sends for sites: the ``sites`` key of the map's spec (its URL, the
   day, the scheme's bands: a few hundred bytes, whatever the number of sites), and the
   server time to make it;
4. in headless Debian Chromium (``--browser``, on by default): the map page with the
   facility layer on, then a date step ("1 ›"): time from the click to the new day on the
   map with the 20,000 sites re-filtered and re-clustered, against the same step with the
   layers off; and the browser's own time to re-filter and cluster them for a new day.

Target: the date step with 20,000 facilities on within 0.1 s of the step without them.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geodata.approx import random_points_in
from zones import api
from zones.maps import served

TARGET_EXTRA_S = 0.1


def facilities_csv(ws, n: int) -> bytes:
    units = api.units(ws)
    communes = units[units["level"] == "commune"]
    rng = np.random.default_rng(7)
    per = np.bincount(rng.integers(0, len(communes), n), minlength=len(communes))
    out = io.StringIO()
    out.write("site_id,name,unit_code,lat,lon,from,to,sector,score\n")
    k = 0
    for code, shape, m in zip(communes.index, communes.geometry, per, strict=True):
        for p in random_points_in(shape, int(m), rng) if m else []:
            k += 1
            out.write(f"B{k:06d},Cơ sở {k},{code},{p.y:.6f},{p.x:.6f},01/06/2021,,chợ,"
                      f"{rng.integers(0, 101)}\n")
    return out.getvalue().encode("utf-8")


def browser_step(url: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, map_frame, open_page, streamlit_server

    out = {}
    with streamlit_server(url) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = open_page(browser)
        page.goto(base)
        frame = map_frame(page)
        frame.wait_for_function("() => window.__zl.sites && window.__zl.sites.state.data")

        def step() -> float:
            before = frame.evaluate("() => window.__zl.label")
            started = time.perf_counter()
            page.get_by_role("button", name="1 ›", exact=True).click()
            frame.wait_for_function(
                "(b) => window.__zl.label !== b && window.__zl.sites.state.spec.day"
                " === window.__zl.label.split('/').reverse().join('-')", arg=before,
                timeout=60000)
            seconds = time.perf_counter() - started
            time.sleep(1.5)  # the run's end (the page's other elements)
            return seconds

        def back():
            page.get_by_role("button", name="‹ 1", exact=True).click()
            time.sleep(2.5)

        off = []
        for _ in range(runs):
            off.append(step())
            back()
        frame.locator(".zl-toggle-facility input").check()
        frame.wait_for_function("() => window.__zl.sites.state.drawn[0] > 10000")
        on = []
        for _ in range(runs):
            on.append(step())
            back()
        out["step_off_s"] = statistics.median(off)
        out["step_on_s"] = statistics.median(on)
        out["redraw_ms"] = frame.evaluate("""() => { const s = window.__zl.sites,
            spec = s.state.spec, t = [];
            for (let k = 0; k < 5; k++) {
              const t0 = performance.now();
              s.render(Object.assign({}, spec, {day: k % 2 ? '2021-09-02' : '2021-09-03'}));
              t.push(performance.now() - t0); }
            t.sort((a, b) => a - b); return t[2]; }""")
        out["shown"] = frame.evaluate("() => window.__zl.sites.state.drawn")
        out["drawn_layers"] = frame.evaluate(
            "() => window.__zl.sites.state.points.getLayers().length")
        browser.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_sites_"))
    url = f"sqlite:///{folder / 'z.db'}"
    ws = api.open_workspace(url)
    api.demo(ws, api.LOCAL_ADMIN)
    data = facilities_csv(ws, args.n)
    started = time.perf_counter()
    checked = api.check_sites(ws, data, "b.csv", "facility", actor=api.LOCAL_ADMIN)
    checked_s = time.perf_counter() - started
    started = time.perf_counter()
    result = api.store_sites(ws, checked, api.LOCAL_ADMIN)
    stored_s = time.perf_counter() - started
    print(f"upload of {args.n:,} facilities ({len(data) / 1e6:.1f} MB CSV): read + check "
          f"{checked_s:.2f} s, store {stored_s:.2f} s ({result.new:,} new, "
          f"{len(checked.refused)} refused)")
    name = api.served_name(ws, "sites", lang="vi")
    started = time.perf_counter()
    body = served.get(ws, name)
    built_s = time.perf_counter() - started
    started = time.perf_counter()
    served.get(ws, name)
    again_ms = (time.perf_counter() - started) * 1000
    print(f"sites file: built in {built_s:.2f} s, {body.plain_size / 1e6:.2f} MB raw, "
          f"{len(body.gzipped) / 1e6:.2f} MB gzipped; served again from memory in "
          f"{again_ms:.1f} ms (once per view and data version)")
    from datetime import date
    started = time.perf_counter()
    for _ in range(10):
        spec = {"url": api.served_name(ws, "sites", lang="vi"), "day": "2021-09-01",
                "bands": api.site_bands(ws, date(2021, 9, 1), "vi")}
    spec_ms = (time.perf_counter() - started) * 100
    print(f"a date step's sites spec: {len(json.dumps(spec, ensure_ascii=False))} bytes "
          f"(whatever the number of sites), made in {spec_ms:.1f} ms")
    assert gzip.decompress(body.gzipped)
    if not args.no_browser:
        got = browser_step(url, args.runs)
        extra = got["step_on_s"] - got["step_off_s"]
        print(f"date step in Chromium, median of {args.runs}: layers off "
              f"{got['step_off_s']:.3f} s, {got['shown'][0]:,} facilities on "
              f"{got['step_on_s']:.3f} s (+{extra:.3f} s; target ≤ +{TARGET_EXTRA_S} s); "
              f"the browser re-filters and clusters them in {got['redraw_ms']:.0f} ms "
              f"({got['drawn_layers']} markers and clusters drawn)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
