"""Run every benchmark in bench/ one after the other (``make bench``); each prints its figures.

bench_import.py and bench_wards.py need ../shared/geodata (skipped when absent); bench_map.py needs Debian's
Chromium and builds the national demo database if it is missing (several minutes);
bench_staff.py needs Chromium too and builds the KG demo into /tmp/bench_kg.db if missing.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "geodata" / "vn_wards_2025_web.parquet"


def main() -> int:
    failed = []
    for script in ("bench_rules.py", "bench_rulesets.py", "bench_ingest.py", "bench_import.py",
                   "bench_map.py", "bench_briefing.py", "bench_plans.py", "bench_staff.py",
                   "bench_wards.py", "bench_cli_start.py", "bench_interop.py", "bench_ops.py",
                   "bench_sites.py", "bench_outlook.py", "bench_alerts.py", "bench_sessions.py"):
        if script in ("bench_import.py", "bench_wards.py") and not SHARED.exists():
            print(f"== {script}: skipped ({SHARED} is absent)\n", flush=True)
            continue
        print(f"== {script}", flush=True)
        if subprocess.call([sys.executable, str(HERE / script)], cwd=HERE.parent) != 0:
            failed.append(script)
        print(flush=True)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
