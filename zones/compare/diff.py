"""Two answers side by side: the computed levels of one view under two rule sets on one day,
or on two days under one rule set, and the units on which they differ.

Each side is a day and a rule set: a loaded one (shipped, folder or stored), ``None`` for
the rule set in force on that day, or a draft that is read but never stored. Each side is
assessed on its day only (the engine looks back the rule set's ``history_days`` itself, for
holds and hysteresis) on the inputs the view's levels depend on (``dayview.local_inputs``:
the subtree, two steps across its border, their ancestors), so a province of the national
database costs seconds, not two runs over every day of the country; the levels are those
the map's rule-set switch and the stored levels show. Levels are compared as arrays over the
view's units in the order of the view (the order of the map's layer); only the units that
differ are explained, each under its own side's rule set. Declarations do not apply: what
is compared is what the rules say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

import rules
from rules.explain import explain_unit
from zones.errors import NoDataError, ZonesError
from zones.i18n import t
from zones.levels import assessment, dayview
from zones.levels.tables import view_units
from zones.workspace import Workspace

#: the CSV of the units that differ (dates yyyy-mm-dd, a level empty when not enough data)
COLUMNS = ["unit_code", "unit_name", "parents", "day_a", "ruleset_a", "level_a",
           "level_name_a", "reasons_a", "day_b", "ruleset_b", "level_b", "level_name_b",
           "reasons_b"]


@dataclass(frozen=True)
class Side:
    """One map of the pair: a day and a rule set (an id; None: the one in force that day;
    or ``draft``, a rule set read from a file and not stored)."""

    day: date
    ruleset: str | None = None
    draft: rules.RuleSet | None = None


@dataclass(frozen=True)
class SideView:
    """What one side shows: its day, its rule set and the level of every unit of the view."""

    day: date
    ruleset_id: str
    title: str
    draft: bool
    level_names: dict[int, str]
    levels: np.ndarray  # int8, in the order of the comparison's codes; 0 = not enough data


@dataclass(frozen=True)
class Comparison:
    """The two sides over the same units; ``differ`` marks the units whose levels differ,
    ``table`` lists them (``COLUMNS``)."""

    level: str
    parent: str | None
    codes: pd.Index
    a: SideView
    b: SideView
    differ: np.ndarray
    table: pd.DataFrame
    bounds: tuple[tuple[float, float], tuple[float, float]]

    @property
    def higher(self) -> int:
        """Units at a higher level on side B than on side A (both with enough data)."""
        known = (self.a.levels > 0) & (self.b.levels > 0)
        return int((known & (self.b.levels > self.a.levels)).sum())

    @property
    def lower(self) -> int:
        known = (self.a.levels > 0) & (self.b.levels > 0)
        return int((known & (self.b.levels < self.a.levels)).sum())


def compare(ws: Workspace, a: Side, b: Side, level: str = "commune",
            parent: str | None = None, lang: str = "vi") -> Comparison:
    """The ``level`` units under ``parent`` (None: all) on side ``a`` and side ``b``."""
    everything = dayview.units(ws)
    if everything.empty:
        raise NoDataError(t("db.empty", lang=lang))
    view = view_units(everything, level, parent)
    codes = pd.Index(view.index)
    inputs = assessment.load_inputs(ws.engine) if parent is None \
        else dayview.local_inputs(ws, parent)
    shown = [_side(ws, s, codes, inputs, lang) for s in (a, b)]
    (va, ra), (vb, rb) = shown
    differ = va.levels != vb.levels
    table = _table(everything, codes, differ, (a, va, ra), (b, vb, rb), lang=lang)
    box = view.total_bounds if len(view) else everything.total_bounds
    return Comparison(level=level, parent=parent, codes=codes, a=va, b=vb, differ=differ,
                      table=table, bounds=((float(box[1]), float(box[0])),
                                           (float(box[3]), float(box[2]))))


def _side(ws: Workspace, side: Side, codes: pd.Index, inputs: rules.Inputs,
          lang: str) -> tuple[SideView, rules.Result]:
    """A side's levels over ``codes`` and the engine's result that explains them."""
    stamp = dayview.check_day(dayview.computed_levels(ws), side.day)
    registry = dayview.ruleset_registry(ws)
    rs = side.draft if side.draft is not None else (
        registry.get(side.ruleset) if side.ruleset else registry.in_force(stamp.date()))
    try:
        result = rules.assess(inputs, rs, pd.DatetimeIndex([stamp]))
    except rules.RulesInputError as err:  # a draft asking for what the data cannot give
        if side.draft is None:
            raise
        raise ZonesError(t("cmp.draft_failed", lang=lang, id=rs.id, reason=err)) from err
    levels = result.at(stamp).reindex(codes).fillna(rules.NO_DATA).to_numpy(dtype="int8")
    title = rs.title.get(lang)
    if side.draft is not None:
        title = t("cmp.draft_title", lang=lang, title=title)
    return SideView(day=stamp.date(), ruleset_id=rs.id, title=title,
                    draft=side.draft is not None, level_names=rs.level_names(lang),
                    levels=levels), result


def parent_names(units: pd.DataFrame, codes: pd.Index) -> np.ndarray:
    """Each unit's parents as people read them, nearest first ("Huyện X, Tỉnh Y")."""
    names, parent = units["name"], units["parent_code"]
    up = pd.Series(parent.reindex(codes).to_numpy(dtype=object))
    parts = []
    while True:  # hamlet -> commune -> district -> province
        known = up.isin(names.index).to_numpy()
        if not known.any():
            break
        at = up.where(known)
        parts.append(np.where(known, names.reindex(at).to_numpy(dtype=object), ""))
        up = pd.Series(np.where(known, parent.reindex(at).to_numpy(dtype=object), None))
    return np.array([", ".join(p for p in row if p) for row in zip(*parts, strict=True)]
                    if parts else [""] * len(codes), dtype=object)


def _table(units: pd.DataFrame, codes: pd.Index, differ: np.ndarray, *sides,
           lang: str) -> pd.DataFrame:
    """One row per unit that differs: its parents, then each side's level and reasons."""
    picked = codes[differ]
    frame = pd.DataFrame({"unit_code": picked.to_numpy(dtype=object),
                          "unit_name": units["name"].reindex(picked).to_numpy(dtype=object),
                          "parents": parent_names(units, picked)})
    for suffix, (_side_asked, view, result) in zip("ab", sides, strict=True):
        levels = view.levels[differ]
        stamp = pd.Timestamp(view.day)
        frame[f"day_{suffix}"] = view.day.isoformat()
        frame[f"ruleset_{suffix}"] = view.ruleset_id
        frame[f"level_{suffix}"] = pd.array([int(v) if v > 0 else pd.NA for v in levels],
                                            dtype="Int8")
        frame[f"level_name_{suffix}"] = [view.level_names[int(v)] for v in levels]
        segment = result.segment_at(stamp)  # found once, not once per unit
        frame[f"reasons_{suffix}"] = [_reasons(segment, code, stamp, lang) for code in picked]
    return frame[COLUMNS]


def _reasons(segment, code: str, stamp: pd.Timestamp, lang: str) -> str:
    """Why the unit has its level on that side (what is missing, when it has none)."""
    why = explain_unit(segment, code, stamp, lang)
    return "; ".join(why.reasons or why.missing)
