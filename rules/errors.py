"""Structured errors of the rules package.

A rule-set file is checked as a whole; every problem found becomes a ``Problem`` and all of
them travel together in one ``RuleSetError`` (pandera's lazy validation is the model). At
most ``MAX_LISTED`` problems are kept; the others are only counted (``ProblemList.more``),
so a file of 20,000 wrong keys is answered at once with 20 of them and a count.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: the most problems of one file that are listed; the rest are counted
MAX_LISTED = 20
#: the most characters of a value quoted in a problem (a value may be a whole file)
MAX_QUOTED = 120


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
        text = f"{where}: field '{self.field}' = {quoted(self.value)}; expected {self.expected}"
        if self.suggestion:
            text += f"; {self.suggestion}"
        return text


def quoted(value: Any) -> str:
    """``repr(value)``, short: nested and long values abridged with "...", an integer too
    long to convert named by its size."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"<an integer of {value.bit_length():,} bits>"
    text = _SHORT.repr(value)
    return text if len(text) <= MAX_QUOTED else f"{text[:MAX_QUOTED]}…"


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 3, MAX_QUOTED, MAX_QUOTED
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 6


class ProblemList(list):
    """The problems kept (at most ``MAX_LISTED``) and how many more were found."""

    def __init__(self, problems: Iterable[Problem] = (), more: int = 0) -> None:
        super().__init__(problems)
        self.more = more

    @property
    def total(self) -> int:
        return len(self) + self.more


class ProblemsError(ValueError):
    """A checked file cannot be used; ``problems`` lists what is wrong with it (at most
    ``MAX_LISTED``, ``problems.more`` counts the others). Rule sets and any later YAML
    file checked the same way (scoring schemes) raise a subclass."""

    what = "file"

    def __init__(self, problems: Iterable[Problem], more: int = 0) -> None:
        problems = list(problems)
        extra = max(0, len(problems) - MAX_LISTED) + more
        self.problems = ProblemList(problems[:MAX_LISTED], extra)
        lines = "\n  - ".join(str(p) for p in self.problems)
        tail = f"\n  … and {extra} more problem(s)" if extra else ""
        super().__init__(f"{self.problems.total} problem(s) in {self.what}:\n  - {lines}{tail}")


class RuleSetError(ProblemsError):
    """A rule-set file cannot be used; ``problems`` lists everything wrong with it."""

    what = "rule set"


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
