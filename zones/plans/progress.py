"""Progress of plans and the emulation table, computed from the levels in force, never
typed (architecture.md, milestone 3: ``plans progress`` and ``emulation``).

Pure and vectorised: the levels in force are a (dates x units) ``Table``; every plan of
a kind is one row of a matrix of days, and the communes of a *share* or *protect* plan
are (plan, commune) pairs, so a province of the national demo (10,040 communes, each
with a target) is a few array operations (bench/bench_plans.py).

Level 0 (not enough data) is never "at most N" and never green; a day with no level on
either side is never a regression; a protected commune breaks its target on the first day
its level in force is above N.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from zones.levels.tables import Table
from zones.plans.model import config

STATUSES = ("pending", "on_track", "at_risk", "met", "missed")
PROGRESS_COLUMNS = ["plan_id", "unit_code", "unit_name", "kind", "level", "share", "from",
                    "by", "decision", "value", "target", "status", "since"]
EMULATION_COLUMNS = ["rank", "unit_code", "unit_name", "green_days", "green_streak",
                     "level_from", "level_to", "improvement", "regressions",
                     "reporting_rate"]
BREACH_COLUMNS = ["plan_id", "unit_code", "unit_name", "day", "level_before", "level"]


def round3(values) -> np.ndarray:
    """Shares with 3 decimals as a person (or a spreadsheet's ROUND) rounds them: a half
    goes up (5/16 = 0.3125 is 0.313, where Python's and numpy's rounding give 0.312)."""
    return np.floor(np.asarray(values, dtype=float) * 1000 + 0.5) / 1000


def stretch(levels: Table, first, last, codes: pd.Index) -> Table:
    """``levels`` over every day of ``first..last`` and for ``codes`` as well, level 0
    (no level) on the days and units it does not have."""
    dates = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="D")
    every = levels.codes.append(pd.Index(codes).difference(levels.codes))
    grid = np.zeros((len(dates), len(every)), dtype=np.int8)
    rows = dates.get_indexer(levels.dates)
    keep = rows >= 0
    grid[rows[keep], :len(levels.codes)] = levels.values[keep]
    return Table(dates, every, grid)


class Days:
    """The levels in force as a daily grid: day positions, and blocks of rows that read
    level 0 outside the assessed period."""

    def __init__(self, table: Table):
        first = table.dates[0]
        full = pd.date_range(first, table.dates[-1], freq="D")
        values = table.values
        if len(full) != len(table.dates):  # a gap in the period: its days read level 0
            grid = np.zeros((len(full), values.shape[1]), dtype=values.dtype)
            grid[full.get_indexer(table.dates)] = values
            values = grid
        self.first, self.values, self.codes = first, values, table.codes

    def pos(self, days) -> np.ndarray:
        """Day positions (may fall outside the grid) of dates or datetimes."""
        stamps = pd.to_datetime(pd.Series(days)).to_numpy(dtype="datetime64[D]")
        return (stamps - np.datetime64(self.first.date(), "D")).astype(int)

    def block(self, start: int, stop: int, cols: np.ndarray) -> np.ndarray:
        """Levels of rows ``start..stop`` (inclusive) and columns ``cols`` (-1: unknown
        unit), level 0 where the row or the unit is outside the grid."""
        n = self.values.shape[0]
        out = np.zeros((stop - start + 1, len(cols)), dtype=np.int8)
        lo, hi = max(start, 0), min(stop, n - 1)
        if lo <= hi:
            known = cols >= 0
            out[lo - start: hi - start + 1][:, known] = self.values[lo: hi + 1][:, cols[known]]
        return out


def commune_links(units: pd.DataFrame) -> pd.DataFrame:
    """(commune, ancestor) pairs of every commune, itself included (built once per data
    version by the front door)."""
    communes = units.index[units["level"] == "commune"]
    parent = units["parent_code"]
    chain, anc = [], pd.Series(communes, index=communes)
    for _ in range(4):
        chain.append(pd.DataFrame({"commune": anc.index, "anc": anc.to_numpy()}))
        anc = anc.map(parent).dropna()
    return pd.concat(chain, ignore_index=True)


def commune_pairs(units: pd.DataFrame, codes: pd.Series,
                  links: pd.DataFrame | None = None) -> pd.DataFrame:
    """(row, commune) pairs: the communes of the subtree of each unit of ``codes`` (the
    unit itself when it is a commune), ``row`` being the position in ``codes``."""
    links = commune_links(units) if links is None else links
    want = pd.DataFrame({"row": np.arange(len(codes)), "anc": codes.to_numpy()})
    pairs = want.merge(links, on="anc", how="inner", validate="many_to_many")
    return pairs.sort_values(["row", "commune"], ignore_index=True)[["row", "commune"]]


def _run_start(ok: np.ndarray, start: np.ndarray, offset: int) -> np.ndarray:
    """For rows of ``ok`` (plans x days from ``offset``, the last column the day asked
    for), the first day of the current run of equal values, going back to ``start``."""
    k = ok.shape[1]
    days = offset + np.arange(k)
    differs = (ok != ok[:, -1:]) & (days[None, :] >= start[:, None])
    last = np.where(differs, days[None, :], -1).max(axis=1)
    return np.where(last >= 0, last + 1, start)


def _window(d: Days, start: np.ndarray, stop: int, cols: np.ndarray) -> tuple[np.ndarray, int]:
    """Levels (cols x days) from the earliest of ``start`` to ``stop``, and that offset."""
    lo = int(min(start.min(), stop)) if len(start) else stop
    return d.block(lo, stop, cols).T, lo


def _statuses(i: int, i1: np.ndarray, i2: np.ndarray, running_ok: np.ndarray,
              run_since: np.ndarray, judged_ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Status and since (day positions, -1: none) of plans on day ``i``: pending before
    D1, on_track/at_risk until D2 − 1, met/missed judged on D2 from D2 on."""
    status = np.where(i < i1, "pending", np.where(
        i < i2, np.where(running_ok, "on_track", "at_risk"),
        np.where(judged_ok, "met", "missed"))).astype(object)
    since = np.where(i < i1, -1, np.where(i < i2, run_since, i2))
    return status, since


def _reach(d: Days, plans: pd.DataFrame, i: int) -> tuple:
    cols = d.codes.get_indexer(plans["unit_code"])
    n_max = plans["level"].to_numpy()[:, None]
    i1, i2 = d.pos(plans["date_from"]), d.pos(plans["date_by"])
    hold = plans["hold"].fillna(config()["default_hold_days"]).to_numpy(dtype=int)
    lv, lo = _window(d, np.minimum(i1, i2 - hold + 1), i, cols)
    ok = (lv >= 1) & (lv <= n_max)
    value = lv[:, -1].astype(float)
    value[value == 0] = np.nan
    days = lo + np.arange(lv.shape[1])
    in_hold = (days[None, :] > (i2 - hold)[:, None]) & (days[None, :] <= i2[:, None])
    judged = ~(in_hold & ~ok).any(axis=1) & (i2 - hold + 1 >= lo)
    status, since = _statuses(i, i1, i2, ok[:, -1], _run_start(ok, np.maximum(i1, lo), lo),
                              judged)
    return value, plans["level"].astype(float).to_numpy(), status, since


def _share(d: Days, plans: pd.DataFrame, pairs: pd.DataFrame, i: int) -> tuple:
    i1, i2 = d.pos(plans["date_from"]), d.pos(plans["date_by"])
    rows = pairs["row"].to_numpy()
    n_max = plans["level"].to_numpy()[rows][:, None]
    lv, lo = _window(d, np.minimum(i1, i2), i, d.codes.get_indexer(pairs["commune"]))
    good = ((lv >= 1) & (lv <= n_max)).astype(np.int32)
    counts = np.zeros((len(plans), lv.shape[1]), dtype=np.int32)
    np.add.at(counts, rows, good)
    total = np.maximum(np.bincount(rows, minlength=len(plans)), 1)[:, None]
    share = counts / total
    target = plans["share"].to_numpy(dtype=float)
    ok = share + 1e-9 >= target[:, None]
    j2 = np.clip(i2 - lo, 0, lv.shape[1] - 1)
    judged = ok[np.arange(len(plans)), j2]
    status, since = _statuses(i, i1, i2, ok[:, -1], _run_start(ok, np.maximum(i1, lo), lo),
                              judged)
    return round3(share[:, -1]), target, status, since


def _protect(d: Days, plans: pd.DataFrame, pairs: pd.DataFrame, i: int) -> tuple:
    first, _ = first_breaches(d, plans, pairs, i)
    i1, i2 = d.pos(plans["date_from"]), d.pos(plans["date_by"])
    rows = pairs["row"].to_numpy()
    broke = first >= 0
    value = np.bincount(rows[broke], minlength=len(plans)).astype(float)
    earliest = np.full(len(plans), np.iinfo(np.int64).max)
    np.minimum.at(earliest, rows[broke], first[broke])
    any_breach = earliest != np.iinfo(np.int64).max
    status, since = _statuses(i, i1, i2, ~any_breach, i1, ~any_breach)
    missed = any_breach & (i >= i1)
    status[missed] = "missed"
    since = np.where(missed, earliest, since)
    value[i < i1] = 0
    return value, np.zeros(len(plans)), status, since


def first_breaches(d: Days, plans: pd.DataFrame, pairs: pd.DataFrame, i: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Per (plan, commune) pair of *protect* plans, the first day (position; -1: none)
    from D1 up to the earlier of ``i`` and D2 on which a commune at most N on D1 was
    above N, and the level of that day."""
    rows = pairs["row"].to_numpy()
    i1 = d.pos(plans["date_from"])[rows]
    end = np.minimum(d.pos(plans["date_by"])[rows], i)
    n_max = plans["level"].to_numpy()[rows]
    cols = d.codes.get_indexer(pairs["commune"])
    if len(rows) == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=np.int8)
    lv, lo = _window(d, i1, max(int(end.max()), int(i1.min())), cols)
    days = lo + np.arange(lv.shape[1])
    at_start = lv[np.arange(len(rows)), np.clip(i1 - lo, 0, lv.shape[1] - 1)]
    kept = (at_start >= 1) & (at_start <= n_max) & (i1 >= lo)
    above = (lv > n_max[:, None]) & (days[None, :] >= i1[:, None]) & \
        (days[None, :] <= end[:, None]) & kept[:, None]
    hit = above.any(axis=1)
    first = np.where(hit, lo + above.argmax(axis=1), -1)
    level = np.where(hit, lv[np.arange(len(rows)), np.clip(first - lo, 0, None)], 0)
    return first, level.astype(np.int8)


def progress(table: Table, units: pd.DataFrame, plans: pd.DataFrame, day,
             links: pd.DataFrame | None = None) -> pd.DataFrame:
    """The contract's progress table of ``plans`` (not revoked) on ``day``: one row per
    plan, by id; ``since`` a date (None for pending)."""
    d = Days(table)
    i = int(d.pos([day])[0])
    parts = []
    for kind, fn in (("reach", _reach), ("share", _share), ("protect", _protect)):
        some = plans[plans["kind"] == kind].reset_index(drop=True)
        if some.empty:
            continue
        args = (d, some) if kind == "reach" else (
            d, some, commune_pairs(units, some["unit_code"], links))
        value, target, status, since = fn(*args, i)
        parts.append(_rows(d, some, units, value, target, status, since))
    if not parts:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    return pd.concat(parts, ignore_index=True).sort_values("plan_id", ignore_index=True)


def _rows(d: Days, plans: pd.DataFrame, units: pd.DataFrame, value, target, status,
          since) -> pd.DataFrame:
    stamps = (np.datetime64(d.first.date(), "D") + np.asarray(since, dtype=int)).astype(object)
    since_days = np.where(np.asarray(since) < 0, None, stamps)
    return pd.DataFrame({
        "plan_id": plans["id"].astype(int).to_numpy(),
        "unit_code": plans["unit_code"].to_numpy(dtype=object),
        "unit_name": plans["unit_code"].map(units["name"]).fillna("").to_numpy(dtype=object),
        "kind": plans["kind"].to_numpy(dtype=object),
        "level": plans["level"].astype(int).to_numpy(),
        "share": plans["share"].to_numpy(dtype=float),
        "from": plans["date_from"].dt.date.to_numpy(dtype=object),
        "by": plans["date_by"].dt.date.to_numpy(dtype=object),
        "decision": plans["decision"].to_numpy(dtype=object),
        "value": np.asarray(value, dtype=float), "target": np.asarray(target, dtype=float),
        "status": status, "since": since_days})


def breaches(table: Table, units: pd.DataFrame, plans: pd.DataFrame, day,
             links: pd.DataFrame | None = None) -> pd.DataFrame:
    """The communes that broke a *protect* target from its D1 up to ``day`` (at the
    latest its D2): plan, commune, the day, the level the day before and that day."""
    some = plans[plans["kind"] == "protect"].reset_index(drop=True)
    if some.empty:
        return pd.DataFrame(columns=BREACH_COLUMNS)
    d = Days(table)
    pairs = commune_pairs(units, some["unit_code"], links)
    first, level = first_breaches(d, some, pairs, int(d.pos([day])[0]))
    hit = first >= 0
    cols = d.codes.get_indexer(pairs["commune"][hit])
    before = np.array([d.block(int(f) - 1, int(f) - 1, np.array([c]))[0, 0]
                       for f, c in zip(first[hit], cols, strict=True)], dtype=int)
    codes = pairs["commune"][hit].to_numpy(dtype=object)
    return pd.DataFrame({
        "plan_id": some["id"].to_numpy()[pairs["row"].to_numpy()[hit]].astype(int),
        "unit_code": codes, "unit_name": pd.Index(codes).map(units["name"]).to_numpy(),
        "day": [(d.first + pd.Timedelta(days=int(f))).date() for f in first[hit]],
        "level_before": before, "level": level[hit].astype(int)},
        columns=BREACH_COLUMNS).sort_values(["day", "unit_code"], ignore_index=True)


def green_streaks(table: Table, codes, day) -> np.ndarray:
    """Consecutive days at the green level in force ending on ``day``, per unit."""
    d = Days(table)
    i = int(d.pos([day])[0])
    cols = d.codes.get_indexer(pd.Index(codes))
    green = d.block(0, i, cols) == config()["green_level"]
    last_not = np.where(~green, np.arange(i + 1)[:, None], -1).max(axis=0)
    return i - last_not


def reported(reports: Table, units: pd.DataFrame, communes: pd.Index, start: date,
             end: date) -> np.ndarray:
    """(days x communes) True where the commune or one of its hamlets sent a report."""
    days = pd.date_range(start, end, freq="D")
    out = np.zeros((len(days), len(communes)), dtype=bool)
    if len(reports.dates) == 0 or len(communes) == 0:
        return out
    codes = pd.Index(reports.codes)
    parent = units["parent_code"].reindex(codes).to_numpy(dtype=object)
    owner = np.where(codes.isin(communes), codes.to_numpy(dtype=object), parent)
    target = communes.get_indexer(pd.Index(owner))
    cols = np.flatnonzero(target >= 0)
    rows = reports.dates.get_indexer(days)
    have = np.flatnonzero(rows >= 0)
    seen = reports.values[rows[have]][:, cols] == rows[have][:, None]
    hits = np.zeros((len(have), len(communes)), dtype=np.int32)
    np.add.at(hits.T, target[cols], seen.T.astype(np.int32))
    out[have] = hits > 0
    return out
