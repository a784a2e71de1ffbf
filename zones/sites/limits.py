"""The numbers of ``checks.yaml``: how a site is checked against its unit's shape, read
as strictly as a rule set (``rules.strict_yaml``; each number within its ``Range``). A
shipped file: a mistake in it is the developer's and stops at once."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from rules.checker import MISSING, Checker
from rules.errors import Problem, ProblemsError
from rules.model import Range
from rules.strict_yaml import read_yaml

CHECKS = Path(__file__).with_name("checks.yaml")
#: a polygon at least half outside its unit is never "in" it
OUTSIDE_PERCENT = Range(0, 50, unit="% of the polygon's area")
KEYS = ("lockdown_outside_max_percent",)


def parse_checks(text: str, file: str = "checks.yaml") -> dict[str, float]:
    """The checks' numbers; ``ProblemsError`` listing every problem."""
    raw = read_yaml(text, file)
    if not isinstance(raw, Mapping):
        raise ProblemsError([Problem(file, None, "(file)", type(raw).__name__,
                                     "a mapping with keys " + ", ".join(KEYS))])
    ck = Checker(file)
    ck.unknown_keys(raw, KEYS, None, None)
    if "lockdown_outside_max_percent" not in raw:
        ck.problem(None, "lockdown_outside_max_percent", None, "this required field")
        share = MISSING
    else:
        share = ck.number(raw["lockdown_outside_max_percent"], None,
                          "lockdown_outside_max_percent", OUTSIDE_PERCENT)
    if ck.problems:
        raise ProblemsError(ck.problems, ck.more)
    return {"lockdown_outside_max_percent": float(share)}


@lru_cache(maxsize=1)
def checks() -> dict[str, float]:
    return parse_checks(CHECKS.read_text(encoding="utf-8"), str(CHECKS))
