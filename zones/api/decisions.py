"""Decisions people take: declarations (checked, stored, revoked), the weekly approval of
the figures (approved, unlocked), and the rule sets kept in the database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

import rules
from rules.registry import SHIPPED as SHIPPED_RULESETS
from zones.api.action import Arguments, action, area, known_unit, log, parents
from zones.errors import ZonesError
from zones.i18n import Joined, fmt_date, fmt_datetime, msg, t
from zones.levels import dayview
from zones.levels import declarations as decl
from zones.levels import stored_rulesets as stored
from zones.levels.assessment import check_ruleset
from zones.people import approvals, audit
from zones.people.access import AccessError, Actor, Right
from zones.storage import store
from zones.workspace import Workspace

__all__ = ["RULESET_COLUMNS", "add_ruleset", "approvable_units", "approve_week",
           "check_declaration", "check_ruleset_size", "declare", "describe_ruleset",
           "list_rulesets", "revoke", "ruleset_origin", "ruleset_source", "ruleset_text",
           "ruleset_versions", "unapproved_units", "unlock_week", "week_approval"]

describe_ruleset = rules.describe_ruleset

# --- declarations -------------------------------------------------------------------------------


def _proposal(ws: Workspace, actor: Actor, unit_code: str | None, level: int | None,
              effective_from: date | None, effective_to: date | None,
              decision_number: str, note: str | None, signed_by: str | None,
              stamp, lang: str) -> tuple[decl.Proposal, int | None]:
    """What is declared (checked: every problem listed at once) and the level in force
    the day before (for the NQ 128 warning)."""
    everything = dayview.units(ws)
    problems = decl.problems(everything, unit_code, level, effective_from, effective_to,
                             decision_number, signed_by)
    if problems:
        log.info("declaration refused: %d problems", len(problems))
        raise ZonesError(Joined(problems))
    previous = decl.level_before(dayview.levels_in_force(ws), unit_code, effective_from)
    return decl.Proposal(
        unit_code=unit_code, unit_name=str(everything.at[unit_code, "name"]),
        unit_level=str(everything.at[unit_code, "level"]),
        parents=decl.parents(everything, unit_code), level=level,
        effective_from=effective_from, effective_to=effective_to,
        decision_number=decision_number.strip(), signed_by=(signed_by or "").strip() or None,
        note=note or None,
        warnings=tuple(decl.notice_warnings(level, previous, effective_from, stamp, lang))), previous


@action(Right.DECLARE, "declared", unit=known_unit("unit_code"))
def check_declaration(ws: Workspace, *, actor: Actor, unit_code: str | None,
                      level: int | None, effective_from: date | None,
                      effective_to: date | None = None, decision_number: str,
                      note: str | None = None, lang: str = "vi", now=None,
                      signed_by: str | None = None) -> decl.Proposal:
    """Check a declaration as ``declare`` would and store nothing: what the page's
    confirmation step repeats (the unit with its district and province, the level, the
    dates, the decision, the signer) and the warnings saving would give."""
    return _proposal(ws, actor, unit_code, level, effective_from, effective_to,
                     decision_number, note, signed_by, now or store.now(), lang)[0]


@action(Right.DECLARE, "declared", unit=known_unit("unit_code"), refresh="declarations")
def declare(ws: Workspace, *, actor: Actor, unit_code: str | None, level: int | None,
            effective_from: date | None, effective_to: date | None = None,
            decision_number: str, note: str | None = None, lang: str = "vi",
            now=None, signed_by: str | None = None) -> decl.Declared:
    """Validate and store a declaration as ``actor`` (leaders, inside their subtree;
    every problem listed at once); warn when a raise is announced less than 48 hours
    ahead (NQ 128)."""
    stamp = now or store.now()
    got, previous = _proposal(ws, actor, unit_code, level, effective_from, effective_to,
                              decision_number, note, signed_by, stamp, lang)
    new_id = decl.insert(ws.engine, unit_code=got.unit_code, level=got.level,
                         effective_from=got.effective_from, effective_to=got.effective_to,
                         decision_number=got.decision_number, entered_by=actor.name,
                         note=got.note, stamp=stamp, signed_by=got.signed_by)
    audit.record(ws.engine, actor, "declared", unit=got.unit_code, detail={
        "id": new_id, "level": level, "from": effective_from, "to": effective_to,
        "decision": decision_number, "signed_by": signed_by, "note": note,
        "previous_level": previous})
    log.info("declaration %d stored", new_id)
    return decl.Declared(new_id, list(got.warnings))


def _declared_unit(ws: Workspace, arguments: Arguments) -> str | None:
    """The unit of the declaration an action names by its id (None: no such one)."""
    return decl.unit_of(ws.engine, arguments["declaration_id"])


@action(Right.DECLARE, "revoked", unit=_declared_unit, refresh="declarations")
def revoke(ws: Workspace, declaration_id: int, actor: Actor, lang: str = "vi") -> None:
    """Revoke a declaration (leaders, inside their subtree): it stays listed, marked
    with who revoked it and when, and no level in force uses it any more; an unknown or
    already revoked id is refused in words."""
    old = decl.revoke(ws.engine, declaration_id, actor.name, store.now())
    if old is None:
        raise ZonesError(t("decl.no_such", lang, value=declaration_id))
    if old["revoked_at"] is not None:
        raise ZonesError(t("decl.already_revoked", lang, id=declaration_id,
                           decision=old["decision_number"], by=old["revoked_by"] or "",
                           at=fmt_datetime(old['revoked_at'])))
    audit.record(ws.engine, actor, "revoked", unit=old["unit_code"], detail={
        "id": declaration_id, "old": old})
    log.info("declaration %d revoked", declaration_id)


# --- the weekly approval --------------------------------------------------------------------------

@action(Right.APPROVE, "approved", unit=known_unit("unit"))
def approve_week(ws: Workspace, actor: Actor, unit: str, day: date,
                 note: str | None = None, lang: str = "vi",
                 mark_silent: bool = False) -> date:
    """Approve and lock the week of ``day`` for ``unit``'s subtree (district/province
    staff and leaders, inside their subtree), once every commune has reported or, with
    ``mark_silent``, been marked as not reporting."""
    return approvals.approve(ws.engine, actor, dayview.units(ws), unit, day, note,
                             mark_silent, lang=lang)


@action(Right.APPROVE, "unlocked", unit=known_unit("unit"))
def unlock_week(ws: Workspace, actor: Actor, unit: str, day: date,
                note: str | None = None, lang: str = "vi") -> date:
    """Unlock an approved week (its approver or an administrator); audited."""
    try:
        return approvals.unlock(ws.engine, actor, dayview.units(ws), unit, day, note)
    except AccessError as err:  # not its approver: refused after the right check
        audit.record(ws.engine, actor, "unlocked", outcome="refused", unit=unit,
                     detail={"reason": str(err)})
        raise


def approvable_units(ws: Workspace, actor: Actor) -> list[str]:
    """The districts and provinces ``actor`` may approve weeks for (none without the
    right), in unit order."""
    if not actor.can(Right.APPROVE):
        return []
    everything, where = dayview.units(ws), area(ws, actor)
    return [c for c in everything.index
            if everything.at[c, "level"] in ("district", "province")
            and (where is None or c in where)]


def week_approval(ws: Workspace, unit: str, day: date) -> dict | None:
    """The approval in force for ``unit``'s week of ``day`` (by, at), None when open."""
    latest = approvals.latest(ws.engine, unit, approvals.monday(day))
    return latest if latest and latest["action"] == "approve" else None


def unapproved_units(ws: Workspace, codes, day: date) -> set[str]:
    """Which of ``codes`` have the figures of ``day``'s week not yet approved (none
    while no week was ever approved: the workflow is not in use)."""
    if not approvals.in_use(ws.engine):
        return set()
    return approvals.unapproved(ws.engine, parents(ws), codes, day)


# --- rule sets kept in the store ------------------------------------------------------------

RULESET_COLUMNS = ["id", "version", "title", "effective_from", "effective_to", "source",
                   "file", "added_by", "added_at", "status"]


@action(Right.RULESETS, "ruleset_added", refresh=lambda added: not added.unchanged)
def add_ruleset(ws: Workspace, actor: Actor | None, data: bytes, file_name: str,
                lang: str = "vi") -> stored.Added:
    """Validate and keep a custom rule set in the database (administrators; audited);
    the levels are recomputed (it may be in force on some days)."""
    added = stored.add(ws.engine, data, file_name, actor.name,
                       taken_ids(dayview.ruleset_registry(ws)))
    if not added.unchanged:
        audit.record(ws.engine, actor, "ruleset_added", detail={
            "ruleset": added.ruleset_id, "version": added.version,
            "stored_version": added.number, "file": file_name})
    return added


def taken_ids(reg: rules.RuleSetRegistry) -> dict[str, str]:
    """Ids a rule set kept in the store may not take (shipped, folder) -> where they are."""
    return {rid: msg("rs.shipped") if ruleset_source(reg, rid) == "shipped"
            else str(rs.path or rid)
            for rid, rs in reg.rulesets.items() if rid not in reg.stored}


@action()
def check_ruleset_size(size: int, file_name: str, lang: str = "vi") -> None:
    """Refuse a rule-set file too big to be one, before it is read."""
    stored.check_size(size, file_name)


def ruleset_source(reg: rules.RuleSetRegistry, ruleset_id: str) -> str:
    """Where a loaded rule set comes from: "database", "shipped" or "folder"."""
    if ruleset_id in reg.stored:
        return "database"
    path = reg.rulesets[ruleset_id].path
    return "shipped" if path is not None and SHIPPED_RULESETS in path.parents else "folder"


@action()
def ruleset_origin(reg: rules.RuleSetRegistry, key: str, actor: Actor | None,
                   lang: str = "vi") -> str:
    """Where a rule set (an id) or a broken file (a key of ``reg.errors``) comes from, in
    words: administrators see the file and its folder, others a neutral source (no server
    path)."""
    return stored.origin(reg, key, actor is not None and actor.can(Right.RULESETS), lang)


def list_rulesets(ws: Workspace, lang: str = "vi") -> pd.DataFrame:
    """Every rule set (shipped, folder, database) and every broken one, as the CLI lists them."""
    reg = dayview.ruleset_registry(ws)
    rows = []
    for rid, rs in sorted(reg.rulesets.items()):
        kept = reg.stored.get(rid)
        rows.append({"id": rid, "version": rs.version, "title": rs.title.get(lang),
                     "effective_from": fmt_date(rs.effective_from),
                     "effective_to": fmt_date(rs.effective_to),
                     "source": ruleset_source(reg, rid),
                     "file": kept["file"] if kept else (rs.path.name if rs.path else ""),
                     "added_by": kept["added_by"] if kept else "",
                     "added_at": fmt_datetime(kept['added_at'])
                     if kept else "", "status": "ok"})
    for where, problems in reg.errors.items():
        rows.append({"id": where if where.startswith(stored.ORIGIN) else Path(where).stem,
                     "version": "", "title": "", "effective_from": "",
                     "effective_to": "", "source": "database" if where.startswith(
                         stored.ORIGIN) else "folder", "file": Path(where).name,
                     "added_by": "", "added_at": "",
                     "status": f"{len(problems) + getattr(problems, 'more', 0)} problem(s)"})
    return pd.DataFrame(rows, columns=RULESET_COLUMNS)


def ruleset_text(ws: Workspace, ruleset_id: str) -> str:
    """The YAML text of a rule set (stored, shipped or in the folder), to read or copy."""
    reg = dayview.ruleset_registry(ws)
    check_ruleset(reg, ruleset_id)
    if ruleset_id in reg.stored:
        rows = stored.newest(ws.engine)
        return str(rows.loc[rows["ruleset_id"] == ruleset_id, "source"].iloc[-1])
    path = reg.rulesets[ruleset_id].path
    return path.read_text(encoding="utf-8") if path is not None else ""


def ruleset_versions(ws: Workspace) -> pd.DataFrame:
    """Every version kept in the database (who added it, when), oldest first."""
    return stored.history(ws.engine)
