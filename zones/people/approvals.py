"""Approving a week's figures for a subtree, and the lock that follows (DHIS2's model,
kept simple).

A district (or province) official, or a leader, approves the week (Monday to Sunday) of
a unit once every commune below it has reported that week; the week is then locked for
the whole subtree: a correction is refused row by row until the approver (or an
administrator) unlocks it. Approvals and unlocks are events, appended; both are audited.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from zones.errors import ZonesError
from zones.i18n import Msg, fmt_date, msg, t
from zones.people import access, audit
from zones.people.access import AccessError, Actor
from zones.storage import approvals_sql, store


def monday(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def state(engine: Engine) -> pd.DataFrame:
    """The latest event of every (unit, week): unit_code, week, action, by, at."""
    frame = pd.DataFrame(approvals_sql.events(engine), columns=["id", "unit_code", "week", "action", "by", "at",
                                        "note"])
    return frame.drop_duplicates(["unit_code", "week"], keep="last").reset_index(drop=True)


class Locks:
    """The weeks locked by approvals: ``locks(code, monday)`` is who approved the week
    for ``code`` or one of its ancestors (None when open). Each look-up walks the unit's
    few ancestors; no subtree is expanded (a province approved for a year would be
    tens of thousands of entries, rebuilt on every map run)."""

    def __init__(self, roots: dict[tuple[str, date], Msg], parents: dict[str, str | None]):
        self.roots, self.parents = roots, parents

    def __call__(self, code: str, week: date) -> Msg | None:
        seen: set[str] = set()
        while code and code not in seen:
            hit = self.roots.get((code, week))
            if hit is not None:
                return hit
            seen.add(code)
            code = self.parents.get(code)
        return None

    def __bool__(self) -> bool:
        return bool(self.roots)


def locked(engine: Engine, parents: dict[str, str | None]) -> Locks:
    """The locks of every week whose latest event is an approval."""
    current = state(engine)
    roots = {(row.unit_code, pd.Timestamp(row.week).date()):
             msg("appr.locked_by", by=row.by, at=fmt_date(pd.Timestamp(row.at).date()))
             for row in current[current["action"] == "approve"].itertuples()}
    return Locks(roots, parents)


def missing_reports(engine: Engine, units: pd.DataFrame, root: str, week: date) -> list[str]:
    """Communes below ``root`` without any figure in the week starting ``week``."""
    parents = dict(zip(units.index, units["parent_code"], strict=True))
    below = access.subtree(parents, root)
    communes = [c for c in below if units.at[c, "level"] == "commune"]
    reported = store.current_observations(engine, week, week + timedelta(days=6), communes)
    return sorted(set(communes) - set(reported["unit_code"]))


def approve(engine: Engine, actor: Actor, units: pd.DataFrame, unit: str, day: date,
            note: str | None = None, mark_silent: bool = False, *, lang: str) -> date:
    """Approve (and lock) the week of ``day`` for ``unit``'s subtree; its Monday. With
    ``mark_silent`` the communes that sent nothing that week are marked "did not report"
    (named in the approval, in ``lang``, and the audit) instead of blocking it."""
    week = monday(day)
    if unit not in units.index or units.at[unit, "level"] not in ("district", "province"):
        raise ZonesError(msg("appr.not_a_district", value=unit))
    last = latest(engine, unit, week)
    if last is not None and last["action"] == "approve":
        raise ZonesError(msg("appr.already", unit=units.at[unit, "name"],
                           week=fmt_date(week), by=last["by"]))
    missing = missing_reports(engine, units, unit, week)
    marked = missing if mark_silent else []
    if marked:
        listed = ", ".join(marked)
        note = t("appr.marked_note", lang, n=len(marked), units=listed) + (f" {note}" if note else "")
    elif missing:
        shown = ", ".join(f"{units.at[c, 'name']} ({c})" for c in missing[:15])
        raise ZonesError(msg("appr.incomplete", n=len(missing), week=fmt_date(week),
                           units=shown + (" …" if len(missing) > 15 else "")))
    with engine.begin() as conn:
        store.take_write_lock(conn)
        approvals_sql.append(conn, unit_code=unit, week=week, action="approve",
                             by=actor.name, at=store.now(), note=note)
        audit.record(conn, actor, "approved", unit=unit,
                     detail={"week": str(week), "note": note, "not_reported": marked})
    return week


def unlock(engine: Engine, actor: Actor, units: pd.DataFrame, unit: str, day: date,
           note: str | None = None) -> date:
    """Unlock an approved week (the approver, or an administrator); audited."""
    week = monday(day)
    last = latest(engine, unit, week)
    if last is None or last["action"] != "approve":
        raise ZonesError(msg("appr.not_locked", unit=unit, week=fmt_date(week)))
    if last["by"] != actor.name and actor.role is not access.Role.ADMIN:
        raise AccessError(msg("appr.only_approver", by=last["by"]))
    with engine.begin() as conn:
        store.take_write_lock(conn)
        approvals_sql.append(conn, unit_code=unit, week=week, action="unlock",
                             by=actor.name, at=store.now(), note=note)
        audit.record(conn, actor, "unlocked", unit=unit,
                     detail={"week": str(week), "approved_by": last["by"], "note": note})
    return week


def latest(engine: Engine, unit: str, week: date) -> dict | None:
    """The latest approval event of ``unit``'s ``week`` (approve or unlock), if any."""
    row = approvals_sql.latest(engine, unit, week)
    return dict(row) if row else None


def unapproved(engine: Engine, parents: dict[str, str | None], codes, day: date) -> set[str]:
    """Which of ``codes`` have the week of ``day`` not yet approved."""
    week, locks = monday(day), locked(engine, parents)
    return {c for c in codes if locks(c, week) is None}


def in_use(engine: Engine) -> bool:
    """Whether any week was ever approved (else the map marks nothing)."""
    return approvals_sql.any_event(engine)
