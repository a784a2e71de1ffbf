"""The outlook's backtest on a real-shaped series (issue 23): the Kiên Giang demo built
with ``demo --curve real-shaped`` (the province's cases follow the shape of Vietnam's
published daily curve of 01/06–21/11/2021, scaled to the province and split over its
communes by population with spatial clustering: ``zones/demo/realshape.py``), then
``outlook backtest`` over its phases: calm (June), growth (July), the peak (August to
mid-September), the fall with the change of rule set on 12/10, the second rise under
QĐ 4800, and all of them pooled (with its calibration table).

    .venv/bin/python bench/bench_outlook_real.py [--db URL] [--rough]

``--db``: a database already built with ``demo --curve real-shaped`` (else a fresh one in
a temporary folder). ``--rough``: a check of how much the figures owe to a smooth split —
the communes' day-to-day noise three times as over-dispersed (gamma shape 0.5) and hot
spots that last about two weeks instead of six (weekly persistence 0.5). Prints Markdown tables: per phase the Brier scores of P(up) and
P(down) of the model and of persistence ("same level next week"), the changes, the recall
and precision of changes at p >= 0.5, the CPU and wall time of each backtest.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zones import api  # noqa: E402
from zones.demo import realshape  # noqa: E402

#: (name, first forecast day, last forecast day): outcomes are 7 days later
PHASES = (
    ("calm: flat national curve (QĐ 2686)", date(2021, 6, 8), date(2021, 7, 4)),
    ("growth: ×10 in a month (QĐ 2686)", date(2021, 7, 5), date(2021, 8, 4)),
    ("peak and plateau (QĐ 2686)", date(2021, 8, 5), date(2021, 9, 15)),
    ("fall, rule change 12/10 (QĐ 2686 → 4800)", date(2021, 9, 16), date(2021, 10, 20)),
    ("second rise (QĐ 4800)", date(2021, 10, 21), date(2021, 11, 14)),
)


def fmt(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", default=None)
    ap.add_argument("--rough", action="store_true")
    a = ap.parse_args()
    if a.rough:
        realshape.DAILY_SHAPE, realshape.WEEKLY_PERSISTENCE = 0.5, 0.5
    print(f"split: gamma shape {realshape.DAILY_SHAPE}, weekly persistence "
          f"{realshape.WEEKLY_PERSISTENCE}, log-risk sd {realshape.LOG_RISK_SD}")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        url = a.db or f"sqlite:///{Path(tmp) / 'kg-real.db'}"
        ws = api.open_workspace(url)
        if a.db is None:
            started = time.perf_counter()
            api.demo(ws, api.LOCAL_ADMIN, curve="real-shaped")
            print(f"demo --curve real-shaped: {time.perf_counter() - started:.1f} s")
        print("\n| phase (Kiên Giang communes) | days | forecasts | Brier P(up) model / "
              "persistence | Brier P(down) model / persistence | changes (up, down) | "
              "recall, precision at p >= 0.5 | CPU / wall |")
        print("|---|---|---|---|---|---|---|---|")
        for name, start, end in (*PHASES, ("all pooled", PHASES[0][1], PHASES[-1][2])):
            cpu0, wall0 = time.process_time(), time.perf_counter()
            bt = api.outlook_backtest(ws, start, end, "commune", None, lang="en")
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            up_win = "**" if bt.brier_up < bt.brier_up_persistence else ""
            down_win = "**" if bt.brier_down < bt.brier_down_persistence else ""
            print(f"| {name}, {start:%d/%m}–{end:%d/%m} | {bt.days} | {bt.forecasts:,} | "
                  f"{up_win}{fmt(bt.brier_up)}{up_win} / {fmt(bt.brier_up_persistence)} | "
                  f"{down_win}{fmt(bt.brier_down)}{down_win} / "
                  f"{fmt(bt.brier_down_persistence)} | {bt.changes:,} ({bt.ups:,}, "
                  f"{bt.downs:,}) | {fmt(bt.recall)}, {fmt(bt.precision)} | "
                  f"{cpu:.1f} / {wall:.1f} s |")
        print("\n(bold: the model's Brier score is lower than persistence's)\n")
        print("Calibration, all phases pooled (P(up) and P(down) forecasts together):\n")
        print("| bin | forecasts | mean p | observed |\n|---|---|---|---|")
        for r in bt.bins.itertuples(index=False):
            print(f"| {r.bin} | {r.forecasts:,} | {fmt(r.mean_p)} | {fmt(r.observed)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
