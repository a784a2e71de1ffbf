"""Structured errors of the rules package.

A rule-set file is checked as a whole; every problem found becomes a ``Problem`` and all of
them travel together in one ``RuleSetError`` (pandera's lazy validation is the model).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rule-set file, with enough context to fix it."""

    file: str
    rule_id: str | None
    field: str
    value: Any
    expected: str
    suggestion: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.rule_id:
            where += f" [rule {self.rule_id}]"
        text = f"{where}: field '{self.field}' = {self.value!r}; expected {self.expected}"
        if self.suggestion:
            text += f"; {self.suggestion}"
        return text


class RuleSetError(ValueError):
    """A rule-set file cannot be used; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        lines = "\n  - ".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in rule set:\n  - {lines}")


class RulesInputError(ValueError):
    """The frames given to the engine do not follow the ``Inputs`` contract."""


def did_you_mean(value: Any, choices: Iterable[str]) -> str | None:
    """Return "did you mean 'x'?" for the closest choice, or a list of valid choices."""
    options = sorted({str(c) for c in choices})
    close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if len(options) <= 12:
        return "valid values: " + ", ".join(options)
    return None
