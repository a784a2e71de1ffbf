"""Figures sent in: an upload checked, then stored (its levels recomputed); the data-entry
template, a unit's versions, the export of the current values."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd

from zones import ingest
from zones.api.action import action, area, log, parents, unit_name
from zones.errors import ZonesError
from zones.i18n import msg, t, text_of
from zones.ingest.read import check_size as check_upload_size
from zones.levels import dayview, worker
from zones.people import access, approvals, audit
from zones.people.access import AccessError, Actor, Right
from zones.workspace import Workspace

__all__ = ["check_upload", "check_upload_size", "export_observations", "format_check",
           "format_result", "history_table", "observation_template", "sha256",
           "store_upload", "unit_history", "unit_index", "upload_area",
           "upload_error_report", "upload_preview"]

# presentation helpers of the core that pages use as they are
upload_preview = ingest.preview
upload_error_report = ingest.error_report
format_check = ingest.format_check
format_result = ingest.format_result
history_table = ingest.history_table
sha256 = ingest.sha256


@action(Right.SEND, "upload", anonymous=True)
def check_upload(ws: Workspace, data: bytes, filename: str, sheet: str | None = None,
                 lang: str = "vi", index=None, actor: Actor | None = None) -> ingest.Checked:
    """Read and check an upload of figures (nothing is stored). With ``actor``, an
    observer is refused and rows for units outside the actor's subtree are refused."""
    starts = [rs.effective_from for rs in dayview.ruleset_registry(ws).rulesets.values()
              if rs.effective_from]
    where, where_name = None, ""
    if actor is not None:
        where = area(ws, actor)
        where_name = unit_name(ws, actor.unit) if where is not None else ""
    return ingest.check_upload(ws.engine, data, filename, sheet=sheet, lang=lang,
                               index=index, first_day=min(starts) if starts else None,
                               area=where, area_name=where_name,
                               locked=approvals.locked(ws.engine, parents(ws)),
                               settings=ws.settings)


@action(Right.SEND, "upload")
def store_upload(ws: Workspace, checked: ingest.Checked, actor: Actor,
                 all_or_nothing: bool = False, dry_run: bool = False,
                 background: bool = False,
                 progress: Callable[[str], None] | None = None) -> ingest.StoreResult:
    """Store the good rows of a checked upload as ``actor`` (who sent it), with its
    audit entry and its debt of levels in the same transaction, then recompute the
    levels from its earliest day, merged with any other upload's (``zones.levels.
    worker``): before returning, or with ``background`` in a thread of this process
    (the page follows it with ``recompute_progress``)."""
    if actor.scoped:
        stray = access.outside(actor, checked.good["unit_code"], parents(ws))
        if stray:  # checked for another actor: refuse rather than store outside
            raise AccessError(msg("access.outside_unit", user=actor.name,
                                area=unit_name(ws, actor.unit), unit=stray[0]))

    locks, good = approvals.locked(ws.engine, parents(ws)), checked.good
    late = [why for c, d in zip(good["unit_code"], good["date"], strict=True)
            if (why := locks(c, approvals.monday(pd.Timestamp(d).date())))]
    if late:  # approved after the check: refuse rather than change a locked week
        raise ZonesError(msg("ingest.reason.week_locked", detail=late[0]))

    def entry(conn, result):
        audit.record(conn, actor, "upload", upload_id=result.upload_id, detail={
            "file": checked.filename, **checked.counts(), "stored": result.inserted,
            "superseded": result.superseded, "changes": result.changes})

    try:
        result = ingest.store_checked(ws.engine, checked, sent_by=actor.name,
                                      all_or_nothing=all_or_nothing, dry=dry_run,
                                      on_commit=entry)
    except ZonesError as err:
        log.info("upload refused: %d rows refused of %d", len(checked.refused),
                 checked.counts()["rows"])
        audit.record(ws.engine, actor, "upload", outcome="refused",
                     detail={"file": checked.filename, "reason": str(err)})
        raise
    # the levels are the worker's (merged with other uploads'), not a plain refresh
    if not dry_run and result.duplicate_of is None and result.first_date is not None:
        if background:
            worker.start_paying(ws)
            result.recomputing = True
        else:
            result.warning = _pay_or_warn(ws, progress, checked.lang)
    # never user data in the log: counts and ids only (no file names, no values)
    log.info("upload stored: %s rows new, %s superseded, %s refused", result.inserted,
             result.superseded, len(checked.refused))
    return result


def _pay_or_warn(ws: Workspace, progress: Callable[[str], None] | None,
                 lang: str) -> str | None:
    """Recompute the levels now (each step told to ``progress`` in ``lang``); a warning
    in ``lang`` when that failed."""
    say = None if progress is None else (lambda line: progress(text_of(line, lang)))
    try:
        worker.pay_owed(ws, wait=True, report=say)
    except ZonesError as err:
        log.warning("levels not recomputed after an upload: %s", err)
        return t("ingest.recompute_failed", lang, reason=err.text(lang))
    return None


@action()
def upload_area(ws: Workspace, actor: Actor, lang: str = "vi") -> str | None:
    """The unit an actor sends figures for (name and code), None when everywhere."""
    return unit_name(ws, actor.unit) if actor.scoped else None


def unit_index(ws: Workspace, lang: str = "vi"):
    """The unit look-up of the upload page (names, parents, codes)."""
    return ingest.unit_index(ws.engine, lang)


def unit_history(ws: Workspace, code: str, limit: int | None = None) -> pd.DataFrame:
    """Every stored version of a unit's figures (current and superseded)."""
    return ingest.unit_history(ws.engine, code, limit=limit)


def export_observations(ws: Workspace, start: date | None = None,
                        end: date | None = None) -> pd.DataFrame:
    """The current values, contract columns."""
    return ingest.export_frame(ws.engine, start, end)


@action()
def observation_template(ws: Workspace, code: str, start: date, end: date,
                         lang: str = "vi") -> bytes:
    """The data-entry XLSX of a unit (and the units inside it) for a date range."""
    return ingest.template_for_unit(ws.engine, code, start, end, lang)
