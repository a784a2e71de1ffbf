"""YAML rule-set files -> ``RuleSet``, checking everything and reporting all problems.

``parse_ruleset(raw, file=...)`` is pure (testable from dicts); ``load_ruleset(path)``
reads the file strictly (``strict_yaml``: duplicate keys and overlong integers are
problems). Every problem found is collected: unknown indicators, functions, metrics,
operators, levels, parameters and keys (each with a did-you-mean), duplicate rule ids,
missing fields, values of the wrong type, and numbers outside their declared range
(``model``: a threshold by the unit of its indicator, windows, lags, raises; no NaN or
infinity anywhere); band edges must rise strictly. Values written ``$name`` are taken from
the file's ``parameters``. At most 20 problems are listed, then a count.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from .checker import MISSING, Checker
from .errors import Problem, RuleSetError, did_you_mean
from .indicators import NEEDS_CHILD_LEVELS, REGISTRY
from .levels import KEY_TO_LEVEL, LEVELS
from .model import HISTORY_DAYS, WINDOW_DAYS, IndicatorSpec, Parameter, RuleSet, Text
from .strict_yaml import read_yaml
from .tiers import parse_tiers
from .vocab import ATTRIBUTES, METRICS

TOP_KEYS = ("id", "version", "title", "reference", "effective_from", "effective_to",
            "levels", "parameters", "indicators", "tiers", "history_days", "description",
            "templates", "notes", "headline")
REQUIRED_TOP = ("id", "version", "title", "levels", "indicators", "tiers")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
PARAMETER_KEYS = ("value", "configurable", "uncertain", "note", "choices")


#: the most values a rule set may hold once YAML's aliases are expanded (the shipped ones
#: hold about 1,100): a small file of nested aliases ("billion laughs") stays refused
MAX_VALUES = 200_000
#: the largest rule-set file read (the shipped ones are about 20 KB)
MAX_BYTES = 256 * 1024


def load_ruleset(path: str | Path) -> RuleSet:
    """Read and check one rule-set file; raise ``RuleSetError`` listing every problem."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise RuleSetError([Problem(str(path), None, "(file)", path.name,
                                        f"a file of at most {MAX_BYTES // 1024} KB",
                                        f"this one is {size // 1024:,} KB")])
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleSetError([Problem(str(path), None, "(file)", path.name,
                                    "a readable UTF-8 YAML file", str(exc).splitlines()[0])]) from exc
    return parse_text(text, file=str(path), path=path)


def parse_text(text: str, file: str = "<memory>", path: Path | None = None) -> RuleSet:
    """Parse a rule set's YAML text and check it; ``RuleSetError`` listing every problem
    (unreadable YAML, duplicate keys, overlong integers, too deep, too many values once
    aliases are expanded, then the rule set's own problems)."""
    raw = read_yaml(text, file, RuleSetError, MAX_VALUES)
    return parse_ruleset(raw, file=file, path=path)


def parse_ruleset(raw: Any, file: str = "<memory>", path: Path | None = None) -> RuleSet:
    """Build a ``RuleSet`` from a parsed YAML mapping; raise with all problems found."""
    if not isinstance(raw, Mapping):
        raise RuleSetError([Problem(file, None, "(file)", type(raw).__name__,
                                    "a mapping with keys id, version, title, levels, ...")])
    ck = Checker(file)
    ck.unknown_keys(raw, TOP_KEYS, None, None)
    for key in REQUIRED_TOP:
        if key not in raw:
            ck.problem(None, key, None, "this required field")
    ck.params = _parameters(ck, raw.get("parameters") or {})
    meta = _metadata(ck, raw)
    indicators = _indicators(ck, raw.get("indicators") or {})
    tiers = parse_tiers(ck, raw.get("tiers") or {}, indicators)
    for name, param in ck.params.items():  # a used one was checked where it is used
        if name not in ck.used:
            ck.finite(param.value, None, f"parameters.{name}.value")
    headline = raw.get("headline")
    if headline is not None and not _known(headline, indicators):
        ck.problem(None, "headline", headline, "the name of an indicator of this rule set",
                   lambda: did_you_mean(str(headline), indicators))
    if ck.problems:
        raise RuleSetError(ck.problems, ck.more)
    return RuleSet(**meta, parameter_info=ck.params, indicators=indicators, tiers=tiers,
                   headline=headline, path=path)


def _metadata(ck: Checker, raw: Mapping) -> dict[str, Any]:
    rid = raw.get("id")
    if rid is not None and not (isinstance(rid, str) and ID_PATTERN.match(rid)):
        ck.problem(None, "id", rid, "lower-case letters, digits, '_', '-' or '.'",
                   "e.g. 'qd4800-kiengiang'")
    version = raw.get("version")
    if version is not None and (not isinstance(version, str | int | float) or (isinstance(
            version, float) and not math.isfinite(version))):
        ck.problem(None, "version", version, "a string such as \"2021.10.12-1\"")
    start = ck.date(raw.get("effective_from"), None, "effective_from", optional=True)
    end = ck.date(raw.get("effective_to"), None, "effective_to", optional=True)
    if MISSING not in (start, end) and start and end and end < start:
        ck.problem(None, "effective_to", str(end), f"a date on or after {start}")
    history = ck.integer(raw.get("history_days", 120), None, "history_days",
                         within=HISTORY_DAYS)
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
        ck.unknown_keys(spec, PARAMETER_KEYS, None, f"parameters.{name}")
        if "value" not in spec:
            ck.problem(None, f"parameters.{name}.value", None, "a value")
        choices = spec.get("choices") or []
        choices = tuple(choices) if isinstance(choices, list) else (choices,)
        if choices and ck.finite(list(choices), None, f"parameters.{name}.choices"):
            ck.choice(spec.get("value"), None, f"parameters.{name}.value", choices)
        flags = [ck.boolean(spec.get(key, False), None, f"parameters.{name}.{key}")
                 for key in ("configurable", "uncertain")]
        note = spec.get("note", "")
        if not isinstance(note, str):
            ck.problem(None, f"parameters.{name}.note", note, "a text")
        out[str(name)] = Parameter(str(name), spec.get("value"), flags[0] is True,
                                   flags[1] is True, str(note), choices)
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
        entry = REGISTRY.get(spec["fn"]) if isinstance(spec["fn"], str) else None
        if entry is None:
            ck.problem(None, f"{where}.fn", spec["fn"], "a registered indicator function",
                       lambda fn=spec["fn"]: did_you_mean(fn, REGISTRY))
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
    ck.unknown_keys(spec, (*entry.args, "fn", "label", "unit"), None, where)
    for key, kind in entry.args.items():
        if key not in spec:
            if key not in entry.optional:
                ck.problem(None, f"{where}.{key}", None, f"this required argument ({kind})")
            continue
        value, _ = ck.resolve(spec[key], None, f"{where}.{key}")
        if kind == "metric" and not _known(value, METRICS):
            value = ck.problem(None, f"{where}.{key}", value, "a known metric",
                               lambda value=value: did_you_mean(value, METRICS))
        elif kind == "indicator" and not _known(value, names):
            value = ck.problem(None, f"{where}.{key}", value, "a defined indicator or "
                               "attribute", lambda value=value: did_you_mean(value, names))
        elif kind == "int":  # every whole-number argument is a number of days
            value = ck.integer(spec[key], None, f"{where}.{key}", within=WINDOW_DAYS)
        elif kind == "date":
            value = ck.date(value, None, f"{where}.{key}")
        elif kind == "level":
            value = ck.level(value, None, f"{where}.{key}")
        elif kind == "str" and not (isinstance(value, str) and value.strip()):
            value = ck.problem(None, f"{where}.{key}", value, "a name (text)")
        args[key] = value
    return args


def _known(value: Any, names) -> bool:
    """Whether ``value`` is one of ``names`` (an unhashable value is not)."""
    return isinstance(value, str) and value in names


def _check_cycles(ck: Checker, specs: dict[str, IndicatorSpec]) -> None:
    def deps(name: str) -> list[str]:
        spec = specs.get(name)
        return [v for k, v in spec.args.items() if REGISTRY[spec.fn].args.get(k) ==
                "indicator" and _known(v, specs)] if spec else []

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
