"""Transitions: which units moved between which levels from one date to another."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from zones.levels.tables import Table

COLUMNS = ["unit_code", "unit_name", "from_level", "to_level", "changed_on"]


def transitions(table: Table, units: pd.DataFrame, start: date, end: date,
                level: str | None = "commune", changed_only: bool = True) -> pd.DataFrame:
    """Level on ``start`` and on ``end`` of every unit (of ``level``), with the day of the
    last change in (start, end]. Levels are 1-4, <NA> for not enough data."""
    chosen = units if level is None else units[units["level"] == level]
    codes = chosen.index
    a, b = table.row(start, codes), table.row(end, codes)
    window = (table.dates > pd.Timestamp(start)) & (table.dates <= pd.Timestamp(end))
    cols = table.codes.get_indexer(codes)
    block = table.values[window][:, np.clip(cols, 0, None)]
    days = table.dates[window]
    changed_on = _last_change(block, days, a)
    out = pd.DataFrame({"unit_code": codes, "unit_name": chosen["name"].to_numpy(),
                        "from_level": pd.array(a, dtype="Int8"),
                        "to_level": pd.array(b, dtype="Int8"), "changed_on": changed_on})
    out[["from_level", "to_level"]] = out[["from_level", "to_level"]].replace(0, pd.NA)
    if changed_only:
        out = out[a != b]
    return out.sort_values(["to_level", "from_level", "unit_code"], ascending=[False, True, True],
                           na_position="last", ignore_index=True)


def _last_change(block: np.ndarray, days: pd.DatetimeIndex, start_levels: np.ndarray) -> list:
    """Per unit: the first day of the final run of its level (None if unchanged)."""
    if block.size == 0:
        return [None] * len(start_levels)
    prev = np.vstack([start_levels[None, :], block[:-1]])
    moved = block != prev
    any_move = moved.any(axis=0)
    last = len(days) - 1 - np.argmax(moved[::-1], axis=0)
    return [days[i].date() if m else None for i, m in zip(last, any_move, strict=True)]


def flows(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts per (from_level, to_level) pair (0 stands for not enough data)."""
    f = frame.fillna({"from_level": 0, "to_level": 0})
    return f.groupby(["from_level", "to_level"]).size().rename("units").reset_index()
