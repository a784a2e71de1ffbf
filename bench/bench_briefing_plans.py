"""Benchmark of the weekly briefing with plans: ``python bench/bench_briefing_plans.py
[--national URL]`` (``bench_briefing.py``: each format in its own process, no plans).

On a copy of the national demo (``make demo-national``: 10,040 communes) every commune,
district and province gets a target (as in ``bench_plans.py``); then it times the briefing
of the largest province for a week inside the plans' period (targets on track, at risk and
missed, protected communes rising): preparing it (levels, moves and reasons, the plans'
progress, breaches and emulation table, the week at a glance), then each format.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_plans import NATIONAL, fill, largest  # noqa: E402

DAY = date(2021, 9, 22)  # inside the targets' period (1/9 – 10/10/2021)


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--national", default=NATIONAL)
    source = Path(parser.parse_args().national.removeprefix("sqlite:///"))
    if not source.exists():
        print(f"{source} is missing: run `make demo-national` first")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "national.db"
        shutil.copy(source, copy)
        url = f"sqlite:///{copy}"
        n = fill(url)
        from zones import api

        ws = api.open_workspace(url)
        units = api.units(ws)
        province = largest(units, "province")
        print(f"{n:,} targets; province {units.at[province, 'name']} ({province}), "
              f"week ending {DAY:%d/%m/%Y}")
        first, prepared = timed(lambda: api.prepare_briefing(ws, DAY, province))
        warm, prepared = timed(lambda: api.prepare_briefing(ws, DAY, province))
        plans = prepared.plans
        print(f"{'what':34} {'first s':>8} {'warm s':>7}")
        print(f"{'prepare (with plans)':34} {first:8.2f} {warm:7.2f}")
        for fmt in ("pptx", "pdf", "png"):
            seconds, data = timed(lambda f=fmt: api.render_briefing(ws, prepared, f))
            print(f"{'render ' + fmt:34} {seconds:8.2f}   ({len(data) / 1024:,.0f} KB)")
        print(f"targets this week {len(plans.progress):,}; protected communes rising "
              f"{len(plans.breaches):,}; emulation rows {len(plans.emulation):,}; moves "
              f"{len(prepared.up) + len(prepared.down):,}")
        print("decisions on the first page:")
        for line in prepared.summary.blocks[1][1]:
            print("  " + line[:110])
        return 0


if __name__ == "__main__":
    sys.exit(main())
