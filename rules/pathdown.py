""""Path down": the smallest change that lowers a unit's level by one, in user terms.

Each returned line is needed; a line may hold alternatives ("… hoặc …"). Levels kept up by
several layers need a change in each: hysteresis (wait), holds (meet the condition),
cascade (neighbours must fall), and the base level with its raises (smallest number of
levers, then the smallest drop of the band).
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np

from .indicators import PER_100K
from .model import Condition, Raise
from .operators import NEGATION
from .text import fmt_date, fmt_number, fmt_percent, fmt_threshold, fmt_value, message
from .unitview import UnitView
from .vocab import METRICS, PEOPLE, UNIT_LEVEL_NAMES


def _t(key: str, lang: str, **kw) -> str:
    return message("rules.pathdown." + key, lang, **kw)


def neighbours_at(v: UnitView, levels: np.ndarray, at_least: int) -> list[str]:
    """Names of the unit's neighbours (same tier) at level >= ``at_least`` on the day."""
    panel, cols = v.seg.panel, v.ctx.cols
    a, b = panel.pairs
    me = cols.start + v.col
    nb = b[(a == me) & (b >= cols.start) & (b < cols.stop)]
    nb = nb[levels[v.row, nb - cols.start] >= at_least]
    return [str(panel.units["name"].iloc[i]) for i in nb]


def _ages_out(v: UnitView, metric: str, days: int) -> str:
    if v.ctx.source is not None:
        return ""
    col = v.ctx.metric(metric)[: v.row + 1, v.col]
    hit = np.flatnonzero(np.nan_to_num(col) > 0)
    if not len(hit):
        return ""
    return _t("ages_out", v.lang, date=fmt_date(v.seg.panel.grid[hit[-1]] + np.timedelta64(
        days, "D"), v.lang))


def fall_below(v: UnitView, name: str, cut: float, op: str = "lt") -> str:
    """Text for "indicator ``name`` must become ``op cut``" in the user's terms."""
    spec, lang = v.rs.indicators.get(name), v.lang
    cur = v.value(name)
    if spec is not None and spec.fn == "per_100k":
        num = v.rs.indicators.get(spec.args["num"])
        if num is not None and num.fn == "window_sum" and cur > 0:
            count = v.value(spec.args["num"])
            den = count * PER_100K / cur
            limit = cut * den / PER_100K
            allowed = math.ceil(limit - 1e-9) - 1 if op == "lt" else math.floor(limit + 1e-9)
            return _t("fall", lang, label=num.label.get(lang), cur=fmt_number(count, lang),
                      max=fmt_number(max(allowed, 0), lang), cut=fmt_number(cut, lang))
    unit = spec.unit if spec else None
    return _t("below", lang, label=v.label(name), thr=fmt_threshold(op, cut, unit, lang),
              cur=fmt_value(cur, unit, lang))


def negate(v: UnitView, cond: Condition) -> str:
    """Text for making a condition that holds stop holding."""
    spec, lang, cur = v.rs.indicators.get(cond.indicator), v.lang, v.value(cond.indicator)
    fn = spec.fn if spec else None
    if fn in ("share_at_least", "count_at_least") and cond.op in ("ge", "gt"):
        return _children(v, cond, spec.args["level"])
    if fn == "window_sum" and cond.op in ("ge", "gt") and cond.value <= 1:
        metric, days = spec.args["metric"], int(spec.args["days"])
        return (_t("none_left", lang, label=spec.label.get(lang), cur=fmt_number(cur, lang))
                + _ages_out(v, metric, days))
    if fn == "per_100k" and cond.op in ("ge", "gt"):
        return fall_below(v, cond.indicator, cond.value, NEGATION[cond.op])
    if fn == "ratio" and cond.op in ("lt", "le"):
        text = _people(v, spec.args, cond.value)
        if text:
            return text
    unit = spec.unit if spec else None
    return _t("below", lang, label=v.label(cond.indicator), cur=fmt_value(cur, unit, lang),
              thr=fmt_threshold(NEGATION[cond.op], cond.value, unit, lang))


def _people(v: UnitView, args, target: float) -> str | None:
    num_spec = v.rs.indicators.get(args["num"])
    metric = num_spec.args.get("metric") if num_spec else None
    if metric not in PEOPLE:
        return None
    num, den = v.value(args["num"]), v.value(args["den"])
    if math.isnan(num) or math.isnan(den):
        return None
    need = max(math.ceil(target * den - 1e-9) - num, 0)
    who = PEOPLE[metric][0 if v.lang == "vi" else 1]
    return _t("people", v.lang, n=fmt_number(need, v.lang), who=who,
              target=fmt_percent(target, v.lang))


def _children(v: UnitView, cond: Condition, level: int) -> str:
    known, hit = (a[v.row, v.col] for a in v.ctx.child_counts(int(level)))
    child = UNIT_LEVEL_NAMES[v.lang].get(v.tier.levels_of or "", "")
    if v.rs.indicators[cond.indicator].fn == "count_at_least":
        return _t("count", v.lang, child=child, lv=level, cur=fmt_number(hit, v.lang))
    limit = cond.value * known
    allowed = math.ceil(limit - 1e-9) - 1 if cond.op == "ge" else math.floor(limit + 1e-9)
    thr = fmt_threshold(NEGATION[cond.op], cond.value, "share", v.lang)
    return _t("share", v.lang, child=child, lv=level, cur=fmt_number(hit, v.lang),
              max=fmt_number(max(allowed, 0), v.lang), thr=thr)


def _falsify(v: UnitView, group) -> list[str]:
    """Lines that make a group stop holding (one condition for ``all``, each for ``any``)."""
    true = v.true_conditions(group)
    return [negate(v, true[0])] if group.mode == "all" else [negate(v, c) for c in true]


def _lower_base(v: UnitView, to: int) -> list[str] | None:
    """Changes that bring the base level down to ``to`` or below."""
    tier = v.tier
    if tier.bands is not None:
        return [fall_below(v, tier.bands.indicator, tier.bands.cuts[to - 1])]
    if to < tier.default_level:
        return None
    lines: list[str] = []
    for rule in tier.rules:
        if rule.enabled and rule.level > to and v.group_holds(rule.when):
            lines += [x for x in _falsify(v, rule.when) if x not in lines]
    return lines


def _active_raises(v: UnitView) -> list[Raise]:
    out = []
    for r in v.tier.raises:
        missing = any(math.isnan(v.value(i)) for i in r.when.indicators)
        if v.group_holds(r.when) or (missing and r.if_missing == "assume_not_met"):
            out.append(r)
    return out


def _raise_lines(v: UnitView, r: Raise) -> list[str]:
    unknown = [i for i in r.when.indicators if math.isnan(v.value(i))]
    if unknown:
        return [_t("supply", v.lang, what=", ".join(s for i in unknown
                                                     for s in v.missing_sources(i)))]
    return _falsify(v, r.when)


def _combine(v: UnitView, base: int, raises: list[Raise]) -> int:
    steps = [r.by for r in raises]
    total = sum(steps) if v.tier.stack_raises else max(steps, default=0)
    return max(min(base + total, v.tier.raise_cap), base) if total else base


def base_options(v: UnitView, target: int) -> str | None:
    """Smallest set of changes to base level and raises reaching ``target`` or lower."""
    base = int(v.run.base[v.row, v.col])
    active = _active_raises(v)
    found: dict[tuple[bool, tuple[str, ...]], tuple[int, str]] = {}
    for to in range(base, 0, -1):
        lowered = [] if to == base else _lower_base(v, to)
        if lowered is None:
            continue
        for k in range(len(active) + 1):
            for gone in combinations(active, k):
                rest = [r for r in active if r not in gone]
                if _combine(v, to, rest) <= target:
                    lines = lowered + [x for r in gone for x in _raise_lines(v, r)]
                    levers = (to < base, tuple(r.id for r in gone))
                    text = _t("and", v.lang).join(lines)
                    if levers not in found or found[levers][0] > base - to:
                        found[levers] = (base - to, text)
    if not found:
        return None
    fewest = min(a + len(b) for a, b in found)
    texts = list(dict.fromkeys(t for (a, b), (_, t) in found.items()
                               if a + len(b) == fewest and t))
    return _t("or", v.lang).join(texts)


def path_down(v: UnitView, level: int) -> list[str]:
    """All changes needed (each line) for the level to fall by one."""
    lang = v.lang
    if level <= 1:
        return [_t("lowest", lang)]
    lines: list[str] = []
    cand = int((v.run.cascaded[-1] if v.run.cascaded else v.run.raised)[v.row, v.col])
    if cand < level:
        lines += _late_lines(v, level)
    before = v.run.raised
    for step, after in zip(v.tier.cascade, v.run.cascaded, strict=True):
        lifted = after[v.row, v.col] > before[v.row, v.col]
        if lifted and step.at_least >= level:
            names = ", ".join(neighbours_at(v, before, step.touches))
            lines.append(_t("neighbours", lang, names=names, lv=step.touches))
        before = after
    if int(v.run.raised[v.row, v.col]) >= level:
        option = base_options(v, level - 1)
        if option:
            lines.append(option)
    return lines


def _late_lines(v: UnitView, level: int) -> list[str]:
    lines = []
    for h in v.tier.holds:
        prev_row = v.row - h.lag_days
        if prev_row >= 0 and v.group_holds(h.when) and v.run.final[prev_row, v.col] >= level:
            lines.append(_t("hold", v.lang, label=h.label.get(v.lang)))
    n = v.tier.min_days_before_downgrade
    if not lines and n > 1:
        cand = v.run.cascaded[-1] if v.run.cascaded else v.run.raised
        below = cand[: v.row + 1, v.col] < level
        run = len(below) - (np.flatnonzero(~below)[-1] + 1) if (~below).any() else len(below)
        lines.append(_t("wait", v.lang, n=max(n - run, 1)))
    return lines


__all__ = ["METRICS", "base_options", "fall_below", "negate", "path_down"]
