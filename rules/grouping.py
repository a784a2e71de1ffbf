"""Reductions of child-unit columns onto parent columns (sum, count, min), vectorised.

Children are sorted by parent once; each reduction is then a single ``reduceat`` along the
unit axis. Parents without children get NaN (sum/min) or 0 (count).
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
        self.n_parents = n_parents
        self.parent_of_child = parent_of_child

    def children(self, parent: int) -> np.ndarray:
        """Child column positions of one parent."""
        return self.order[self.parent_sorted == parent]

    def _reduce(self, ufunc: np.ufunc, arr: np.ndarray, empty: float) -> np.ndarray:
        out = np.full((arr.shape[0], self.n_parents), empty, dtype=float)
        if len(self.order):
            out[:, self.parents] = ufunc.reduceat(arr[:, self.order], self.starts, axis=1)
        return out

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Number of children where ``mask`` is True."""
        return self._reduce(np.add, mask.astype(np.int32), 0.0)

    def nansum(self, arr: np.ndarray) -> np.ndarray:
        """Sum over children that have a value; NaN when none has."""
        known = ~np.isnan(arr)
        total = self._reduce(np.add, np.where(known, arr, 0.0), np.nan)
        return np.where(self.count(known) > 0, total, np.nan)

    def nanmin(self, arr: np.ndarray) -> np.ndarray:
        """Minimum over children that have a value; NaN when none has."""
        low = self._reduce(np.minimum, np.where(np.isnan(arr), np.inf, arr), np.inf)
        return np.where(np.isinf(low) & (low > 0), np.nan, low)
