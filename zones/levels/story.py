"""A unit's story for the panel's charts: daily figures, and the rates and coverages the
engine computes (its own indicators, never a second implementation)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import rules
from zones.levels.dayview import local_inputs, ruleset_registry, units
from zones.levels.memo import cached
from zones.levels.tables import view_units
from zones.storage import store
from zones.workspace import Workspace

HISTORY_METRICS = ("new_cases_community", "new_cases_quarantine", "tests_pcr",
                   "tests_pcr_positive", "tests_antigen", "tests_antigen_positive",
                   "vaccinated_1dose_18plus", "vaccinated_full_50plus",
                   "vaccinated_full_65plus")
#: chart column -> indicator of the chart's rule set (used when the rule set has it);
#: "rate" is the rule set's headline indicator.
COVERAGE = {"cover_18": "adult_cover", "cover_50": "elderly_cover_50",
            "cover_65": "elderly_cover_65"}
BANDS_PARAMETER = "band_starts_per_100k"


def chart_ruleset(ws: Workspace, override: str | None = None) -> rules.RuleSet | None:
    """The rule set whose rate and bands the charts show: the override, else the latest
    in force that has rate bands (QĐ 4800 for the 2021 data)."""
    reg = ruleset_registry(ws)
    if override and override in reg.rulesets and reg.rulesets[override].headline:
        return reg.rulesets[override]
    with_bands = [rs for rs in reg.rulesets.values() if rs.headline and
                  BANDS_PARAMETER in rs.parameters]
    candidates = with_bands or [rs for rs in reg.rulesets.values() if rs.headline]
    if not candidates:
        return None
    return max(candidates, key=lambda rs: (rs.effective_from is not None,
                                           rs.effective_from or pd.Timestamp.min.date()))


def _indicator_frames(ws: Workspace, ruleset_id: str, code: str) -> dict[str, pd.DataFrame]:
    """The chart indicators of ``code``, computed on its own subtree only (a district's
    rate sums its communes; nothing outside it counts)."""
    def build() -> dict[str, pd.DataFrame]:
        rs = ruleset_registry(ws).rulesets[ruleset_id]
        span = store.observation_range(ws.engine)
        if span is None:
            return {}
        names = [rs.headline, *(n for n in COVERAGE.values() if n in rs.indicators)]
        dates = pd.date_range(span[0], span[1], freq="D")
        return rules.indicators(local_inputs(ws, code, steps=0), rs, names, dates)
    return cached(ws, "indicator_frames", build, ruleset_id, code)


def unit_story(ws: Workspace, code: str, override: str | None = None) -> pd.DataFrame:
    """Daily figures of one unit (sums of its communes for a district or province), with
    ``rate_7d`` (the chart rule set's headline indicator), ``positivity`` (% positive of
    the tests in 7 days) and ``cover_18``, ``cover_50``, ``cover_65`` (% of the group)."""
    everything = units(ws)
    level = everything.at[code, "level"]
    codes = view_units(everything, "commune", code).index if level in (
        "district", "province") else pd.Index([code])
    obs = store.current_observations(ws.engine, codes=codes.tolist())
    if obs.empty:
        return pd.DataFrame(columns=[*HISTORY_METRICS, "rate_7d", "positivity"])
    daily = obs.groupby("date")[list(HISTORY_METRICS)].sum(min_count=1)
    daily = daily.reindex(pd.date_range(daily.index.min(), daily.index.max(), freq="D"))
    week = daily.fillna(0).rolling(7, min_periods=1).sum()
    tests = week["tests_pcr"] + week["tests_antigen"]
    pos = week["tests_pcr_positive"] + week["tests_antigen_positive"]
    daily["positivity"] = (pos / tests.where(tests > 0)) * 100
    rs = chart_ruleset(ws, override)
    frames = _indicator_frames(ws, rs.id, code) if rs is not None else {}
    daily["rate_7d"] = _column(frames.get(rs.headline) if rs else None, code, daily.index)
    for col, name in COVERAGE.items():
        daily[col] = _column(frames.get(name), code, daily.index) * 100
    return daily


def band_edges(ws: Workspace, override: str | None = None) -> list[float] | None:
    """The rate thresholds (per 100,000) drawn behind the rate chart."""
    rs = chart_ruleset(ws, override)
    value = rs.parameters.get(BANDS_PARAMETER) if rs is not None else None
    return list(value) if value is not None else None


def _column(frame: pd.DataFrame | None, code: str, index: pd.DatetimeIndex) -> np.ndarray:
    if frame is None or code not in frame.columns:
        return np.full(len(index), np.nan)
    return frame[code].reindex(index).to_numpy(dtype=float)
