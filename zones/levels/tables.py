"""Level tables and what is derived from them, pure (no storage, no UI).

A *view* is a level of units inside a parent (e.g. the communes of Kiên Giang, the
hamlets of phường Vĩnh Lạc). Tables are (dates x units) arrays so that one date is
one row lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from zones.i18n import fmt_int, fmt_num

LEVEL_ORDER = ("country", "province", "district", "commune", "hamlet")


@dataclass(frozen=True)
class Table:
    """Values per (date, unit): ``values[i, j]`` is for ``dates[i]`` and ``codes[j]``."""

    dates: pd.DatetimeIndex
    codes: pd.Index
    values: np.ndarray
    rulesets: pd.Series | None = None  # rule set id per date (levels only)

    def row(self, day, codes) -> np.ndarray:
        """Values on ``day`` for ``codes`` (missing units/dates -> 0 / NaN)."""
        i = self.dates.get_indexer([pd.Timestamp(day)])[0]
        j = self.codes.get_indexer(pd.Index(codes))
        fill = 0 if self.values.dtype.kind in "iu" else np.nan
        if i < 0:
            return np.full(len(j), fill, dtype=self.values.dtype)
        out = np.where(j >= 0, self.values[i, np.clip(j, 0, None)], fill)
        return out.astype(self.values.dtype)

    def column(self, code) -> pd.Series:
        """The whole series of one unit."""
        j = self.codes.get_loc(code)
        return pd.Series(self.values[:, j], index=self.dates)


def result_table(result) -> Table:
    """The levels of an engine result as a Table."""
    ids = pd.Series(list(result.ruleset_ids), index=result.dates)
    return Table(result.dates, pd.Index(result.codes), result.levels.astype("int8"), ids)


def rates_table(result) -> Table:
    """Per date the headline indicator of the rule set used (the rate the level was
    decided on, e.g. QĐ 4800's cases per 100,000 in 7 days), as the engine computed it."""
    return Table(result.dates, pd.Index(result.codes), result.indicator().astype("float32"))


def view_units(units: gpd.GeoDataFrame, level: str, parent: str | None) -> gpd.GeoDataFrame:
    """Units of ``level`` that lie under ``parent`` (any depth), in a stable order."""
    chosen = units[units["level"] == level]
    if parent is None:
        return chosen
    keep = np.zeros(len(chosen), dtype=bool)
    anc = chosen["parent_code"].to_numpy(dtype=object)
    parents = units["parent_code"]
    for _ in range(4):  # hamlet -> commune -> district -> province
        keep |= anc == parent
        anc = parents.reindex(anc).to_numpy(dtype=object)
    return chosen[keep]


def ancestors(units: pd.DataFrame, code: str) -> list[str]:
    """Codes from the top down to ``code`` (inclusive)."""
    chain = [code]
    while True:
        parent = units["parent_code"].get(chain[-1])
        if parent is None or (isinstance(parent, float) and np.isnan(parent)) or \
                parent not in units.index:
            break
        chain.append(parent)
    return chain[::-1]


def child_level(units: pd.DataFrame, code: str | None) -> str | None:
    """The level of the children of ``code`` (None when it has none)."""
    if code is None:
        levels = units["level"]
        for lv in LEVEL_ORDER[1:]:
            if (levels == lv).any():
                return lv
        return None
    kids = units[units["parent_code"] == code]
    return None if kids.empty else kids["level"].iloc[0]


def summary(levels: np.ndarray, population: np.ndarray) -> pd.DataFrame:
    """Units and population at each level (0 = not enough data)."""
    rows = []
    for lv in (4, 3, 2, 1, 0):
        sel = levels == lv
        rows.append({"level": lv, "units": int(sel.sum()),
                     "population": float(np.nansum(population[sel]))})
    return pd.DataFrame(rows)


def moves(before: np.ndarray, after: np.ndarray, codes, names) -> pd.DataFrame:
    """Units whose level changed between two arrays (up or down), most severe first."""
    changed = before != after
    df = pd.DataFrame({"code": np.asarray(codes)[changed], "name": np.asarray(names)[changed],
                       "from_level": before[changed], "to_level": after[changed]})
    df["direction"] = np.where(df["to_level"] > df["from_level"], "up", "down")
    df.loc[(df["from_level"] == 0) | (df["to_level"] == 0), "direction"] = "data"
    return df.sort_values(["to_level", "from_level"], ascending=False, ignore_index=True)


def entered_on(table: Table, code: str, day) -> pd.Timestamp | None:
    """The first date of the current uninterrupted run of the unit's level up to ``day``."""
    if code not in table.codes:
        return None
    s = table.column(code).loc[: pd.Timestamp(day)]
    if s.empty:
        return None
    same = (s == s.iloc[-1])[::-1]
    run = int(np.argmin(same.to_numpy())) if not same.all() else len(same)
    return s.index[len(s) - run]


def reports_from(obs: pd.DataFrame) -> Table:
    """``last_reported`` from an observation frame already in memory."""
    if obs.empty:
        return Table(pd.DatetimeIndex([]), pd.Index([]), np.zeros((0, 0), "int16"))
    seen = obs.assign(r=obs["new_cases_community"].notna()).pivot(
        index="date", columns="unit_code", values="r")
    dates = pd.date_range(seen.index.min(), seen.index.max(), freq="D")
    mask = seen.reindex(dates).fillna(False).to_numpy(dtype=bool)
    idx = np.where(mask, np.arange(len(dates))[:, None], -1)
    return Table(dates, pd.Index(seen.columns),
                 np.maximum.accumulate(idx, axis=0).astype("int16"))



def format_rates(values, lang: str) -> list[str]:
    """Rates as the tooltip shows them: 12,3 / 1.234 (vi) or 12.3 / 1,234 (en); '' if unknown."""
    return ["" if r != r else (fmt_int(r, lang) if r >= 10 else fmt_num(r, 1, lang))
            for r in np.asarray(values, dtype=float)]
