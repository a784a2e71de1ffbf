"""What one rule set's run leaves behind: per-tier arrays (``TierRun``), the run over the
whole grid (``Segment``) and the explanation of one unit on one day (``Explanation``).
Plain containers, so that the engine, the result and the explanations share them without
importing each other."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .context import TierContext
from .inputs import Panel
from .model import RuleSet, Tier


@dataclass
class TierRun:
    """One tier's arrays on the full grid, kept for explanations."""

    tier: Tier
    ctx: TierContext
    known: np.ndarray
    base: np.ndarray
    raised: np.ndarray
    cascaded: list[np.ndarray] = field(default_factory=list)
    final: np.ndarray | None = None


@dataclass(frozen=True)
class Explanation:
    """Why a unit has its level on a date, and what would lower it by one."""

    level: int
    level_name: str
    ruleset_id: str
    ruleset_version: str
    reasons: list[str]
    path_down: list[str]
    values: dict[str, float]
    missing: list[str]


class Segment:
    """One rule set's run: panel, per-tier arrays on the full grid, final levels."""

    def __init__(self, ruleset: RuleSet, panel: Panel, runs: dict, final: np.ndarray) -> None:
        self.ruleset, self.panel, self.runs, self.final = ruleset, panel, runs, final

    def locate(self, code: str) -> tuple[str, int] | None:
        """(unit level, column within its tier) of a unit code."""
        pos = int(self.panel.codes.get_indexer([str(code)])[0])
        if pos < 0:
            return None
        level = self.panel.levels[pos]
        return level, pos - self.panel.slices[level].start

    def row(self, date: pd.Timestamp) -> int:
        return int(self.panel.grid.get_loc(pd.Timestamp(date).normalize()))
