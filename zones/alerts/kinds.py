"""The kinds of alert, a registry: each kind says what is true of every unit on a day
(its *state*) and in words what a change of it means.

A run (``zones.alerts.run``) compares each kind's state on the run's day with the state
the last run saw (stored; the first run compares with the day before), and tells the
subscribers of each changed unit. A kind plugs in with ``register``; a subscription names
only registered kinds (an unknown one is refused with the valid names), so no kind can
be asked for and silently do nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from zones.alerts import config
from zones.i18n import fmt_date, fmt_num, t
from zones.levels import dayview
from zones.levels import declarations as decl_mod
from zones.outlook import service as outlook_service
from zones.plans import progress as plan_progress
from zones.storage import plans_sql
from zones.workspace import Workspace


@dataclass(frozen=True)
class State:
    """What a kind says of one unit on a day: a level (0: none), a reference (e.g. the
    declaration in force) and since when."""

    level: int
    ref: str = ""
    since: date | None = None


@dataclass(frozen=True)
class Change:
    """One change of one unit for one kind: ``level`` from ``from_level``, effective from
    ``effective_day``; ``event`` names what happened (e.g. made, revoked, up, down)."""

    unit_code: str
    kind: str
    event: str
    level: int
    from_level: int | None
    effective_day: date
    decision: str | None = None
    note: str = ""  # a declaration's note (its reason, when given)
    data: dict = field(default_factory=dict)  # what a kind needs to word it


@dataclass(frozen=True)
class Kind:
    """A kind of alert: ``states(ws, day)`` -> unit -> State (a unit left out has
    nothing to say that day), ``changes(ws, day, old, new)`` -> the changes worth
    telling, from the states of the last run and of this one; ``reason(ws, day, change,
    lang)`` -> its main reason in words (asked only for changes someone is told of)."""

    name: str
    states: Callable[[Workspace, date], dict[str, State]]
    changes: Callable[[Workspace, date, dict[str, State], dict[str, State]], list[Change]]
    reason: Callable[[Workspace, date, Change, str], str]
    keep_unknown: bool = True  # a unit without a state today keeps the last one seen
    #: from and to in words (default: the levels with their names)
    words: Callable[[Workspace, date, Change, str], tuple[str, str]] | None = None


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def names() -> list[str]:
    """The kinds a subscription may name, in the order they are registered."""
    return list(KINDS)


# --- computed: the level the figures give ----------------------------------------------------


def _province(ws: Workspace, code: str) -> str:
    """The top ancestor of ``code`` (its province)."""
    parent = dayview.units(ws)["parent_code"]
    seen = {code}
    while isinstance(p := parent.get(code), str) and p and p not in seen:
        seen.add(p)
        code = p
    return code


def computed_reason(ws: Workspace, day: date, change: Change, lang: str) -> str:
    """The main reason of the unit's computed level on ``day`` (as ``assess`` gives it),
    from the engine run on the unit's province and its neighbours only (the same reasons
    as the full run: ``dayview.local_result``), once per province."""
    result = dayview.local_result(ws, _province(ws, change.unit_code))
    stamp = pd.Timestamp(day)
    if stamp not in result.dates or change.unit_code not in result.codes:
        return ""
    why = result.explain(change.unit_code, stamp, lang=lang)
    return why.reasons[0] if why is not None and why.reasons else ""


def computed_states(ws: Workspace, day: date) -> dict[str, State]:
    table = dayview.computed_levels(ws)
    i = table.dates.get_indexer([pd.Timestamp(day)])[0]
    if i < 0:
        return {}
    block = table.values[: i + 1]
    today = block[-1]
    # the first day of each unit's current run of its level (all units at once)
    other = block != today
    last_other = np.where(other.any(axis=0), i - np.argmax(other[::-1], axis=0), -1)
    since = table.dates[last_other + 1]
    return {str(code): State(int(level), "", start.date())
            for code, level, start in zip(table.codes, today, since, strict=True)
            if level > 0}  # 0: not enough data, never a change (Covid Act Now's rule)


def computed_changes(ws: Workspace, day: date, old: dict[str, State],
                     new: dict[str, State]) -> list[Change]:
    out = []
    for code, now in new.items():
        before = old.get(code)
        if before is None or before.level == now.level:
            continue
        out.append(Change(code, "computed", "up" if now.level > before.level else "down",
                          now.level, before.level, now.since or day))
    return out


# --- declared: a declaration made, revoked or ended -----------------------------------------


def declared_states(ws: Workspace, day: date) -> dict[str, State]:
    decl = dayview.declarations(ws)
    if decl.empty:
        return {}
    on = decl_mod.covering(decl, day)
    return {str(code): State(int(row.level), str(int(row.id)),
                             pd.Timestamp(row.effective_from).date())
            for code, row in on.iterrows()}


def declared_changes(ws: Workspace, day: date, old: dict[str, State],
                     new: dict[str, State]) -> list[Change]:
    decl = dayview.declarations(ws)
    by_id = {str(int(r.id)): r for r in decl.itertuples()} if not decl.empty else {}
    in_force = dayview.levels_in_force(ws)
    computed = dayview.computed_levels(ws)
    out = []
    for code in sorted(set(old) | set(new)):
        before, now = old.get(code), new.get(code)
        if (before.ref if before else "") == (now.ref if now else ""):
            continue
        if now is not None:  # a declaration now in force
            row = by_id.get(now.ref)
            previous = decl_mod.level_before(in_force, code, now.since) if now.since else None
            if before is not None:
                previous = before.level
            note = "" if row is None or pd.isna(row.note) else str(row.note)
            out.append(Change(code, "declared", "made", now.level, previous,
                              now.since or day, decision=row.decision_number if row else None,
                              note=note))
            continue
        row = by_id.get(before.ref)  # the declaration no longer in force
        revoked = row is not None and pd.notna(getattr(row, "revoked_at", None))
        level = int(computed.row(day, [code])[0]) if code in computed.codes else 0
        if revoked:
            since = pd.Timestamp(row.revoked_at).date()
        elif row is not None and pd.notna(row.effective_to):
            since = pd.Timestamp(row.effective_to).date() + timedelta(days=1)
        else:
            since = day
        event = "revoked" if revoked else "ended"
        decision = row.decision_number if row is not None else None
        out.append(Change(code, "declared", event, level, before.level, since,
                          decision=decision))
    return out


def declared_reason(ws: Workspace, day: date, change: Change, lang: str) -> str:
    """The declaration's note when it has one, else what happened in words."""
    if change.event == "made" and change.note:
        return change.note
    key = "declared" if change.event == "made" else change.event
    return t(f"alerts.reason.{key}", lang, decision=change.decision or "")


register(Kind("declared", declared_states, declared_changes, declared_reason,
              keep_unknown=False))
register(Kind("computed", computed_states, computed_changes, computed_reason))


# --- outlook: next week's risk (P(level up in 7 days) >= alerts.yaml's p_up) -------------------


def _outlooks(ws: Workspace, day: date, lang: str = "vi") -> pd.DataFrame:
    frames = [outlook_service.day_outlook(ws, day, level, lang).frame
              for level in config.load().outlook_levels
              if (dayview.units(ws)["level"] == level).any()]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=outlook_service.COLUMNS)


def outlook_states(ws: Workspace, day: date) -> dict[str, State]:
    if pd.Timestamp(day) not in dayview.computed_levels(ws).dates:
        return {}
    threshold = config.load().p_up
    out = {}
    for row in _outlooks(ws, day).itertuples():
        if pd.isna(row.level):  # not enough data today: no outlook, nothing to say
            continue
        risky = float(row.p_up) >= threshold
        expected = int(row.expected_level) if pd.notna(row.expected_level) else 0
        out[str(row.unit_code)] = State(1 if risky else 0, str(expected), day)
    return out


def outlook_changes(ws: Workspace, day: date, old: dict[str, State],
                    new: dict[str, State]) -> list[Change]:
    frame = None
    out = []
    for code, now in new.items():
        before = old.get(code)
        if now.level != 1 or (before is not None and before.level == 1):
            continue
        if frame is None:
            frame = _outlooks(ws, day).set_index("unit_code")
        row = frame.loc[code]
        today = int(row["level"])
        expected = int(row["expected_level"]) if pd.notna(row["expected_level"]) else 0
        out.append(Change(code, "outlook", "risk", max(expected, today + 1), today, day,
                          data={"p_up": float(row["p_up"])}))
    return out


def outlook_reason(ws: Workspace, day: date, change: Change, lang: str) -> str:
    frame = _outlooks(ws, day, lang).set_index("unit_code")
    return str(frame.at[change.unit_code, "reason"]) if change.unit_code in frame.index else ""


def outlook_words(ws: Workspace, day: date, change: Change, lang: str) -> tuple[str, str]:
    names = _level_names(ws, day, lang)
    today = _worded(change.from_level, names)
    return today, t("alerts.outlook.to", lang, level=_worded(change.level, names),
                    p=fmt_num(100 * change.data.get("p_up", 0), 0, lang),
                    day=fmt_date(day + timedelta(days=7)))


def _level_names(ws: Workspace, day: date, lang: str) -> dict[int, str]:
    rs = dayview.ruleset_on(ws, day)
    return dayview.level_names(dayview.ruleset_registry(ws), rs.id if rs else None, lang)


def _worded(level: int | None, names: dict[int, str]) -> str:
    if not level:
        return "–"
    return f"{level} ({names[level]})" if names.get(level) else str(level)


register(Kind("outlook", outlook_states, outlook_changes, outlook_reason,
              words=outlook_words))


# --- plan: a target of a plan at risk or missed --------------------------------------------


def plan_states(ws: Workspace, day: date) -> dict[str, State]:
    table = dayview.levels_in_force(ws)
    if pd.Timestamp(day) not in table.dates:
        return {}
    plans = plans_sql.load_plans(ws.engine)
    plans = plans[plans["revoked_at"].isna()].reset_index(drop=True)
    if plans.empty:
        return {}
    rows = plan_progress.progress(table, dayview.units(ws), plans, day)
    return {f"plan:{int(r.plan_id)}": State(plan_progress.STATUSES.index(r.status),
                                            str(int(r.plan_id)),
                                            pd.Timestamp(r.since).date()
                                            if r.since is not None and pd.notna(r.since)
                                            else None)
            for r in rows.itertuples()}


def plan_changes(ws: Workspace, day: date, old: dict[str, State],
                 new: dict[str, State]) -> list[Change]:
    told = {plan_progress.STATUSES.index(s) for s in config.load().plan_statuses}
    changed = [(key, now) for key, now in new.items()
               if now.level in told and (old.get(key) is None or old[key].level != now.level)]
    if not changed:
        return []
    plans = plans_sql.load_plans(ws.engine).set_index("id")
    out = []
    for key, now in changed:
        plan_id = int(now.ref)
        if plan_id not in plans.index:
            continue
        plan = plans.loc[plan_id]
        before = old.get(key)
        out.append(Change(str(plan["unit_code"]), "plan", plan_progress.STATUSES[now.level],
                          int(plan["level"]), None, now.since or day,
                          decision=str(plan["decision"]),
                          data={"plan_id": plan_id, "kind": str(plan["kind"]),
                                "by": pd.Timestamp(plan["date_by"]).date(),
                                "old": plan_progress.STATUSES[before.level]
                                if before is not None else None}))
    return out


def plan_reason(ws: Workspace, day: date, change: Change, lang: str) -> str:
    row = plan_progress_row(ws, day, change.data["plan_id"])
    value, target = (row["value"], row["target"]) if row is not None else ("–", "–")
    if change.data["kind"] == "share" and row is not None:  # shares as per cent
        value, target = (f"{fmt_num(100 * float(v), 1, lang)}%" for v in (value, target))
    return t(f"alerts.plan.reason.{change.data['kind']}", lang, id=change.data["plan_id"],
             level=change.level, by=fmt_date(change.data["by"]), value=value, target=target)


def plan_progress_row(ws: Workspace, day: date, plan_id: int):
    table = dayview.levels_in_force(ws)
    plans = plans_sql.load_plans(ws.engine)
    plans = plans[plans["id"] == plan_id].reset_index(drop=True)
    if plans.empty:
        return None
    rows = plan_progress.progress(table, dayview.units(ws), plans, day)
    return None if rows.empty else rows.iloc[0]


def plan_words(ws: Workspace, day: date, change: Change, lang: str) -> tuple[str, str]:
    old = change.data.get("old")
    return (t(f"alerts.plan.status.{old}", lang) if old else "–",
            t(f"alerts.plan.status.{change.event}", lang))


register(Kind("plan", plan_states, plan_changes, plan_reason, keep_unknown=False,
              words=plan_words))
