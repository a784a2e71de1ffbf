"""``Result`` of an assessment: levels per date and unit, plus explanations on demand."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .inputs import Inputs, Panel
from .levels import NO_DATA
from .model import RuleSet


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


class Result:
    """Levels (``int8``, 0 = not enough data) of every unit at every assessed date."""

    def __init__(self, inputs: Inputs, dates: pd.DatetimeIndex, levels: np.ndarray,
                 segments: list[tuple[pd.DatetimeIndex, Segment]], seg_of_date: np.ndarray
                 ) -> None:
        self.inputs = inputs
        self.dates = dates
        self.codes = pd.Index(inputs.units.index.astype(str), name="code")
        self.levels = levels
        self.segments = segments
        self._seg_of_date = seg_of_date
        self.ruleset_ids = np.array([segments[i][1].ruleset.id for i in seg_of_date], object)
        self.ruleset_versions = np.array(
            [segments[i][1].ruleset.version for i in seg_of_date], dtype=object)

    @classmethod
    def from_segments(cls, inputs: Inputs, dates: pd.DatetimeIndex,
                      parts: list[tuple[pd.DatetimeIndex, Segment]]) -> Result:
        levels = np.zeros((len(dates), len(inputs.units)), dtype=np.int8)
        seg_of_date = np.zeros(len(dates), dtype=np.int64)
        for i, (sub, seg) in enumerate(parts):
            at = dates.get_indexer(sub)
            rows = seg.panel.grid.get_indexer(sub)
            levels[np.ix_(at, seg.panel.input_order)] = seg.final[rows]
            seg_of_date[at] = i
        return cls(inputs, dates, levels, parts, seg_of_date)

    # ------------------------------------------------------------ plain views
    def frame(self) -> pd.DataFrame:
        """Levels as a frame: index dates, columns unit codes, ``int8``."""
        return pd.DataFrame(self.levels, index=self.dates, columns=self.codes)

    def _date_pos(self, date) -> int:
        pos = self.dates.get_indexer([pd.Timestamp(date).normalize()])[0]
        if pos < 0:
            raise KeyError(f"{date} was not assessed; assessed dates run "
                           f"{self.dates.min().date()} .. {self.dates.max().date()}")
        return int(pos)

    def at(self, date) -> pd.Series:
        """Levels of all units on ``date``."""
        return pd.Series(self.levels[self._date_pos(date)], index=self.codes, name="level")

    def segment_at(self, date) -> Segment:
        return self.segments[self._seg_of_date[self._date_pos(date)]][1]

    def entered_on(self, date) -> pd.Series:
        """Per unit, the first date of the current uninterrupted run of its level.

        With one rule set the run may start before the first assessed date (the engine's
        history is used); across rule sets only assessed dates are used.
        """
        pos = self._date_pos(date)
        if len(self.segments) == 1:
            seg = self.segments[0][1]
            grid = seg.panel.grid
            upto = seg.final[: seg.row(date) + 1][:, seg.panel.input_order.argsort()]
        else:
            grid, upto = self.dates, self.levels[: pos + 1]
        changed = np.vstack([np.ones((1, upto.shape[1]), bool), upto[1:] != upto[:-1]])
        start = np.maximum.accumulate(np.where(changed, np.arange(len(upto))[:, None], 0))
        return pd.Series(grid[start[-1]], index=self.codes, name="entered_on")

    # ------------------------------------------------------------ explanations
    def explain(self, code: str, date, lang: str = "vi") -> Explanation:
        """Reasons, values and the path down one level for ``code`` on ``date``."""
        from .explain import explain_unit

        seg = self.segment_at(date)
        return explain_unit(seg, str(code), pd.Timestamp(date).normalize(), lang)

    def reasons_table(self, date, lang: str = "vi", level: str | None = None) -> pd.DataFrame:
        """One row per unit: code, name, level (<NA> if no data), level name, reasons."""
        seg = self.segment_at(date)
        units = self.inputs.units
        if level is not None:
            units = units[units["level"] == level]
        lv = self.at(date).reindex(units.index.astype(str))
        names = seg.ruleset.level_names(lang)
        reasons = [self.explain(c, date, lang) for c in units.index.astype(str)]
        return pd.DataFrame({
            "unit_code": units.index.astype(str),
            "unit_name": units["name"].to_numpy(),
            "level": pd.array(np.where(lv.to_numpy() == NO_DATA, None, lv.to_numpy()),
                              dtype="Int8"),
            "level_name": [names[int(v)] for v in lv.to_numpy()],
            "ruleset": seg.ruleset.id,
            "reasons": ["; ".join(e.reasons or e.missing) for e in reasons],
        })
