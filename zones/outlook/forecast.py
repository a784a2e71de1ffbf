"""The outlook of one day: draw next week's figures (``model``), push every draw through
the rule engine (``rules.assess_arrays``: the same tiers, bands, raises, holds and
cascades as every level of the product) under the rule set in force on D+7, and count the
levels reached.

Two ways to run the engine on the draws, chosen from the rule set:

- units assessed on their own figures with no neighbour cascade (QĐ 4800 communes and
  hamlets) are independent: each distinct (unit, drawn week) is assessed once and weighted
  by how many draws gave it (a quiet commune's 64 draws are mostly the same week);
- otherwise (a cascade between neighbours, a district summed from its communes or judged
  on their levels) every draw is a whole copy of the units involved, assessed together.

Copies are assessed ``max_columns`` unit columns at a time (memory stays bounded).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import contract
import rules
from rules import NO_DATA
from zones.outlook import model
from zones.outlook.params import Params

LEVEL_STATES = 5  # 0 (not enough data) and the levels 1..4


@dataclass(frozen=True)
class Frames:
    """The figures the outlook reads: units (index code, in this order), their adjacency as
    positions (both directions), wide arrays ``(days, units)`` per metric on ``grid`` (NaN =
    not reported), and the first day of any observation (where the engine's grid starts)."""

    units: pd.DataFrame
    pairs: tuple[np.ndarray, np.ndarray]
    grid: pd.DatetimeIndex
    metrics: dict[str, np.ndarray]
    first_day: pd.Timestamp

    @classmethod
    def build(cls, units: pd.DataFrame, adjacency: pd.DataFrame, observations: pd.DataFrame,
              grid: pd.DatetimeIndex, first_day) -> Frames:
        """Wide arrays of ``observations`` (long rows) over ``grid``."""
        inputs = rules.Inputs(units=units, observations=observations, adjacency=adjacency)
        panel = rules.inputs.Panel(inputs, grid)
        back = np.argsort(panel.input_order)  # panel column order -> units order
        metrics = {m: panel.metric(m)[:, back] for m in observations.columns
                   if m in contract.METRICS}
        a, b = panel.pairs
        pos = panel.input_order
        return cls(units, (pos[a], pos[b]), grid, metrics, pd.Timestamp(first_day))

    def rows_to(self, day: pd.Timestamp, start: pd.Timestamp) -> slice:
        """Rows of ``grid`` from ``start`` to ``day`` (both included)."""
        return slice(int(self.grid.searchsorted(start)), int(self.grid.searchsorted(day,
                                                                                     "right")))


@dataclass(frozen=True)
class DayOutlook:
    """Per unit of the chosen level: the distribution of its level on D+7 (``probs``
    ``(units, 5)``, states 0..4), whether one case changes today's level, and the trends
    drawn (by count metric, over all units)."""

    codes: pd.Index
    positions: np.ndarray
    probs: np.ndarray
    near: np.ndarray
    trends: dict[str, model.Trend]
    ruleset_target: str
    ruleset_today: str


def used_metrics(rs: rules.RuleSet) -> list[str]:
    """Observation metrics the rule set's indicators read."""
    found = {spec.args["metric"] for spec in rs.indicators.values()
             if isinstance(spec.args.get("metric"), str)}
    return sorted(m for m in found if m in contract.METRICS)


def window_days(rs: rules.RuleSet, metric: str) -> int:
    days = [int(spec.args.get("days", 1)) for spec in rs.indicators.values()
            if spec.args.get("metric") == metric]
    return max(days or [1])


def independent(rs: rules.RuleSet, level: str) -> bool:
    """Units of ``level`` are assessed on their own figures, without neighbours."""
    tier = rs.tiers.get(level)
    return tier is not None and tier.figures == "own" and not tier.levels_of \
        and not tier.cascade


def levels_involved(rs: rules.RuleSet, level: str) -> list[str]:
    """``level`` and the unit levels its tier reads (summed figures or levels of)."""
    out, todo = [], [level]
    while todo:
        lv = todo.pop()
        if lv in out:
            continue
        out.append(lv)
        tier = rs.tiers.get(lv)
        if tier is not None:
            todo += [x for x in (tier.source, tier.levels_of) if x]
    return out


def _needs_full_history(rs: rules.RuleSet) -> bool:
    """Indicators or tiers that look back further than their windows and holds: days since
    a case, an age limit on a latest value, hysteresis; or a metric read both by a window
    and as a latest value."""
    windowed, latest = set(), set()
    for spec in rs.indicators.values():
        m = spec.args.get("metric")
        if spec.fn == "days_since" or spec.args.get("max_age_days") is not None:
            return True
        (latest if spec.fn == "latest" else windowed).add(m)
    if windowed & latest:
        return True
    return any(t.min_days_before_downgrade > 1 for t in rs.tiers.values())


def _start(frames: Frames, rs: rules.RuleSet, day: pd.Timestamp, chain: int = 0
           ) -> pd.Timestamp:
    """First day of the engine's grid for an assessment of ``day``: as ``rules.engine``
    (``history_days`` back, not before the first figure), or, with ``chain`` > 0 and when
    the rule set allows it, just enough for its longest window and ``chain`` holds back
    (latest values are carried into the first day: ``history_of``)."""
    full = max(day - pd.Timedelta(days=rs.history_days), min(frames.first_day, day))
    if chain <= 0 or _needs_full_history(rs):
        return full
    window = max([window_days(rs, m) for m in used_metrics(rs)] + [1])
    lag = max([h.lag_days for t in rs.tiers.values() for h in t.holds] + [0])
    return max(full, day - pd.Timedelta(days=window - 1 + chain * lag))


def history_of(frames: Frames, rs: rules.RuleSet, metric: str, start: pd.Timestamp,
               day: pd.Timestamp) -> np.ndarray:
    """``(days start..day, units)`` of ``metric``; a metric the rule set reads only as a
    latest value starts with its last value before ``start`` (the same latest values)."""
    full = frames.metrics.get(metric)
    rows = frames.rows_to(day, start)
    if full is None:
        return np.full((rows.stop - rows.start, len(frames.units)), np.nan)
    out = full[rows].copy()
    windowed = any(spec.args.get("metric") == metric and spec.fn != "latest"
                   for spec in rs.indicators.values())
    if not windowed and rows.start > 0:
        before = full[: rows.start + 1]
        known = ~np.isnan(before)
        last = np.where(known.any(axis=0), known.shape[0] - 1 - np.argmax(known[::-1], axis=0),
                        -1)
        seed = np.where(last >= 0, before[np.maximum(last, 0), np.arange(before.shape[1])],
                        np.nan)
        out[0] = np.where(np.isnan(out[0]), seed, out[0])
    return out


def _run(units: pd.DataFrame, grid: pd.DatetimeIndex, arrays: dict[str, np.ndarray],
         rs: rules.RuleSet, adjacency: pd.DataFrame | None) -> np.ndarray:
    """Levels of ``units`` on the last day of ``grid``."""
    return rules.assess_arrays(units, grid, arrays, rs, adjacency)[-1]


def _copy_units(units: pd.DataFrame, tag: np.ndarray, keep_parents: bool) -> pd.DataFrame:
    """``units`` renamed ``code~tag`` (parents renamed alike when kept, else dropped)."""
    out = units.copy()
    suffix = pd.Index("~" + tag.astype(str))
    out.index = pd.Index(units.index.astype(str) + suffix, name=units.index.name)
    parents = units["parent_code"]
    inside = parents.isin(units.index).to_numpy() if keep_parents else np.zeros(len(units),
                                                                                 bool)
    named = parents.fillna("").astype(str).to_numpy(dtype=object)
    out["parent_code"] = np.where(inside, named + suffix.to_numpy(dtype=object), None)
    return out


def virtual_runs(frames: Frames, cols: np.ndarray, column_arrays,
                  grid: pd.DatetimeIndex, rs: rules.RuleSet, max_columns: int) -> np.ndarray:
    """Levels of virtual columns (unit positions ``cols``) assessed independently,
    ``column_arrays(chunk) -> {metric: (days, len(chunk))}``; returns ``(len(cols),)``."""
    out = np.zeros(len(cols), dtype=np.int8)
    for start in range(0, len(cols), max_columns):
        chunk = np.arange(start, min(start + max_columns, len(cols)))
        units = _copy_units(frames.units.iloc[cols[chunk]], chunk, keep_parents=False)
        out[chunk] = _run(units, grid, column_arrays(chunk), rs, None)
    return out


def _replica_runs(frames: Frames, members: np.ndarray, n_copies: int, copy_arrays,
                  grid: pd.DatetimeIndex, rs: rules.RuleSet, max_columns: int) -> np.ndarray:
    """Levels ``(n_copies, len(members))``: whole copies of the units ``members`` (with
    their parents among them and their adjacency), ``copy_arrays(copies) -> {metric: (days,
    len(copies) * len(members))}``."""
    units = frames.units.iloc[members]
    where = np.full(len(frames.units), -1)
    where[members] = np.arange(len(members))
    a, b = frames.pairs
    ok = (where[a] >= 0) & (where[b] >= 0) & (a < b)
    codes = units.index.astype(str).to_numpy()
    pa, pb = codes[where[a[ok]]], codes[where[b[ok]]]
    per_run = max(1, max_columns // max(len(members), 1))
    out = np.zeros((n_copies, len(members)), dtype=np.int8)
    for first in range(0, n_copies, per_run):
        copies = np.arange(first, min(first + per_run, n_copies))
        tags = np.repeat(copies, len(members))
        frame = _copy_units(pd.concat([units] * len(copies)), tags, keep_parents=True)
        adj = pd.DataFrame({"code_a": np.concatenate([pa + f"~{c}" for c in copies]),
                            "code_b": np.concatenate([pb + f"~{c}" for c in copies])})
        levels = _run(frame, grid, copy_arrays(copies), rs, adj)
        out[copies] = levels.reshape(len(copies), len(members))
    return out


def _futures(frames: Frames, rs: rules.RuleSet, day: pd.Timestamp, start: pd.Timestamp,
             p: Params, rng: np.random.Generator
             ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, model.Trend]]:
    """History ``(days to D, units)`` and future ``(samples, horizon, units)`` of every
    metric the rule set reads, and the trend of each count metric."""
    rows = frames.rows_to(day, start)
    history, future, trends = {}, {}, {}
    n_s, n_h, n = p.int("samples"), p.int("horizon_days"), len(frames.units)
    pop = pd.to_numeric(frames.units.get("population"), errors="coerce").to_numpy(float)
    shared = model.Shared.draw(n, p, rng)
    for m in used_metrics(rs):
        full = frames.metrics.get(m)
        if full is None:
            full = np.full((len(frames.grid), n), np.nan)
        upto = full[: rows.stop]  # every day up to D (never after)
        history[m] = history_of(frames, rs, m, start, day)
        kind = contract.METRICS[m].kind
        if kind == "count":
            future[m], trends[m] = model.draw_counts(upto, pop, frames.pairs, p, rng, shared)
            if week_total_suffices(rs, m, n_h):
                future[m] = on_last_day(future[m])
        elif kind == "cumulative":
            future[m] = np.broadcast_to(model.continue_cumulative(upto, p), (n_s, n_h, n))
        else:
            future[m] = np.full((1, n_h, n), np.nan)
    return history, future, trends


def week_total_suffices(rs: rules.RuleSet, metric: str, horizon: int) -> bool:
    """The level on D+7 depends on the drawn week of ``metric`` only through its total:
    every indicator reading it sums (or averages) a window at least a week long, and no
    tier looks at the days in between (holds look back at least a week, no hysteresis)."""
    for spec in rs.indicators.values():
        if spec.args.get("metric") != metric:
            continue
        if spec.fn not in ("window_sum", "window_mean") or int(spec.args["days"]) < horizon:
            return False
    for tier in rs.tiers.values():
        if tier.min_days_before_downgrade > 1 or any(h.lag_days < horizon
                                                     for h in tier.holds):
            return False
    return True


def on_last_day(week: np.ndarray) -> np.ndarray:
    """``(samples, horizon, units)`` with each drawn week's total on its last day (the
    same level on D+7 when ``week_total_suffices``; equal totals then deduplicate)."""
    out = np.where(np.isnan(week), np.nan, 0.0)
    out[:, -1, :] = np.where(np.isnan(week[:, -1, :]), np.nan, np.nansum(week, axis=1))
    return out


def distinct_weeks(future: dict[str, np.ndarray], sel: np.ndarray, n_s: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct drawn weeks of each unit of ``sel`` (every value of every metric
    compared exactly): (unit index into ``sel``, a sample drawing it, how many samples)."""
    columns = []
    for arr in future.values():
        part = np.broadcast_to(arr[:, :, sel], (n_s, arr.shape[1], len(sel)))
        for h in range(part.shape[1]):
            col = np.nan_to_num(part[:, h, :], nan=-1.0).ravel()  # sample-major
            if col.size and col.min() != col.max():  # a constant column tells nothing
                columns.append(col)
    unit = np.tile(np.arange(len(sel)), n_s)
    sample = np.repeat(np.arange(n_s), len(sel))
    order = np.lexsort((*reversed(columns), unit))  # by unit, then by every value
    changed = unit[order][1:] != unit[order][:-1]
    for col in columns:
        changed |= col[order][1:] != col[order][:-1]
    starts = np.flatnonzero(np.r_[True, changed])
    weights = np.diff(np.r_[starts, len(order)])
    return unit[order][starts], sample[order][starts], weights


def _distribution(frames: Frames, rs: rules.RuleSet, level: str, sel: np.ndarray,
                  history, future, grid: pd.DatetimeIndex, p: Params) -> np.ndarray:
    """``(len(sel), 5)`` probabilities of each level state on the last day of ``grid``."""
    n_s, n_h = p.int("samples"), p.int("horizon_days")
    counts = np.zeros((len(sel), LEVEL_STATES))
    max_cols = p.int("max_columns")
    if independent(rs, level):
        v_unit, v_sample, weights = distinct_weeks(future, sel, n_s)

        def arrays(chunk):
            cols, smp = sel[v_unit[chunk]], v_sample[chunk]
            out = {}
            for m, hist in history.items():
                fut = future[m]
                ahead = fut[np.minimum(smp, len(fut) - 1), :, cols].T  # (horizon, chunk)
                out[m] = np.vstack([hist[:, cols], ahead.reshape(n_h, len(chunk))])
            return out

        levels = virtual_runs(frames, sel[v_unit], arrays, grid, rs, max_cols)
        np.add.at(counts, (v_unit, levels), weights)
    else:
        wanted = set(levels_involved(rs, level))
        members = np.flatnonzero(frames.units["level"].isin(wanted).to_numpy())
        where = np.full(len(frames.units), -1)
        where[members] = np.arange(len(members))

        def arrays(copies):
            out = {}
            for m, hist in history.items():
                fut = future[m]
                blocks = [np.vstack([hist[:, members],
                                     fut[min(c, len(fut) - 1)][:, members]]) for c in copies]
                out[m] = np.hstack(blocks)
            return out

        levels = _replica_runs(frames, members, n_s, arrays, grid, rs, max_cols)
        mine = where[sel]
        for s in range(n_s):
            counts[np.arange(len(sel)), levels[s, mine]] += 1
    return counts / n_s


def near_threshold(frames: Frames, rs: rules.RuleSet, level: str, sel: np.ndarray,
                   day: pd.Timestamp, today: np.ndarray, p: Params) -> np.ndarray:
    """Per unit of ``sel``: one case more on D, or one fewer in the window, of any count
    the rule set reads changes the level computed on D (units with a level only).

    Units assessed on their own figures are perturbed one by one (without their
    neighbours' cascade: a neighbour's level is not the unit's figure); a district or
    province through one of its communes that reported (one case more) or had a case
    (one case fewer) in the window."""
    start = _start(frames, rs, day, p.int("engine_hold_chain"))
    grid = pd.date_range(start, day, freq="D")
    counts = [m for m in used_metrics(rs) if contract.METRICS[m].kind == "count"]
    base = {m: history_of(frames, rs, m, start, day) for m in used_metrics(rs)}
    near = np.zeros(len(sel), dtype=bool)
    if not counts:
        return near
    tier = rs.tiers.get(level)
    if tier is None:
        return near
    if tier.figures == "own" and not tier.levels_of:
        variants = [(None, 0)] + [(m, d) for m in counts for d in (1, -1)]
        cols, which = [], []
        for i, (m, d) in enumerate(variants):
            ok = np.ones(len(sel), bool)
            if m is not None and d < 0:
                window = base[m][-window_days(rs, m):, sel]
                ok = np.nan_to_num(window).sum(axis=0) > 0
            cols.append(np.flatnonzero(ok))
            which += [i] * int(ok.sum())
        v_unit = np.concatenate(cols)
        v_var = np.asarray(which)

        def arrays(chunk):
            out = {}
            for m, arr in base.items():
                block = arr[:, sel[v_unit[chunk]]].copy()
                for i, (vm, d) in enumerate(variants):
                    if vm != m:
                        continue
                    hit = np.flatnonzero(v_var[chunk] == i)
                    if d > 0:
                        block[-1, hit] = np.nan_to_num(block[-1, hit]) + 1
                    else:
                        window = np.nan_to_num(block[-window_days(rs, m):, hit])
                        last = window.shape[0] - 1 - np.argmax(window[::-1] > 0, axis=0)
                        rowsel = block.shape[0] - window.shape[0] + last
                        block[rowsel, hit] -= 1
                out[m] = block
            return out

        levels = virtual_runs(frames, sel[v_unit], arrays, grid, rs,
                               p.int("max_columns"))
        own = np.zeros(len(sel), dtype=np.int8)
        own[v_unit[v_var == 0]] = levels[v_var == 0]
        for i in range(1, len(variants)):
            hit = v_var == i
            moved = levels[hit]
            units_hit = v_unit[hit]
            masked = (today[units_hit] == own[units_hit]) | (moved > today[units_hit])
            near[units_hit] |= (moved != own[units_hit]) & (moved != NO_DATA) & masked
        return near & (today > 0)
    # aggregated tiers: one carrier commune per unit
    wanted = set(levels_involved(rs, level))
    members = np.flatnonzero(frames.units["level"].isin(wanted).to_numpy())
    where = np.full(len(frames.units), -1)
    where[members] = np.arange(len(members))
    carriers = _carriers(frames, sel, base, counts, rs)
    variants = [(None, 0)] + [(m, d) for m in counts for d in (1, -1)]

    def copy_arrays(copies):
        out = {}
        for m, arr in base.items():
            blocks = []
            for c in copies:
                block = arr[:, members].copy()
                vm, d = variants[c]
                if vm == m:
                    carry = carriers[(m, d)]
                    carry = carry[carry >= 0]
                    if d > 0:
                        block[-1, where[carry]] = np.nan_to_num(block[-1, where[carry]]) + 1
                    else:
                        w = window_days(rs, m)
                        window = np.nan_to_num(block[-w:, where[carry]])
                        last = w - 1 - np.argmax(window[::-1] > 0, axis=0)
                        block[block.shape[0] - w + last, where[carry]] -= 1
                blocks.append(block)
            out[m] = np.hstack(blocks)
        return out

    levels = _replica_runs(frames, members, len(variants), copy_arrays, grid, rs,
                           p.int("max_columns"))
    mine = where[sel]
    base_level = levels[0, mine]
    for i in range(1, len(variants)):
        near |= (levels[i, mine] != base_level) & (levels[i, mine] != NO_DATA)
    return near & (today > 0)


def _carriers(frames: Frames, sel: np.ndarray, base: dict[str, np.ndarray],
              counts: list[str], rs: rules.RuleSet) -> dict[tuple[str, int], np.ndarray]:
    """Per (metric, +1/-1): for each unit of ``sel``, one commune below it that reported in
    the window (+1) or had a case in it (-1); -1 when none."""
    units = frames.units
    communes = np.flatnonzero((units["level"] == "commune").to_numpy())
    parent_pos = units.index.get_indexer(units["parent_code"].astype(str))
    out = {}
    for m in counts:
        w = window_days(rs, m)
        window = base[m][-w:]
        reported = (~np.isnan(window)).any(axis=0)
        positive = np.nan_to_num(window).sum(axis=0) > 0
        for d, ok in ((1, reported), (-1, positive)):
            pick = np.full(len(units), -1)
            for c in communes[ok[communes]][::-1]:  # the first commune in order wins
                anc = c
                while anc >= 0:
                    pick[anc] = c
                    anc = parent_pos[anc]
            out[(m, d)] = pick[sel]
    return out


def day_outlook(frames: Frames, registry: rules.RuleSetRegistry, day, level: str,
                today: np.ndarray, p: Params, positions: np.ndarray | None = None
                ) -> DayOutlook:
    """The outlook made on ``day`` for the units of ``level`` (or ``positions``), whose
    computed levels on ``day`` are ``today``: figures dated up to ``day`` only."""
    day = pd.Timestamp(day).normalize()
    target = day + pd.Timedelta(days=p.int("horizon_days"))
    rs_t, rs_d = registry.in_force(target.date()), registry.in_force(day.date())
    sel = positions if positions is not None else np.flatnonzero(
        (frames.units["level"] == level).to_numpy())
    rng = np.random.default_rng([p.int("seed"), day.toordinal()])
    start = _start(frames, rs_t, target, p.int("engine_hold_chain"))
    history, future, trends = _futures(frames, rs_t, day, start, p, rng)
    grid = pd.date_range(start, target, freq="D")
    probs = _distribution(frames, rs_t, level, sel, history, future, grid, p)
    near = near_threshold(frames, rs_d, level, sel, day, today, p)
    return DayOutlook(frames.units.index[sel], sel, probs, near, trends, rs_t.id, rs_d.id)
