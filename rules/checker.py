"""Collects problems while a rule-set file is parsed; typed field readers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .errors import Problem, did_you_mean
from .levels import KEY_TO_LEVEL, LEVELS
from .model import Parameter, Text

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


class Checker:
    """Problem collector for one file; ``params`` resolves ``$name`` references."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.params: dict[str, Parameter] = {}

    def problem(self, rule_id: str | None, field: str, value: Any, expected: str,
                suggestion: str | None = None) -> Any:
        self.problems.append(Problem(self.file, rule_id, field, value, expected, suggestion))
        return MISSING

    def resolve(self, value: Any, rule_id: str | None, field: str) -> tuple[Any, tuple[str, ...]]:
        """Replace ``$name`` by the parameter's value; return (value, parameters used)."""
        if isinstance(value, str) and value.startswith("$"):
            name = value[1:]
            if name not in self.params:
                return self.problem(rule_id, field, value, "a parameter defined under "
                                    "'parameters'", did_you_mean(name, self.params)), ()
            return self.params[name].value, (name,)
        if isinstance(value, list):
            items = [self.resolve(v, rule_id, field) for v in value]
            return [v for v, _ in items], tuple(p for _, ps in items for p in ps)
        return value, ()

    def number(self, value: Any, rule_id: str | None, field: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.problem(rule_id, field, value, "a number")
        return float(value)

    def integer(self, value: Any, rule_id: str | None, field: str, minimum: int = 0) -> Any:
        value, _ = self.resolve(value, rule_id, field)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            return self.problem(rule_id, field, value, f"a whole number >= {minimum}")
        return value

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
                            did_you_mean(value, keys) if isinstance(value, str) else None)

    def text(self, value: Any, rule_id: str | None, field: str) -> Text:
        if isinstance(value, str):
            return Text(value, value)
        if isinstance(value, Mapping) and isinstance(value.get("vi"), str):
            self.unknown_keys(value, ("vi", "en"), rule_id, field)
            return Text(value["vi"], str(value.get("en", "")))
        self.problem(rule_id, field, value, "a text or a mapping {vi: ..., en: ...}")
        return Text("?")

    def choice(self, value: Any, rule_id: str | None, field: str, choices: tuple) -> Any:
        value, _ = self.resolve(value, rule_id, field)
        if value not in choices:
            return self.problem(rule_id, field, value, f"one of {list(choices)}",
                                did_you_mean(value, choices))
        return value

    def unknown_keys(self, raw: Mapping, allowed: tuple[str, ...], rule_id: str | None,
                     where: str) -> None:
        for key in raw:
            if key not in allowed:
                self.problem(rule_id, f"{where}.{key}", raw[key], f"one of {list(allowed)}",
                             did_you_mean(key, allowed))
