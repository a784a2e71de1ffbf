"""What-if side by side: one view under two rule sets on one day, or on two days under one
rule set, a province's draft rule set included (read, checked, never stored)."""

from __future__ import annotations

import rules
from zones.api.action import action
from zones.api.decisions import taken_ids
from zones.compare import draft
from zones.compare.diff import COLUMNS, Comparison, Side, compare
from zones.errors import ZonesError
from zones.i18n import t
from zones.levels import dayview
from zones.levels.assessment import check_ruleset
from zones.levels.memo import cached
from zones.people.access import Actor, Right
from zones.workspace import Workspace

__all__ = ["COMPARE_COLUMNS", "Comparison", "Side", "compare_levels", "open_draft"]

COMPARE_COLUMNS = COLUMNS


@action()
def compare_levels(ws: Workspace, a: Side, b: Side, level: str = "commune",
                   parent: str | None = None, lang: str = "vi") -> Comparison:
    """The computed levels of the ``level`` units under ``parent`` on side ``a`` and side
    ``b`` (each a day and a rule set: an id, None for the one in force, or a draft), and
    the units on which they differ with each side's reasons."""
    if parent is not None and parent not in dayview.units(ws).index:
        raise ZonesError(t("cmp.unknown_unit", lang, value=parent))
    registry = dayview.ruleset_registry(ws)
    for side in (a, b):
        if side.draft is None:
            check_ruleset(registry, side.ruleset)  # unknown or broken: its problems
    if a.draft is None and b.draft is None:  # kept per data version (drafts: never)
        return cached(ws, "compare", lambda: compare(ws, a, b, level, parent, lang),
                      a, b, level, parent, lang)
    return compare(ws, a, b, level, parent, lang)


@action(Right.READ, "draft_opened")
def open_draft(ws: Workspace, actor: Actor | None, data: bytes, file_name: str,
               lang: str = "vi") -> rules.RuleSet:
    """A draft rule set from a file (signed-in users): bounded, read in the bounded child
    process and checked as ``rulesets add`` checks a file it keeps, but not stored."""
    return draft.read(ws.settings, data, file_name, taken_ids(dayview.ruleset_registry(ws)))
