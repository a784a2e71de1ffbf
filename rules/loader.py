"""YAML rule-set files -> ``RuleSet``, checking everything and reporting all problems.

``parse_ruleset(raw, file=...)`` is pure (testable from dicts); ``load_ruleset(path)``
reads the file with ``yaml.safe_load``. Every problem found is collected: unknown
indicators, functions, metrics, operators, levels, parameters and keys (each with a
did-you-mean), duplicate rule ids, missing fields and values of the wrong type. Values
written ``$name`` are taken from the file's ``parameters``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from .checker import MISSING, Checker
from .errors import Problem, RuleSetError, did_you_mean
from .indicators import NEEDS_CHILD_LEVELS, REGISTRY
from .levels import KEY_TO_LEVEL, LEVELS
from .model import IndicatorSpec, Parameter, RuleSet, Text
from .tiers import parse_tiers
from .vocab import ATTRIBUTES, METRICS

TOP_KEYS = ("id", "version", "title", "reference", "effective_from", "effective_to",
            "levels", "parameters", "indicators", "tiers", "history_days", "description",
            "templates", "notes", "headline")
REQUIRED_TOP = ("id", "version", "title", "levels", "indicators", "tiers")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


#: the most values a rule set may hold once YAML's aliases are expanded (the shipped ones
#: hold about 1,100): a small file of nested aliases ("billion laughs") stays refused
MAX_VALUES = 200_000


def load_ruleset(path: str | Path) -> RuleSet:
    """Read and check one rule-set file; raise ``RuleSetError`` listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleSetError([Problem(str(path), None, "(file)", path.name,
                                    "a readable UTF-8 YAML file", str(exc).splitlines()[0])]) from exc
    return parse_text(text, file=str(path), path=path)


def parse_text(text: str, file: str = "<memory>", path: Path | None = None) -> RuleSet:
    """Parse a rule set's YAML text and check it; ``RuleSetError`` listing every problem
    (unreadable YAML, too deep, too many values once aliases are expanded, then the
    rule set's own problems)."""
    name = Path(file).name
    try:
        raw = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RuleSetError([Problem(file, None, "(file)", name, "a readable YAML file",
                                    first)]) from exc
    if _values_over(raw, MAX_VALUES):
        raise RuleSetError([Problem(file, None, "(file)", name,
                                    f"at most {MAX_VALUES:,} values once aliases are expanded",
                                    "write the values out instead of nesting aliases")])
    return parse_ruleset(raw, file=file, path=path)


def _values_over(raw: Any, limit: int) -> bool:
    """Whether ``raw`` holds more than ``limit`` values, an alias counted each time it is
    used (an iterative walk: a deep file cannot exhaust the stack here)."""
    seen, todo = 0, [raw]
    while todo:
        item = todo.pop()
        seen += 1
        if seen > limit:
            return True
        if isinstance(item, Mapping):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list | tuple):
            todo.extend(item)
    return False


def parse_ruleset(raw: Any, file: str = "<memory>", path: Path | None = None) -> RuleSet:
    """Build a ``RuleSet`` from a parsed YAML mapping; raise with all problems found."""
    if not isinstance(raw, Mapping):
        raise RuleSetError([Problem(file, None, "(file)", type(raw).__name__,
                                    "a mapping with keys id, version, title, levels, ...")])
    ck = Checker(file)
    for key in raw:
        if key not in TOP_KEYS:
            ck.problem(None, str(key), raw[key], "a known top-level key",
                       did_you_mean(key, TOP_KEYS))
    for key in REQUIRED_TOP:
        if key not in raw:
            ck.problem(None, key, None, "this required field")
    ck.params = _parameters(ck, raw.get("parameters") or {})
    meta = _metadata(ck, raw)
    indicators = _indicators(ck, raw.get("indicators") or {})
    tiers = parse_tiers(ck, raw.get("tiers") or {}, indicators)
    headline = raw.get("headline")
    if headline is not None and headline not in indicators:
        ck.problem(None, "headline", headline, "the name of an indicator of this rule set",
                   did_you_mean(str(headline), indicators))
    if ck.problems:
        raise RuleSetError(ck.problems)
    return RuleSet(**meta, parameter_info=ck.params, indicators=indicators, tiers=tiers,
                   headline=headline, path=path)


def _metadata(ck: Checker, raw: Mapping) -> dict[str, Any]:
    rid = raw.get("id")
    if rid is not None and not (isinstance(rid, str) and ID_PATTERN.match(rid)):
        ck.problem(None, "id", rid, "lower-case letters, digits, '_', '-' or '.'",
                   "e.g. 'qd4800-kiengiang'")
    version = raw.get("version")
    if version is not None and not isinstance(version, str | int | float):
        ck.problem(None, "version", version, "a string such as \"2021.10.12-1\"")
    start = ck.date(raw.get("effective_from"), None, "effective_from", optional=True)
    end = ck.date(raw.get("effective_to"), None, "effective_to", optional=True)
    if start and end and end < start:
        ck.problem(None, "effective_to", str(end), f"a date on or after {start}")
    history = ck.integer(raw.get("history_days", 120), None, "history_days", minimum=0)
    return {"id": str(rid), "version": str(version), "title": ck.text(raw.get("title"), None,
                "title"), "reference": ck.text(raw.get("reference", ""), None, "reference"),
                "effective_from": start, "effective_to": end,
                "level_labels": _levels(ck, raw.get("levels") or {}),
                "history_days": history if history is not MISSING else 120}


def _levels(ck: Checker, raw: Any) -> dict[int, Text]:
    if not isinstance(raw, Mapping):
        ck.problem(None, "levels", raw, "a mapping level -> {vi: ..., en: ...}")
        return {}
    out: dict[int, Text] = {}
    for key, value in raw.items():
        level = ck.level(key, None, f"levels.{key}")
        if level is not MISSING:
            out[level] = ck.text(value, None, f"levels.{key}")
    for level in LEVELS:
        if level not in out and raw:
            ck.problem(None, f"levels.{level}", None, "a name for every level 1..4")
    return out


def _parameters(ck: Checker, raw: Any) -> dict[str, Parameter]:
    if not isinstance(raw, Mapping):
        ck.problem(None, "parameters", raw, "a mapping name -> value or {value: ...}")
        return {}
    out = {}
    for name, spec in raw.items():
        spec = spec if isinstance(spec, Mapping) else {"value": spec}
        extra = set(spec) - {"value", "configurable", "uncertain", "note", "choices"}
        for key in sorted(extra):
            ck.problem(None, f"parameters.{name}.{key}", spec[key], "value, configurable, "
                       "uncertain, note or choices", did_you_mean(key, ["value", "configurable",
                                                                      "uncertain", "note", "choices"]))
        if "value" not in spec:
            ck.problem(None, f"parameters.{name}.value", None, "a value")
        choices = tuple(spec.get("choices") or ())
        if choices and spec.get("value") not in choices:
            ck.problem(None, f"parameters.{name}.value", spec.get("value"),
                       f"one of {list(choices)}", did_you_mean(spec.get("value"), choices))
        out[str(name)] = Parameter(str(name), spec.get("value"), bool(spec.get("configurable")),
                                   bool(spec.get("uncertain")), str(spec.get("note", "")),
                                   choices)
    return out


def _indicators(ck: Checker, raw: Any) -> dict[str, IndicatorSpec]:
    if not isinstance(raw, Mapping):
        ck.problem(None, "indicators", raw, "a mapping name -> {fn: ..., ...}")
        return {}
    names = set(raw) | set(ATTRIBUTES)
    out = {}
    for name, spec in raw.items():
        where = f"indicators.{name}"
        if name in ATTRIBUTES:
            ck.problem(None, where, name, "a name that is not a unit attribute",
                       f"'{name}' is built in; use it directly")
            continue
        if not isinstance(spec, Mapping) or "fn" not in spec:
            ck.problem(None, f"{where}.fn", spec, f"one of {sorted(REGISTRY)}")
            continue
        entry = REGISTRY.get(spec["fn"])
        if entry is None:
            ck.problem(None, f"{where}.fn", spec["fn"], "a registered indicator function",
                       did_you_mean(spec["fn"], REGISTRY))
            continue
        args = _indicator_args(ck, where, spec, entry, names)
        out[str(name)] = IndicatorSpec(str(name), spec["fn"], args,
                                       ck.text(spec.get("label", name), None, f"{where}.label"),
                                       spec.get("unit", entry.unit))
    _check_cycles(ck, out)
    for name, spec in list(out.items()):
        branch = out.get(spec.args.get("before"))
        if spec.fn == "by_date" and spec.unit is None and branch is not None:
            out[name] = replace(spec, unit=branch.unit)
    return out


def _indicator_args(ck: Checker, where: str, spec: Mapping, entry, names: set) -> dict:
    args = {}
    for key in spec:
        if key not in entry.args and key not in ("fn", "label", "unit"):
            ck.problem(None, f"{where}.{key}", spec[key], f"one of {sorted(entry.args)}",
                       did_you_mean(key, list(entry.args)))
    for key, kind in entry.args.items():
        if key not in spec:
            if key not in entry.optional:
                ck.problem(None, f"{where}.{key}", None, f"this required argument ({kind})")
            continue
        value, _ = ck.resolve(spec[key], None, f"{where}.{key}")
        if kind == "metric" and value not in METRICS:
            ck.problem(None, f"{where}.{key}", value, "a known metric",
                       did_you_mean(value, METRICS))
        elif kind == "indicator" and value not in names:
            ck.problem(None, f"{where}.{key}", value, "a defined indicator or attribute",
                       did_you_mean(value, names))
        elif kind == "int":
            value = ck.integer(value, None, f"{where}.{key}", minimum=1)
        elif kind == "date":
            value = ck.date(value, None, f"{where}.{key}")
        elif kind == "level":
            value = ck.level(value, None, f"{where}.{key}")
        args[key] = value
    return args


def _check_cycles(ck: Checker, specs: dict[str, IndicatorSpec]) -> None:
    def deps(name: str) -> list[str]:
        spec = specs.get(name)
        return [v for k, v in spec.args.items() if REGISTRY[spec.fn].args.get(k) ==
                "indicator" and v in specs] if spec else []

    for start in specs:
        seen, stack = set(), list(deps(start))
        while stack:
            cur = stack.pop()
            if cur == start:
                ck.problem(None, f"indicators.{start}", start, "no circular definition")
                break
            if cur not in seen:
                seen.add(cur)
                stack.extend(deps(cur))


__all__ = ["KEY_TO_LEVEL", "NEEDS_CHILD_LEVELS", "dt", "load_ruleset", "parse_ruleset"]
