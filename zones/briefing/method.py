"""The method of a rule set's tier in words a leader reads: one sentence per criterion,
with the level names and the thresholds, and no internal codes (no "D-7", no "+1")."""

from __future__ import annotations

import re

import rules
from rules.text import fmt_threshold, fmt_value, join
from rules.vocab import UNIT_LEVEL_NAMES
from zones.i18n import t

FLAG_NOTE = re.compile(r"\s*\((1\s*=\s*(có|yes)[^)]*)\)\s*$", re.IGNORECASE)


def method_lines(rs: rules.RuleSet | None, level: str, lang: str) -> list[str]:
    """How the level of a unit of ``level`` is set under ``rs``, in sentences."""
    if rs is None:
        return []
    tier = rs.tiers.get(level) or next(iter(rs.tiers.values()), None)
    if tier is None:
        return []
    names = rs.level_names(lang)
    out = []
    if tier.figures == "sum" and tier.source:
        out.append(t("brief.how.sum", lang=lang, source=UNIT_LEVEL_NAMES[lang][tier.source]))
    if tier.bands is not None:
        out.append(_bands(rs, tier.bands, names, lang))
    for rule in sorted((r for r in tier.rules if r.enabled), key=lambda r: -r.level):
        out.append(t("brief.how.rule", lang=lang, level=names[rule.level],
                     when=_when(rs, rule.when, lang), label=rule.label.get(lang)))
    if tier.rules and not tier.bands:
        out.append(t("brief.how.default", lang=lang, level=names[tier.default_level]))
    for r in tier.raises:
        out.append(t("brief.how.raise", lang=lang, n=r.by, when=_when(rs, r.when, lang),
                     label=r.label.get(lang)))
    if len(tier.raises) > 1:
        out.append(t("brief.how.stack" if tier.stack_raises else "brief.how.no_stack",
                     lang=lang, level=names[min(tier.raise_cap, 4)]))
    for c in tier.cascade:
        out.append(t("brief.how.cascade", lang=lang, touches=names[c.touches],
                     at_least=names[c.at_least]))
    for h in tier.holds:
        out.append(t("brief.how.hold", lang=lang, days=h.lag_days,
                     when=_when(rs, h.when, lang), label=h.label.get(lang)))
    if tier.min_days_before_downgrade > 1:
        out.append(t("brief.how.slow_down", lang=lang, days=tier.min_days_before_downgrade))
    if tier.requires:
        labels = [_mid(rs.indicators[i].label.get(lang)) if i in rs.indicators else i
                  for i in tier.requires]
        out.append(t("brief.how.requires", lang=lang, what=join(
            labels, lang, "and" if tier.requires_mode == "all" else "or"), level=names[0]))
    return out


def _bands(rs: rules.RuleSet, bands, names: dict[int, str], lang: str) -> str:
    spec = rs.indicators.get(bands.indicator)
    label = spec.label.get(lang) if spec else bands.indicator
    unit = spec.unit if spec else None
    cuts = [fmt_value(c, unit, lang) for c in bands.cuts]
    parts = [t("brief.how.band_first", lang=lang, hi=cuts[0], level=names[1])]
    for i in range(1, len(cuts)):
        parts.append(t("brief.how.band_mid", lang=lang, lo=cuts[i - 1], hi=cuts[i],
                       level=names[i + 1]))
    parts.append(t("brief.how.band_last", lang=lang, lo=cuts[-1], level=names[len(cuts) + 1]))
    return t("brief.how.bands", lang=lang, indicator=_mid(label), parts="; ".join(parts))


def _when(rs: rules.RuleSet, group, lang: str) -> str:
    phrases = []
    for c in group.conditions:
        spec = rs.indicators.get(c.indicator)
        label = spec.label.get(lang) if spec else c.indicator
        label = _mid(label)
        unit = spec.unit if spec else None
        yes = _flag(c, unit, label)
        if yes is not None:
            phrases.append(t("brief.how.flag_yes" if yes else "brief.how.flag_no", lang=lang,
                             what=FLAG_NOTE.sub("", label)))
        elif c.op in WORDS and not isinstance(c.value, list | tuple):
            phrases.append(t(f"brief.how.op.{c.op}", lang=lang, what=label,
                             value=fmt_value(c.value, unit, lang)))
        else:  # an interval, said with its brackets
            phrases.append(f"{label} {fmt_threshold(c.op, c.value, unit, lang)}")
    return join(phrases, lang, "and" if group.mode == "all" else "or")


def _flag(c, unit: str | None, label: str) -> bool | None:
    """For a yes/no figure ("flag", or labelled "(1 = có)"): whether the condition asks
    for yes (True) or no (False); None for any other figure."""
    if isinstance(c.value, list | tuple) or not (unit == "flag" or FLAG_NOTE.search(label)):
        return None
    v = float(c.value)
    return {"eq": v >= 1, "ne": v < 1, "ge": v > 0, "gt": True, "lt": v > 1,
            "le": v >= 1}.get(c.op) if c.op != "lt" or v <= 1 else None


def _mid(label: str) -> str:
    """A label inside a sentence: "Số ca…" -> "số ca…" (an acronym like "F0" or "KCN"
    keeps its capitals)."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


WORDS = ("lt", "le", "gt", "ge", "eq", "ne")  # said in words: "dưới 70%", "từ 50 trở lên"
