"""Evaluation context of one tier: its units' columns, memoised indicator arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .grouping import Grouping
from .indicators import REGISTRY, SCALE, _safe_divide, aggregation_of
from .inputs import Panel
from .model import RuleSet
from .vocab import ATTRIBUTES


class TierContext:
    """Indicators for the units of one level, on the panel's daily grid.

    ``source``/``grouping`` are set for a tier assessed on summed figures of descendant
    units; ``child_levels``/``child_grouping`` for a tier assessed on its children's levels.
    """

    def __init__(self, panel: Panel, ruleset: RuleSet, unit_level: str,
                 source: TierContext | None = None, grouping: Grouping | None = None,
                 child_levels: np.ndarray | None = None,
                 child_grouping: Grouping | None = None,
                 via: tuple[TierContext, Grouping] | None = None) -> None:
        self.panel, self.ruleset, self.unit_level = panel, ruleset, unit_level
        self.cols = panel.slices[unit_level]
        self.n_units = self.cols.stop - self.cols.start
        self.grid: np.ndarray = panel.grid.to_numpy(dtype="datetime64[ns]")
        self.source, self.grouping = source, grouping
        self.child_levels, self.child_grouping = child_levels, child_grouping
        self._memo: dict[str, np.ndarray] = {}
        self._partials: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.via = via  # (intermediate summed tier, its grouping onto this tier)

    @property
    def codes(self) -> pd.Index:
        return self.panel.codes[self.cols]

    def metric(self, name: str) -> np.ndarray:
        return self.panel.metric(name)[:, self.cols]

    def flag(self, name: str) -> np.ndarray:
        return self.panel.flag(name)[:, self.cols]

    def child_counts(self, level: int) -> tuple[np.ndarray, np.ndarray]:
        """(children with a level, children at level >= ``level``) per unit and day."""
        if self.child_levels is None or self.child_grouping is None:
            shape = (len(self.grid), self.n_units)
            return np.zeros(shape), np.zeros(shape)
        lv = self.child_levels
        return self.child_grouping.count(lv > 0), self.child_grouping.count(lv >= level)

    def evaluate(self, name: str) -> np.ndarray:
        """The ``(n_days, n_units)`` array of a named indicator or unit attribute."""
        if name not in self._memo:
            self._memo[name] = self._compute(name)
        return self._memo[name]

    def _compute(self, name: str) -> np.ndarray:
        if name in ATTRIBUTES:
            if self.source is not None:
                total, count = self.partial(name)
                return np.where(count > 0, total, np.nan)
            values = self.panel.attribute(name)[self.cols]
            return np.broadcast_to(values, (len(self.grid), self.n_units))
        spec = self.ruleset.indicators[name]
        how = aggregation_of(spec.fn, spec.args)
        if self.source is None or how == "local" or not self._summable(spec.args, how):
            return REGISTRY[spec.fn].compute(self, spec.args)
        if how == "min":
            return self.grouping.nanmin(self.source.evaluate(name))
        first, second = self.partial(name)
        if how == "ratio":
            return _safe_divide(first * SCALE[spec.fn], second)  # scale first: exact
        return np.where(second > 0, first, np.nan)

    def partial(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Additive parts of a summed indicator: (numerator, denominator) totals over the
        children having both, or (total, number of children reporting). Parts add up, so a
        province may sum its districts' parts instead of re-reading every commune."""
        if name not in self._partials:
            if self.via is not None:
                tier, grouping = self.via
                parts = tuple(grouping.total(p) for p in tier.partial(name))
            elif name in ATTRIBUTES or aggregation_of(
                    self.ruleset.indicators[name].fn, self.ruleset.indicators[name].args) != "ratio":
                child = self.source.evaluate(name)
                known = ~np.isnan(child)
                parts = (self.grouping.total(np.where(known, child, 0.0)),
                         self.grouping.count(known))
            else:
                parts = self._matched_parts(self.ruleset.indicators[name].args)
            self._partials[name] = parts
        return self._partials[name]

    def _summable(self, args: dict, how: str) -> bool:
        """A ratio is summed over children only if both sides are additive figures."""
        if how != "ratio":
            return True
        for side in (args["num"], args["den"]):
            if side in ATTRIBUTES:
                continue
            spec = self.ruleset.indicators[side]
            if aggregation_of(spec.fn, spec.args) != "sum":
                return False
        return True

    def _matched_parts(self, args: dict) -> tuple[np.ndarray, np.ndarray]:
        """Numerator and denominator summed over the children that have both."""
        num, den = self.source.evaluate(args["num"]), self.source.evaluate(args["den"])
        with np.errstate(invalid="ignore"):
            valid = (den > 0) & ~np.isnan(num)  # NaN > 0 is False
        return (self.grouping.total(np.where(valid, num, 0.0)),
                self.grouping.total(np.where(valid, den, 0.0)))
