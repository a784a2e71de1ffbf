"""One unit on one date within a tier run, as the explanation and the path down read it.

Its own module so that ``explain`` (which calls ``pathdown``) and ``pathdown`` both import
it and not each other.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .model import Condition, Group
from .operators import apply
from .segment import Segment, TierRun
from .text import fmt_date, fmt_threshold, fmt_value, message
from .vocab import ATTRIBUTES, METRICS, UNIT_LEVEL_NAMES


def _t(key: str, lang: str, **kw) -> str:
    return message("rules.unitview." + key, lang, **kw)


class UnitView:
    """One unit on one date within a tier run: values and helpers for the text."""

    def __init__(self, seg: Segment, run: TierRun, row: int, col: int, lang: str) -> None:
        self.seg, self.run, self.row, self.col, self.lang = seg, run, row, col, lang
        self.rs, self.tier, self.ctx = seg.ruleset, run.tier, run.ctx
        self.date = seg.panel.grid[row]

    def value(self, name: str) -> float:
        return float(self.ctx.evaluate(name)[self.row, self.col])

    def label(self, name: str) -> str:
        if name in ATTRIBUTES:
            return ATTRIBUTES[name].label(self.lang)
        return self.rs.indicators[name].label.get(self.lang)

    def unit_of(self, name: str) -> str | None:
        spec = self.rs.indicators.get(name)
        return spec.unit if spec else None

    def holds(self, cond: Condition) -> bool:
        return bool(apply(cond.op, np.array([self.value(cond.indicator)]), cond.value)[0])

    def cond_text(self, cond: Condition) -> str:
        unit = self.unit_of(cond.indicator)
        return (f"{self.label(cond.indicator)} = {fmt_value(self.value(cond.indicator), unit, self.lang)}"
                f" {fmt_threshold(cond.op, cond.value, unit, self.lang)}")

    def true_conditions(self, group: Group) -> list[Condition]:
        return [c for c in group.conditions if self.holds(c)]

    def group_holds(self, group: Group) -> bool:
        hits = [self.holds(c) for c in group.conditions]
        return all(hits) if group.mode == "all" else any(hits)

    def missing_sources(self, name: str) -> list[str]:
        """User-facing names of the figures behind an unknown indicator."""
        if not math.isnan(self.value(name)):
            return []
        if name in ATTRIBUTES:
            return [ATTRIBUTES[name].label(self.lang)]
        spec = self.rs.indicators[name]
        args = spec.args
        if "metric" in args:
            label = METRICS[args["metric"]].label(self.lang)
            if "days" in args:
                return [_t("no_report", self.lang, label=label, days=args["days"],
                           date=fmt_date(self.date, self.lang))]
            return [_t("never", self.lang, label=label)]
        if spec.fn in ("share_at_least", "count_at_least"):
            child = UNIT_LEVEL_NAMES[self.lang].get(self.tier.levels_of or "", "")
            return [_t("no_children", self.lang, child=child)]
        out: list[str] = []
        for key in ("num", "den", "before", "after"):
            if key in args and (key not in ("before", "after") or self._branch(args) == key):
                out += [m for m in self.missing_sources(args[key]) if m not in out]
        return out or [self.label(name)]

    def _branch(self, args) -> str:
        return "before" if self.date < pd.Timestamp(args["switch"]) else "after"
