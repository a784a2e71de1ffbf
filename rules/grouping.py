"""Reductions of child-unit columns onto parent columns (sum, count, min), vectorised.

Sums are one weighted ``np.bincount`` over a flat (day, parent) index computed once; the
minimum uses ``reduceat`` on children sorted by parent. Parents without children get NaN (sum/min) or 0 (count).
"""

from __future__ import annotations

import numpy as np


class Grouping:
    """Maps ``n_children`` columns onto ``n_parents`` columns (child -> parent index)."""

    def __init__(self, parent_of_child: np.ndarray, n_parents: int) -> None:
        members = np.flatnonzero(parent_of_child >= 0)
        order = members[np.argsort(parent_of_child[members], kind="stable")]
        self.order = order
        self.parent_sorted = parent_of_child[order]
        self.parents, self.starts = np.unique(self.parent_sorted, return_index=True)
        self.ends = np.r_[self.starts[1:], len(order)].astype(np.int64)
        self.n_parents = n_parents
        self.parent_of_child = parent_of_child
        self.member_cols = members
        self.all_members = len(members) == len(parent_of_child)
        self.empty_parents = np.setdiff1d(np.arange(n_parents), self.parents)
        self._flat: tuple[int, np.ndarray] | None = None

    def children(self, parent: int) -> np.ndarray:
        """Child column positions of one parent."""
        return self.order[self.parent_sorted == parent]

    def _sum(self, arr: np.ndarray, empty: float) -> np.ndarray:
        """Per-parent sums of ``arr`` (one weighted ``bincount`` over all days at once)."""
        rows = arr.shape[0]
        if not len(self.order):
            return np.full((rows, self.n_parents), empty)
        flat = self._flat_index(rows)
        cols = arr if self.all_members else arr[:, self.member_cols]
        weights = np.asarray(cols, dtype=float).ravel()
        out = np.bincount(flat, weights=weights, minlength=rows * self.n_parents)
        out = out.reshape(rows, self.n_parents)
        if len(self.parents) < self.n_parents:
            out[:, self.empty_parents] = empty
        return out

    def _flat_index(self, rows: int) -> np.ndarray:
        if self._flat is None or self._flat[0] != rows:
            parent = self.parent_of_child[self.member_cols]
            index = (np.arange(rows)[:, None] * self.n_parents + parent[None, :]).ravel()
            self._flat = (rows, index)
        return self._flat[1]

    def total(self, arr: np.ndarray) -> np.ndarray:
        """Plain per-parent sum (``arr`` must have no NaN); 0 for parents without children."""
        return self._sum(arr, 0.0)

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Number of children where ``mask`` is True."""
        return self._sum(mask, 0.0)

    def nansum(self, arr: np.ndarray) -> np.ndarray:
        """Sum over children that have a value; NaN when none has."""
        known = ~np.isnan(arr)
        total = self._sum(np.where(known, arr, 0.0), np.nan)
        return np.where(self.count(known) > 0, total, np.nan)

    def nanmin(self, arr: np.ndarray) -> np.ndarray:
        """Minimum over children that have a value; NaN when none has."""
        out = np.full((arr.shape[0], self.n_parents), np.inf)
        if len(self.order):
            filled = np.where(np.isnan(arr), np.inf, arr)[:, self.order]
            out[:, self.parents] = np.minimum.reduceat(filled, self.starts, axis=1)
        return np.where(np.isposinf(out), np.nan, out)
