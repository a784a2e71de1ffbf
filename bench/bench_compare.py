"""Benchmark of the what-if side by side: ``python bench/bench_compare.py [--db URL]``.

``api.compare_levels`` for QĐ 2686 against QĐ 4800 on 11/10/2021 (the last day of QĐ
2686), in one fresh process per database: the largest province's communes cold (each side
assessed on its day, on the province's neighbourhood), the same warm (kept per data
version), every commune of the country (national only: every input loaded, thousands of
units explained), and a draft rule set (a copy of QĐ 4800 with another elderly target)
against QĐ 4800 on 20/10/2021. Prints wall time, units and units that differ. The demo
province is built when no database is given; the national demo (``make demo-national``)
is read when given. Target: a province <= 10 s cold and <= 0.5 s warm.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zones import api  # noqa: E402

DAY, AFTER = date(2021, 10, 11), date(2021, 10, 20)


def draft_bytes() -> bytes:
    text = (ROOT / "rules" / "rulesets" / "qd4800.yaml").read_text(encoding="utf-8")
    text = text.replace("id: qd4800", "id: bench-draft", 1).replace(
        "theo QĐ 4800/QĐ-BYT (NQ 128/NQ-CP)", "— dự thảo", 1).replace(
        "under Decision 4800/QD-BYT (Resolution 128/NQ-CP)", "— draft", 1)
    return text.replace("value: 0.80", "value: 0.40", 1).encode("utf-8")


def timed(label: str, fn) -> None:
    started = time.perf_counter()
    cmp = fn()
    took = time.perf_counter() - started
    print(f"| {label} | {len(cmp.codes):,} | {int(cmp.differ.sum()):,} | {took:.2f} s |",
          flush=True)


def largest_province(ws) -> str:
    units = api.units(ws)
    communes = units[units["level"] == "commune"]
    districts = units.loc[communes["parent_code"], "parent_code"]
    return str(districts.value_counts().index[0])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", help="a database URL (default: a fresh Kiên Giang demo)")
    args = p.parse_args()
    url = args.db
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench_compare.db"
        api.demo(api.open_workspace(url), api.LOCAL_ADMIN)
    ws = api.open_workspace(url)
    province = largest_province(ws)
    national = (api.units(ws)["level"] == "province").sum() > 1
    a, b = api.Side(DAY, "qd2686"), api.Side(DAY, "qd4800")
    print(f"database: {url}; province {province}\n")
    print("| comparison | units | differ | wall |\n|---|---|---|---|")
    timed(f"communes of {province}, cold", lambda: api.compare_levels(ws, a, b, "commune", province))
    timed(f"communes of {province}, warm", lambda: api.compare_levels(ws, a, b, "commune", province))
    if national:
        timed("every commune of the country, cold", lambda: api.compare_levels(
            ws, a, b, "commune", None))
    draft = api.open_draft(ws, api.LOCAL_ADMIN, draft_bytes(), "du-thao.yaml")
    timed(f"draft vs QĐ 4800, communes of {province}", lambda: api.compare_levels(
        ws, api.Side(AFTER, "qd4800"), api.Side(AFTER, None, draft), "commune", province))


if __name__ == "__main__":
    main()
