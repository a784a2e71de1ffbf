"""Plans with targets per unit (issue 22): set (leaders, province staff, administrators,
inside their subtree), revoked, their measures marked done (the unit's officials); their
progress, the communes that broke a *protect* target, green streaks and the emulation
table, all computed from the levels in force of the day view."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from zones.api.action import Arguments, action, known_unit, log, parents
from zones.errors import ZonesError
from zones.i18n import Joined, fmt_date, fmt_datetime, msg, t
from zones.levels import dayview
from zones.levels import declarations as decl
from zones.levels.memo import cached
from zones.people import audit
from zones.people.access import Actor, Right, subtree
from zones.plans import emulation as emu
from zones.plans import model
from zones.plans import progress as prog
from zones.storage import plans_sql, store
from zones.workspace import Workspace

__all__ = ["EMULATION_COLUMNS", "PLAN_KINDS", "PROGRESS_COLUMNS",
           "add_plan", "check_plan", "emulation", "list_plans", "mark_measure_done",
           "plan_measures", "plan_progress", "protect_breaches", "revoke_plan",
           "streak_callouts", "unit_streaks"]

PLAN_KINDS = model.KINDS
PROGRESS_COLUMNS = prog.PROGRESS_COLUMNS
EMULATION_COLUMNS = prog.EMULATION_COLUMNS


def _in_force(ws: Workspace, *days):
    """The levels in force of the day view, covering ``days``: a day outside the figures
    still counts where a declaration covers it (the declared levels are then the levels
    in force; a unit with none has no level), so a plan is judged on declared levels
    alone (architecture.md: "declared where a declaration covers the day"). A day no
    figure and no declaration covers is refused with the period's range."""
    table = dayview.levels_in_force(ws)
    asked = [pd.Timestamp(day) for day in days]
    have = len(table.dates) > 0
    outside = [s for s in asked if not have or not table.dates[0] <= s <= table.dates[-1]]
    if not outside:
        return table
    declared = decl.active(dayview.declarations(ws))
    bound = model.config()["max_plan_days"] + model.config()["max_hold_days"]
    first = min([*asked, *([table.dates[0]] if have else []),
                 *pd.to_datetime(declared["effective_from"])], default=min(asked))
    first = max(first, min(asked) - pd.Timedelta(days=bound))
    last = max([*asked, *([table.dates[-1]] if have else [])])
    for s in outside:
        if decl.covering(declared, s).empty or (last - first).days > 2 * bound:
            if not have and not dayview.units(ws).empty:
                raise ZonesError(msg("plan.no_figures", day=fmt_date(s.date())))
            dayview.check_day(table, s)
    computed = prog.stretch(dayview.computed_levels(ws), first, last,
                            pd.Index(declared["unit_code"].unique()))
    return decl.effective(computed, declared)


def _checked(ws: Workspace, unit_code, kind, level, share, date_from, date_by, hold,
             decision, note, measures) -> model.Proposal:
    everything = dayview.units(ws)
    problems = model.problems(everything, unit_code, kind, level, share, date_from, date_by,
                              hold, decision, note, measures)
    if problems:
        log.info("plan refused: %d problems", len(problems))
        raise ZonesError(Joined(problems))
    return model.proposal(everything, unit_code, kind, level, share, date_from, date_by,
                          hold, decision, note, measures)


@action(Right.PLAN, "plan_added", unit=known_unit("unit_code"))
def check_plan(ws: Workspace, *, actor: Actor, unit_code: str | None, kind: str | None,
               level, date_from: date | None, date_by: date | None, decision: str,
               share=None, hold=None, note: str | None = None, measures=(),
               lang: str = "vi") -> model.Proposal:
    """Check a plan as ``add_plan`` would and store nothing: what the page's
    confirmation step repeats."""
    return _checked(ws, unit_code, kind, level, share, date_from, date_by, hold, decision,
                    note, measures)


@action(Right.PLAN, "plan_added", unit=known_unit("unit_code"), refresh="declarations")
def add_plan(ws: Workspace, *, actor: Actor, unit_code: str | None, kind: str | None,
             level, date_from: date | None, date_by: date | None, decision: str,
             share=None, hold=None, note: str | None = None, measures=(),
             lang: str = "vi", now=None) -> int:
    """Validate and store a plan's target as ``actor`` (every problem listed at once);
    audited; its id."""
    got = _checked(ws, unit_code, kind, level, share, date_from, date_by, hold, decision,
                   note, measures)
    plan_id = model.insert(ws.engine, got, actor.name, now or store.now())
    audit.record(ws.engine, actor, "plan_added", unit=got.unit_code, detail={
        "id": plan_id, "kind": got.kind, "level": got.level, "share": got.share,
        "from": got.date_from, "by": got.date_by, "hold": got.hold,
        "decision": got.decision, "note": got.note, "measures": list(got.measures)})
    log.info("plan %d stored", plan_id)
    return plan_id


def _plan_unit(ws: Workspace, arguments: Arguments) -> str | None:
    return model.unit_of(ws.engine, arguments["plan_id"])


@action(Right.PLAN, "plan_revoked", unit=_plan_unit, refresh="declarations")
def revoke_plan(ws: Workspace, plan_id: int, actor: Actor, lang: str = "vi") -> None:
    """Revoke a plan (inside the actor's subtree): it stays listed, marked with who
    revoked it and when, and counts nowhere any more."""
    old = model.revoke(ws.engine, plan_id, actor.name, store.now())
    if old is None:
        raise ZonesError(t("plan.no_such", lang, value=plan_id))
    if old["revoked_at"] is not None:
        raise ZonesError(t("plan.already_revoked", lang, id=plan_id, by=old["revoked_by"] or "",
                           at=fmt_datetime(old["revoked_at"])))
    audit.record(ws.engine, actor, "plan_revoked", unit=old["unit_code"], detail={
        "id": plan_id, "old": old})
    log.info("plan %d revoked", plan_id)


def _measure_unit(ws: Workspace, arguments: Arguments) -> str | None:
    return model.measure_unit(ws.engine, arguments["measure_id"])


@action(Right.SEND, "measure_done", unit=_measure_unit, refresh="declarations")
def mark_measure_done(ws: Workspace, measure_id: int, day: date | None, actor: Actor,
                      lang: str = "vi") -> None:
    """Mark a measure of a plan done on ``day`` (the officials of the plan's unit);
    audited like figures."""
    if day is None:
        raise ZonesError(t("plan.measure_no_day", lang))
    old = model.mark_done(ws.engine, measure_id, day, actor.name, store.now())
    if old is None:
        raise ZonesError(t("plan.no_such_measure", lang, value=measure_id))
    if old["plan_revoked_at"] is not None:
        raise ZonesError(t("plan.measure_plan_revoked", lang, id=measure_id, plan=old["plan_id"]))
    if old["done_on"] is not None:
        raise ZonesError(t("plan.measure_already_done", lang, id=measure_id, by=old["done_by"],
                           day=fmt_date(pd.Timestamp(old["done_on"]).date())))
    audit.record(ws.engine, actor, "measure_done", unit=old["unit_code"], detail={
        "id": measure_id, "plan_id": old["plan_id"], "text": old["text"], "done_on": day})


def _plans(ws: Workspace) -> pd.DataFrame:
    """Every plan, read once per data version (every write of a plan moves it on)."""
    return cached(ws, "plans", lambda: plans_sql.load_plans(ws.engine)).copy()


def _links(ws: Workspace) -> pd.DataFrame:
    return cached(ws, "plan_links", lambda: prog.commune_links(dayview.units(ws)))


def _in_subtree(ws: Workspace, codes: pd.Series, unit: str | None) -> np.ndarray:
    if unit is None:
        return np.ones(len(codes), dtype=bool)
    if unit not in dayview.units(ws).index:
        raise ZonesError(msg("plan.unknown_unit", value=unit))
    return codes.isin(subtree(parents(ws), unit)).to_numpy()


@action()
def list_plans(ws: Workspace, unit: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """Every plan (of ``unit``'s subtree), revoked ones too, by id, with its unit's name
    and its status (active, revoked)."""
    plans = _plans(ws)
    plans = plans[_in_subtree(ws, plans["unit_code"], unit)].reset_index(drop=True)
    names = dayview.units(ws)["name"]
    plans.insert(2, "unit_name", plans["unit_code"].map(names).fillna(""))
    plans["status"] = np.where(plans["revoked_at"].isna(), "active", "revoked")
    return plans


@action()
def plan_measures(ws: Workspace, plan_ids=None, lang: str = "vi") -> pd.DataFrame:
    """The measures of plans (all, or of ``plan_ids``), by plan then id."""
    measures = plans_sql.load_measures(ws.engine)
    if plan_ids is not None:
        measures = measures[measures["plan_id"].isin(list(plan_ids))]
    return measures.reset_index(drop=True)


def _active(ws: Workspace, unit: str | None) -> pd.DataFrame:
    plans = _plans(ws)
    plans = plans[plans["revoked_at"].isna()]
    return plans[_in_subtree(ws, plans["unit_code"], unit)].reset_index(drop=True)


@action()
def plan_progress(ws: Workspace, day: date, unit: str | None = None,
                  lang: str = "vi") -> pd.DataFrame:
    """The progress of every plan not revoked (of ``unit``'s subtree) on ``day``: the
    contract's columns (``since`` None while pending), by id."""
    table = _in_force(ws, day)
    plans = _active(ws, unit)
    if plans.empty:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    return prog.progress(table, dayview.units(ws), plans, day, _links(ws))


@action()
def protect_breaches(ws: Workspace, day: date, unit: str | None = None,
                     lang: str = "vi") -> pd.DataFrame:
    """The communes that broke a *protect* target up to ``day``: plan, commune, the day,
    the level before and after, and the reason of the rise (the declaration that raised
    it, else the reasons of the computed level)."""
    table = _in_force(ws, day)
    out = prog.breaches(table, dayview.units(ws), _active(ws, unit), day, _links(ws))
    out["reason"] = [_reason(ws, code, d, lv, lang, unit) for code, d, lv in
                     zip(out["unit_code"], out["day"], out["level"], strict=True)]
    return out


def _reason(ws: Workspace, code: str, day: date, level: int, lang: str,
            unit: str | None = None) -> str:
    on = decl.covering(dayview.declarations(ws), day)
    if code in on.index and int(on.at[code, "level"]) == level:
        return t("plan.reason_declared", lang, decision=on.at[code, "decision_number"])
    # the reasons inside ``unit`` from its neighbourhood only (a province of the national
    # demo: seconds, not the whole country's run)
    result = dayview.local_result(ws, unit)
    if pd.Timestamp(day) not in result.dates or code not in result.codes:
        return ""
    return "; ".join(result.explain(code, pd.Timestamp(day), lang=lang).reasons)


@action()
def unit_streaks(ws: Workspace, codes, day: date) -> np.ndarray:
    """Consecutive green days (level in force 1) ending on ``day``, per unit of ``codes``."""
    table = _in_force(ws, day)
    return prog.green_streaks(table, codes, day)


def streak_callouts() -> list[int]:
    """The green streaks (days) the emulation table calls out (plans.yaml: 14, 20)."""
    return sorted(model.config()["streak_callouts"])


@action()
def emulation(ws: Workspace, unit: str, start: date, end: date,
              lang: str = "vi") -> pd.DataFrame:
    """The emulation table of ``unit``'s children over ``start..end``, ranked (the
    contract's columns, then ``streak_callout`` and ``targets_met``: plans of the child's
    subtree met on ``end``)."""
    everything = dayview.units(ws)
    if not unit or unit not in everything.index:
        raise ZonesError(t("plan.unknown_unit", lang, value=unit or ""))
    if end < start:
        raise ZonesError(t("plan.bad_period", lang, start=fmt_date(start), end=fmt_date(end)))
    table = _in_force(ws, start, end)
    if emu.children(everything, unit).empty:
        raise ZonesError(t("plan.no_children", lang, value=unit))
    frame = emu.emulation(table, dayview.last_reports(ws), everything, unit, start, end)
    frame["targets_met"] = _met_by_child(ws, table, everything, unit, frame["unit_code"],
                                         end)
    return frame


def _met_by_child(ws: Workspace, table, everything: pd.DataFrame, unit: str,
                  kids: pd.Series, end: date) -> np.ndarray:
    plans = _active(ws, unit)
    plans = plans[plans["unit_code"] != unit]
    if plans.empty:
        return np.zeros(len(kids), dtype=int)
    done = prog.progress(table, everything, plans, end, _links(ws))
    met = done.loc[done["status"] == "met", "unit_code"]
    parent = everything["parent_code"]
    owner = met.copy()
    counts = dict.fromkeys(kids, 0)
    for _ in range(4):  # the plan's unit, then its parents, until a child is reached
        hit = owner.isin(counts.keys())
        for code in owner[hit]:
            counts[code] += 1
        owner = owner[~hit].map(parent).dropna()
    return np.array([counts[k] for k in kids], dtype=int)
