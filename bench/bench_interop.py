"""What the interop answers cost on the Kiên Giang demo (or ``--db URL``): the HTTP API's
answers through the front door (token check and count included, no network), a burst of
concurrent requests of one token against its rate limit, and a DHIS2 export of four
weeks for the province. Process CPU time beside wall time (a shared machine's load shows
in the wall time only).

    .venv/bin/python bench/bench_interop.py [--db URL] [--runs N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zones import api  # noqa: E402

MAPPING = """dhis2_mapping: 1
org_units: {ORG}
data_elements:
  new_cases_community: fbfJHSPpUQD
  tests_pcr: cYeuwXTCPkU
  vaccinated_1dose_18plus: Jtf34kNZhzP
  level: ImspTQPwCqd
"""


def timed(label: str, fn, runs: int) -> None:
    fn()  # the first answer builds the day's caches: reported apart
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(runs):
        done = fn()
    wall, cpu = (time.perf_counter() - wall) / runs, (time.process_time() - cpu) / runs
    size = len(done.body) if hasattr(done, "body") else len(done.values)
    print(f"{label:<44} {wall * 1000:8.1f} ms wall {cpu * 1000:8.1f} ms CPU  {size:>9,}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    url = args.db
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        api.demo(api.open_workspace(url), api.LOCAL_ADMIN)
    ws = api.open_workspace(url)
    ws = api.Workspace.at(url, replace(ws.settings, api_rate_per_minute=10**6))
    token = api.add_token(ws, api.LOCAL_ADMIN, "bench", None)[1]
    auth = f"Bearer {token}"
    day = api.default_day(ws).isoformat()
    print(f"{'answer (' + url.split('://')[0] + ')':<44} {'per request':>17} {'':>16} {'bytes':>9}")
    for label, path, params in [
            ("levels, communes, CSV", "levels", {"date": day}),
            ("levels, communes, GeoJSON", "levels", {"date": day, "format": "geojson"}),
            ("units, every level, CSV", "units", {}),
            ("transitions, 14 days, CSV", "transitions",
             {"from": "2021-08-18", "to": day})]:
        timed(label, lambda p=path, q=params: api.api_answer(ws, p, q, auth), args.runs)
    limited = api.Workspace.at(url, replace(ws.settings, api_rate_per_minute=50))
    burst = api.add_token(limited, api.LOCAL_ADMIN, "burst", None)[1]
    statuses: list[int] = []
    lock = threading.Lock()

    def one():
        got = api.api_answer(limited, "units", {"level": "province"}, f"Bearer {burst}")
        with lock:
            statuses.append(got.status)

    threads = [threading.Thread(target=one) for _ in range(200)]
    started = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    print(f"200 concurrent requests, limit 50/min: {statuses.count(200)} answered, "
          f"{statuses.count(429)} refused 429, {time.perf_counter() - started:.2f} s wall")
    communes = api.units(ws)
    codes = communes.index[communes["level"].isin(["commune", "district"])]
    org = "{" + ", ".join(f'"{c}": A{i:010d}' for i, c in enumerate(codes)) + "}"
    text = MAPPING.replace("{ORG}", org).encode()
    timed(f"DHIS2 export, {len(codes)} units, 4 weeks", lambda: api.dhis2_export(
        ws, api.LOCAL_ADMIN, date(2021, 8, 16), date(2021, 9, 12), text, "map.yaml"),
        max(1, args.runs // 4))


if __name__ == "__main__":
    main()
