"""Comparison operators usable in rule-set conditions: name -> vectorised function.

Each takes an indicator array and a threshold and returns a boolean array. NaN compares
False everywhere, so a missing figure never triggers a condition by accident; the engine
decides separately what missing data means.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import numpy as np

Operator = Callable[[np.ndarray, Any], np.ndarray]


def _between(x: np.ndarray, v: Any) -> np.ndarray:
    """lo <= x < hi (half-open, like the bands of QĐ 4800)."""
    return (x >= v[0]) & (x < v[1])


def _outside(x: np.ndarray, v: Any) -> np.ndarray:
    """x < lo or x >= hi (complement of ``between`` for known values)."""
    return (x < v[0]) | (x >= v[1])


OPERATORS: MappingProxyType[str, Operator] = MappingProxyType({
    "ge": lambda x, v: x >= v,
    "gt": lambda x, v: x > v,
    "le": lambda x, v: x <= v,
    "lt": lambda x, v: x < v,
    "eq": lambda x, v: x == v,
    "ne": lambda x, v: (x != v) & ~np.isnan(x),
    "between": _between,
    "outside": _outside,
})

#: Operators whose value is a pair [lo, hi]; the others take one number.
RANGE_OPERATORS = frozenset({"between", "outside"})

#: Spellings people write for the operators, used only for did-you-mean hints.
ALIASES = MappingProxyType({">=": "ge", "gte": "ge", "greater_or_equal": "ge", ">": "gt",
                            "greater_than": "gt", "<=": "le", "lte": "le",
                            "less_or_equal": "le", "<": "lt", "less_than": "lt", "==": "eq",
                            "=": "eq", "equal_to": "eq", "!=": "ne", "not_equal_to": "ne"})

SYMBOLS = MappingProxyType({"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "eq": "=",
                            "ne": "≠", "between": "∈", "outside": "∉"})

#: For "path down": the operator that states the opposite of each one.
NEGATION = MappingProxyType({"ge": "lt", "gt": "le", "le": "gt", "lt": "ge", "eq": "ne",
                             "ne": "eq", "between": "outside", "outside": "between"})


def apply(op: str, x: np.ndarray, value: Any) -> np.ndarray:
    """Evaluate operator ``op`` on ``x``; NaN entries are always False."""
    with np.errstate(invalid="ignore"):
        return np.asarray(OPERATORS[op](x, value), dtype=bool)
