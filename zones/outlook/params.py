"""The outlook's model parameters (``params.yaml``), read strictly and checked: each
number finite and inside its range, no key missing, none unknown."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rules.errors import Problem, ProblemsError
from rules.model import Range
from rules.strict_yaml import read_yaml

PATH = Path(__file__).with_name("params.yaml")

#: key -> allowed range (dotted keys for the nested groups)
RANGES: dict[str, Range] = {
    "horizon_days": Range(7, 7, whole=True, unit="days"),
    "samples": Range(8, 2000, whole=True),
    "seed": Range(0, 2**32 - 1, whole=True),
    "lookback_days": Range(3, 28, whole=True, unit="days"),
    "pseudo_count": Range(0.01, 100),
    "growth.min_ratio": Range(0.01, 1),
    "growth.max_ratio": Range(1, 100),
    "growth.own_weight": Range(0, 1),
    "growth.own_cases_half": Range(0, 10_000),
    "growth.sd_min": Range(0, 5),
    "growth.sd_max": Range(0, 5),
    "growth.sd_default": Range(0, 5),
    "growth.sd_units": Range(1, 1_000_000, whole=True),
    "growth.sd_min_cases": Range(0, 1_000_000),
    "importation.neighbour_share": Range(0, 1),
    "background.max_per_100k_day": Range(0, 1000),
    "dispersion": Range(0.05, 1000),
    "vaccination_trend_days": Range(1, 60, whole=True, unit="days"),
    "max_columns": Range(1000, 10_000_000, whole=True),
    "engine_hold_chain": Range(0, 20, whole=True),
}


@dataclass(frozen=True)
class Params:
    """The checked numbers, by their dotted keys (``p["growth.sd_min"]``)."""

    values: dict[str, float]

    def __getitem__(self, key: str) -> float:
        return self.values[key]

    def int(self, key: str) -> int:
        return int(self.values[key])


def _flatten(raw: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (raw or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def parse(text: str, file: str = "params.yaml") -> Params:
    """The parameters of ``text``, or ``ProblemsError`` listing every problem."""
    raw = read_yaml(text, file)
    if not isinstance(raw, dict):
        raise ProblemsError([Problem(file, None, "", raw, "a mapping of parameters",
                                     "write key: value lines")])
    flat = _flatten(raw)
    problems = [Problem(file, None, key, flat[key], "a known parameter",
                        f"remove it; known: {', '.join(RANGES)}")
                for key in flat if key not in RANGES]
    values: dict[str, float] = {}
    for key, rng in RANGES.items():
        value = flat.get(key)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and value == value and rng.low <= value <= rng.high  # NaN fails
        ok = ok and (not rng.whole or float(value).is_integer())
        if not ok:
            problems.append(Problem(file, None, key, value, str(rng), f"give {key} {rng}"))
        else:
            values[key] = float(value)
    if not problems and values["growth.sd_min"] > values["growth.sd_max"]:
        problems.append(Problem(file, None, "growth.sd_min", values["growth.sd_min"],
                                "at most growth.sd_max", "lower growth.sd_min"))
    if problems:
        raise ProblemsError(problems)
    return Params(values)


@lru_cache(maxsize=1)
def load() -> Params:
    """The shipped parameters (read once)."""
    return parse(PATH.read_text(encoding="utf-8"), PATH.name)
