"""What the map shows, computed without any UI: layers, level tables, rates, summaries.

A *view* is a level of units inside a parent (e.g. the communes of Kiên Giang, the
hamlets of phường Vĩnh Lạc). Tables are (dates x units) arrays so that one date is
one row lookup.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from zones import store
from zones.assessment import compute, stored_levels, stored_rulesets

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


def level_table(engine: Engine, override: str | None = None) -> Table:
    """Levels per date and unit: stored (rule set in force) or recomputed with ``override``."""
    if override:
        return result_table(compute(engine, override=override))
    snap = read_snapshot(engine)
    if snap is not None:
        return snap["levels"]
    wide = stored_levels(engine)
    if wide.empty:
        return Table(pd.DatetimeIndex([]), pd.Index([]), np.zeros((0, 0), "int8"), None)
    return Table(pd.DatetimeIndex(wide.index), pd.Index(wide.columns),
                 wide.to_numpy(dtype="int8"), stored_rulesets(engine))


def weekly_rates(engine: Engine, units: pd.DataFrame) -> Table:
    """Community cases in the 7 days ending on each date, per 100,000 population.

    Communes and hamlets use their own figures; districts and provinces the sums of
    their communes. NaN where no case figure was reported in the window.
    """
    snap = read_snapshot(engine)
    if snap is not None:
        return snap["rates"]
    return rates_from(store.current_observations(engine, metrics=["new_cases_community"]),
                      units)


def result_table(result) -> Table:
    """The levels of an engine result as a Table."""
    ids = pd.Series(list(result.ruleset_ids), index=result.dates)
    return Table(result.dates, pd.Index(result.codes), result.levels.astype("int8"), ids)


def rates_from(obs: pd.DataFrame, units: pd.DataFrame) -> Table:
    """``weekly_rates`` from an observation frame already in memory."""
    if obs.empty:
        return Table(pd.DatetimeIndex([]), pd.Index([]), np.zeros((0, 0), "float32"))
    cases = obs.pivot(index="date", columns="unit_code", values="new_cases_community")
    dates = pd.date_range(cases.index.min(), cases.index.max(), freq="D")
    cases = cases.reindex(dates)
    reported = cases.notna().astype(float).rolling(7, min_periods=1).sum()
    week = cases.fillna(0).rolling(7, min_periods=1).sum().where(reported > 0)
    week = _add_parents(week, units)
    pop = units["population"].reindex(week.columns).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = week.to_numpy() / pop[None, :] * 100_000
    rate[:, ~(pop > 0)] = np.nan
    return Table(dates, pd.Index(week.columns), rate.astype("float32"))


def _add_parents(week: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Append district and province columns summed from their communes."""
    communes = units[units["level"] == "commune"]
    cols = [week]
    parent = communes["parent_code"]
    current = week.reindex(columns=communes.index)
    for _level in ("district", "province"):
        grouped = current.T.groupby(parent.reindex(current.columns).to_numpy()).sum(
            min_count=1).T
        cols.append(grouped)
        current = grouped
        parent = units["parent_code"].reindex(grouped.columns)
    out = pd.concat(cols, axis=1)
    return out.loc[:, ~out.columns.duplicated()]


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


HISTORY_METRICS = ("new_cases_community", "new_cases_quarantine", "tests_pcr",
                   "tests_pcr_positive", "tests_antigen", "tests_antigen_positive",
                   "vaccinated_1dose_18plus", "vaccinated_full_50plus",
                   "vaccinated_full_65plus")


def unit_history(engine: Engine, units: pd.DataFrame, code: str) -> pd.DataFrame:
    """Daily figures of one unit (sums of its communes for a district or province).

    Columns: the history metrics, ``rate_7d`` (community cases in 7 days per 100,000),
    ``positivity`` (positive / tests, 7 days), ``cover_18``, ``cover_50``, ``cover_65``.
    """
    level = units.at[code, "level"]
    if level in ("district", "province"):
        codes = view_units(units, "commune", code).index
    else:
        codes = pd.Index([code])
    obs = store.current_observations(engine, codes=codes.tolist())
    if obs.empty:
        return pd.DataFrame(columns=[*HISTORY_METRICS, "rate_7d", "positivity"])
    daily = obs.groupby("date")[list(HISTORY_METRICS)].sum(min_count=1)
    daily = daily.reindex(pd.date_range(daily.index.min(), daily.index.max(), freq="D"))
    pop = units.loc[code, ["population", "pop_18plus", "pop_50plus", "pop_65plus"]]
    week = daily.fillna(0).rolling(7, min_periods=1).sum()
    daily["rate_7d"] = week["new_cases_community"] / pop["population"] * 100_000
    tests = week["tests_pcr"] + week["tests_antigen"]
    pos = week["tests_pcr_positive"] + week["tests_antigen_positive"]
    daily["positivity"] = (pos / tests.where(tests > 0)) * 100
    cum = daily[["vaccinated_1dose_18plus", "vaccinated_full_50plus",
                 "vaccinated_full_65plus"]].ffill()
    daily["cover_18"] = cum["vaccinated_1dose_18plus"] / pop["pop_18plus"] * 100
    daily["cover_50"] = cum["vaccinated_full_50plus"] / pop["pop_50plus"] * 100
    daily["cover_65"] = cum["vaccinated_full_65plus"] / pop["pop_65plus"] * 100
    return daily


def last_reported(engine: Engine) -> Table:
    """For each date and unit, the last date on or before it with a community case figure
    (0 counts, empty does not), as a day index into ``dates`` (-1 = never)."""
    snap = read_snapshot(engine)
    if snap is not None:
        return snap["last"]
    return reports_from(store.current_observations(engine, metrics=["new_cases_community"]))


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
    from zones.i18n import fmt_int, fmt_num

    return ["" if r != r else (fmt_int(r, lang) if r >= 10 else fmt_num(r, 1, lang))
            for r in np.asarray(values, dtype=float)]


# --- snapshot: what every visit reads, saved once per assessment run ---------------------

SNAPSHOT_KEY = "levels_version"


def snapshot_path(engine: Engine, version: str) -> Path:
    """Where the snapshot of ``version`` lives: ``cache/`` beside the database."""
    from zones.assessment import custom_rulesets_dir

    folder = custom_rulesets_dir(engine).parent / "cache"
    name = hashlib.sha1(f"{engine.url}|{version}".encode()).hexdigest()[:20]
    return folder / f"levels-{name}.npz"


def write_snapshot(engine: Engine, result, obs: pd.DataFrame, units: pd.DataFrame) -> None:
    """Save levels, rates and last reports of an assessment run (a disposable cache: the
    database stays the source of truth; a missing or stale file is rebuilt from it)."""
    version = store.get_meta(engine, SNAPSHOT_KEY)
    if version is None:
        return
    levels, rates, reports = result_table(result), rates_from(obs, units), reports_from(obs)
    path = snapshot_path(engine, version)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, dates=levels.dates.to_numpy(), codes=levels.codes.to_numpy(dtype=str),
             levels=levels.values, rulesets=levels.rulesets.to_numpy(dtype=str),
             rate_dates=rates.dates.to_numpy(), rate_codes=rates.codes.to_numpy(dtype=str),
             rates=rates.values, last_dates=reports.dates.to_numpy(),
             last_codes=reports.codes.to_numpy(dtype=str), last=reports.values)
    tmp.replace(path)


def read_snapshot(engine: Engine) -> dict | None:
    """The snapshot of the current assessment run, or None (then read the database)."""
    version = store.get_meta(engine, SNAPSHOT_KEY)
    path = snapshot_path(engine, version) if version else None
    if path is None or not path.is_file():
        return None
    try:
        z = np.load(path, allow_pickle=False)
        dates = pd.DatetimeIndex(z["dates"])
        return {
            "levels": Table(dates, pd.Index(z["codes"].astype(object)), z["levels"],
                            pd.Series(z["rulesets"].astype(object), index=dates)),
            "rates": Table(pd.DatetimeIndex(z["rate_dates"]),
                           pd.Index(z["rate_codes"].astype(object)), z["rates"]),
            "last": Table(pd.DatetimeIndex(z["last_dates"]),
                          pd.Index(z["last_codes"].astype(object)), z["last"]),
        }
    except (OSError, ValueError, KeyError):
        return None


def notices(engine: Engine, units: pd.DataFrame, lang: str | None = None) -> tuple[str, ...]:
    """What every map must say about its data: approximate shapes, simulated figures."""
    from zones.i18n import t

    out = (t("ui.notice.approx", lang=lang),) if units["approximate"].any() else ()
    return out + ((t("ui.notice.simulated", lang=lang),) if store.get_meta(engine, "demo")
                  else ())


def default_day(engine: Engine, dates: pd.DatetimeIndex):
    """The day a map opens on: the data's own focus day (the demo sets 01/09/2021, the
    outbreak of the seed notices) when it is in range, else the last day with data."""
    focus = store.get_meta(engine, "focus_day")
    if focus is not None and dates[0] <= pd.Timestamp(focus) <= dates[-1]:
        return pd.Timestamp(focus).date()
    return dates[-1].date()
