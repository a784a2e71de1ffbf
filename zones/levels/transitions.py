"""Transitions: which units moved between which levels from one date to another, and why.

Every move carries its ``cause``:

- ``declaration``: a declaration made or ended the difference (on either day the level
  in force is a declared one that differs from the computed level);
- ``ruleset``: only the rule set in force changed between the two days (QĐ 2686 ->
  QĐ 4800 on 12/10/2021): the figures of the second day, assessed under the rule set
  of the first, give the level of the first day;
- ``data``: the figures moved the level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from zones.levels import dayview
from zones.levels.assessment import compute
from zones.levels.memo import cached
from zones.levels.tables import Table, result_table
from zones.workspace import Workspace

COLUMNS = ["unit_code", "unit_name", "from_level", "to_level", "changed_on", "cause"]
DATA, RULESET, DECLARATION = "data", "ruleset", "declaration"
CAUSES = (DATA, RULESET, DECLARATION)


@dataclass(frozen=True)
class RulesetChange:
    """The rule set in force on each of two days, when they differ."""

    before: str          # id of the rule set of the first day
    after: str           # id of the rule set of the second day
    on: date             # the first day of the second one's last run up to the second day


def transitions(table: Table, units: pd.DataFrame, start: date, end: date,
                level: str | None = "commune", changed_only: bool = True,
                computed: Table | None = None, what_if: Table | None = None) -> pd.DataFrame:
    """Level on ``start`` and on ``end`` of every unit (of ``level``), with the day of the
    last change in (start, end] and its cause. Levels are 1-4, <NA> for not enough data.

    ``table``: the levels in force; ``computed``: the computed levels (default: ``table``,
    no declaration); ``what_if``: the levels on ``end`` under the rule set of ``start``
    (None when the same rule set is in force on both days)."""
    chosen = units if level is None else units[units["level"] == level]
    codes = chosen.index
    a, b = table.row(start, codes), table.row(end, codes)
    computed = table if computed is None else computed
    old = what_if.row(end, codes) if what_if is not None else None
    window = (table.dates > pd.Timestamp(start)) & (table.dates <= pd.Timestamp(end))
    cols = table.codes.get_indexer(codes)
    block = table.values[window][:, np.clip(cols, 0, None)]
    days = table.dates[window]
    changed_on = _last_change(block, days, a)
    out = pd.DataFrame({"unit_code": codes, "unit_name": chosen["name"].to_numpy(),
                        "from_level": pd.array(a, dtype="Int8"),
                        "to_level": pd.array(b, dtype="Int8"), "changed_on": changed_on,
                        "cause": causes(a, b, computed.row(start, codes),
                                        computed.row(end, codes), old)})
    out[["from_level", "to_level"]] = out[["from_level", "to_level"]].replace(0, pd.NA)
    if changed_only:
        out = out[a != b]
    return out.sort_values(["to_level", "from_level", "unit_code"], ascending=[False, True, True],
                           na_position="last", ignore_index=True)


def causes(before: np.ndarray, after: np.ndarray, computed_before: np.ndarray,
           computed_after: np.ndarray, what_if: np.ndarray | None) -> np.ndarray:
    """Per unit the cause of its move ('' where the level in force did not move):
    ``declaration`` where the level in force differs from the computed one on either day;
    else ``ruleset`` where ``what_if`` (the second day under the first day's rule set)
    gives the first day's level; else ``data``."""
    moved = before != after
    declared = (before != computed_before) | (after != computed_after)
    only_rules = np.zeros(len(before), dtype=bool) if what_if is None else \
        np.asarray(what_if) == computed_before
    out = np.full(len(before), "", dtype=object)
    out[moved] = DATA
    out[moved & only_rules & ~declared] = RULESET
    out[moved & declared] = DECLARATION
    return out


def ruleset_change(computed: Table, start: date, end: date) -> RulesetChange | None:
    """The rule sets of ``start`` and ``end`` when they differ (None when they are the same
    or unknown)."""
    ids = computed.rulesets
    if ids is None:
        return None
    first, last = ids.get(pd.Timestamp(start)), ids.get(pd.Timestamp(end))
    if not first or not last or first == last:
        return None
    span = ids.loc[pd.Timestamp(start):pd.Timestamp(end)]
    differs = (span != last).to_numpy()
    on = span.index[len(differs) - int(np.argmax(differs[::-1]))]
    return RulesetChange(str(first), str(last), on.date())


def in_force(ws: Workspace, units: pd.DataFrame, start: date, end: date,
             level: str | None = "commune", changed_only: bool = True
             ) -> tuple[pd.DataFrame, RulesetChange | None]:
    """``transitions`` of the levels in force of a workspace, with their causes, and the
    change of rule set between the two days (None when there is none)."""
    computed = dayview.computed_levels(ws)
    change = ruleset_change(computed, start, end)
    what_if = levels_under(ws, change.before, end) if change is not None else None
    frame = transitions(dayview.levels_in_force(ws), units, start, end, level, changed_only,
                        computed=computed, what_if=what_if)
    return frame, change


def levels_under(ws: Workspace, ruleset_id: str, day: date) -> Table | None:
    """The levels computed on ``day`` under ``ruleset_id`` (its holds and windows looking
    back from that day), None when that rule set is no longer there."""
    if ruleset_id not in dayview.ruleset_registry(ws).rulesets:
        return None
    return cached(ws, "levels_under", lambda: result_table(
        compute(ws, override=ruleset_id, dates=pd.DatetimeIndex([pd.Timestamp(day)]))),
        ruleset_id, pd.Timestamp(day))


def _last_change(block: np.ndarray, days: pd.DatetimeIndex, start_levels: np.ndarray) -> list:
    """Per unit: the first day of the final run of its level (None if unchanged)."""
    if block.size == 0:
        return [None] * len(start_levels)
    prev = np.vstack([start_levels[None, :], block[:-1]])
    moved = block != prev
    any_move = moved.any(axis=0)
    last = len(days) - 1 - np.argmax(moved[::-1], axis=0)
    return [days[i].date() if m else None for i, m in zip(last, any_move, strict=True)]


def flows(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts per (from_level, to_level) pair (0 stands for not enough data)."""
    f = frame.fillna({"from_level": 0, "to_level": 0})
    return f.groupby(["from_level", "to_level"]).size().rename("units").reset_index()
