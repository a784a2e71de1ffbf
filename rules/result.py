"""``Result`` of an assessment: levels per date and unit, plus explanations on demand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .explain import explain_unit
from .inputs import Inputs
from .levels import NO_DATA
from .segment import Explanation, Segment


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

    # ------------------------------------------------------------ indicators
    def indicator(self, name: str | None = None) -> np.ndarray:
        """``(dates, units)`` values of indicator ``name`` as the engine computed them for
        the levels (NaN where the rule set used on a date has no such indicator, or the
        unit's tier does not use its own figures). ``None``: per date, the *headline*
        indicator of the rule set used on that date (what the map shows)."""
        out = np.full(self.levels.shape, np.nan)
        for i, (_sub, seg) in enumerate(self.segments):
            key = seg.ruleset.headline if name is None else name
            if key is None or key not in seg.ruleset.indicators:
                continue
            grid = np.full((len(seg.panel.grid), len(seg.panel.codes)), np.nan)
            for run in seg.runs.values():
                if run.ctx.child_levels is None:  # a tier on children's levels has no rate
                    grid[:, run.ctx.cols] = run.ctx.evaluate(key)
            at = np.flatnonzero(self._seg_of_date == i)
            rows = seg.panel.grid.get_indexer(self.dates[at])
            out[np.ix_(at, seg.panel.input_order)] = grid[rows]
        return out

    def headline_labels(self, lang: str = "vi") -> np.ndarray:
        """Per date, the label of the headline indicator of the rule set used ('' if none)."""
        labels = []
        for _sub, seg in self.segments:
            spec = seg.ruleset.indicators.get(seg.ruleset.headline or "")
            labels.append(spec.label.get(lang) if spec is not None else "")
        return np.array([labels[i] for i in self._seg_of_date], dtype=object)

    # ------------------------------------------------------------ explanations
    def explain(self, code: str, date, lang: str = "vi") -> Explanation:
        """Reasons, values and the path down one level for ``code`` on ``date``."""
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
