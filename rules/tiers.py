"""Parsing of the ``tiers`` section of a rule-set file (part of the loader)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .checker import MISSING, Checker
from .errors import did_you_mean
from .indicators import NEEDS_CHILD_LEVELS
from .model import (
    BAND_CUTS,
    DOWNGRADE_DAYS,
    LAG_DAYS,
    RAISE_BY,
    THRESHOLDS,
    Bands,
    Cascade,
    Condition,
    Group,
    Hold,
    IndicatorSpec,
    LevelRule,
    Raise,
    Range,
    Tier,
)
from .operators import ALIASES, OPERATORS, RANGE_OPERATORS
from .vocab import ATTRIBUTES, METRICS, UNIT_LEVELS

TIER_KEYS = ("figures", "levels_of", "method_label", "requires", "bands", "rules", "default",
             "raises", "cascade", "holds", "min_days_before_downgrade", "use", "variants")
IF_MISSING = ("ignore", "assume_not_met")


class _TierParser:
    """Parses one tier; ``ids`` catches duplicate rule ids within the tier."""

    def __init__(self, ck: Checker, level: str, indicators: Mapping[str, IndicatorSpec]):
        self.ck, self.level, self.indicators = ck, level, indicators
        self.ids: set[str] = set()
        self.levels_of: str | None = None

    def rule_id(self, raw: Any, where: str) -> str:
        rid = raw.get("id") if isinstance(raw, Mapping) else None
        if not isinstance(rid, str) or not rid:
            self.ck.problem(None, f"{where}.id", rid, "a non-empty rule id")
            return where
        if rid in self.ids:
            self.ck.problem(rid, f"{where}.id", rid, "a rule id used once per tier",
                            "rename one of the rules")
        self.ids.add(rid)
        return rid

    def indicator(self, name: Any, rid: str, field: str) -> Any:
        known = set(self.indicators) | set(ATTRIBUTES)
        if not isinstance(name, str) or name not in known:
            return self.ck.problem(rid, field, name, "a defined indicator or attribute",
                                   lambda: did_you_mean(name, known))
        spec = self.indicators.get(name)
        if spec is not None and spec.fn in NEEDS_CHILD_LEVELS and not self.levels_of:
            self.ck.problem(rid, field, name, "an indicator usable in this tier",
                            f"'{spec.fn}' needs 'levels_of:' in tier {self.level}")
        return name

    def condition(self, raw: Any, rid: str, where: str) -> Condition | None:
        if not isinstance(raw, Mapping):
            self.ck.problem(rid, where, raw, "{indicator: ..., op: ..., value: ...}")
            return None
        self.ck.unknown_keys(raw, ("indicator", "op", "value"), rid, where)
        for key in ("indicator", "op", "value"):
            if key not in raw:
                self.ck.problem(rid, f"{where}.{key}", None, "this required field")
        ind = self.indicator(raw.get("indicator"), rid, f"{where}.indicator")
        op = raw.get("op")
        if not isinstance(op, str) or op not in OPERATORS:
            hint = (f"did you mean '{ALIASES[op]}'?" if isinstance(op, str) and op in ALIASES
                    else (lambda: did_you_mean(op, OPERATORS)))
            op = self.ck.problem(rid, f"{where}.op", op, f"one of {sorted(OPERATORS)}", hint)
        field = self.ck.source(raw.get("value"), f"{where}.value")
        value, params = self.ck.resolve(raw.get("value"), rid, field)
        value = self._threshold(value, op, rid, field, self.within(ind))
        if MISSING in (ind, op, value) or (isinstance(value, tuple) and MISSING in value):
            return None
        return Condition(ind, op, value, params)

    def within(self, name: Any) -> Range:
        """The values a threshold compared with indicator ``name`` may take (its unit's)."""
        spec = self.indicators.get(name) if isinstance(name, str) else None
        if spec is None:  # a unit attribute (population), or an unknown name
            return THRESHOLDS["count"]
        unit = spec.unit
        metric = METRICS.get(spec.args.get("metric")) if isinstance(
            spec.args.get("metric"), str) else None
        if unit is None and metric is not None and metric.kind == "flag":
            unit = "flag"
        return THRESHOLDS.get(unit, THRESHOLDS[None])

    def _threshold(self, value: Any, op: Any, rid: str, field: str, within: Range) -> Any:
        if op in RANGE_OPERATORS:
            if not (isinstance(value, list) and len(value) == 2):
                return self.ck.problem(rid, field, value, "a pair [low, high]")
            pair = tuple(self.ck.number(v, rid, field, within) for v in value)
            if MISSING not in pair and not self.ck.increasing(
                    list(pair), rid, field, "a pair [low, high] with low < high"):
                return MISSING
            return pair
        return self.ck.number(value, rid, field, within)

    def group(self, raw: Any, rid: str, where: str) -> Group | None:
        if not isinstance(raw, Mapping) or len(raw) != 1 or next(iter(raw)) not in ("all", "any"):
            self.ck.problem(rid, where, raw, "{all: [conditions]} or {any: [conditions]}",
                            did_you_mean(next(iter(raw)), ("all", "any"))
                            if isinstance(raw, Mapping) and raw else None)
            return None
        mode, items = next(iter(raw.items()))
        if not isinstance(items, list) or not items:
            self.ck.problem(rid, f"{where}.{mode}", items, "a non-empty list of conditions")
            return None
        conds = [self.condition(c, rid, f"{where}.{mode}[{i}]") for i, c in enumerate(items)]
        return Group(mode, tuple(c for c in conds if c)) if all(conds) else None


def _bands(p: _TierParser, raw: Any, where: str) -> Bands | None:
    if not isinstance(raw, Mapping):
        p.ck.problem(None, where, raw, "{id, indicator, cuts: [..], label}")
        return None
    rid = p.rule_id(raw, where)
    p.ck.unknown_keys(raw, ("id", "indicator", "cuts", "label"), rid, where)
    ind = p.indicator(raw.get("indicator"), rid, f"{where}.indicator")
    field = p.ck.source(raw.get("cuts"), f"{where}.cuts")
    cuts, params = p.ck.resolve(raw.get("cuts"), rid, field)
    if cuts is MISSING:
        return None
    if not (isinstance(cuts, list) and BAND_CUTS.low <= len(cuts) <= BAND_CUTS.high):
        return p.ck.problem(rid, field, cuts, f"a list of {BAND_CUTS.low:g} to "
                            f"{BAND_CUTS.high:g} numbers (where levels 2, 3, 4 start)")
    within = p.within(ind)
    values = [p.ck.number(c, rid, f"{field}[{i}]", within) for i, c in enumerate(cuts)]
    if MISSING in values or not p.ck.increasing(values, rid, field, "strictly increasing "
                                                "numbers (where levels 2, 3, 4 start)"):
        return None
    if ind is MISSING:
        return None
    return Bands(rid, ind, tuple(values),
                 p.ck.text(raw.get("label", rid), rid, f"{where}.label"), params)


def _level_rules(p: _TierParser, raw: Any, where: str) -> tuple[LevelRule, ...]:
    if not isinstance(raw, list):
        p.ck.problem(None, where, raw, "a list of rules")
        return ()
    out = []
    for i, item in enumerate(raw):
        w = f"{where}[{i}]"
        rid = p.rule_id(item, w)
        if not isinstance(item, Mapping):
            continue
        p.ck.unknown_keys(item, ("id", "level", "label", "when", "enabled", "note"), rid, w)
        level = p.ck.level(item.get("level"), rid, f"{w}.level")
        when = p.group(item.get("when"), rid, f"{w}.when")
        enabled = p.ck.boolean(item.get("enabled", True), rid, f"{w}.enabled")
        if MISSING not in (level, enabled) and when is not None:
            out.append(LevelRule(rid, level, when, p.ck.text(item.get("label", rid), rid,
                                                              f"{w}.label"), enabled))
    return tuple(out)


def _raises(p: _TierParser, raw: Any, where: str) -> tuple[tuple[Raise, ...], bool, int]:
    if not isinstance(raw, Mapping):
        p.ck.problem(None, where, raw, "{stack: bool, cap: level, rules: [...]}")
        return (), False, 4
    p.ck.unknown_keys(raw, ("stack", "cap", "rules"), None, where)
    stack = p.ck.boolean(raw.get("stack", False), None, f"{where}.stack")
    cap = p.ck.level(raw.get("cap", 4), None, f"{where}.cap")
    out = []
    items = raw.get("rules") or []
    if not isinstance(items, list):
        p.ck.problem(None, f"{where}.rules", items, "a list of raises")
        items = []
    for i, item in enumerate(items):
        w = f"{where}.rules[{i}]"
        rid = p.rule_id(item, w)
        if not isinstance(item, Mapping):
            continue
        p.ck.unknown_keys(item, ("id", "label", "when", "by", "if_missing", "note"), rid, w)
        when = p.group(item.get("when"), rid, f"{w}.when")
        by = p.ck.integer(item.get("by", 1), rid, f"{w}.by", within=RAISE_BY)
        miss = p.ck.choice(item.get("if_missing", "ignore"), rid, f"{w}.if_missing", IF_MISSING)
        _, params = p.ck.resolve(item.get("if_missing"), rid, w)
        if when is not None and MISSING not in (by, miss):
            out.append(Raise(rid, when, p.ck.text(item.get("label", rid), rid, f"{w}.label"),
                             by, miss, params))
    return tuple(out), stack is True, cap if cap is not MISSING else 4


def _holds(p: _TierParser, raw: Any, where: str) -> tuple[Hold, ...]:
    out = []
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        w = f"{where}[{i}]"
        rid = p.rule_id(item, w)
        if not isinstance(item, Mapping):
            continue
        p.ck.unknown_keys(item, ("id", "label", "when", "lag_days", "note"), rid, w)
        when = p.group(item.get("when"), rid, f"{w}.when")
        lag = p.ck.integer(item.get("lag_days", 7), rid, f"{w}.lag_days", within=LAG_DAYS)
        if when is not None and lag is not MISSING:
            out.append(Hold(rid, when, p.ck.text(item.get("label", rid), rid, f"{w}.label"), lag))
    if not isinstance(raw, list):
        p.ck.problem(None, where, raw, "a list of holds")
    return tuple(out)


def _cascade(p: _TierParser, raw: Any, where: str) -> tuple[Cascade, ...]:
    out = []
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        w = f"{where}[{i}]"
        rid = p.rule_id(item, w)
        if not isinstance(item, Mapping):
            continue
        p.ck.unknown_keys(item, ("id", "label", "touches", "at_least", "note"), rid, w)
        touches = p.ck.level(item.get("touches"), rid, f"{w}.touches")
        at_least = p.ck.level(item.get("at_least"), rid, f"{w}.at_least")
        if MISSING not in (touches, at_least):
            out.append(Cascade(rid, touches, at_least,
                               p.ck.text(item.get("label", rid), rid, f"{w}.label")))
    if not isinstance(raw, list):
        p.ck.problem(None, where, raw, "a list of cascade steps")
    return tuple(out)


def _figures(p: _TierParser, raw: Mapping, where: str) -> tuple[str, str | None]:
    fig = raw.get("figures", "own")
    if fig == "own":
        return "own", None
    if isinstance(fig, Mapping) and set(fig) == {"sum_of"} and fig["sum_of"] in UNIT_LEVELS:
        return "sum", fig["sum_of"]
    p.ck.problem(None, f"{where}.figures", fig, "'own' or {sum_of: commune}",
                 did_you_mean(fig, UNIT_LEVELS) if isinstance(fig, str) else None)
    return "own", None


def _requires(p: _TierParser, raw: Any, where: str) -> tuple[tuple[str, ...], str]:
    mode, names = "all", raw
    if isinstance(raw, Mapping) and len(raw) == 1 and next(iter(raw)) in ("all", "any"):
        mode, names = next(iter(raw.items()))
    if not isinstance(names, list):
        p.ck.problem(None, where, raw, "a list of indicators, or {any: [indicators]}")
        return (), mode
    found = [p.indicator(n, None, f"{where}[{i}]") for i, n in enumerate(names)]
    return tuple(n for n in found if n is not MISSING), mode


def parse_tier(ck: Checker, level: str, raw: Any, indicators) -> Tier | None:
    """One tier (after any ``variants`` choice); ``None`` when it has problems."""
    where = f"tiers.{level}"
    if not isinstance(raw, Mapping):
        ck.problem(None, where, raw, "a mapping describing how the tier is assessed")
        return None
    p = _TierParser(ck, level, indicators)
    before = ck.noted
    ck.unknown_keys(raw, TIER_KEYS, None, where)
    p.levels_of = raw.get("levels_of")
    if p.levels_of is not None and p.levels_of not in UNIT_LEVELS:
        ck.problem(None, f"{where}.levels_of", p.levels_of, f"one of {list(UNIT_LEVELS)}",
                   did_you_mean(p.levels_of, UNIT_LEVELS))
    figures, source = _figures(p, raw, where)
    requires, mode = _requires(p, raw.get("requires", []), f"{where}.requires")
    if ("bands" in raw) == ("rules" in raw):
        ck.problem(None, where, sorted(map(str, raw)), "exactly one of 'bands' or 'rules'")
    bands = _bands(p, raw["bands"], f"{where}.bands") if "bands" in raw else None
    rules = _level_rules(p, raw["rules"], f"{where}.rules") if "rules" in raw else ()
    default = ck.level(raw.get("default", 1), None, f"{where}.default")
    raises, stack, cap = _raises(p, raw["raises"], f"{where}.raises") if "raises" in raw \
        else ((), False, 4)
    cascade = _cascade(p, raw.get("cascade", []), f"{where}.cascade")
    holds = _holds(p, raw.get("holds", []), f"{where}.holds")
    min_days = ck.integer(raw.get("min_days_before_downgrade", 0), None,
                          f"{where}.min_days_before_downgrade", within=DOWNGRADE_DAYS)
    label = ck.text(raw["method_label"], None, f"{where}.method_label") \
        if "method_label" in raw else None
    if ck.noted > before:
        return None
    return Tier(level, figures, source, p.levels_of, label, requires, mode, bands or None,
                rules, default, raises, stack, cap, cascade, holds, min_days)


def parse_tiers(ck: Checker, raw: Any, indicators) -> dict[str, Tier]:
    """All tiers; a tier with ``variants`` keeps the one named by ``use`` (all are checked)."""
    if not isinstance(raw, Mapping):
        ck.problem(None, "tiers", raw, "a mapping unit level -> tier")
        return {}
    out = {}
    for level, spec in raw.items():
        if level not in UNIT_LEVELS:
            ck.problem(None, f"tiers.{level}", level, f"one of {list(UNIT_LEVELS)}",
                       lambda level=level: did_you_mean(level, UNIT_LEVELS))
            continue
        if isinstance(spec, Mapping) and "variants" in spec:
            variants = spec["variants"] if isinstance(spec["variants"], Mapping) else {}
            use = ck.choice(spec.get("use"), None, f"tiers.{level}.use", tuple(variants))
            parsed = {k: parse_tier(ck, level, v, indicators) for k, v in variants.items()}
            tier = parsed.get(use)
        else:
            tier = parse_tier(ck, level, spec, indicators)
        if tier is not None:
            out[level] = tier
    return out
