"""``assess``: every unit at every date under one rule set; ``assess_in_force``: per date
the rule set in force (QĐ 2686 until 2021-10-11, QĐ 4800 from 2021-10-12) or an override.

Tiers run in the order hamlet, commune, district, province, so a tier assessed on its
children's levels (QĐ 2686 districts) sees them final. Holds and hysteresis need earlier
levels, so the engine computes from ``history_days`` (rule-set setting) before the first
requested date, or from the first observation if later.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import pipeline as pl
from .context import TierContext
from .errors import RulesInputError
from .grouping import Grouping
from .inputs import Inputs, Panel
from .levels import NO_DATA
from .model import RuleSet, Tier
from .result import Result
from .segment import Segment, TierRun
from .vocab import UNIT_LEVELS


def _grid(inputs: Inputs, ruleset: RuleSet, dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    first = dates.min() - pd.Timedelta(days=ruleset.history_days)
    obs_dates = inputs.observations["date"]
    if len(obs_dates):
        first = max(first, min(pd.Timestamp(obs_dates.min()).normalize(), dates.min()))
    return pd.date_range(first, dates.max(), freq="D")


def _tier_grouping(panel: Panel, child_level: str, parent_level: str) -> Grouping:
    """Child columns (of ``child_level``) -> parent columns (of ``parent_level``)."""
    cs, ps = panel.slices[child_level], panel.slices[parent_level]
    anc = panel.ancestor(parent_level)[cs]
    inside = (anc >= ps.start) & (anc < ps.stop)
    return Grouping(np.where(inside, anc - ps.start, -1), ps.stop - ps.start)


def _nested_via(panel: Panel, summed: dict[str, TierContext], source: str, level: str
                ) -> tuple[TierContext, Grouping] | None:
    """An already summed tier between ``source`` and ``level`` that nests exactly (every
    source unit's ``level`` ancestor is its intermediate unit's ``level`` ancestor)."""
    for mid, ctx in summed.items():
        if mid == level or ctx.source is None or ctx.source.unit_level != source:
            continue
        cs = panel.slices[source]
        top, middle = panel.ancestor(level), panel.ancestor(mid)
        through = np.where(middle[cs] >= 0, top[np.maximum(middle[cs], 0)], -1)
        if np.array_equal(through, top[cs]) and (middle[cs] >= 0).all():
            return ctx, _tier_grouping(panel, mid, level)
    return None


def _context(panel: Panel, ruleset: RuleSet, tier: Tier, own: dict[str, TierContext],
             final: np.ndarray, summed: dict[str, TierContext]) -> TierContext:
    level = tier.unit_level
    if tier.figures == "sum" and tier.source:
        src = own.setdefault(tier.source, TierContext(panel, ruleset, tier.source))
        ctx = TierContext(panel, ruleset, level, source=src,
                          grouping=_tier_grouping(panel, tier.source, level),
                          via=_nested_via(panel, summed, tier.source, level))
        summed[level] = ctx
        return ctx
    if tier.levels_of:
        cs = panel.slices[tier.levels_of]
        return TierContext(panel, ruleset, level, child_levels=final[:, cs],
                           child_grouping=_tier_grouping(panel, tier.levels_of, level))
    return own.setdefault(level, TierContext(panel, ruleset, level))


def _tier_pairs(panel: Panel, tier_slice: slice) -> tuple[np.ndarray, np.ndarray]:
    a, b = panel.pairs
    inside = ((a >= tier_slice.start) & (a < tier_slice.stop)
              & (b >= tier_slice.start) & (b < tier_slice.stop))
    return a[inside] - tier_slice.start, b[inside] - tier_slice.start


def run_tier(panel: Panel, ctx: TierContext, tier: Tier) -> TierRun:
    """The whole pipeline of one tier on the full grid."""
    known = pl.known_mask(ctx, tier)
    base = np.where(known, pl.base_levels(ctx, tier), NO_DATA).astype(np.int8)
    lifted = pl.raised(base, pl.raise_steps(ctx, tier), tier.raise_cap) if tier.raises else base
    lifted = np.where(base == NO_DATA, NO_DATA, lifted).astype(np.int8)
    steps = pl.cascade(lifted, tier, _tier_pairs(panel, ctx.cols)) if tier.cascade else []
    cand = steps[-1] if steps else lifted
    holds = [(pl.group_mask(ctx, h.when), h.lag_days) for h in tier.holds]
    final = pl.holds_and_hysteresis(cand, holds, tier.min_days_before_downgrade)
    return TierRun(tier, ctx, known, base, lifted, steps, final)


def _as_dates(dates) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(pd.to_datetime(pd.Index(np.atleast_1d(dates)))).normalize()
    if idx.empty:
        raise RulesInputError("dates is empty; give at least one date to assess")
    return idx


def _run_tiers(panel: Panel, ruleset: RuleSet) -> tuple[dict[str, TierRun], np.ndarray]:
    """Every tier of ``ruleset`` on the panel, bottom up: (runs, final levels)."""
    final = np.zeros((len(panel.grid), len(panel.codes)), dtype=np.int8)
    own: dict[str, TierContext] = {}
    summed: dict[str, TierContext] = {}
    runs: dict[str, TierRun] = {}
    for level in UNIT_LEVELS:
        tier, cols = ruleset.tiers.get(level), panel.slices[level]
        if tier is None or cols.stop == cols.start:
            continue
        runs[level] = run_tier(panel, _context(panel, ruleset, tier, own, final, summed), tier)
        final[:, cols] = runs[level].final
    return runs, final


def assess(inputs: Inputs, ruleset: RuleSet, dates) -> Result:
    """Levels of every unit of ``inputs.units`` on every date, under ``ruleset``."""
    dates = _as_dates(dates)
    panel = Panel(inputs, _grid(inputs, ruleset, dates))
    runs, final = _run_tiers(panel, ruleset)
    segment = Segment(ruleset, panel, runs, final)
    return Result.from_segments(inputs, dates, [(dates, segment)])


def assess_arrays(units: pd.DataFrame, grid: pd.DatetimeIndex, metrics: dict[str, np.ndarray],
                  ruleset: RuleSet, adjacency: pd.DataFrame | None = None,
                  flags: pd.DataFrame | None = None) -> np.ndarray:
    """Levels ``(n_days, n_units)``, units in the order of ``units``, under ``ruleset``
    on every day of ``grid``, from wide arrays (one ``(n_days, n_units)`` float array per
    metric in that order, NaN = not reported): the run of ``assess`` without long
    observation rows, for many simulated copies of the units at once (the outlook)."""
    empty = pd.DataFrame({"unit_code": pd.Series([], dtype=object),
                          "date": pd.Series([], dtype="datetime64[ns]")})
    extra = {} if adjacency is None else {"adjacency": adjacency}
    panel = Panel(Inputs(units, empty, flags=flags, **extra), pd.DatetimeIndex(grid))
    order = panel.input_order
    same = bool((order == np.arange(len(order))).all())  # units already grouped by level
    for name, values in metrics.items():
        if values.shape != (len(panel.grid), len(order)):
            raise RulesInputError(f"metric {name} has shape {values.shape}; expected "
                                  f"{(len(panel.grid), len(order))}")
        panel.preset(name, values if same else values[:, order])
    _, final = _run_tiers(panel, ruleset)
    return final if same else final[:, np.argsort(order)]


def indicators(inputs: Inputs, ruleset: RuleSet, names, dates) -> dict[str, pd.DataFrame]:
    """Indicators of ``ruleset`` (or unit attributes) for every unit on ``dates``, computed
    exactly as the engine does for a level, without assessing: ``{name: frame}`` with
    dates as index and unit codes as columns (NaN where a tier does not use its own or
    its communes' figures)."""
    dates = _as_dates(dates)
    panel = Panel(inputs, _grid(inputs, ruleset, dates))
    final = np.zeros((len(panel.grid), len(panel.codes)), dtype=np.int8)
    own: dict[str, TierContext] = {}
    summed: dict[str, TierContext] = {}
    grids = {n: np.full((len(panel.grid), len(panel.codes)), np.nan) for n in names}
    for level in UNIT_LEVELS:
        tier, cols = ruleset.tiers.get(level), panel.slices[level]
        if tier is None or cols.stop == cols.start or tier.levels_of:
            continue
        ctx = _context(panel, ruleset, tier, own, final, summed)
        for n in names:
            grids[n][:, cols] = ctx.evaluate(n)
    rows = panel.grid.get_indexer(dates)
    order = np.argsort(panel.input_order)
    codes = pd.Index(inputs.units.index.astype(str), name="code")
    return {n: pd.DataFrame(g[rows][:, order], index=dates, columns=codes)
            for n, g in grids.items()}


def assess_in_force(inputs: Inputs, registry, dates, override: str | None = None) -> Result:
    """Per date, the rule set in force (or ``override``, a rule-set id, for all dates)."""
    dates = _as_dates(dates)
    if override is not None:
        return assess(inputs, registry.get(override), dates)
    chosen = [registry.in_force(d.date()) for d in dates]
    ids = np.array([rs.id for rs in chosen], dtype=object)
    parts = []
    for rid in dict.fromkeys(ids):
        sub = dates[ids == rid]
        part = assess(inputs, registry.get(rid), sub)
        parts.extend(part.segments)
    return Result.from_segments(inputs, dates, parts)

