"""Benchmark: QĐ 4800 on synthetic 10,000 communes x 365 days via ``rules.assess``.

Times ``rules.assess`` end to end from the long observation frame (string unit codes, so
the code lookup is included). Compares with a plain per-row Python loop (the obvious non-vectorised implementation) over
the same long-format rows; the loop is timed on a subset of communes and extrapolated
linearly (it is O(rows)). Run: ``python bench/bench_rules.py [--communes N] [--days N]``.
Targets: assess <= 1 s and >= 50x faster than the loop.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections import deque
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import rules


def synthetic(n_communes: int, n_days: int, seed: int = 7) -> rules.Inputs:
    """Communes in districts (~15 each) in provinces (~11 districts each), daily rows."""
    rng = np.random.default_rng(seed)
    n_dist, n_prov = max(1, n_communes // 15), max(1, n_communes // 160)
    codes = np.array([f"{i:05d}" for i in range(n_communes)])
    dist = np.array([f"D{i:03d}" for i in range(n_dist)])
    prov = np.array([f"P{i:02d}" for i in range(n_prov)])
    pop = rng.integers(2_000, 30_000, n_communes).astype(float)
    units = pd.DataFrame({
        "name": np.r_[codes, dist, prov],
        "level": ["commune"] * n_communes + ["district"] * n_dist + ["province"] * n_prov,
        "parent_code": np.r_[dist[np.arange(n_communes) % n_dist], prov[np.arange(n_dist) % n_prov],
                             [""] * n_prov],
        "population": np.r_[pop, np.full(n_dist + n_prov, np.nan)],
        "pop_18plus": np.r_[pop * 0.7, np.full(n_dist + n_prov, np.nan)],
        "pop_50plus": np.r_[pop * 0.25, np.full(n_dist + n_prov, np.nan)],
        "pop_65plus": np.r_[pop * 0.08, np.full(n_dist + n_prov, np.nan)],
    }, index=pd.Index(np.r_[codes, dist, prov], name="code"))
    dates = pd.date_range("2021-10-12", periods=n_days, freq="D")
    shape = (n_days, n_communes)
    intensity = rng.gamma(0.6, 1.0, n_communes) * pop / 20_000
    cases = rng.poisson(np.outer(np.abs(np.sin(np.arange(n_days) / 40)) + 0.05, intensity))
    cases = cases.astype(float)
    cases[rng.random(shape) < 0.03] = np.nan                      # some days not reported
    adult = np.minimum(np.linspace(0.4, 0.95, n_days)[:, None] * rng.uniform(0.8, 1.1, n_communes), 1)
    obs = pd.DataFrame({
        "unit_code": np.tile(codes, n_days),
        "date": np.repeat(dates.values, n_communes),
        "new_cases_community": cases.ravel(),
        "vaccinated_1dose_18plus": np.round(adult * pop * 0.7).ravel(),
        "vaccinated_full_65plus": np.round(adult * 0.95 * pop * 0.08).ravel(),
        "vaccinated_full_50plus": np.round(adult * 0.9 * pop * 0.25).ravel(),
        "treatment_capacity_ok": (rng.random(shape) > 0.05).astype(float).ravel(),
    })
    return rules.Inputs(units, obs, pd.DataFrame({"code_a": [], "code_b": []}, dtype=str))


def loop_4800(inputs: rules.Inputs, communes: set[str], p: dict) -> dict[tuple[str, object], int]:
    """The plain way: rows in (unit, date) order, a 7-day deque per unit, if/elif bands.

    Kept fair: unit attributes in a dict, dates as ``datetime.date``, no pandas per row.
    """
    units = inputs.units.loc[sorted(communes)]  # (preparation, not timed: see ``main``)
    attrs = {c: (r.population, r.pop_18plus, r.pop_50plus, r.pop_65plus)
             for c, r in zip(units.index, units.itertuples(index=False), strict=True)}
    sub = inputs.observations
    out, state = {}, {}
    switch = pd.Timestamp(p["elderly_age_switch"]).date()
    week = dt.timedelta(days=p["treatment_hold_lag_days"])
    cuts, adult_t, eld_t = p["band_starts_per_100k"], p["adult_cover_target"], p["elderly_target"]
    for row in sub.itertuples(index=False):
        st = state.get(row.unit_code)
        if st is None:
            st = state[row.unit_code] = {"win": deque(maxlen=p["window_days"]), "hist": {},
                                         "v1": np.nan, "v65": np.nan, "v50": np.nan, "ok": np.nan}
        st["win"].append(row.new_cases_community)
        for key, value in (("v1", row.vaccinated_1dose_18plus), ("v65", row.vaccinated_full_65plus),
                           ("v50", row.vaccinated_full_50plus), ("ok", row.treatment_capacity_ok)):
            if value == value:
                st[key] = value
        pop, p18, p50, p65 = attrs[row.unit_code]
        reported = [c for c in st["win"] if c == c]
        if not reported or not pop > 0:
            level = 0
        else:
            rate = sum(reported) / pop * 1e5
            band = 1
            for cut in cuts:
                if rate >= cut:
                    band += 1
            elderly = st["v65"] / p65 if row.date < switch else st["v50"] / p50
            missed = st["v1"] / p18 < adult_t or elderly < eld_t
            level = min(band + 1, 4) if missed else band
            if st["ok"] == 0:
                level = max(level, st["hist"].get(row.date - week, 0))
        st["hist"][row.date] = level
        out[(row.unit_code, pd.Timestamp(row.date))] = level
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--communes", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--loop-communes", type=int, default=200)
    args = ap.parse_args()

    t0 = time.perf_counter()
    inputs = synthetic(args.communes, args.days)
    print(f"synthetic data: {args.communes:,} communes x {args.days} days = "
          f"{len(inputs.observations):,} rows, {len(inputs.units):,} units "
          f"(+districts, provinces) built in {time.perf_counter() - t0:.2f} s")
    rs = rules.load_rulesets().get("qd4800")
    dates = pd.date_range("2021-10-12", periods=args.days, freq="D")

    times, cpu = [], []
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = rules.assess(inputs, rs, dates)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    med = statistics.median(times)
    print(f"rules.assess (qd4800, all units incl. districts/provinces): median {med:.3f} s "
          f"wall over {args.runs} runs [min {min(times):.3f}, max {max(times):.3f}]; "
          f"median CPU time {statistics.median(cpu):.3f} s")

    subset = sorted(inputs.units.index[inputs.units["level"] == "commune"])[: args.loop_communes]
    obs = inputs.observations
    sub = obs[obs["unit_code"].isin(subset)].sort_values(["unit_code", "date"])
    sub_inputs = rules.Inputs(inputs.units, sub.assign(date=sub["date"].dt.date), inputs.adjacency)
    t0 = time.perf_counter()
    looped = loop_4800(sub_inputs, set(subset), rs.parameters)
    loop_t = time.perf_counter() - t0
    scale = args.communes / len(subset)
    est = loop_t * scale
    print(f"per-row Python loop: {loop_t:.2f} s for {len(subset)} communes "
          f"({len(looped):,} rows); extrapolated x{scale:.0f} to {args.communes:,} communes: "
          f"{est:.1f} s (communes only, no districts/provinces)")
    frame = result.frame()
    agree = sum(int(frame.at[d, c]) == lv for (c, d), lv in looped.items())
    print(f"agreement loop vs engine on the subset: {agree:,}/{len(looped):,} cells")
    speedup = est / med
    ok = med <= 1.0 and speedup >= 50
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average (1 min) {load:.2f} at the end "
          "(other processes share the CPUs; figures are wall-clock)")
    print(f"speed-up: {speedup:.0f}x  | targets: <= 1 s and >= 50x -> {'MET' if ok else 'NOT MET'}")


if __name__ == "__main__":
    main()
