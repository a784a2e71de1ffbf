"""What a weekly briefing says, built only from the day view (``zones.levels.dayview``):
the same levels, names and declarations as every other view of the product.

A briefing covers the ``weeks`` x 7 days ending on a date, for a unit (province, district
or commune) and its subtree, at one level of units; it compares the end of the period with
the day before it began.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd

import rules
from zones.errors import ZonesError
from zones.i18n import fmt_date, t
from zones.levels import dayview
from zones.levels.dayview import DayView
from zones.levels.story import unit_story
from zones.levels.tables import child_level, view_units
from zones.levels.transitions import RulesetChange
from zones.levels.transitions import in_force as transitions
from zones.safe import safe_frame
from zones.settings import public_address
from zones.workspace import Workspace

LEVELS_DOWN = (4, 3, 2, 1, 0)


@dataclass(frozen=True)
class PlanFacts:
    """What the plans area says for the briefing's unit and period: the progress on the
    last day of every target of the subtree in force during the period (columns of the
    CLI's ``plans progress``), the communes that broke a *protect* target during the
    period (``plan_id, unit_code, unit_name, day, level_before, level, reason``) and the
    emulation table of the unit's children over the period (the CLI's ``emulation``
    columns, then ``streak_callout`` and ``targets_met``; empty without children)."""

    progress: pd.DataFrame
    breaches: pd.DataFrame
    emulation: pd.DataFrame
    emulation_rule: str = ""  # the rule of the ranking, in words
    callouts: tuple[int, ...] = ()  # green streaks called out (plans.yaml)


@dataclass(frozen=True)
class Briefing:
    """Everything a briefing shows; every format (PPTX, PDF, PNG) renders this."""

    lang: str
    unit: str | None
    unit_name: str
    level: str
    start: date           # first day of the period
    end: date             # last day of the period (the chosen date)
    before: date          # the day compared with (the day before the period)
    now: DayView
    earlier: DayView
    ruleset_title: str
    ruleset_reference: str
    data_as_of: date | None
    link: str
    counts: pd.DataFrame        # level, name, units, population, units_before, population_before
    by_parent: pd.DataFrame     # parent name, then one column per level (units now)
    up: pd.DataFrame            # code, name, parent, from_level, to_level, since, reason,
    down: pd.DataFrame          # path_down, cause (data, ruleset, declaration)
    declared: pd.DataFrame      # code, name, declared, computed, decision, start, end
    silent: pd.DataFrame        # code, name, last
    story: pd.DataFrame         # daily figures and rates of the unit (charts)
    bands: list[float] | None
    notices: tuple[str, ...]
    ruleset_change: RulesetChange | None = None  # rule sets before and at the end, if they differ
    rulesets: tuple = ()        # the rule set in force at the end (for the method in words)
    made_on: date | None = None  # the day the briefing was made (signature block)
    preparer: str = ""          # who made it (signature block), "" when not known
    plans: PlanFacts | None = None  # targets and emulation, where the plans area exists
    summary: Any = None         # the week at a glance (a ``parts.Section``), for previews

    @property
    def names(self) -> dict[int, str]:
        return self.now.level_names

    @property
    def period(self) -> str:
        return f"{fmt_date(self.start)} – {fmt_date(self.end)}"

    @property
    def map_query(self) -> str:
        """The query of the map page showing this view ("date=…&level=…&unit=…"), for a
        link relative to the page it is shown on."""
        query = {"date": self.end.isoformat(), "level": self.level}
        if self.unit:
            query["unit"] = self.unit
        return urlencode(query)

    @cached_property
    def moves_csv(self) -> bytes:
        """Every unit that changed level in the period, with the reason and the way down
        (UTF-8 with BOM; names cannot run as spreadsheet formulas); made once per
        briefing (a prepared briefing is shared by the page's visitors)."""
        frame = pd.concat([self.up, self.down], ignore_index=True)
        frame = frame.rename(columns={"code": "unit_code", "name": "unit_name",
                                      "parent": "parent_name", "since": "changed_on"})
        frame["changed_on"] = [d.isoformat() if d else "" for d in frame["changed_on"]]
        columns = ["unit_code", "unit_name", "parent_name", "from_level", "to_level",
                   "changed_on", "cause", "reason", "path_down"]
        return safe_frame(frame[columns]).to_csv(index=False).encode("utf-8-sig")


def default_unit(ws: Workspace) -> str | None:
    """The single province when there is one, else the whole country (None)."""
    units = dayview.units(ws)
    provinces = units.index[units["level"] == "province"]
    return provinces[0] if len(provinces) == 1 else None


def default_level(ws: Workspace, unit: str | None) -> str:
    """Communes inside a province or district; the level below a commune; provinces for
    the whole country."""
    units = dayview.units(ws)
    below = [lv for lv in ("commune", "hamlet", "district", "province")
             if not view_units(units, lv, unit).empty]
    if unit is None and "province" in below and len(below) > 1 and \
            (units["level"] == "province").sum() > 1:
        return "province"
    if "commune" in below:
        return "commune"
    return below[0] if below else (child_level(units, unit) or "commune")


def share_link(base: str, day: date, unit: str | None, level: str,
               ruleset: str | None = None) -> str:
    """The address of the map page showing exactly this view ("" without a public base
    address: a link to ``localhost`` opens nothing on the readers' machines)."""
    base = public_address(base)
    if not base:
        return ""
    query = {"date": day.isoformat(), "level": level}
    if unit:
        query["unit"] = unit
    if ruleset:
        query["ruleset"] = ruleset
    return f"{base.rstrip('/')}/?{urlencode(query)}"


def build(ws: Workspace, day, unit: str | None = None, level: str | None = None,
          weeks: int = 1, lang: str = "vi", base_url: str = "", progress=None,
          made_on: date | None = None, preparer: str = "",
          plans: Callable[[str | None, date, date], PlanFacts | None] | None = None
          ) -> Briefing:
    """The briefing of the ``weeks`` weeks ending on ``day`` for ``unit``'s subtree.
    ``base_url``: the dashboard's public address (the map link); ``made_on`` and
    ``preparer``: the date and the name of the signature block (default: today, blank);
    ``plans(unit, first day, last day)``: the targets and the emulation table (given by
    the front door, where the plans area lives)."""
    units = dayview.units(ws)
    if unit is not None and unit not in units.index:
        raise ZonesError(t("brief.unknown_unit", lang, value=unit))
    if weeks < 1 or weeks > 26:
        raise ZonesError(t("brief.bad_weeks", lang, value=weeks))
    unit = unit if unit is not None else default_unit(ws)
    level = level or default_level(ws, unit)
    end = dayview.check_day(dayview.levels_in_force(ws), day).date()
    before = end - timedelta(days=7 * weeks)
    table = dayview.levels_in_force(ws)
    if pd.Timestamp(before) < table.dates[0]:
        before = table.dates[0].date()
    _say(progress, t("brief.step.levels", lang))
    now = dayview.day_view(ws, end, level, unit, None, lang)
    if len(now.codes) == 0:
        raise ZonesError(t("brief.no_units", lang, level=t(f"ui.level.{level}", lang),
                           unit=_name(units, unit, lang)))
    earlier = dayview.day_view(ws, before, level, unit, None, lang)
    chosen = view_units(units, level, unit)
    everyone, change = transitions(ws, chosen, before, end, level, changed_only=False)
    _say(progress, t("brief.step.reasons", lang))
    result = dayview.local_result(ws, unit)
    up, down = _moves(everyone, result, end, lang, units)
    rs = dayview.ruleset_on(ws, end)
    story_code = unit if unit is not None else None
    link = share_link(base_url, end, unit, level)
    if not link:
        _say(progress, t("brief.step.no_link", lang))
    _say(progress, t("brief.step.trends", lang))
    return Briefing(
        lang=lang, unit=unit, unit_name=_name(units, unit, lang), level=level,
        start=before + timedelta(days=1), end=end, before=before, now=now, earlier=earlier,
        ruleset_title=now.ruleset_title, ruleset_reference=now.ruleset_reference,
        data_as_of=_as_of(now), link=link,
        counts=_counts(now, earlier), by_parent=_by_parent(units, now, up, down),
        up=up, down=down, declared=_declared(now),
        silent=dayview.silent(now), story=unit_story(ws, story_code) if story_code else
        pd.DataFrame(), bands=_bands(rs), notices=now.notices,
        ruleset_change=change, rulesets=(rs,) if rs is not None else (),
        made_on=made_on or date.today(), preparer=preparer,
        plans=plans(unit, before + timedelta(days=1), end) if plans is not None else None)


def _say(progress, text: str) -> None:
    if progress is not None:
        progress(text)


def _name(units: pd.DataFrame, code: str | None, lang: str) -> str:
    return t("ui.country", lang=lang) if code is None else str(units.at[code, "name"])


def _as_of(view: DayView) -> date | None:
    known = [d for d in view.last_report if d is not None]
    return max(known) if known else None


def _counts(now: DayView, earlier: DayView) -> pd.DataFrame:
    rows = []
    for lv in LEVELS_DOWN:
        a, b = now.in_force == lv, earlier.in_force == lv
        rows.append({"level": lv, "name": now.level_names[lv], "units": int(a.sum()),
                     "population": float(np.nansum(now.population[a])),
                     "units_before": int(b.sum()),
                     "population_before": float(np.nansum(earlier.population[b]))})
    return pd.DataFrame(rows)


def _by_parent(units: pd.DataFrame, now: DayView, up: pd.DataFrame, down: pd.DataFrame
               ) -> pd.DataFrame:
    """Units per level under each parent, with the moves up and down of the period, the
    most severe first (most red, then orange, then yellow units; then by name)."""
    parents = pd.Series(now.parents, dtype=object).fillna("")
    names = [_parent_name(units, p) for p in parents]
    frame = pd.DataFrame({"parent": names, "level": now.in_force})
    wide = frame.groupby(["parent", "level"]).size().unstack(fill_value=0)
    wide = wide.reindex(columns=list(LEVELS_DOWN), fill_value=0)
    wide["up"] = up.groupby("parent").size().reindex(wide.index, fill_value=0)
    wide["down"] = down.groupby("parent").size().reindex(wide.index, fill_value=0)
    wide = wide.reset_index()
    wide["total"] = wide[list(LEVELS_DOWN)].sum(axis=1)
    wide = wide.sort_values([4, 3, 2, "up", "parent"],
                            ascending=[False, False, False, False, True], ignore_index=True)
    return wide[["parent", *LEVELS_DOWN, "total", "up", "down"]]


def _parent_name(units: pd.DataFrame, code) -> str:
    return str(units.at[code, "name"]) if code in units.index else "–"


def _moves(everyone: pd.DataFrame, result: rules.Result, end: date, lang: str,
           units: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    moved = everyone[everyone["from_level"].fillna(0) != everyone["to_level"].fillna(0)]
    rows = []
    for r in moved.itertuples():
        reason, path = "", ""
        if r.unit_code in result.codes and pd.Timestamp(end) in result.dates:
            e = result.explain(r.unit_code, pd.Timestamp(end), lang=lang)
            reason = "; ".join(e.reasons or e.missing[:1])  # every step that set the level
            path = (e.path_down or [""])[0]
        a = 0 if pd.isna(r.from_level) else int(r.from_level)
        b = 0 if pd.isna(r.to_level) else int(r.to_level)
        parent = units.at[r.unit_code, "parent_code"] if r.unit_code in units.index else None
        rows.append({"code": r.unit_code, "name": r.unit_name,
                     "parent": _parent_name(units, parent), "from_level": a, "to_level": b,
                     "since": r.changed_on, "reason": reason, "path_down": path,
                     "cause": r.cause})
    frame = pd.DataFrame(rows, columns=["code", "name", "parent", "from_level", "to_level",
                                        "since", "reason", "path_down", "cause"])
    up = frame[frame["to_level"] > frame["from_level"]].sort_values(
        ["to_level", "name"], ascending=[False, True])
    down = frame[frame["to_level"] < frame["from_level"]].sort_values(
        ["from_level", "name"], ascending=[False, True])
    return up.reset_index(drop=True), down.reset_index(drop=True)


def _declared(now: DayView) -> pd.DataFrame:
    differ = (now.declared > 0) & (now.declared != now.computed)
    return pd.DataFrame({"code": now.codes[differ], "name": now.names[differ],
                         "declared": now.declared[differ].astype(int),
                         "computed": now.computed[differ].astype(int),
                         "decision": now.decision[differ], "start": now.declared_from[differ],
                         "end": now.declared_to[differ]})


def _bands(rs: rules.RuleSet | None) -> list[float] | None:
    value = rs.parameters.get("band_starts_per_100k") if rs is not None else None
    return list(value) if value is not None else None
