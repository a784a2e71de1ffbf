"""The outlook of a workspace: its figures read once per period, the table of a day (cached
by data version, so the map, the panel, the briefing and the CLI share one run), and the
backtest of a period."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

import contract
from rules.vocab import UNIT_LEVEL_NAMES
from zones.errors import NoDataError, ZonesError
from zones.i18n import fmt_date, fmt_int, msg, t
from zones.levels import dayview
from zones.levels.memo import cached
from zones.outlook import forecast, params
from zones.outlook.forecast import Frames
from zones.storage import store
from zones.workspace import Workspace

COLUMNS = ["unit_code", "unit_name", "level", "p_up", "p_down", "p_same", "expected_level",
           "near_threshold", "reason"]
BIN_COLUMNS = ["bin", "forecasts", "mean_p", "observed"]
#: weeks of figures before D the model reads (its trend and its spread: three weeks)
MODEL_WEEKS = 3


def _in_force(ws: Workspace, first: date, last: date) -> list:
    """The rule sets in force on some day of ``first`` .. ``last`` + the horizon."""
    reg = dayview.ruleset_registry(ws)
    horizon = params.load().int("horizon_days")
    days = pd.date_range(first, pd.Timestamp(last) + pd.Timedelta(days=horizon), freq="D")
    found = {}
    for d in days:
        try:
            rs = reg.in_force(d.date())
        except LookupError:
            continue
        found[rs.id] = rs
    return list(found.values()) or list(reg.rulesets.values())


def load_frames(ws: Workspace, first: date, last: date) -> Frames:
    """The figures for outlooks made on ``first`` .. ``last``: the metrics of the rule sets
    in force, from as far back as the engine looks (the model's three weeks are within
    it), up to ``last`` (the outlook of a day reads only its past)."""
    span = store.observation_range(ws.engine)
    if span is None:
        raise NoDataError(msg("db.empty"))
    chosen = _in_force(ws, first, last)
    back = max([rs.history_days for rs in chosen] + [7 * MODEL_WEEKS])
    start = max(pd.Timestamp(span[0]), pd.Timestamp(first) - pd.Timedelta(days=back))
    end = pd.Timestamp(last)
    metrics = sorted({m for rs in chosen for m in forecast.used_metrics(rs)})
    obs = store.current_observations(ws.engine, start.date(), end.date(), metrics=metrics)
    units = store.load_units(ws.engine)
    grid = pd.date_range(start, end, freq="D")
    return Frames.build(units, dayview.adjacency(ws), obs, grid, span[0])


def _thousandths(up: np.ndarray, down: np.ndarray) -> tuple[np.ndarray, ...]:
    """Probabilities in thousandths that sum to exactly 1,000."""
    u = np.floor(up * 1000 + 0.5).astype(int)
    d = np.floor(down * 1000 + 0.5).astype(int)
    over = np.maximum(u + d - 1000, 0)
    d = d - np.minimum(over, d)
    return u, d, 1000 - u - d


def scores(out: forecast.DayOutlook, today: np.ndarray) -> tuple[np.ndarray, ...]:
    """(p_up, p_down, p_same) in thousandths and the most likely level (0: none)."""
    states = np.arange(forecast.LEVEL_STATES)[None, :]
    known = (today > 0)[:, None]
    up = np.where(known & (states > today[:, None]), out.probs, 0.0).sum(axis=1)
    down = np.where(known & (states > 0) & (states < today[:, None]), out.probs, 0.0).sum(1)
    u, d, s = _thousandths(up, down)
    graded = out.probs[:, 1:].copy()
    rows = np.flatnonzero(today > 0)
    graded[rows, today[rows] - 1] += 1e-9  # a tie keeps today's level
    expected = np.where(graded.sum(axis=1) > 0, graded.argmax(axis=1) + 1, 0)
    return u, d, s, expected


@dataclass(frozen=True)
class Outlook:
    """The outlook table of a day at one level (every unit of that level)."""

    day: date
    level: str
    frame: pd.DataFrame   # COLUMNS, p_* as floats with 3 decimals
    ruleset_target: str


def _summed(frames: Frames, trend, positions: np.ndarray):
    """The trend of units that report no counts of their own (districts, provinces): the
    sums over the communes below them."""
    units = frames.units
    parent = units.index.get_indexer(units["parent_code"].astype(str))
    communes = np.flatnonzero((units["level"] == "commune").to_numpy())
    fields = ("last_week", "week_before", "neighbours_last", "neighbours_before")
    values = {f: getattr(trend, f) for f in fields} | {
        "reporting": trend.reporting.astype(float)}
    totals = {f: np.zeros(len(units)) for f in values}
    anc = communes.copy()
    while (anc >= 0).any():  # each commune adds to every ancestor
        anc = np.where(anc >= 0, parent[np.maximum(anc, 0)], -1)
        ok = anc >= 0
        for f, v in values.items():
            np.add.at(totals[f], anc[ok], v[communes[ok]])
    own = ~trend.reporting
    return forecast.model.Trend(
        *(np.where(own, totals[f], values[f]) for f in fields), trend.growth,
        trend.reporting | (totals["reporting"] > 0))


def _reasons(out: forecast.DayOutlook, today: np.ndarray, day: pd.Timestamp,
             lang: str, frames: Frames, level: str) -> list[str]:
    counts = list(out.trends)
    main = max(counts, key=lambda m: float(out.trends[m].last_week[out.positions].sum()),
               default=None)
    trends = dict(out.trends)
    if level in ("district", "province") and main is not None:
        trends[main] = _summed(frames, trends[main], out.positions)
    target = day + pd.Timedelta(days=7)
    change = (t("out.reason.ruleset", lang=lang, date=fmt_date(target.date()),
                ruleset=out.ruleset_target) if out.ruleset_target != out.ruleset_today else "")
    reasons = []
    for i, pos in enumerate(out.positions):
        if today[i] <= 0:
            reasons.append(t("out.reason.no_data", lang=lang, date=fmt_date(day.date())))
            continue
        parts = []
        if main is not None:
            tr = trends[main]
            if not tr.reporting[pos]:
                parts.append(t("out.reason.silent", lang=lang))
            else:
                label = contract.METRICS[main].vi if lang == "vi" else contract.METRICS[main].en
                key = "out.reason.trend_sum" if level in ("district", "province") \
                    else "out.reason.trend"
                parts.append(t(key, lang=lang, metric=label,
                               before=fmt_int(tr.week_before[pos], lang),
                               last=fmt_int(tr.last_week[pos], lang),
                               nb_before=fmt_int(tr.neighbours_before[pos], lang),
                               nb_last=fmt_int(tr.neighbours_last[pos], lang)))
        if out.near[i]:
            parts.append(t("out.reason.near", lang=lang))
        if change:
            parts.append(change)
        reasons.append("; ".join(parts))
    return reasons


def compute_outlook(ws: Workspace, day: date, level: str, lang: str,
                    frames: Frames | None = None) -> Outlook:
    """The outlook made on ``day`` for every unit of ``level`` (not cached)."""
    stamp = pd.Timestamp(day)
    table = dayview.computed_levels(ws)
    dayview.check_day(table, stamp)
    frames = frames if frames is not None else load_frames(ws, day, day)
    sel = np.flatnonzero((frames.units["level"] == level).to_numpy())
    codes = frames.units.index[sel]
    today = table.row(stamp, codes).astype(int)
    out = forecast.day_outlook(frames, dayview.ruleset_registry(ws), stamp, level, today,
                               params.load(), positions=sel)
    u, d, s, expected = scores(out, today)
    known = today > 0
    frame = pd.DataFrame({
        "unit_code": codes.astype(str),
        "unit_name": frames.units["name"].to_numpy(dtype=object)[sel],
        "level": pd.array(np.where(known, today, 0), dtype="Int8"),
        "p_up": u / 1000, "p_down": d / 1000, "p_same": s / 1000,
        "expected_level": pd.array(expected, dtype="Int8"),
        "near_threshold": out.near.astype(int),
        "reason": _reasons(out, today, stamp, lang, frames, level),
    }, columns=COLUMNS)
    frame.loc[~known, "level"] = pd.NA
    frame.loc[expected == 0, "expected_level"] = pd.NA
    return Outlook(stamp.date(), level, frame, out.ruleset_target)


def day_outlook(ws: Workspace, day: date, level: str = "commune", lang: str = "vi"
                ) -> Outlook:
    """The outlook of ``day`` at ``level``, once per data version."""
    return cached(ws, "outlook", lambda: compute_outlook(ws, day, level, lang),
                  pd.Timestamp(day).date(), level, lang)


def subtree(ws: Workspace, unit: str) -> set[str]:
    """``unit`` and every unit below it."""
    everything = dayview.units(ws)
    if unit not in everything.index:
        raise ZonesError(msg("out.unknown_unit", value=unit))
    parent = everything["parent_code"]
    inside, frontier = {unit}, {unit}
    while frontier:
        frontier = set(everything.index[parent.isin(list(frontier))])
        inside |= frontier
    return inside


# --- the backtest -----------------------------------------------------------------------

@dataclass(frozen=True)
class Backtest:
    """Scores of the outlooks made on every day of a period against the computed level
    seven days later, beside persistence (always "same level")."""

    start: date
    end: date
    level: str
    days: int
    skipped: int
    forecasts: int
    brier_up: float
    brier_down: float
    brier_up_persistence: float
    brier_down_persistence: float
    changes: int
    ups: int
    downs: int
    flagged: int
    hits: int
    bins: pd.DataFrame

    @property
    def recall(self) -> float:
        return self.hits / self.changes if self.changes else math.nan

    @property
    def precision(self) -> float:
        return self.hits / self.flagged if self.flagged else math.nan


def _bins(p: np.ndarray, hit: np.ndarray) -> pd.DataFrame:
    edges = np.linspace(0, 1, 11)
    which = np.minimum((p * 10).astype(int), 9)
    rows = []
    for b in range(10):
        m = which == b
        n = int(m.sum())
        rows.append({"bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "forecasts": n,
                     "mean_p": round(float(p[m].mean()), 3) if n else math.nan,
                     "observed": round(float(hit[m].mean()), 3) if n else math.nan})
    return pd.DataFrame(rows, columns=BIN_COLUMNS)


def backtest(ws: Workspace, start: date, end: date, level: str = "commune",
             unit: str | None = None, progress=None) -> Backtest:
    """The outlook of every day of ``start`` .. ``end`` (figures up to that day only)
    against the computed level 7 days later, for the ``level`` units (under ``unit``)."""
    if end < start:
        raise ZonesError(msg("out.order", start=fmt_date(start), end=fmt_date(end)))
    table = dayview.computed_levels(ws)
    for d in (start, end):
        dayview.check_day(table, d)
    horizon = params.load().int("horizon_days")
    last = table.dates[-1]
    days = [d for d in pd.date_range(start, end, freq="D")
            if d + pd.Timedelta(days=horizon) <= last]
    skipped = len(pd.date_range(start, end, freq="D")) - len(days)
    if not days:
        limit = (last - pd.Timedelta(days=horizon)).date()
        raise ZonesError(msg("out.no_days", start=fmt_date(start), end=fmt_date(end),
                           last=fmt_date(last.date()), limit=fmt_date(limit)))
    frames = load_frames(ws, days[0].date(), days[-1].date())
    chosen = frames.units["level"] == level
    if unit is not None:
        chosen &= frames.units.index.isin(list(subtree(ws, unit)))
    sel = np.flatnonzero(chosen.to_numpy())
    if not len(sel):
        raise ZonesError(msg("out.no_units", level=level, unit=unit or ""))
    codes = frames.units.index[sel]
    reg, p = dayview.ruleset_registry(ws), params.load()
    pu, pd_, up, down = [], [], [], []
    for i, day in enumerate(days):
        today = table.row(day, codes).astype(int)
        later = table.row(day + pd.Timedelta(days=horizon), codes).astype(int)
        out = forecast.day_outlook(frames, reg, day, level, today, p, positions=sel)
        u, d, _, _ = scores(out, today)
        keep = (today > 0) & (later > 0)
        pu.append(u[keep] / 1000)
        pd_.append(d[keep] / 1000)
        up.append(later[keep] > today[keep])
        down.append(later[keep] < today[keep])
        if progress is not None:
            progress(i + 1, len(days))
    pu_, pdn = np.concatenate(pu), np.concatenate(pd_)
    up_, dn = np.concatenate(up), np.concatenate(down)
    n = len(pu_)
    flagged_up, flagged_down = pu_ >= 0.5, pdn >= 0.5
    hits = int((flagged_up & up_).sum() + (flagged_down & dn).sum())

    def brier(prob, hit):
        return float(np.mean((prob - hit) ** 2)) if n else math.nan

    both_p = np.concatenate([pu_, pdn])
    both_hit = np.concatenate([up_, dn]).astype(float)
    return Backtest(start, end, level, len(days), skipped, n,
                    brier(pu_, up_), brier(pdn, dn), brier(np.zeros(n), up_),
                    brier(np.zeros(n), dn), int(up_.sum() + dn.sum()), int(up_.sum()),
                    int(dn.sum()), int((flagged_up | flagged_down).sum()), hits,
                    _bins(both_p, both_hit))


def backtest_lines(bt: Backtest, lang: str) -> list[str]:
    """The backtest as people read it: Brier beside persistence, changes, a verdict."""
    def num(x: float) -> str:
        if math.isnan(x):
            return "–"
        text = f"{x:.4f}"
        return text.replace(".", ",") if lang == "vi" else text

    level = UNIT_LEVEL_NAMES.get(lang, UNIT_LEVEL_NAMES["vi"]).get(bt.level, bt.level)
    lines = [t("out.bt.title", lang=lang, level=level, start=fmt_date(bt.start),
               end=fmt_date(bt.end), days=bt.days, n=fmt_int(bt.forecasts, lang)),
             t("out.bt.brier", lang=lang, up=num(bt.brier_up), up_p=num(bt.brier_up_persistence),
               down=num(bt.brier_down), down_p=num(bt.brier_down_persistence)),
             t("out.bt.changes", lang=lang, changes=fmt_int(bt.changes, lang),
               ups=fmt_int(bt.ups, lang), downs=fmt_int(bt.downs, lang),
               hits=fmt_int(bt.hits, lang), flagged=fmt_int(bt.flagged, lang),
               recall=num(bt.recall), precision=num(bt.precision))]
    better_up = bt.brier_up < bt.brier_up_persistence
    better_down = bt.brier_down < bt.brier_down_persistence
    if better_up and better_down:
        lines.append(t("out.bt.verdict.better", lang=lang))
    elif better_up or better_down:
        which = t("out.bt.up" if better_up else "out.bt.down", lang=lang)
        lines.append(t("out.bt.verdict.mixed", lang=lang, which=which))
    else:
        lines.append(t("out.bt.verdict.worse", lang=lang))
    if bt.skipped:
        lines.append(t("out.bt.skipped", lang=lang, n=bt.skipped))
    return lines
