"""``describe_ruleset``: the criteria as a table for a read-only "Tiêu chí" page."""

from __future__ import annotations

import pandas as pd

from .model import Group, RuleSet, Tier
from .text import fmt_threshold
from .vocab import UNIT_LEVEL_NAMES

COLUMNS = ["tier", "id", "kind", "level", "condition", "threshold", "configurable", "label"]
KIND = {"vi": {"bands": "thang bậc", "rule": "quy tắc", "raise": "tăng cấp",
               "cascade": "lan sang giáp ranh", "hold": "không hạ cấp",
               "hysteresis": "hạ cấp chậm"},
        "en": {"bands": "bands", "rule": "rule", "raise": "raise", "cascade": "cascade",
               "hold": "hold", "hysteresis": "hysteresis"}}


def _configurable(rs: RuleSet, params: tuple[str, ...]) -> bool:
    return any(rs.parameter_info[p].configurable for p in params if p in rs.parameter_info)


def _group_row(rs: RuleSet, group: Group, lang: str) -> tuple[str, str, bool]:
    thresholds = "; ".join(
        fmt_threshold(c.op, c.value, rs.indicators[c.indicator].unit
                      if c.indicator in rs.indicators else None, lang)
        for c in group.conditions)
    params = tuple(p for c in group.conditions for p in c.params)
    return group.text(rs, lang), thresholds, _configurable(rs, params)


def _tier_rows(rs: RuleSet, tier: Tier, lang: str) -> list[dict]:
    name = UNIT_LEVEL_NAMES[lang][tier.unit_level]
    if tier.method_label:
        name += f" ({tier.method_label.get(lang)})"
    rows, kind = [], KIND[lang]
    if tier.bands:
        b = tier.bands
        label = rs.indicators[b.indicator].label.get(lang)
        cuts = " / ".join(f"{c:g}" for c in b.cuts)
        rows.append((b.id, kind["bands"], "1–4", label, cuts,
                     _configurable(rs, b.params), b.label.get(lang)))
    for r in tier.rules:
        if r.enabled:
            text, thr, conf = _group_row(rs, r.when, lang)
            rows.append((r.id, kind["rule"], str(r.level), text, thr, conf, r.label.get(lang)))
    for r in tier.raises:
        text, thr, conf = _group_row(rs, r.when, lang)
        rows.append((r.id, kind["raise"], f"+{r.by}", text, thr, conf or
                     _configurable(rs, r.params), r.label.get(lang)))
    for c in tier.cascade:
        rows.append((c.id, kind["cascade"], f"≥{c.at_least}", f"≥{c.touches}", "", False,
                     c.label.get(lang)))
    for h in tier.holds:
        text, thr, conf = _group_row(rs, h.when, lang)
        rows.append((h.id, kind["hold"], f"D-{h.lag_days}", text, thr, conf, h.label.get(lang)))
    if tier.min_days_before_downgrade > 1:
        rows.append(("hysteresis", kind["hysteresis"], "", "", str(
            tier.min_days_before_downgrade), True, ""))
    return [dict(zip(COLUMNS, (name, *row), strict=True)) for row in rows]


def describe_ruleset(rs: RuleSet, lang: str = "vi") -> pd.DataFrame:
    """One row per criterion of every tier."""
    rows = [row for tier in rs.tiers.values() for row in _tier_rows(rs, tier, lang)]
    return pd.DataFrame(rows, columns=COLUMNS)
