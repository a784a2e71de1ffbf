"""The steps of one tier's pipeline (see ``model`` for the order), on whole arrays.

Arrays are ``(n_days, n_units)``; levels are ``int8`` with ``NO_DATA`` = 0. Only the holds
and hysteresis step walks the days in order (each day is one vector operation over all
units), because a day's level there depends on earlier outputs.
"""

from __future__ import annotations

import numpy as np

from .context import TierContext
from .grouping import Grouping
from .levels import NO_DATA
from .model import Group, Tier
from .operators import apply


def group_mask(ctx: TierContext, group: Group) -> np.ndarray:
    """Where the group's conditions hold (NaN never holds)."""
    masks = [apply(c.op, ctx.evaluate(c.indicator), c.value) for c in group.conditions]
    combine = np.logical_and if group.mode == "all" else np.logical_or
    return combine.reduce(masks) if masks else np.zeros((len(ctx.grid), ctx.n_units), bool)


def group_missing(ctx: TierContext, group: Group) -> np.ndarray:
    """Where any indicator of the group is unknown."""
    shape = (len(ctx.grid), ctx.n_units)
    return np.logical_or.reduce([np.isnan(ctx.evaluate(i)) for i in group.indicators]
                                + [np.zeros(shape, bool)])


def known_mask(ctx: TierContext, tier: Tier) -> np.ndarray:
    """Where the tier's required indicators are known (``all`` or ``any`` of them)."""
    shape = (len(ctx.grid), ctx.n_units)
    if not tier.requires:
        return np.ones(shape, bool)
    known = [~np.isnan(ctx.evaluate(name)) for name in tier.requires]
    return (np.logical_and if tier.requires_mode == "all" else np.logical_or).reduce(known)


def base_levels(ctx: TierContext, tier: Tier) -> np.ndarray:
    """Level from bands (1 + cuts passed) or from rules (highest rule that holds)."""
    shape = (len(ctx.grid), ctx.n_units)
    if tier.bands is not None:
        values = ctx.evaluate(tier.bands.indicator)
        level = np.where(np.isnan(values), np.int8(NO_DATA), np.int8(1))
        with np.errstate(invalid="ignore"):
            for cut in tier.bands.cuts:  # 1 + number of cuts passed
                level += values >= cut
        return level
    level = np.full(shape, tier.default_level, dtype=np.int8)
    for rule in sorted((r for r in tier.rules if r.enabled), key=lambda r: r.level):
        level[group_mask(ctx, rule.when)] = rule.level
    return level


def raise_steps(ctx: TierContext, tier: Tier) -> np.ndarray:
    """Total raise per unit and day: the sum (stacking) or the largest single raise."""
    total = np.zeros((len(ctx.grid), ctx.n_units), dtype=np.int8)
    for r in tier.raises:
        hit = group_mask(ctx, r.when)
        if r.if_missing == "assume_not_met":
            hit |= group_missing(ctx, r.when)
        step = np.where(hit, np.int8(r.by), np.int8(0))
        total = total + step if tier.stack_raises else np.maximum(total, step)
    return total


def raised(base: np.ndarray, steps: np.ndarray, cap: int) -> np.ndarray:
    """``base + steps`` capped at ``cap`` (never below ``base``)."""
    return np.where(steps > 0, np.maximum(np.minimum(base + steps, cap), base),
                    base).astype(np.int8)


def touching(levels: np.ndarray, at_least: int, pairs: tuple[np.ndarray, np.ndarray],
             n_units: int) -> np.ndarray:
    """Where a unit has a neighbour at level >= ``at_least``."""
    a, b = pairs
    out = np.zeros(levels.shape, dtype=bool)
    if len(a):
        hot = (levels[:, b] >= at_least).astype(np.int8)
        out |= Grouping(a, n_units).count(hot.astype(bool)) > 0
    return out


def cascade(levels: np.ndarray, tier: Tier, pairs: tuple[np.ndarray, np.ndarray]
            ) -> list[np.ndarray]:
    """Each cascade step once, in order; returns the levels after every step."""
    steps = []
    for step in tier.cascade:
        hit = touching(levels, step.touches, pairs, levels.shape[1])
        levels = np.where(hit & (levels != NO_DATA) & (levels < step.at_least),
                          np.int8(step.at_least), levels).astype(np.int8)
        steps.append(levels)
    return steps


def holds_and_hysteresis(cand: np.ndarray, holds: list[tuple[np.ndarray, int]],
                         min_days: int) -> np.ndarray:
    """Walk the days: apply holds (not below the level ``lag`` days before) and hysteresis.

    Hysteresis keeps a memory of the last level (skipping no-data days) and lets the level
    fall only to the highest candidate of the last ``min_days`` days once all of them are
    below it: ``level = max(candidate, min(memory, rolling_max(candidate)))``.
    """
    if not holds and min_days <= 1:
        return cand
    out = np.zeros_like(cand)
    held = np.zeros_like(cand)
    memory = np.zeros(cand.shape[1], dtype=np.int8)
    for d in range(cand.shape[0]):
        c = cand[d]
        for mask, lag in holds:
            if d >= lag:
                c = np.where(mask[d] & (c != NO_DATA), np.maximum(c, out[d - lag]), c)
        held[d] = c
        if min_days > 1:
            recent = held[max(0, d - min_days + 1): d + 1].max(axis=0)
            level = np.maximum(c, np.minimum(memory, recent))
            c = np.where(c != NO_DATA, level, NO_DATA)
            memory = np.where(c != NO_DATA, c, memory)
        out[d] = c
    return out
