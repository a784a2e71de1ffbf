"""Collects problems while a checked YAML file is parsed; typed field readers.

Reusable beyond rule sets (the facility scoring schemes check their numbers the same way):
``number`` and ``integer`` take the declared ``Range`` of the field (``rules.model``), so a
NaN, an infinity, a negative count or an absurd magnitude is a problem naming the field,
the value and the range; ``increasing`` checks band edges. At most ``MAX_LISTED`` problems
are kept (the same problem reached twice through a template is kept once); the others are
counted in ``more``, and a caller may skip costly hints once ``full``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from itertools import pairwise
from typing import Any

from .errors import MAX_LISTED, Problem, did_you_mean
from .levels import KEY_TO_LEVEL, LEVELS
from .model import Parameter, Range, Text

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


class Checker:
    """Problem collector for one file; ``params`` resolves ``$name`` references."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.more = 0
        self.noted = 0  # problems met, listed or not (a part checks whether it had any)
        self.params: dict[str, Parameter] = {}
        self.used: set[str] = set()  # parameters some field took its value from
        self._seen: set[tuple] = set()

    @property
    def full(self) -> bool:
        """Whether no further problem will be listed (only counted)."""
        return len(self.problems) >= MAX_LISTED

    def problem(self, rule_id: str | None, field: str, value: Any, expected: str,
                suggestion: str | Callable[[], str | None] | None = None) -> Any:
        """Note a problem (``suggestion`` may be a function, called only when the problem
        is listed); return ``MISSING``."""
        self.noted += 1
        key = (rule_id, field, expected)  # a field names one place (or one parameter)
        if key in self._seen:
            return MISSING
        self._seen.add(key)
        if self.full:
            self.more += 1
            return MISSING
        hint = suggestion() if callable(suggestion) else suggestion
        self.problems.append(Problem(self.file, rule_id, field, value, expected, hint))
        return MISSING

    def resolve(self, value: Any, rule_id: str | None, field: str) -> tuple[Any, tuple[str, ...]]:
        """Replace ``$name`` by the parameter's value; return (value, parameters used)."""
        if isinstance(value, str) and value.startswith("$"):
            name = value[1:]
            if name not in self.params:
                return self.problem(rule_id, field, value, "a parameter defined under "
                                    "'parameters'", lambda: did_you_mean(name, self.params)), ()
            self.used.add(name)
            return self.params[name].value, (name,)
        if isinstance(value, list):
            items = [self.resolve(v, rule_id, field) for v in value]
            return [v for v, _ in items], tuple(p for _, ps in items for p in ps)
        return value, ()

    def source(self, raw: Any, field: str) -> str:
        """Where a value is written: the parameter it comes from (``$name``), else ``field``
        (a parameter used by four tiers is one problem, at the parameter)."""
        if isinstance(raw, str) and raw.startswith("$") and raw[1:] in self.params:
            return f"parameters.{raw[1:]}.value"
        return field

    def number(self, value: Any, rule_id: str | None, field: str, within: Range) -> Any:
        """A finite number in ``within`` (its declared range), as a float."""
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
                math.isfinite(value) and within.low <= value <= within.high):
            return self.problem(rule_id, field, value, str(within))
        return float(value)

    def integer(self, value: Any, rule_id: str | None, field: str, within: Range) -> Any:
        """A whole number in ``within`` (its declared range); ``$name`` taken from the
        parameters, a problem of it reported at the parameter."""
        field = self.source(value, field)
        value, _ = self.resolve(value, rule_id, field)
        if value is MISSING:
            return MISSING
        if isinstance(value, bool) or not isinstance(value, int) or not (
                within.low <= value <= within.high):
            return self.problem(rule_id, field, value, str(within))
        return value

    def increasing(self, values: list[float], rule_id: str | None, field: str,
                   expected: str) -> bool:
        """Whether ``values`` rise strictly (band edges: each level starts above the last)."""
        if all(a < b for a, b in pairwise(values)):
            return True
        self.problem(rule_id, field, values, expected,
                     "each value must be greater than the one before it")
        return False

    def finite(self, value: Any, rule_id: str | None, field: str) -> bool:
        """Whether every number in ``value`` (a number or a list of them) is finite."""
        items = value if isinstance(value, list) else [value]
        bad = [v for v in items if isinstance(v, float) and not math.isfinite(v)]
        if bad:
            self.problem(rule_id, field, value, "finite numbers (no .nan, .inf or -.inf)")
        return not bad

    def boolean(self, value: Any, rule_id: str | None, field: str) -> Any:
        value, _ = self.resolve(value, rule_id, field)
        if not isinstance(value, bool):
            return self.problem(rule_id, field, value, "true or false")
        return value

    def date(self, value: Any, rule_id: str | None, field: str, optional: bool = False) -> Any:
        value, _ = self.resolve(value, rule_id, field)
        if value is None and optional:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return self.problem(rule_id, field, value, "a date YYYY-MM-DD")

    def level(self, value: Any, rule_id: str | None, field: str) -> Any:
        value, _ = self.resolve(value, rule_id, field)
        if isinstance(value, int) and not isinstance(value, bool) and value in LEVELS:
            return value
        if isinstance(value, str) and value.strip().lower() in KEY_TO_LEVEL:
            level = KEY_TO_LEVEL[value.strip().lower()]
            if level in LEVELS:
                return level
        keys = [k for k, v in KEY_TO_LEVEL.items() if v in LEVELS]
        return self.problem(rule_id, field, value, "a level 1-4 or green/yellow/orange/red",
                            (lambda: did_you_mean(value, keys)) if isinstance(value, str)
                            else None)

    def text(self, value: Any, rule_id: str | None, field: str) -> Text:
        if isinstance(value, str):
            return Text(value, value)
        if isinstance(value, Mapping) and isinstance(value.get("vi"), str) and isinstance(
                value.get("en", ""), str):
            self.unknown_keys(value, ("vi", "en"), rule_id, field)
            return Text(value["vi"], str(value.get("en", "")))
        self.problem(rule_id, field, value, "a text or a mapping {vi: ..., en: ...}")
        return Text("?")

    def choice(self, value: Any, rule_id: str | None, field: str, choices: tuple) -> Any:
        value, _ = self.resolve(value, rule_id, field)
        try:
            known = value in choices
        except TypeError:  # an unhashable value against a mapping's keys
            known = False
        if not known:
            return self.problem(rule_id, field, value, f"one of {list(choices)}",
                                lambda: did_you_mean(value, choices))
        return value

    def unknown_keys(self, raw: Mapping, allowed: tuple[str, ...], rule_id: str | None,
                     where: str | None) -> None:
        """A problem for each key of ``raw`` not in ``allowed`` (``where`` None: top level)."""
        for key in raw:
            if key not in allowed:
                self.problem(rule_id, f"{where}.{key}" if where else str(key), raw[key],
                             f"one of {list(allowed)}" if where else "a known top-level key",
                             lambda key=key: did_you_mean(key, allowed))
