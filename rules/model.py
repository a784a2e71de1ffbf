"""The rule-set model: frozen dataclasses built by ``loader`` from a YAML file.

A rule set has metadata, named parameters (the numbers a province may change), named
indicators (computed from observations and unit attributes) and one ``Tier`` per unit level
(hamlet, commune, district, province). A tier is a small pipeline, applied in this order:

1. ``requires``: indicators that must be known, else the unit is "not enough data";
2. a base level, either from ``bands`` (1 + number of cut points <= value) or from level
   ``rules`` (the highest level whose rule holds wins: QĐ 2686 tests from red downward);
3. ``raises``: +``by`` levels when a condition holds (capped), stacking or not;
4. ``cascade``: units touching a unit at level >= ``touches`` become at least ``at_least``;
   each step runs once, on the levels left by the step before;
5. ``holds``: while a condition holds, the level may not go below the level ``lag_days``
   earlier;
6. hysteresis: a unit goes up at once and down only after ``min_days_before_downgrade``
   days below its current level.

Every number a file may hold has a declared ``Range`` below (the schema the loader checks
against): a threshold by the unit of the indicator it is compared with, a window, a lag,
a raise. They say what the engine can mean, not what a province should choose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .levels import NO_DATA, NO_DATA_NAME
from .text import fmt_threshold


@dataclass(frozen=True)
class Range:
    """The values a number of a checked file may take: finite, ``low <= x <= high``, and a
    whole number when ``whole``; ``unit`` words the range for messages."""

    low: float
    high: float
    whole: bool = False
    unit: str = ""

    def __str__(self) -> str:
        kind = "a whole number" if self.whole else "a finite number"
        unit = f" {self.unit}" if self.unit else ""
        return f"{kind} from {_plain(self.low)} to {_plain(self.high)}{unit}"


def _plain(x: float) -> str:
    """100,000,000 rather than 1e+08; 0.5 as 0.5."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


# --- the schema of a rule-set file's numbers ---------------------------------------------
#: a sum, a mean or a flag over a window of days (``days``, ``max_age_days``)
WINDOW_DAYS = Range(1, 60, whole=True, unit="days")
#: how far back a hold looks (``lag_days``: QĐ 4800 compares with D-7)
LAG_DAYS = Range(1, 60, whole=True, unit="days")
#: hysteresis (``min_days_before_downgrade``)
DOWNGRADE_DAYS = Range(0, 60, whole=True, unit="days")
#: days computed before the first requested one (holds and hysteresis look back)
HISTORY_DAYS = Range(0, 366, whole=True, unit="days")
#: a raise's ``by``: at most from the lowest level to the highest
RAISE_BY = Range(1, 3, whole=True, unit="levels")
#: how many cut points bands have (levels 2, 3 and 4 start at them)
BAND_CUTS = Range(1, 3, whole=True, unit="cut points")
#: a threshold, by the unit of the indicator it is compared with (``None``: a figure as
#: reported, e.g. the latest cumulative count); no figure of ours is negative
THRESHOLDS = {
    "share": Range(0, 1, unit="(a share: 0.7 is 70%)"),
    "per_100k": Range(0, 100_000, unit="per 100,000 people"),
    "count": Range(0, 100_000_000, unit="(a count of people or cases)"),
    "flag": Range(0, 1, unit="(a yes/no flag: 1 = yes)"),
    "days": Range(0, 366, unit="days"),
    None: Range(0, 100_000_000, unit="(a reported figure)"),
}


@dataclass(frozen=True)
class Text:
    """A phrase in Vietnamese and English (English falls back to Vietnamese)."""

    vi: str
    en: str = ""

    def get(self, lang: str = "vi") -> str:
        return self.en if lang == "en" and self.en else self.vi


@dataclass(frozen=True)
class Parameter:
    name: str
    value: Any
    configurable: bool = False
    uncertain: bool = False
    note: str = ""
    choices: tuple[Any, ...] = ()


@dataclass(frozen=True)
class IndicatorSpec:
    """A named indicator: registry function ``fn`` with resolved arguments."""

    name: str
    fn: str
    args: Mapping[str, Any]
    label: Text
    unit: str | None = None  # "share" (0..1 shown as %), "per_100k", "count", "flag", "days"


@dataclass(frozen=True)
class Condition:
    indicator: str
    op: str
    value: Any
    params: tuple[str, ...] = ()  # parameters the threshold came from

    def text(self, ruleset: RuleSet, lang: str = "vi") -> str:
        spec = ruleset.indicators.get(self.indicator)
        label = spec.label.get(lang) if spec else self.indicator
        return f"{label} {fmt_threshold(self.op, self.value, spec and spec.unit, lang)}"


@dataclass(frozen=True)
class Group:
    """Conditions combined with ``all`` (and) or ``any`` (or)."""

    mode: str
    conditions: tuple[Condition, ...]

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(c.indicator for c in self.conditions)

    def text(self, ruleset: RuleSet, lang: str = "vi") -> str:
        word = {"all": {"vi": " và ", "en": " and "}, "any": {"vi": " hoặc ", "en": " or "}}
        return word[self.mode][lang].join(c.text(ruleset, lang) for c in self.conditions)


@dataclass(frozen=True)
class LevelRule:
    id: str
    level: int
    when: Group
    label: Text
    enabled: bool = True


@dataclass(frozen=True)
class Bands:
    id: str
    indicator: str
    cuts: tuple[float, ...]
    label: Text
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class Raise:
    id: str
    when: Group
    label: Text
    by: int = 1
    if_missing: str = "ignore"  # or "assume_not_met": a missing figure triggers the raise
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hold:
    id: str
    when: Group
    label: Text
    lag_days: int = 7


@dataclass(frozen=True)
class Cascade:
    id: str
    touches: int
    at_least: int
    label: Text


@dataclass(frozen=True)
class Tier:
    """How units of one level (hamlet/commune/district/province) are assessed."""

    unit_level: str
    figures: str = "own"  # "own" | "sum" (figures summed over descendant `source` units)
    source: str | None = None  # unit level summed (figures="sum") or whose levels are shared
    levels_of: str | None = None  # child unit level whose levels feed share indicators
    method_label: Text | None = None
    requires: tuple[str, ...] = ()
    requires_mode: str = "all"
    bands: Bands | None = None
    rules: tuple[LevelRule, ...] = ()
    default_level: int = 1
    raises: tuple[Raise, ...] = ()
    stack_raises: bool = False
    raise_cap: int = 4
    cascade: tuple[Cascade, ...] = ()
    holds: tuple[Hold, ...] = ()
    min_days_before_downgrade: int = 0


@dataclass(frozen=True)
class RuleSet:
    id: str
    version: str
    title: Text
    reference: Text
    effective_from: dt.date | None
    effective_to: dt.date | None
    level_labels: Mapping[int, Text]
    parameter_info: Mapping[str, Parameter]
    indicators: Mapping[str, IndicatorSpec]
    tiers: Mapping[str, Tier]
    history_days: int = 120
    headline: str | None = None  # the indicator shown beside the level (map tooltip)
    path: Path | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def parameters(self) -> dict[str, Any]:
        """Parameter name -> value (the numbers a province may change)."""
        return {name: p.value for name, p in self.parameter_info.items()}

    def level_names(self, lang: str = "vi") -> dict[int, str]:
        """Level -> this rule set's name for it, including ``NO_DATA``."""
        names = {lvl: text.get(lang) for lvl, text in sorted(self.level_labels.items())}
        names[NO_DATA] = NO_DATA_NAME.get(lang, NO_DATA_NAME["vi"])
        return names

    def covers(self, date: dt.date) -> bool:
        """Whether ``date`` lies in [effective_from, effective_to]."""
        after = self.effective_from is None or date >= self.effective_from
        before = self.effective_to is None or date <= self.effective_to
        return after and before
