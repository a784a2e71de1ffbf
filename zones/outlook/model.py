"""The model of the inputs: next week's daily figures of every unit, drawn from the
figures dated up to D only (whole arrays; nothing here knows the rule sets).

Counts (cases, F0, F1, clusters): a negative-binomial autoregression on the last weeks.
The level of the forecast is the unit's last ``lookback_days`` count; its growth is the
week-on-week ratio of the unit's own counts blended with its neighbours' (the unit's own
weight grows with its number of cases), clipped; each sample draws its own growth around
that (the spread of week-to-week changes of growth, estimated from all units up to D), and
its daily counts from a Poisson around the curve scaled by a gamma frailty of the day
(a negative binomial). The shock of growth and the frailty are shared by the
unit's counts in one sample (F0, F1 and clusters come from the same cases). Neighbours'
cases add importation; units quiet for two weeks get the sporadic rate seen, up to D, in
units that had been quiet. A unit silent for the whole recent window stays silent.
Cumulative figures (vaccination) follow their known trajectory: the trend of the last
``vaccination_trend_days`` days. Flags (treatment capacity) are carried by the rule set
itself (its latest value holds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zones.outlook.params import Params

WEEK = 7  # days in the two weeks compared for the growth (a unit of time, not a threshold)


@dataclass(frozen=True)
class Trend:
    """What the draws of one count metric were made from (per unit), for the reasons."""

    last_week: np.ndarray      # count of the last 7 days up to D
    week_before: np.ndarray    # count of the 7 days before
    neighbours_last: np.ndarray
    neighbours_before: np.ndarray
    growth: np.ndarray         # the weekly growth ratio used (median of the draws)
    reporting: np.ndarray      # reported in the recent window (bool)


def neighbour_sum(values: np.ndarray, pairs: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Per unit, the sum of ``values`` over its neighbours (pairs in both directions)."""
    a, b = pairs
    return np.bincount(a, weights=values[b], minlength=len(values)) if len(a) else \
        np.zeros(len(values))


def _week(y: np.ndarray, ago: int) -> np.ndarray:
    """Sum of the 7 days ending ``ago`` weeks before the last row (0 = the last week)."""
    end = y.shape[0] - ago * WEEK
    return y[max(0, end - WEEK): max(0, end)].sum(axis=0)


def growth_sd(y: np.ndarray, p: Params) -> float:
    """Spread of week-to-week changes of log-growth over units with enough cases."""
    a = p["pseudo_count"]
    w0, w1, w2 = _week(y, 0), _week(y, 1), _week(y, 2)
    enough = (w0 + w1 + w2) >= p["growth.sd_min_cases"]
    if enough.sum() < p.int("growth.sd_units"):
        return p["growth.sd_default"]
    change = np.log((w0 + a) / (w1 + a)) - np.log((w1 + a) / (w2 + a))
    return float(np.clip(np.std(change[enough]), p["growth.sd_min"], p["growth.sd_max"]))


def background_rate(y: np.ndarray, population: np.ndarray, p: Params) -> float:
    """Cases per person a day seen, in the last week, in units quiet the two weeks before."""
    quiet = (_week(y, 1) + _week(y, 2) == 0) & (population > 0)
    people = population[quiet].sum() * WEEK
    rate = _week(y, 0)[quiet].sum() / people if people > 0 else 0.0
    return float(min(rate, p["background.max_per_100k_day"] / 100_000))


@dataclass(frozen=True)
class Shared:
    """What the draws of every count of a unit share in one sample (its week is one
    epidemic: cases, F0, F1 and clusters rise and fall together): the standard normal
    shock of its growth ``(samples, units)`` and its daily gamma frailty ``(samples,
    horizon, units)`` (mean 1, shape ``dispersion``)."""

    shock: np.ndarray
    frailty: np.ndarray

    @classmethod
    def draw(cls, n_units: int, p: Params, rng: np.random.Generator) -> Shared:
        n_s, n_h, k = p.int("samples"), p.int("horizon_days"), p["dispersion"]
        return cls(rng.normal(0.0, 1.0, (n_s, n_units)),
                   rng.gamma(k, 1 / k, (n_s, n_h, n_units)))


def draw_counts(history: np.ndarray, population: np.ndarray,
                pairs: tuple[np.ndarray, np.ndarray], p: Params, rng: np.random.Generator,
                shared: Shared | None = None) -> tuple[np.ndarray, Trend]:
    """``(samples, horizon, units)`` daily counts (NaN where a unit does not report) from
    ``history`` ``(days up to D, units)`` (NaN = not reported), and the trend used;
    ``shared``: the shocks of the unit's other counts in the same samples."""
    n_h = p.int("horizon_days")
    y = np.nan_to_num(history, nan=0.0)
    recent = history[-p.int("lookback_days"):]
    reporting = (~np.isnan(recent)).any(axis=0)
    a = p["pseudo_count"]
    w0, w1 = _week(y, 0), _week(y, 1)
    nb0, nb1 = neighbour_sum(w0, pairs), neighbour_sum(w1, pairs)
    lo, hi = np.log(p["growth.min_ratio"]), np.log(p["growth.max_ratio"])
    own = np.log((w0 + a) / (w1 + a))
    near = np.log((nb0 + a) / (nb1 + a))
    cases = w0 + w1
    weight = p["growth.own_weight"] * cases / (cases + p["growth.own_cases_half"] + 1e-12)
    weight = np.where(cases > 0, weight, 0.0)
    log_g = np.clip(weight * own + (1 - weight) * near, lo, hi)
    pop = np.nan_to_num(population, nan=0.0)
    base = np.maximum(_week(y, 0) / WEEK, 0.0)
    imported = p["importation.neighbour_share"] * nb0 / WEEK
    sporadic = background_rate(y, pop, p) * pop
    sd = growth_sd(y, p)
    step = np.arange(1, n_h + 1)[None, :, None] / WEEK
    shared = shared if shared is not None else Shared.draw(len(base), p, rng)
    drawn = np.clip(log_g[None, :] + sd * shared.shock, lo, hi)
    mean = (base[None, None, :] * np.exp(drawn[:, None, :] * step)
            + (imported * np.exp(np.clip(near, lo, hi)[None, None, :] * step))
            + sporadic[None, None, :])
    counts = rng.poisson(mean * shared.frailty).astype(float)
    counts[:, :, ~reporting] = np.nan
    trend = Trend(w0, w1, nb0, nb1, np.exp(log_g), reporting)
    return counts, trend


def continue_cumulative(history: np.ndarray, p: Params) -> np.ndarray:
    """``(horizon, units)``: a cumulative figure continuing its recent trend (never down);
    NaN where the unit never reported it."""
    n_h, days = p.int("horizon_days"), p.int("vaccination_trend_days")
    filled = history.copy()
    for d in range(1, len(filled)):  # forward fill
        np.copyto(filled[d], filled[d - 1], where=np.isnan(filled[d]))
    last = filled[-1]
    before = filled[-1 - days] if len(filled) > days else filled[0]
    slope = np.where(np.isnan(before), 0.0, np.maximum((last - before) / days, 0.0))
    slope = np.nan_to_num(slope, nan=0.0)
    return last[None, :] + slope[None, :] * np.arange(1, n_h + 1)[:, None]
