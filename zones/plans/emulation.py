"""The emulation table ("bảng thi đua", architecture.md milestone 3: ``emulation``): the
children of a district or province ranked over a period D1..D2 on the levels in force.

Ranked by days green, then improvement (level on D1 − level on D2), then fewer
regressions, then reporting rate, then code; a unit without a level on D1 or D2 has no
improvement and comes after those with one. Streaks reaching the thresholds of
``plans.yaml`` (14 and 20 days) are called out.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from zones.levels.tables import Table
from zones.plans.model import config
from zones.plans.progress import (
    EMULATION_COLUMNS,
    Days,
    commune_pairs,
    green_streaks,
    reported,
    round3,
)


def children(units: pd.DataFrame, code: str) -> pd.Index:
    """The units right below ``code``, in code order."""
    return pd.Index(sorted(units.index[units["parent_code"] == code]))


def reporting_rates(reports: Table, units: pd.DataFrame, kids: pd.Index, start: date,
                    end: date) -> np.ndarray:
    """Share of the days of D1..D2 with a report: a commune's own (or one of its
    hamlets'), a district's the mean over its communes."""
    pairs = commune_pairs(units, pd.Series(kids))
    every = pd.Index(pairs["commune"].unique())
    rate = reported(reports, units, every, start, end).mean(axis=0)
    per_pair = rate[every.get_indexer(pairs["commune"])] if len(every) else np.zeros(0)
    sums = np.bincount(pairs["row"], weights=per_pair, minlength=len(kids))
    counts = np.bincount(pairs["row"], minlength=len(kids))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def emulation(table: Table, reports: Table, units: pd.DataFrame, code: str, start: date,
              end: date) -> pd.DataFrame:
    """The contract's emulation table of ``code``'s children over ``start..end``, ranked
    (plus ``streak_callout``: the highest streak threshold reached, 0 for none)."""
    d, kids = Days(table), children(units, code)
    i1, i2 = (int(x) for x in d.pos([start, end]))
    cols = d.codes.get_indexer(kids)
    lv = d.block(i1 - 1, i2, cols)  # the day before D1, then D1..D2
    period = lv[1:]
    green = config()["green_level"]
    known = (lv[1:] > 0) & (lv[:-1] > 0)
    frame = pd.DataFrame({
        "unit_code": kids.to_numpy(dtype=object),
        "unit_name": kids.map(units["name"]).to_numpy(dtype=object),
        "green_days": (period == green).sum(axis=0).astype(int),
        "green_streak": green_streaks(table, kids, end).astype(int),
        "level_from": pd.array([v or pd.NA for v in period[0].tolist()], dtype="Int64"),
        "level_to": pd.array([v or pd.NA for v in period[-1].tolist()], dtype="Int64"),
        "regressions": ((lv[1:] > lv[:-1]) & known).sum(axis=0).astype(int),
        "reporting_rate": round3(reporting_rates(reports, units, kids, start, end))})
    frame["improvement"] = frame["level_from"] - frame["level_to"]
    frame = frame.sort_values(
        ["green_days", "improvement", "regressions", "reporting_rate", "unit_code"],
        ascending=[False, False, True, False, True], na_position="last", ignore_index=True)
    frame["rank"] = np.arange(1, len(frame) + 1)
    callouts = sorted(config()["streak_callouts"])
    frame["streak_callout"] = [max([c for c in callouts if s >= c], default=0)
                               for s in frame["green_streak"]]
    return frame[[*EMULATION_COLUMNS, "streak_callout"]]
