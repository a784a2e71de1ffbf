"""The engine's input contract (``Inputs``) and its wide, array form (``Panel``).

The engine works on wide arrays: one ``(n_days, n_units)`` float array per metric, NaN for
"not reported". Units are reordered so that each unit level is a contiguous block of
columns; a tier then works on a view, never on a copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from .errors import RulesInputError
from .vocab import ATTRIBUTES, UNIT_LEVELS

UNIT_COLUMNS = ("name", "level", "parent_code")


@dataclass(frozen=True)
class Inputs:
    """Plain frames the engine reads; see the package docstring for the columns."""

    units: pd.DataFrame
    observations: pd.DataFrame
    adjacency: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"code_a": [], "code_b": []}, dtype=str))
    flags: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        problems = _missing_columns(self.units, UNIT_COLUMNS, "units")
        problems += _missing_columns(self.observations, ("unit_code", "date"), "observations")
        problems += _missing_columns(self.adjacency, ("code_a", "code_b"), "adjacency")
        if self.flags is not None:
            problems += _missing_columns(self.flags, ("unit_code", "date", "flag"), "flags")
        bad = sorted(set(self.units["level"].dropna()) - set(UNIT_LEVELS)) if not problems else []
        if bad:
            problems.append(f"units.level has {bad}; expected one of {list(UNIT_LEVELS)}")
        if problems:
            raise RulesInputError("; ".join(problems))


def _missing_columns(frame: pd.DataFrame, needed: tuple[str, ...], name: str) -> list[str]:
    missing = [c for c in needed if c not in frame.columns]
    return [f"{name} lacks column(s) {missing}; it has {list(frame.columns)}"] if missing else []


def _arrow_positions(values: pd.Series, index: pd.Index) -> np.ndarray | None:
    """Positions via Arrow's hash lookup when the column is Arrow-backed, else None."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow ships with pandas >= 3 in practice
        return None
    if not hasattr(values.array, "__arrow_array__") or not pd.api.types.is_string_dtype(values):
        return None
    arr = pa.array(values.array)
    found = pc.index_in(arr, value_set=pa.array(index.to_numpy(dtype=object), type=arr.type))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _positions(values: pd.Series | np.ndarray, index: pd.Index) -> np.ndarray:
    """Positions of ``values`` in ``index`` (-1 where absent); hashed once per distinct code."""
    values = values if isinstance(values, pd.Series) else pd.Series(values)
    fast = _arrow_positions(values, index)
    if fast is not None:
        return fast
    if isinstance(values.dtype, pd.CategoricalDtype):  # fast path: codes already there
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return np.full(len(codes), -1)
    found = index.get_indexer(pd.Index(np.asarray(uniques, dtype=object)).astype(str))
    return np.where(codes >= 0, found[np.maximum(codes, 0)], -1)


class Panel:
    """Wide arrays over a daily grid for all units, built lazily per metric."""

    def __init__(self, inputs: Inputs, grid: pd.DatetimeIndex) -> None:
        units = inputs.units
        order = np.argsort(pd.Categorical(units["level"], categories=UNIT_LEVELS).codes,
                           kind="stable")
        self.units = units.iloc[order]
        self.codes = pd.Index(self.units.index.astype(str), name="code")
        self.input_order = pd.Index(units.index.astype(str)).get_indexer(self.codes)
        self.levels = self.units["level"].to_numpy(dtype=object)
        self.grid = grid
        self.inputs = inputs
        self._metrics: dict[str, np.ndarray] = {}
        self._flags: dict[str, np.ndarray] = {}
        self.slices = {lv: self._slice(lv) for lv in UNIT_LEVELS}

    def _slice(self, level: str) -> slice:
        where = np.flatnonzero(self.levels == level)
        return slice(int(where[0]), int(where[-1]) + 1) if len(where) else slice(0, 0)

    @cached_property
    def _obs_cells(self) -> tuple[np.ndarray | None, np.ndarray]:
        """(row mask or None if all rows are kept, flat cell index) of observation rows."""
        obs = self.inputs.observations
        cols = _positions(obs["unit_code"], self.codes)
        start = self.grid[0].to_datetime64()
        nanos = obs["date"].to_numpy(dtype="datetime64[ns]").view(np.int64)
        days = (nanos - start.astype("datetime64[ns]").view(np.int64)) // 86_400_000_000_000
        keep = (cols >= 0) & (days >= 0) & (days < len(self.grid))
        flat = days * len(self.codes) + cols
        return (None, flat) if keep.all() else (keep, flat[keep])

    def metric(self, name: str) -> np.ndarray:
        """``(n_days, n_units)`` float array of a metric; NaN = not reported.

        Where a (unit, date) appears more than once, the last row wins.
        """
        if name not in self._metrics:
            arr = np.full((len(self.grid), len(self.codes)), np.nan)
            if name in self.inputs.observations.columns:
                keep, flat = self._obs_cells
                vals = pd.to_numeric(self.inputs.observations[name], errors="coerce")
                vals = vals.to_numpy(dtype=float, na_value=np.nan)
                arr.ravel()[flat] = vals if keep is None else vals[keep]
            self._metrics[name] = arr
        return self._metrics[name]

    def preset(self, name: str, values: np.ndarray) -> None:
        """Give a metric's ``(n_days, n_units)`` array directly (columns in panel order)."""
        self._metrics[name] = np.ascontiguousarray(values, dtype=float)

    def attribute(self, name: str) -> np.ndarray:
        """``(n_units,)`` float array of a unit attribute such as ``population``."""
        if name not in self.units.columns or name not in ATTRIBUTES:
            return np.full(len(self.codes), np.nan)
        return pd.to_numeric(self.units[name], errors="coerce").to_numpy(float, na_value=np.nan)

    def flag(self, name: str) -> np.ndarray:
        """``(n_days, n_units)`` bool array: a manual flag was set on that unit and day."""
        if name not in self._flags:
            arr = np.zeros((len(self.grid), len(self.codes)), dtype=bool)
            flags = self.inputs.flags
            if flags is not None and len(flags):
                rows = flags[flags["flag"].astype(str) == name]
                cols = _positions(rows["unit_code"], self.codes)
                start = self.grid[0].to_datetime64()
                days = (pd.to_datetime(rows["date"]).to_numpy("datetime64[ns]") - start)
                days = days // np.timedelta64(1, "D")
                ok = (cols >= 0) & (days >= 0) & (days < len(self.grid))
                arr[days[ok], cols[ok]] = True
            self._flags[name] = arr
        return self._flags[name]

    @cached_property
    def parent(self) -> np.ndarray:
        """Position of each unit's parent (-1 at the top or when unknown)."""
        parents = self.units["parent_code"].fillna("").astype(str)
        return _positions(parents, self.codes)

    def ancestor(self, level: str) -> np.ndarray:
        """Position of each unit's nearest ancestor at ``level`` (-1 if none)."""
        out = np.full(len(self.codes), -1)
        current = self.parent.copy()
        for _ in UNIT_LEVELS:
            live = current >= 0
            hit = live & (out < 0) & (self.levels[np.where(live, current, 0)] == level)
            out[hit] = current[hit]
            current = np.where(live, self.parent[np.where(live, current, 0)], -1)
        return out

    @cached_property
    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Adjacency as (a, b) unit positions, both directions, without duplicates."""
        adj = self.inputs.adjacency
        a, b = _positions(adj["code_a"], self.codes), _positions(adj["code_b"], self.codes)
        ok = (a >= 0) & (b >= 0) & (a != b)
        both = np.unique(np.stack([np.r_[a[ok], b[ok]], np.r_[b[ok], a[ok]]], axis=1), axis=0)
        return both[:, 0], both[:, 1]
