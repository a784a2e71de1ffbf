"""The alerts' thresholds (``alerts.yaml``), read strictly and checked like the rule sets:
each value one of those allowed, no key unknown, every problem listed at once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rules.errors import Problem, ProblemsError
from rules.strict_yaml import read_yaml

PATH = Path(__file__).with_name("alerts.yaml")
PLAN_STATUSES = ("pending", "on_track", "at_risk", "met", "missed")
KEYS = {"plan": {"statuses"}}


@dataclass(frozen=True)
class Config:
    plan_statuses: tuple[str, ...]


def parse(text: str, file: str = "alerts.yaml") -> Config:
    """The thresholds of ``text``, or ``ProblemsError`` listing every problem."""
    raw = read_yaml(text, file)
    if not isinstance(raw, dict) or set(raw) != set(KEYS):
        raise ProblemsError([Problem(file, None, "", raw, f"the keys {', '.join(KEYS)}",
                                     "write a plan: mapping")])
    problems = []
    for where, known in KEYS.items():
        got = raw[where]
        if not isinstance(got, dict):
            problems.append(Problem(file, None, where, got, "a mapping", f"write {where}: keys"))
            continue
        problems += [Problem(file, None, f"{where}.{k}", got[k], "a known key",
                             f"remove it; known: {', '.join(sorted(known))}")
                     for k in got if k not in known]
    plan = raw["plan"] if isinstance(raw["plan"], dict) else {}
    statuses = plan.get("statuses")
    if not (isinstance(statuses, list) and statuses
            and all(isinstance(v, str) and v in PLAN_STATUSES for v in statuses)):
        problems.append(Problem(file, None, "plan.statuses", statuses,
                                f"a list of {', '.join(PLAN_STATUSES)}",
                                f"list some of: {', '.join(PLAN_STATUSES)}"))
    if problems:
        raise ProblemsError(problems)
    return Config(tuple(statuses))


@lru_cache(maxsize=1)
def load() -> Config:
    """The shipped thresholds (read once)."""
    return parse(PATH.read_text(encoding="utf-8"), PATH.name)
