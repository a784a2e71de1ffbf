"""Benchmark: import the national 2025 ward map into a temporary SQLite database.

    .venv/bin/python bench/bench_import.py [FILE] [--no-payload]

FILE defaults to ../shared/geodata/vn_wards_2025_web.parquet (3,321 wards, 2025 structure;
never copied into the project). Prints the time of each stage and the counts; the target
is under 30 s for the whole import.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT = ROOT.parent / "shared" / "geodata" / "vn_wards_2025_web.parquet"
TARGET_S = 30.0


def timed(label: str, fn, *args, **kwargs):
    """Run ``fn`` and print how long it took."""
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    print(f"{label:<34} {time.perf_counter() - start:7.2f} s", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file", nargs="?", default=str(DEFAULT))
    p.add_argument("--no-payload", action="store_true", help="skip display-layer sizes")
    args = p.parse_args(argv)
    path = Path(args.file)
    if not path.is_file():
        print(f"missing {path}: nothing to benchmark", file=sys.stderr)
        return 2

    from geodata import readers
    from zones.boundaries import imports as boundaries
    from zones.storage import store
    from zones.storage.db import open_db

    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        db = Path(tmp) / "bench.db"
        engine = timed("open + migrate database", open_db, f"sqlite:///{db}")
        total = time.perf_counter()
        timed("read file (alone, for reference)", readers.read_boundaries, path)
        opts = boundaries.ImportOptions(display_payload=not args.no_payload)
        plan = timed("plan (read, map, repair, check)", boundaries.plan_import, engine, path,
                     opts)
        set_id = timed("commit (one transaction)", boundaries.commit_import, engine, plan,
                       lang="en")
        elapsed = time.perf_counter() - total
        units = timed("load units back (with geometry)", store.load_units, engine,
                      geometry=True)
        timed("export CSV frame", boundaries.export_frame, engine)
        print("-" * 46)
        for line in boundaries.report_lines(plan.report, "en", max_items=5):
            print(line)
        print("-" * 46)
        counts = units["level"].value_counts().to_dict()
        print(f"boundary set {set_id}: {counts}, adjacency pairs {plan.report.adjacency}")
        print(f"database size {db.stat().st_size / 2**20:.1f} MB")
        verdict = "OK" if elapsed < TARGET_S else "SLOW"
        print(f"import total (plan + commit)       {elapsed:7.2f} s  target < {TARGET_S:.0f} s: "
              f"{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
