"""The alerts' thresholds (``alerts.yaml``), read strictly and checked like the rule sets:
each number finite and in its range, each name one of those allowed, no key unknown."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rules.errors import Problem, ProblemsError
from rules.model import Range
from rules.strict_yaml import read_yaml

PATH = Path(__file__).with_name("alerts.yaml")
P_UP = Range(0.01, 1)
UNIT_LEVELS = ("province", "district", "commune", "hamlet")
PLAN_STATUSES = ("pending", "on_track", "at_risk", "met", "missed")


@dataclass(frozen=True)
class Config:
    p_up: float
    outlook_levels: tuple[str, ...]
    plan_statuses: tuple[str, ...]


def parse(text: str, file: str = "alerts.yaml") -> Config:
    """The thresholds of ``text``, or ``ProblemsError`` listing every problem."""
    raw = read_yaml(text, file)
    problems = []
    if not isinstance(raw, dict) or set(raw) != {"outlook", "plan"}:
        raise ProblemsError([Problem(file, None, "", raw, "the keys outlook and plan",
                                     "write outlook: and plan: mappings")])
    outlook, plan = raw["outlook"] or {}, raw["plan"] or {}
    for where, got, known in (("outlook", outlook, {"p_up", "levels"}),
                              ("plan", plan, {"statuses"})):
        if not isinstance(got, dict):
            problems.append(Problem(file, None, where, got, "a mapping", f"write {where}: keys"))
            continue
        problems += [Problem(file, None, f"{where}.{k}", got[k], "a known key",
                             f"remove it; known: {', '.join(sorted(known))}")
                     for k in got if k not in known]
    p_up = outlook.get("p_up") if isinstance(outlook, dict) else None
    if not (isinstance(p_up, int | float) and not isinstance(p_up, bool) and p_up == p_up
            and P_UP.low <= p_up <= P_UP.high):
        problems.append(Problem(file, None, "outlook.p_up", p_up, str(P_UP),
                                f"give outlook.p_up {P_UP}"))
    levels = outlook.get("levels") if isinstance(outlook, dict) else None
    statuses = plan.get("statuses") if isinstance(plan, dict) else None
    for key, value, allowed in (("outlook.levels", levels, UNIT_LEVELS),
                                ("plan.statuses", statuses, PLAN_STATUSES)):
        if not (isinstance(value, list) and value and all(v in allowed for v in value)):
            problems.append(Problem(file, None, key, value, f"a list of {', '.join(allowed)}",
                                    f"list some of: {', '.join(allowed)}"))
    if problems:
        raise ProblemsError(problems)
    return Config(float(p_up), tuple(levels), tuple(statuses))


@lru_cache(maxsize=1)
def load() -> Config:
    """The shipped thresholds (read once)."""
    return parse(PATH.read_text(encoding="utf-8"), PATH.name)
