"""Benchmark: checking hostile rule-set files (issue 20: 20,000 unknown keys took 100 s).

Each file is a province's copy of QĐ 4800 of about 250 KB (the most ``rulesets add``
accepts) made hostile in one way; the time is ``rules.loader.parse_text`` (strict reading
and every check) until the refusal, the best of ``--runs``. Run:
``python bench/bench_rulesets.py [--runs N]``. Target: each refusal <= 1 s (was 100 s).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rules.errors import RuleSetError
from rules.loader import MAX_BYTES, parse_text
from rules.registry import SHIPPED

TARGET_S = 1.0
N = 20_000


def files() -> dict[str, str]:
    base = (SHIPPED / "qd4800.yaml").read_text(encoding="utf-8").replace(
        "id: qd4800", "id: kg", 1).replace("  vi: Đánh", "  vi: KG Đánh", 1)
    return {
        "20,000 unknown top-level keys": base + "".join(f"x{i}: 0\n" for i in range(N)),
        "20,000 copies of one key": base + "x: 0\n" * N,
        "20,000 unknown level names": base.replace(
            "levels:\n", "levels:\n" + "".join(f"  l{i}: x\n" for i in range(N)), 1),
        "12,000 indicators of no function": base.replace(
            "indicators:\n", "indicators:\n" + "".join(f"  i{i}: {{fn: f}}\n"
                                                       for i in range(12_000)), 1),
        "10,000 parameters with a wrong key": base.replace(
            "parameters:\n", "parameters:\n" + "".join(f"  p{i}: {{valu: 1}}\n"
                                                       for i in range(10_000)), 1),
        "5,000 forty-digit integers": base + "".join(f"y{i}: {'9' * 40}\n"
                                                     for i in range(5_000)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    print(f"{'file':38} {'KB':>5} {'problems':>9} {'best s':>7}  target <= {TARGET_S} s")
    worst = 0.0
    for name, text in files().items():
        size = len(text.encode("utf-8"))
        assert size <= MAX_BYTES, (name, size)
        best, total = float("inf"), 0
        for _ in range(runs):
            start = time.perf_counter()
            try:
                parse_text(text, "bench.yaml")
            except RuleSetError as err:
                total = err.problems.total
            best = min(best, time.perf_counter() - start)
        worst = max(worst, best)
        print(f"{name:38} {size // 1024:5d} {total:9,d} {best:7.3f}")
    print(f"worst {worst:.3f} s: {'OK' if worst <= TARGET_S else 'OVER TARGET'}")
    return 0 if worst <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
