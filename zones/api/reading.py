"""Reading: the day view, the assess table, transitions, explanations, units and their
search, a unit's story.

Reading a day always goes through the day view (``day_view``), so the map, the panel,
the overview, "Chuyển cấp", the HTML export and the CLI show the same level, level name
and declaration for a unit on a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

import rules
from zones.api.action import action
from zones.errors import ZonesError
from zones.i18n import fmt_date, t
from zones.levels import dayview, story
from zones.levels.assessment import check_ruleset
from zones.levels.dayview import STALE_DAYS, DayView
from zones.levels.memo import cached
from zones.levels.tables import (
    Table,
    ancestors,
    child_level,
    entered_on,
    moves,
    summary,
    view_units,
)
from zones.levels.transitions import COLUMNS as TRANSITION_COLUMNS
from zones.levels.transitions import RulesetChange, flows
from zones.levels.transitions import in_force as _transitions
from zones.safe import safe_frame
from zones.search import Finder
from zones.workspace import Workspace

__all__ = ["ASSESS_COLUMNS", "STALE_DAYS", "TRANSITION_COLUMNS", "DayView", "Table",
           "Transitions", "ancestors", "assess", "band_edges", "child_level",
           "computed_levels", "day_view", "declarations", "default_day", "entered_on",
           "explain", "find_units", "flows", "level_names", "levels_in_force", "moves",
           "notices", "rulesets", "safe_frame", "silent_units", "summary", "transitions", "unit_story",
           "units", "view_units"]

ASSESS_COLUMNS = ["unit_code", "unit_name", "level", "level_name", "ruleset", "reasons",
                  "computed_level", "declared_level", "decision"]

units = dayview.units
computed_levels = dayview.computed_levels
levels_in_force = dayview.levels_in_force
declarations = dayview.declarations
default_day = dayview.default_day
rulesets = dayview.ruleset_registry
band_edges = story.band_edges
silent_units = dayview.silent
unit_story = story.unit_story


def check_override(ws: Workspace, override: str | None) -> None:
    """An unknown or broken what-if rule set is refused with its problems."""
    if override:
        check_ruleset(dayview.ruleset_registry(ws), override)


@action()
def day_view(ws: Workspace, day, level: str = "commune", parent: str | None = None,
             override: str | None = None, lang: str = "vi") -> DayView:
    """What ``day`` looks like for the ``level`` units under ``parent``."""
    check_override(ws, override)
    return dayview.day_view(ws, day, level, parent, override, lang)


@action()
def level_names(ws: Workspace, day=None, lang: str = "vi") -> dict[int, str]:
    """Level names 0..4 of the rule set in force on ``day`` (default: the last day)."""
    table = dayview.computed_levels(ws)
    if day is None and len(table.dates):
        day = table.dates[-1]
    rs = dayview.ruleset_on(ws, day) if day is not None else None
    return dayview.level_names(dayview.ruleset_registry(ws), rs.id if rs else None, lang)


@action()
def notices(ws: Workspace, lang: str = "vi") -> tuple[str, ...]:
    """The data notices every map shows (approximate shapes, simulated figures)."""
    return dayview.notices(ws, lang)


@action()
def explain(ws: Workspace, code: str, day, override: str | None = None,
            lang: str = "vi") -> rules.Explanation | None:
    """Why ``code`` has its computed level on ``day`` and what would lower it (None when
    that day was not assessed)."""
    result = dayview.result(ws, override)
    if pd.Timestamp(day) not in result.dates or code not in result.codes:
        return None
    return result.explain(code, pd.Timestamp(day), lang=lang)


@action()
def assess(ws: Workspace, day, level: str = "commune", override: str | None = None,
           lang: str = "vi") -> pd.DataFrame:
    """The ``assess`` table: per unit the level in force, its name, the rule set, the
    reasons of the computed level, then the computed level, the declared level and the
    decision (a what-if ``override`` computes under that rule set, without declarations)."""
    check_override(ws, override)
    view = dayview.day_view(ws, day, level, None, override, lang)
    result = dayview.result(ws, override)
    reasons = result.reasons_table(pd.Timestamp(view.day), lang=lang, level=level)
    frame = view.frame()
    frame["ruleset"] = view.ruleset_id or ""
    frame = frame.merge(reasons[["unit_code", "reasons"]], on="unit_code", how="left",
                        validate="one_to_one")
    frame["reasons"] = frame["reasons"].fillna("")
    return frame[ASSESS_COLUMNS]


@dataclass(frozen=True)
class Transitions:
    """Units that moved between two days (levels in force), with the level names."""

    frame: pd.DataFrame
    level_names: dict[int, str]
    start: date
    end: date
    ruleset_change: RulesetChange | None = None  # rule sets of start and end, when they differ


@action()
def transitions(ws: Workspace, start: date, end: date, level: str = "commune",
                parent: str | None = None, changed_only: bool = True,
                lang: str = "vi") -> Transitions:
    """Level on ``start`` and on ``end`` (in force: declared, else computed) of every
    ``level`` unit under ``parent``, with the day of the last change and its cause
    (``data``, ``ruleset``: only the rule set changed, ``declaration``)."""
    if end < start:
        raise ZonesError(t("tr.order", lang, start=fmt_date(start), end=fmt_date(end)))
    table = dayview.levels_in_force(ws)
    for d in (start, end):
        dayview.check_day(table, d)
    chosen = view_units(units(ws), level, parent)
    frame, change = _transitions(ws, chosen, start, end, level, changed_only=changed_only)
    rs = dayview.ruleset_on(ws, end)
    names = dayview.level_names(dayview.ruleset_registry(ws), rs.id if rs else None, lang)
    return Transitions(frame, names, start, end, change)


def find_units(ws: Workspace, query: str, limit: int = 20) -> list[str]:
    """Codes of the units of the active set matching ``query``: a code, a name without
    diacritics, or "name, parent name" (also "name parent name"), best first; the
    provinces for an empty query (the map's search box and the upload page's picker)."""
    finder = cached(ws, "finder", lambda: Finder(units(ws)))
    return finder.find(query, limit)

