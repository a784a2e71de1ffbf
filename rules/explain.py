"""Explanations: which conditions held (with values and thresholds) and the path down.

Vietnamese by default, English with ``lang="en"``. The path down lists what must change
for the level to fall by one; every line is needed, and a line may offer alternatives.
"""

from __future__ import annotations

import math

import pandas as pd

from . import pathdown
from .levels import NO_DATA
from .model import Tier
from .segment import Explanation, Segment
from .text import fmt_date, fmt_value, message
from .unitview import UnitView
from .vocab import UNIT_LEVEL_NAMES

BAND = {"both": {"vi": "ngưỡng cấp {band}: từ {lo} đến dưới {hi}",
                 "en": "level {band} band: {lo} to below {hi}"},
        "from": {"vi": "ngưỡng cấp {band}: từ {lo} trở lên", "en": "level {band} band: {lo} or more"},
        "below": {"vi": "ngưỡng cấp {band}: dưới {hi}", "en": "level {band} band: below {hi}"}}


def _t(key: str, lang: str, **kw) -> str:
    return message("rules.explain." + key, lang, **kw)


def _level_reasons(v: UnitView) -> list[str]:
    tier, lang = v.tier, v.lang
    if tier.bands is not None:
        b = tier.bands
        base = int(v.run.base[v.row, v.col])
        cuts = list(b.cuts)
        lo = cuts[base - 2] if base >= 2 else None
        hi = cuts[base - 1] if base - 1 < len(cuts) else None
        unit = v.unit_of(b.indicator)
        lo_t, hi_t = (fmt_value(x, unit, lang) if x is not None else None for x in (lo, hi))
        key = "both" if lo_t and hi_t else ("from" if lo_t else "below")
        thr = message("rules.explain.band." + key, lang, band=base, lo=lo_t, hi=hi_t)
        return [_t("band", lang, label=b.label.get(lang), label_i=v.label(b.indicator),
                   value=fmt_value(v.value(b.indicator), unit, lang), thr=thr, band=base)]
    base = int(v.run.base[v.row, v.col])
    lines = [_t("rule", lang, label=r.label.get(lang),
                conds=", ".join(v.cond_text(c) for c in v.true_conditions(r.when)))
             for r in tier.rules if r.enabled and r.level == base and v.group_holds(r.when)]
    return lines or [_t("default", lang)]


def _raise_reasons(v: UnitView, missing: list[str]) -> list[str]:
    lines = []
    for r in v.tier.raises:
        unknown = [i for i in r.when.indicators if math.isnan(v.value(i))]
        if unknown:
            what = ", ".join(s for i in unknown for s in v.missing_sources(i))
            missing.append(what)
            lines.append(_t("raise_missing", v.lang, label=r.label.get(v.lang), what=what))
            if r.if_missing != "assume_not_met":
                continue
        if v.group_holds(r.when) or unknown:
            conds = ", ".join(v.cond_text(c) for c in v.true_conditions(r.when))
            lines.append(_t("raise", v.lang, label=r.label.get(v.lang), conds=conds or "–",
                            by=r.by))
    return lines


def _cascade_reasons(v: UnitView) -> list[str]:
    lines, before = [], v.run.raised
    for step, after in zip(v.tier.cascade, v.run.cascaded, strict=True):
        if after[v.row, v.col] > before[v.row, v.col]:
            names = pathdown.neighbours_at(v, before, step.touches)
            lines.append(_t("cascade", v.lang, label=step.label.get(v.lang),
                            names=", ".join(names), lv=step.touches, to=step.at_least))
        before = after
    return lines


def _late_reasons(v: UnitView) -> list[str]:
    """Holds and hysteresis: where the final level is above the cascaded candidate."""
    final = int(v.run.final[v.row, v.col])
    cand = int((v.run.cascaded[-1] if v.run.cascaded else v.run.raised)[v.row, v.col])
    if final <= cand:
        return []
    lines = []
    for h in v.tier.holds:
        prev_row = v.row - h.lag_days
        if prev_row >= 0 and v.group_holds(h.when):
            prev = int(v.run.final[prev_row, v.col])
            if prev > cand:
                lines.append(_t("hold", v.lang, label=h.label.get(v.lang), lv=prev,
                                date=fmt_date(v.seg.panel.grid[prev_row], v.lang)))
    if not lines and v.tier.min_days_before_downgrade > 1:
        lines.append(_t("hyst", v.lang, lv=final, n=v.tier.min_days_before_downgrade))
    return lines


def _tier_indicators(tier: Tier) -> list[str]:
    names = list(tier.requires)
    if tier.bands is not None:
        names.append(tier.bands.indicator)
    for group in [r.when for r in tier.rules] + [r.when for r in tier.raises] + [
            h.when for h in tier.holds]:
        names += list(group.indicators)
    return list(dict.fromkeys(names))


def explain_unit(seg: Segment, code: str, date: pd.Timestamp, lang: str) -> Explanation:
    """Build the ``Explanation`` of one unit on one date."""
    rs = seg.ruleset
    names = rs.level_names(lang)
    where = seg.locate(code)
    meta = {"ruleset_id": rs.id, "ruleset_version": rs.version}
    if where is None or where[0] not in seg.runs:
        lv = where[0] if where else ""
        msg = (_t("unknown", lang, code=code) if where is None else
               _t("no_tier", lang, lv=UNIT_LEVEL_NAMES[lang].get(lv, lv)))
        return Explanation(NO_DATA, names[NO_DATA], reasons=[], path_down=[], values={},
                           missing=[msg], **meta)
    run = seg.runs[where[0]]
    v = UnitView(seg, run, seg.row(date), where[1], lang)
    level = int(run.final[v.row, v.col])
    values = {n: v.value(n) for n in _tier_indicators(run.tier)}
    if level == NO_DATA:
        missing = [m for n in run.tier.requires for m in v.missing_sources(n)]
        missing = list(dict.fromkeys(missing)) or [_t("missing", lang, what="–")]
        return Explanation(level, names[level], reasons=[], values=values, missing=missing,
                           path_down=[_t("missing", lang, what=", ".join(missing))], **meta)
    missing: list[str] = []
    reasons = (_level_reasons(v) + _raise_reasons(v, missing) + _cascade_reasons(v)
               + _late_reasons(v))
    return Explanation(level, names[level], reasons=reasons, values=values,
                       missing=missing, path_down=pathdown.path_down(v, level), **meta)
