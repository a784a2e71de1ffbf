"""SQLite against PostgreSQL on the national demo, in the same run (issue 13).

Run: ``python bench/bench_stores.py [--pg ADMIN_URL] [--rows N] [--keep]``

For each store, on a fresh database:

1. **demo build**: ``python -m zones --db URL demo --national`` (10,040 legacy communes,
   about two million daily rows, the levels of every day), wall time of the process;
2. **upload**: ``observations import`` of a ``--rows`` (10,000) row CSV, 1,000 communes
   × 10 days in the middle of the period, with the recomputation of the levels it
   triggers, wall time of the process (the CLI prints how long it took to check, store
   and recompute);
3. **map first load on a fresh replica**: a new app process (``python -m ui.server.serve``) on
   that database, then a fresh Chromium tab: navigation start -> the map's layer drawn
   (``window.__zl.layer`` has its features), then a second tab on the same process (what
   every later visitor waits for).

PostgreSQL: ``--pg`` (an admin URL such as ``.ci/pg start`` prints), else
``ZONES_TEST_PG``, else a throw-away cluster started here with ``.ci/pg start`` (Debian's
server) and stopped at the end. Headless Debian Chromium, loopback only. Figures go to
stdout and ``bench/results/stores.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM, CHROMIUM_ARGS, map_frame, streamlit_server  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "stores.json"
WAIT_S = 600
COMMUNES = "Xã/phường"  # the level button, vi


def zones(url: str, *argv: str, stdin: str | None = None) -> tuple[float, str]:
    """Run the CLI; its wall time and its output (raises on a failure)."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "zones", "--db", url, *argv], cwd=ROOT,
                          capture_output=True, text=True, input=stdin)
    took = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
    return took, proc.stdout + proc.stderr


def upload_file(url: str, rows: int, folder: Path) -> Path:
    """``rows`` rows: 1,000 communes × rows/1,000 days around the middle of the period."""
    import pandas as pd

    from zones import api

    ws = api.open_workspace(url)
    everything = api.units(ws)
    communes = sorted(everything.index[everything["level"] == "commune"])
    rng = random.Random(13)
    picked = rng.sample(communes, min(1000, len(communes)))
    days = max(1, rows // len(picked))
    table = api.computed_levels(ws)
    middle = table.dates[len(table.dates) // 2]
    lines = ["Ngày,Mã xã,Ca mắc mới cộng đồng,Số mẫu PCR"]
    for k in range(days):
        day = (middle + pd.Timedelta(days=k)).strftime("%d/%m/%Y")
        lines += [f"{day},{code},{rng.randint(0, 40)},{rng.randint(50, 900)}"
                  for code in picked]
    path = folder / f"upload-{rows}.csv"
    path.write_text("\n".join(lines[: rows + 1]) + "\n", encoding="utf-8")
    return path


def first_loads(url: str) -> dict:
    """A fresh app process on ``url``: the first tab's map, then a second tab's."""
    from playwright.sync_api import sync_playwright

    out = {}
    started = time.perf_counter()
    with streamlit_server(url, timeout=WAIT_S, ZONES_PUBLIC_READ="1") as base, \
            sync_playwright() as p:
        out["server_start_s"] = round(time.perf_counter() - started, 2)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for label in ("fresh_replica_first_tab_s", "second_tab_s"):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.set_default_timeout(WAIT_S * 1000)
            t0 = time.perf_counter()
            page.goto(base)
            frame = map_frame(page, timeout_s=WAIT_S)
            n = frame.evaluate("() => window.__zl.layer.getLayers().length")
            out[label] = round(time.perf_counter() - t0, 2)
            out["features"] = n
            # then every commune of the country (10,040 features)
            t1 = time.perf_counter()
            choice = page.get_by_role("radio", name=COMMUNES, exact=True)
            if not choice.count():  # a segmented control drawn as plain buttons
                choice = page.get_by_role("button", name=COMMUNES, exact=True)
            choice.click()
            deadline = time.time() + WAIT_S
            while time.time() < deadline:
                frame = map_frame(page, timeout_s=WAIT_S)
                try:
                    m = frame.evaluate("() => window.__zl.layer.getLayers().length")
                except Exception:  # the map frame being replaced
                    continue
                if m > n:
                    break
                time.sleep(0.05)
            out[label.replace("_s", "_communes_s")] = round(time.perf_counter() - t1, 2)
            out["commune_features"] = m
            context.close()
        browser.close()
    return out


def one_store(name: str, url: str, rows: int, folder: Path) -> dict:
    print(f"[{name}] demo --national …", flush=True)
    res: dict = {}
    res["demo_build_s"], _ = zones(url, "demo", "--national")
    res["demo_build_s"] = round(res["demo_build_s"], 1)
    print(f"[{name}] demo built in {res['demo_build_s']} s; upload of {rows} rows …",
          flush=True)
    path = upload_file(url, rows, folder)
    took, said = zones(url, "observations", "import", str(path))
    res["upload_s"] = round(took, 1)
    res["upload_said"] = [line for line in said.splitlines() if line.startswith("Đã lưu")][:1]
    print(f"[{name}] upload + recomputation {res['upload_s']} s; map on a fresh replica …",
          flush=True)
    res.update(first_loads(url))
    return res


def pg_cluster(given: str | None):
    """An admin URL of a PostgreSQL cluster, and how to stop it when started here."""
    if given or os.environ.get("ZONES_TEST_PG"):
        return given or os.environ["ZONES_TEST_PG"], None
    out = subprocess.run([str(ROOT / ".ci" / "pg"), "start"], capture_output=True,
                         text=True, check=True).stdout
    env = dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines()
               if line.startswith("export "))
    env = {k: shlex.split(v)[0] for k, v in env.items()}
    return env["ZONES_TEST_PG"], env["ZONES_TEST_PG_DIR"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", help="admin URL of a PostgreSQL cluster")
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--keep", action="store_true", help="keep both databases")
    args = ap.parse_args(argv)
    admin, started_dir = pg_cluster(args.pg)
    import sqlalchemy as sa

    folder = Path(tempfile.mkdtemp(prefix="bench-stores-"))
    pg_name = f"bench_stores_{os.getpid()}"
    pg_url = admin.rsplit("/", 1)[0] + "/" + pg_name
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {pg_name}")
    results = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
               "rows": args.rows}
    try:
        results["sqlite"] = one_store("sqlite", f"sqlite:///{folder / 'national.db'}",
                                      args.rows, folder)
        results["postgresql"] = one_store("postgresql", pg_url, args.rows, folder)
    finally:
        if not args.keep:
            with engine.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
        if started_dir:
            subprocess.run([str(ROOT / ".ci" / "pg"), "stop", started_dir], check=False)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    keys = [("demo_build_s", "national demo build (s)"),
            ("upload_s", f"{args.rows:,}-row upload + recomputation (s)"),
            ("server_start_s", "app process start (s)"),
            ("fresh_replica_first_tab_s", "map, first tab on a fresh replica (s)"),
            ("second_tab_s", "map, a later tab (s)"), ("features", "features drawn"),
            ("fresh_replica_first_tab_communes_s", "  then every commune, first tab (s)"),
            ("second_tab_communes_s", "  then every commune, later tab (s)"),
            ("commune_features", "commune features drawn")]
    print(f"\n{'':46} {'SQLite':>10} {'PostgreSQL':>12}")
    for key, label in keys:
        print(f"{label:46} {results['sqlite'][key]:>10} {results['postgresql'][key]:>12}")
    print(f"\nsqlite: {results['sqlite']['upload_said']}\n"
          f"postgresql: {results['postgresql']['upload_said']}\nraw: {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
