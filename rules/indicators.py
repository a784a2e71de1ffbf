"""Indicator registry: the functions a rule-set file may name, and how each is summed.

An indicator in a rule-set file names a registry function (``fn``) and its arguments.
Every function returns a ``(n_days, n_units)`` float array computed with whole-array
numpy operations (cumulative sums, forward fills); NaN means "not known".

Aggregated tiers (a district or province assessed on its communes' summed figures) do not
re-read observations: window sums and latest values are computed per commune and summed
over the communes that reported (NaN when none did). Ratios and rates are summed
numerator-over-denominator *over the same communes*, i.e. over those that reported both
figures, so a commune that did not report neither adds nor dilutes. A yes/no ``flag``
metric (treatment capacity) is not additive: a higher unit uses its own reported value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np

from .vocab import METRICS

PER_100K = 100_000.0  # unit conversion, not a threshold


# ---------------------------------------------------------------- array helpers
def _window_sums(arr: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Trailing ``days``-day sums of values and of reported-day counts (cumsum diffs)."""
    known = ~np.isnan(arr)
    total = np.cumsum(np.where(known, arr, 0.0), axis=0)
    count = np.cumsum(known, axis=0, dtype=np.int32)
    if days < arr.shape[0]:
        total[days:] -= total[:-days].copy()
        count[days:] -= count[:-days].copy()
    return total, count


def _ffill(arr: np.ndarray) -> np.ndarray:
    """Forward-fill NaN along the day axis (one vector step per day)."""
    out = arr.copy()
    for d in range(1, out.shape[0]):
        np.copyto(out[d], out[d - 1], where=np.isnan(out[d]))
    return out


def _last_index(mask: np.ndarray) -> np.ndarray:
    """Row index of the last True at or before each row (-1 if none yet)."""
    rows = np.where(mask, np.arange(mask.shape[0])[:, None], -1)
    return np.maximum.accumulate(rows, axis=0)


def _safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where ``den > 0``, else NaN."""
    shape = np.broadcast_shapes(np.shape(num), np.shape(den))
    out = np.full(shape, np.nan)
    with np.errstate(invalid="ignore"):
        return np.divide(num, den, out=out, where=den > 0)


# ---------------------------------------------------------------- registry functions
class TierData(Protocol):
    """What an indicator function reads of one tier (``context.TierContext`` provides it;
    declared here so that this module does not import the context that imports it)."""

    grid: np.ndarray

    def metric(self, name: str) -> np.ndarray: ...

    def flag(self, name: str) -> np.ndarray: ...

    def evaluate(self, name: str) -> np.ndarray: ...

    def child_counts(self, level: int) -> tuple[np.ndarray, np.ndarray]: ...


def window_sum(ctx: TierData, a: Mapping[str, Any]) -> np.ndarray:
    """Sum over the ``days`` days ending on D; NaN when no day in it was reported."""
    total, count = _window_sums(ctx.metric(a["metric"]), int(a["days"]))
    return np.where(count > 0, total, np.nan)


def window_mean(ctx: TierData, a: Mapping[str, Any]) -> np.ndarray:
    """Mean over the reported days of the window ending on D."""
    total, count = _window_sums(ctx.metric(a["metric"]), int(a["days"]))
    return _safe_divide(total, count)


def latest(ctx: TierData, a: Mapping[str, Any]) -> np.ndarray:
    """Last reported value on or before D (optionally at most ``max_age_days`` old)."""
    arr = ctx.metric(a["metric"])
    out = _ffill(arr)
    if a.get("max_age_days") is not None:
        age = np.arange(arr.shape[0])[:, None] - _last_index(~np.isnan(arr))
        out[age > int(a["max_age_days"])] = np.nan
    return out


def days_since(ctx: TierData, a: Mapping[str, Any]) -> np.ndarray:
    """Days since the last day with a value > 0 (inf if reported but never; NaN if never)."""
    arr = ctx.metric(a["metric"])
    with np.errstate(invalid="ignore"):
        last = _last_index(arr > 0)
    ever = _last_index(~np.isnan(arr)) >= 0
    out = (np.arange(arr.shape[0])[:, None] - last).astype(float)
    return np.where(last >= 0, out, np.where(ever, np.inf, np.nan))


def per_100k(ctx: TierData, a: Mapping[str, Any]) -> np.ndarray:
    """``num / den * 100,000`` (NaN when the denominator is unknown or 0)."""
    # multiply first: 3 cases x 100,000 / 10,000 people is exactly 30, whereas
    # 3 / 10,000 x 100,000 is 29.999999999999996 and would fall below a threshold of 30
    return _safe_divide(ctx.evaluate(a["num"]) * PER_100K, ctx.evaluate(a["den"]))


def ratio(ctx: TierData, a: Mapping[str, Any]) -> np.ndarray:
    """``num / den`` (NaN when the denominator is unknown or 0)."""
    return _safe_divide(ctx.evaluate(a["num"]), ctx.evaluate(a["den"]))


def by_date(ctx: TierData, a: Mapping[str, Any]) -> np.ndarray:
    """Indicator ``before`` on dates before ``switch``, ``after`` from it on."""
    early = (ctx.grid < np.datetime64(a["switch"], "ns"))[:, None]
    return np.where(early, ctx.evaluate(a["before"]), ctx.evaluate(a["after"]))


def flag(ctx: TierData, a: Mapping[str, Any]) -> np.ndarray:
    """1 if the manual flag ``name`` was set on the unit within the last ``days`` days."""
    total, _ = _window_sums(ctx.flag(a["name"]).astype(float), int(a.get("days", 1)))
    return (total > 0).astype(float)


def share_at_least(ctx: TierData, a: Mapping[str, Any]) -> np.ndarray:
    """Share of child units (with a level) at level >= ``level``; NaN if none has one."""
    known, hit = ctx.child_counts(int(a["level"]))
    return _safe_divide(hit, known)


def count_at_least(ctx: TierData, a: Mapping[str, Any]) -> np.ndarray:
    """Number of child units at level >= ``level``; NaN if no child has a level."""
    known, hit = ctx.child_counts(int(a["level"]))
    return np.where(known > 0, hit, np.nan)


@dataclass(frozen=True)
class IndicatorFn:
    """A registry entry: argument kinds (for validation), compute and aggregation."""

    compute: Callable[[TierData, Mapping[str, Any]], np.ndarray]
    args: Mapping[str, str]  # name -> kind: metric | indicator | int | date | level | str
    optional: tuple[str, ...] = ()
    aggregate: str = "local"  # sum | min | ratio | local (computed on the tier itself)
    unit: str | None = None


REGISTRY: Mapping[str, IndicatorFn] = MappingProxyType({
    "window_sum": IndicatorFn(window_sum, {"metric": "metric", "days": "int"}, (), "sum",
                              "count"),
    "window_mean": IndicatorFn(window_mean, {"metric": "metric", "days": "int"}, (), "sum"),
    "latest": IndicatorFn(latest, {"metric": "metric", "max_age_days": "int"},
                          ("max_age_days",), "sum"),
    "days_since": IndicatorFn(days_since, {"metric": "metric"}, (), "min", "days"),
    "per_100k": IndicatorFn(per_100k, {"num": "indicator", "den": "indicator"}, (),
                            "ratio", "per_100k"),
    "ratio": IndicatorFn(ratio, {"num": "indicator", "den": "indicator"}, (), "ratio",
                         "share"),
    "by_date": IndicatorFn(by_date, {"switch": "date", "before": "indicator",
                                     "after": "indicator"}),
    "flag": IndicatorFn(flag, {"name": "str", "days": "int"}, ("days",), "local", "flag"),
    "share_at_least": IndicatorFn(share_at_least, {"level": "level"}, (), "local", "share"),
    "count_at_least": IndicatorFn(count_at_least, {"level": "level"}, (), "local", "count"),
})

#: Functions that need a tier whose levels come from child units (``levels_of``).
NEEDS_CHILD_LEVELS = frozenset({"share_at_least", "count_at_least"})
SCALE = MappingProxyType({"per_100k": PER_100K, "ratio": 1.0})


def aggregation_of(spec_fn: str, args: Mapping[str, Any]) -> str:
    """How an indicator is lifted to a summed tier; flag metrics stay local."""
    entry = REGISTRY[spec_fn]
    metric = args.get("metric")
    if metric is not None and metric in METRICS and not METRICS[metric].additive:
        return "local"
    return entry.aggregate

