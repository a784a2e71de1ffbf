"""A real-shaped demo (issue 23): the province's daily cases follow the SHAPE of a
published epidemic curve — Vietnam's daily new cases of June–November 2021
(``vn_daily_cases_2021.csv``, source in its header) — scaled to the demo's population,
and are split over the communes by population with spatial clustering: a latent risk
field, smoothed over neighbouring communes and drifting week by week (hot spots persist
for weeks and spread to their neighbours), times day-to-day over-dispersion. The curve
is real; every commune figure is still simulated, and labelled so.

The outlook's backtest on this demo (``bench/bench_outlook_real.py``) is the closest
we can come offline to "a real-shaped series": no real commune figures are available.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

CURVE = Path(__file__).with_name("vn_daily_cases_2021.csv")
#: Vietnam's mid-2021 population (General Statistics Office: 98.51 million in 2021)
VN_POPULATION = 98_510_000
#: the demo's community cases per case of the curve: the demo draws quarantine cases
#: at 1.4 times the community ones (zones.demo.simulate), so community + quarantine
#: follow the curve's total
COMMUNITY_SHARE = 1 / 2.4
#: the latent field: spread of the log risk between communes (2: the top tenth of
#: communes carries about two thirds of the cases), its smoothing over neighbours (weight
#: of the neighbours' mean, two steps), its week-to-week persistence, and the shape of
#: the day-to-day gamma noise (negative-binomial counts; smaller = more over-dispersed)
LOG_RISK_SD = 2.0
NEIGHBOUR_WEIGHT = 0.8
WEEKLY_PERSISTENCE = 0.85
DAILY_SHAPE = 1.5


def curve() -> pd.Series:
    """The published curve: daily new cases by date."""
    frame = pd.read_csv(CURVE, comment="#", parse_dates=["date"])
    return frame.set_index("date")["cases"].astype(float)


def dates() -> pd.DatetimeIndex:
    """The days the curve covers (the real-shaped demo's period)."""
    return pd.DatetimeIndex(curve().index)


def neighbour_mean(codes: list[str], pairs: pd.DataFrame) -> np.ndarray:
    """The row-normalised adjacency matrix of ``codes`` (an isolated commune: its own)."""
    at = {c: i for i, c in enumerate(codes)}
    n = len(codes)
    adj = np.zeros((n, n))
    for a, b in zip(pairs["code_a"].astype(str), pairs["code_b"].astype(str), strict=True):
        if a in at and b in at:
            adj[at[a], at[b]] = adj[at[b], at[a]] = 1.0
    alone = adj.sum(axis=1) == 0
    adj[alone, alone] = 1.0
    return adj / adj.sum(axis=1, keepdims=True)


def risk_field(n_days: int, mean_of: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(days, communes) relative risk: a weekly AR(1) field smoothed over neighbours,
    standardised, exponentiated, interpolated day by day."""
    n = mean_of.shape[0]
    weeks = n_days // 7 + 2
    x = np.empty((weeks, n))
    x[0] = rng.standard_normal(n)
    for w in range(1, weeks):
        x[w] = WEEKLY_PERSISTENCE * x[w - 1] + np.sqrt(1 - WEEKLY_PERSISTENCE ** 2) \
            * rng.standard_normal(n)
    z = x.copy()
    for _ in range(2):  # a hot spot reaches its neighbours and theirs
        z = z + NEIGHBOUR_WEIGHT * z @ mean_of.T
    z = (z - z.mean(axis=1, keepdims=True)) / z.std(axis=1, keepdims=True)
    t = np.arange(n_days) / 7
    lo = np.floor(t).astype(int)
    frac = (t - lo)[:, None]
    daily = (1 - frac) * z[lo] + frac * z[lo + 1]
    return np.exp(LOG_RISK_SD * daily)


def intensity(days: pd.DatetimeIndex, communes: pd.DataFrame, pairs: pd.DataFrame,
              rng: np.random.Generator) -> np.ndarray:
    """Expected community cases per 100,000 per day, shape (days, communes): the curve
    scaled to the communes' population (each day's total on the curve), split by
    population times the risk field times gamma day-to-day noise."""
    published = curve().reindex(days)
    if published.isna().any():
        raise ValueError(f"the curve covers {CURVE.name}'s days only")
    pop = communes["population"].to_numpy(dtype=float)
    total = published.to_numpy() * pop.sum() / VN_POPULATION * COMMUNITY_SHARE
    risk = risk_field(len(days), neighbour_mean(communes["code"].astype(str).tolist(), pairs),
                      rng)
    # each commune's day shaken by gamma noise, the province's day kept on the curve
    weight = pop[None, :] * risk * rng.gamma(DAILY_SHAPE, 1 / DAILY_SHAPE, risk.shape)
    cases = total[:, None] * weight / weight.sum(axis=1, keepdims=True)
    return cases / pop[None, :] * 100_000
