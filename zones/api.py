"""The front door of the core: one function per user action.

Pages and the CLI call only this module. Each action takes the ``Workspace`` it acts on
(the database and its folders) and, where it produces text, the language. Every write
ends in the same refresh step (``zones.levels.refresh``): the levels recomputed from the
earliest day the write changed, the snapshot, the data version; so every view after it
reads the new state. Permissions and the audit trail belong here too, once.

Reading a day always goes through the day view (``day_view``), so the map, the panel,
the overview, "Chuyển cấp", the HTML export and the CLI show the same level, level name
and declaration for a unit on a day.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

import rules
from rules.registry import SHIPPED as SHIPPED_RULESETS
from zones import access, accounts, approvals, audit, ingest, isolate, safe, sessions
from zones import boundaries as bnd
from zones import briefing as briefing_pkg
from zones.access import LOCAL_ADMIN, AccessError, Actor, Right
from zones.demo import build_demo, check_rebuild
from zones.errors import DatabaseError, ZonesError
from zones.i18n import fmt_date, t, using_lang
from zones.levels import dayview, story, worker
from zones.levels import declarations as decl
from zones.levels import stored_rulesets as stored
from zones.levels.assessment import check_ruleset
from zones.levels.dayview import DayView
from zones.levels.memo import cached
from zones.levels.refresh import refresh
from zones.levels.tables import Table, ancestors, child_level, entered_on, moves, summary
from zones.levels.tables import view_units as _view_units
from zones.levels.transitions import COLUMNS as TRANSITION_COLUMNS
from zones.levels.transitions import RulesetChange, flows
from zones.levels.transitions import in_force as _transitions
from zones.maps import served
from zones.maps.export import standalone_map
from zones.search import Finder
from zones.storage import store
from zones.storage.db import masked
from zones.workspace import Workspace, default_url

log = logging.getLogger(__name__)

ASSESS_COLUMNS = ["unit_code", "unit_name", "level", "level_name", "ruleset", "reasons",
                  "computed_level", "declared_level", "decision"]

__all__ = [
    "ASSESS_COLUMNS",
    "LOCAL_ADMIN",
    "TRANSITION_COLUMNS",
    "AccessError",
    "Actor",
    "DayView",
    "Right",
    "Table",
    "Workspace",
    "actor_named",
    "add_user",
    "ancestors",
    "assess",
    "audit_entries",
    "band_edges",
    "boundary_sets",
    "check_declaration",
    "check_upload",
    "child_level",
    "computed_levels",
    "day_view",
    "declarations",
    "declare",
    "default_day",
    "default_url",
    "demo",
    "disable_user",
    "download_boundaries",
    "entered_on",
    "explain",
    "export_observations",
    "export_units",
    "flows",
    "has_accounts",
    "import_boundaries",
    "levels_in_force",
    "list_users",
    "map_html",
    "moves",
    "notices",
    "observation_template",
    "open_workspace",
    "plan_boundaries",
    "reset_password",
    "revoke",
    "rulesets",
    "sign_in",
    "silent_units",
    "store_upload",
    "summary",
    "transitions",
    "unit_history",
    "unit_index",
    "unit_story",
    "units",
    "upload_area",
    "view_units",
]

# presentation helpers of the core that pages use as they are
boundary_report_lines = bnd.report_lines
boundary_file_layers = bnd.file_layers
boundary_file_columns = bnd.file_columns
boundary_preview = bnd.preview_layer
stage_boundary_upload = bnd.stage_upload
discard_boundary_upload = bnd.discard_upload
describe_ruleset = rules.describe_ruleset
safe_frame = safe.safe_frame
ImportOptions = bnd.ImportOptions
upload_preview = ingest.preview
upload_error_report = ingest.error_report
format_check = ingest.format_check
format_result = ingest.format_result
history_table = ingest.history_table
sha256 = ingest.sha256


# --- the workspace ---------------------------------------------------------------------------

def failure_message(err: BaseException, lang: str = "vi", page: bool = False) -> str:
    """What the user is told about any failure (never a traceback): the message of a
    user error; a database that failed while in use (SQLAlchemy's error, or pandas'
    wrapping of it); else an unexpected error, named by its kind only (on a ``page``:
    what to tell the administrator, whose server log has the details). A database
    that cannot be opened is told on a page without its address (server paths and
    accounts are the administrator's). No password ever appears."""
    with using_lang(lang):
        if isinstance(err, DatabaseError) and page:
            return t("db.page_unavailable")
        if isinstance(err, ZonesError):
            return masked(str(err))
        db_err = err if isinstance(err, SQLAlchemyError) else err.__cause__
        if isinstance(db_err, SQLAlchemyError):
            return t("db.failed", reason=masked(str(getattr(db_err, "orig", db_err))
                                                .splitlines()[0]))
        if isinstance(err, MemoryError):
            return t("isolate.memory", mb=isolate.max_mb(), setting="ZONES_READ_MAX_MB")
        return t("ui.unexpected" if page else "cli.unexpected", kind=type(err).__name__)


def open_workspace(url: str | None = None, wait_for_levels: bool = True) -> Workspace:
    """The workspace of ``url`` (default: ``ZONES_DB`` or ``data/zones.db``), its database
    opened and migrated; ``DatabaseError`` with a clear message otherwise. A
    recomputation owed (cut short by a crash, or running elsewhere) is finished first
    (``wait_for_levels``: the CLI); pages pass False and follow it instead
    (``finish_owed_work``)."""
    ws = Workspace.at(url)
    ws.engine  # noqa: B018 (opens and migrates now, so errors surface here)
    if wait_for_levels:
        worker.pay_owed(ws, wait=True)
    return ws


def has_units(ws: Workspace) -> bool:
    """Whether a boundary set is stored."""
    return store.active_set(ws.engine) is not None


def levels_owed(ws: Workspace) -> bool:
    """Whether a write's recomputation is still owed (one meta read)."""
    return store.levels_owed(ws.engine) is not None


def finish_owed_work(ws: Workspace) -> bool:
    """Pages, on every load: a recomputation owed (cut short by a crash or kill) is
    started in the background unless one is running here already; True when one is owed.
    Pages show the levels stored so far meanwhile and follow ``recompute_progress``."""
    progress = worker.progress(ws)
    if progress.owed is None:
        return False
    if not progress.running_here:
        worker.start_paying(ws)
    return True


def data_version(ws: Workspace) -> str:
    """A token that changes with every write (cache keys of the UI)."""
    return store.data_version(ws.engine)


def boundary_version(ws: Workspace) -> str:
    """A token that changes when units or shapes change (keys of served layer files)."""
    return store.boundary_version(ws.engine)


# --- reading ----------------------------------------------------------------------------------

units = dayview.units
computed_levels = dayview.computed_levels
levels_in_force = dayview.levels_in_force
declarations = dayview.declarations
default_day = dayview.default_day
rulesets = dayview.ruleset_registry
view_units = _view_units
band_edges = story.band_edges
silent_units = dayview.silent
STALE_DAYS = dayview.STALE_DAYS
unit_story = story.unit_story


def day_view(ws: Workspace, day, level: str = "commune", parent: str | None = None,
             override: str | None = None, lang: str = "vi") -> DayView:
    """What ``day`` looks like for the ``level`` units under ``parent``."""
    with using_lang(lang):
        if override:  # an unknown or broken rule set is refused with its problems
            _check_override(ws, override)
        return dayview.day_view(ws, day, level, parent, override, lang)


def level_names(ws: Workspace, day=None, lang: str = "vi") -> dict[int, str]:
    """Level names 0..4 of the rule set in force on ``day`` (default: the last day)."""
    table = dayview.computed_levels(ws)
    if day is None and len(table.dates):
        day = table.dates[-1]
    rs = dayview.ruleset_on(ws, day) if day is not None else None
    return dayview.level_names(dayview.ruleset_registry(ws), rs.id if rs else None, lang)


def notices(ws: Workspace, lang: str = "vi") -> tuple[str, ...]:
    """The data notices every map shows (approximate shapes, simulated figures)."""
    return dayview.notices(ws, lang)


def explain(ws: Workspace, code: str, day, override: str | None = None,
            lang: str = "vi") -> rules.Explanation | None:
    """Why ``code`` has its computed level on ``day`` and what would lower it (None when
    that day was not assessed)."""
    result = dayview.result(ws, override)
    if pd.Timestamp(day) not in result.dates or code not in result.codes:
        return None
    return result.explain(code, pd.Timestamp(day), lang=lang)


def assess(ws: Workspace, day, level: str = "commune", override: str | None = None,
           lang: str = "vi") -> pd.DataFrame:
    """The ``assess`` table: per unit the level in force, its name, the rule set, the
    reasons of the computed level, then the computed level, the declared level and the
    decision (a what-if ``override`` computes under that rule set, without declarations)."""
    with using_lang(lang):
        if override:
            _check_override(ws, override)
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


def transitions(ws: Workspace, start: date, end: date, level: str = "commune",
                parent: str | None = None, changed_only: bool = True,
                lang: str = "vi") -> Transitions:
    """Level on ``start`` and on ``end`` (in force: declared, else computed) of every
    ``level`` unit under ``parent``, with the day of the last change and its cause
    (``data``, ``ruleset``: only the rule set changed, ``declaration``)."""
    with using_lang(lang):
        if end < start:
            raise ZonesError(t("tr.order", start=fmt_date(start), end=fmt_date(end)))
        table = dayview.levels_in_force(ws)
        for d in (start, end):
            dayview.check_day(table, d)
        chosen = _view_units(units(ws), level, parent)
        frame, change = _transitions(ws, chosen, start, end, level, changed_only=changed_only)
        rs = dayview.ruleset_on(ws, end)
        names = dayview.level_names(dayview.ruleset_registry(ws), rs.id if rs else None, lang)
        return Transitions(frame, names, start, end, change)


def map_html(ws: Workspace, day, level: str = "commune", parent: str | None = None,
             palette: str = "default", lang: str = "vi") -> str:
    """The standalone HTML map of the day view (declared levels honoured, marked)."""
    view = day_view(ws, day, level, parent, None, lang)
    with using_lang(lang):
        return standalone_map(view, units(ws), palette, lang, dayview.declarations(ws))


def unit_index(ws: Workspace, lang: str = "vi"):
    """The unit look-up of the upload page (names, parents, codes)."""
    return ingest.unit_index(ws.engine, lang)


def find_units(ws: Workspace, query: str, limit: int = 20) -> list[str]:
    """Codes of the units of the active set matching ``query``: a code, a name without
    diacritics, or "name, parent name" (also "name parent name"), best first; the
    provinces for an empty query (the map's search box and the upload page's picker)."""
    finder = cached(ws, "finder", lambda: Finder(units(ws)))
    return finder.find(query, limit)


def unit_history(ws: Workspace, code: str, limit: int | None = None) -> pd.DataFrame:
    """Every stored version of a unit's figures (current and superseded)."""
    return ingest.unit_history(ws.engine, code, limit=limit)


def unit_changes(ws: Workspace, code: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """What imports changed in units of the active boundary set (old -> new), newest
    first: attribute tables and re-imported hamlets never overwrite without a trace."""
    with using_lang(lang):
        return bnd.unit_changes_frame(ws.engine, code)


def boundary_sets(ws: Workspace) -> pd.DataFrame:
    """The stored boundary sets with their unit counts."""
    return bnd.sets_table(ws.engine)


def export_units(ws: Workspace, level: str | None = None, geometry: bool = False,
                 lang: str = "vi") -> pd.DataFrame:
    """The stored hierarchy, contract columns (with geometry for GeoJSON)."""
    with using_lang(lang):
        return bnd.export_frame(ws.engine, level, geometry=geometry)


def export_observations(ws: Workspace, start: date | None = None,
                        end: date | None = None) -> pd.DataFrame:
    """The current values, contract columns."""
    return ingest.export_frame(ws.engine, start, end)


def observation_template(ws: Workspace, code: str, start: date, end: date,
                         lang: str = "vi") -> bytes:
    """The data-entry XLSX of a unit (and the units inside it) for a date range."""
    with using_lang(lang):
        return ingest.template_for_unit(ws.engine, code, start, end, lang)


# --- briefings ----------------------------------------------------------------------------------

BRIEFING_FORMATS = briefing_pkg.FORMATS
BRIEFING_MIME = briefing_pkg.MIME


def public_url() -> str:
    """The address people open the dashboard at (links in briefings): ``ZONES_PUBLIC_URL``."""
    return os.environ.get("ZONES_PUBLIC_URL", "http://localhost:8501")


def prepare_briefing(ws: Workspace, day, unit: str | None = None, level: str | None = None,
                     weeks: int = 1, lang: str = "vi",
                     progress: Callable[[str], None] | None = None) -> briefing_pkg.Briefing:
    """What the briefing of the ``weeks`` weeks ending on ``day`` says (for a preview)."""
    with using_lang(lang):
        return briefing_pkg.build(ws, day, unit, level, weeks, lang, public_url(), progress)


def render_briefing(ws: Workspace, prepared: briefing_pkg.Briefing, fmt: str,
                    palette: str = "default") -> bytes:
    """A prepared briefing as PPTX, PDF or PNG (the map at the end of the period)."""
    with using_lang(prepared.lang):
        if fmt not in briefing_pkg.FORMATS:
            raise ZonesError(t("brief.bad_format", value=fmt))
        everything = units(ws)
        return briefing_pkg.render(prepared, everything, fmt, palette,
                                   _outlines(everything, prepared.level, prepared.unit))


def briefing(ws: Workspace, day, unit: str | None = None, level: str | None = None,
             weeks: int = 1, fmt: str = "pdf", palette: str = "default", lang: str = "vi",
             progress: Callable[[str], None] | None = None) -> bytes:
    """The leaders' weekly briefing in one call (the CLI's ``briefing``)."""
    prepared = prepare_briefing(ws, day, unit, level, weeks, lang, progress)
    if progress is not None:
        progress(t("brief.step.render", lang=lang, fmt=fmt.upper()))
    return render_briefing(ws, prepared, fmt, palette)


def map_png(ws: Workspace, day, level: str = "commune", parent: str | None = None,
            override: str | None = None, palette: str = "default", lang: str = "vi") -> bytes:
    """A picture of the map of the day view (title, legend, date, scale, notices)."""
    view = day_view(ws, day, level, parent, override, lang)
    everything = units(ws)
    where = t("ui.country", lang=lang) if parent is None else str(everything.at[parent, "name"])
    with using_lang(lang):
        title = t("brief.map_title", level=t(f"ui.level.{level}"), unit=where)
        return briefing_pkg.pictures.map_picture(view, everything, title, palette, lang,
                                                 outlines=_outlines(everything, level, parent))


def _outlines(everything: gpd.GeoDataFrame, level: str, parent: str | None):
    """The boundaries of the level above the one drawn (districts around communes)."""
    above = {"hamlet": "commune", "commune": "district", "district": "province"}.get(level)
    if above is None:
        return None
    shapes = _view_units(everything, above, parent)
    return shapes if len(shapes) else None


# --- who may write ------------------------------------------------------------------------

def _allowed(ws: Workspace, actor: Actor | None, right: Right, action: str,
             unit: str | None = None) -> Actor:
    """``actor`` when they may do ``right`` (for ``unit``, inside their subtree); else
    the refusal is audited and raised (AccessError, exit code 2, nothing stored)."""
    try:
        who = access.require(actor, right)
        accounts.refuse_disabled(ws.engine, who)  # disabled since it signed in
        if unit is not None and who.scoped and unit not in _area(ws, who):
            raise AccessError(t("access.outside_unit", user=who.name,
                                area=_unit_name(ws, who.unit), unit=_unit_name(ws, unit)))
    except AccessError as err:
        audit.record(ws.engine, actor, action, outcome="refused", unit=unit,
                     detail={"reason": str(err)})
        log.info("%s refused", action)
        raise
    return who


def _parents(ws: Workspace) -> dict[str, str | None]:
    """Code -> parent code of the active set (built once per data version)."""
    def build():
        everything = units(ws)
        return dict(zip(everything.index, everything["parent_code"], strict=True))
    return cached(ws, "parents", build)


def _area(ws: Workspace, actor: Actor) -> set[str] | None:
    return access.area(actor, _parents(ws))


def _unit_name(ws: Workspace, code: str | None) -> str:
    everything = units(ws)
    if code is None or code not in everything.index:
        return code or ""
    return f"{everything.at[code, 'name']} ({code})"


def sign_in(ws: Workspace, name: str, password: str, via: str = "page",
            lang: str = "vi", address: str | None = None) -> Actor:
    """The actor of a name and password (AccessError, one message whether the name is
    unknown, the password wrong, the account locked or disabled); wrong passwords are
    counted per account and client ``address``."""
    with using_lang(lang):
        return accounts.sign_in(ws.engine, name, password, via, address)


def start_session(ws: Workspace, actor: Actor, bound_to: str | None = None) -> str:
    """A one-time ticket (two minutes) that the browser trades at the cookie route for
    its HttpOnly session cookie; ``bound_to`` ties it to that browser."""
    return sessions.begin(ws.engine, actor, bound_to)


def open_session(ws: Workspace, ticket: str, bound_to: str | None = None) -> str | None:
    """The session token for a ticket (once); None when it is unknown, used, older
    than two minutes or brought by another browser."""
    return sessions.redeem(ws.engine, ticket, bound_to)


def session_actor(ws: Workspace, token: str | None) -> Actor | None:
    """Who a session cookie belongs to; None once it has ended or expired
    (``ZONES_SESSION_MINUTES`` idle, ``ZONES_SESSION_MAX_HOURS`` in all) or its account
    was disabled."""
    return sessions.actor_of(ws.engine, token)


def session_started() -> datetime:
    """The time a tab's sign-in begins (kept with its actor for ``recheck_actor``)."""
    return sessions.started()


def recheck_actor(ws: Workspace, actor: Actor, since: datetime) -> Actor | None:
    """A tab's actor (signed in at ``since``, kept without a cookie) checked against its
    account on every page run; None once it is disabled, locked for everyone or its
    password was set anew."""
    return sessions.check(ws.engine, actor, since)


def sign_out(ws: Workspace, token: str | None, actor: Actor | None) -> None:
    """End a browser's session (audited)."""
    sessions.end(ws.engine, token, actor)


def sso_sign_in(ws: Workspace, email: str, lang: str = "vi") -> Actor:
    """The actor of a user the province's single sign-on server vouched for: their
    account is the one named by their e-mail address (made by an admin with its role
    and unit); audited as a sign-in via "sso"."""
    with using_lang(lang):
        try:
            who = accounts.actor(ws.engine, email, "sso")
        except ZonesError as err:
            audit.record(ws.engine, None, "sign_in", outcome="refused", name=email[:100],
                         detail={"reason": str(err), "via": "sso"})
            raise AccessError(t("users.sso_unknown", name=email)) from None
        audit.record(ws.engine, who, "sign_in", detail={"via": "sso"})
        return who


def actor_named(ws: Workspace, name: str, via: str = "cli", lang: str = "vi") -> Actor:
    """The actor of account ``name`` (``--as NAME``); refused when disabled or unknown."""
    with using_lang(lang):
        try:
            return accounts.actor(ws.engine, name, via)
        except AccessError as err:  # disabled
            audit.record(ws.engine, None, "act_as", outcome="refused", name=name[:100],
                         detail={"reason": str(err)})
            raise
        except ZonesError:  # no such account: what was typed is not kept
            audit.record(ws.engine, None, "act_as", outcome="refused",
                         name=accounts.unknown_name(name),
                         detail={"reason": "unknown user", "unknown_name": True})
            raise


def add_user(ws: Workspace, actor: Actor, name: str, password: str, role: str,
             unit: str | None = None, no_export: bool = False, lang: str = "vi") -> None:
    """Create an account (admins)."""
    with using_lang(lang):
        _allowed(ws, actor, Right.USERS, "user_added")
        accounts.add_user(ws.engine, actor, name, password, role, unit, no_export)


def list_users(ws: Workspace, actor: Actor, lang: str = "vi") -> pd.DataFrame:
    """The accounts, without their password hashes (admins)."""
    with using_lang(lang):
        _allowed(ws, actor, Right.USERS, "users_listed")
        return accounts.list_users(ws.engine)


def disable_user(ws: Workspace, actor: Actor, name: str, lang: str = "vi") -> None:
    with using_lang(lang):
        _allowed(ws, actor, Right.USERS, "user_disabled")
        accounts.disable_user(ws.engine, actor, name)


def enable_user(ws: Workspace, actor: Actor, name: str, lang: str = "vi") -> None:
    """Enable a disabled account again (admins)."""
    with using_lang(lang):
        _allowed(ws, actor, Right.USERS, "user_enabled")
        accounts.enable_user(ws.engine, actor, name)


def reset_password(ws: Workspace, actor: Actor, name: str, password: str,
                   lang: str = "vi") -> None:
    with using_lang(lang):
        _allowed(ws, actor, Right.USERS, "user_password_reset")
        accounts.reset_password(ws.engine, actor, name, password)


def audit_entries(ws: Workspace, actor: Actor, *, start: date | None = None,
                  end: date | None = None, unit: str | None = None, user: str | None = None,
                  action: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """The audit trail, newest first (admins and leaders)."""
    with using_lang(lang):
        _allowed(ws, actor, Right.AUDIT, "audit_read")
        return audit.entries(ws.engine, start=start, end=end, unit=unit, user=user,
                             action=action)


def approve_week(ws: Workspace, actor: Actor, unit: str, day: date,
                 note: str | None = None, lang: str = "vi",
                 mark_silent: bool = False) -> date:
    """Approve and lock the week of ``day`` for ``unit``'s subtree (district/province
    staff and leaders, inside their subtree), once every commune has reported or, with
    ``mark_silent``, been marked as not reporting."""
    with using_lang(lang):
        who = _allowed(ws, actor, Right.APPROVE, "approved",
                       unit if unit in units(ws).index else None)
        return approvals.approve(ws.engine, who, units(ws), unit, day, note, mark_silent)


def unlock_week(ws: Workspace, actor: Actor, unit: str, day: date,
                note: str | None = None, lang: str = "vi") -> date:
    """Unlock an approved week (its approver or an administrator); audited."""
    with using_lang(lang):
        who = _allowed(ws, actor, Right.APPROVE, "unlocked",
                       unit if unit in units(ws).index else None)
        try:
            return approvals.unlock(ws.engine, who, units(ws), unit, day, note)
        except AccessError as err:
            audit.record(ws.engine, who, "unlocked", outcome="refused", unit=unit,
                         detail={"reason": str(err)})
            raise


def approvable_units(ws: Workspace, actor: Actor) -> list[str]:
    """The districts and provinces ``actor`` may approve weeks for (none without the
    right), in unit order."""
    if not actor.can(Right.APPROVE):
        return []
    everything, area = units(ws), _area(ws, actor)
    return [c for c in everything.index
            if everything.at[c, "level"] in ("district", "province")
            and (area is None or c in area)]


def week_approval(ws: Workspace, unit: str, day: date) -> dict | None:
    """The approval in force for ``unit``'s week of ``day`` (by, at), None when open."""
    latest = approvals.latest(ws.engine, unit, approvals.monday(day))
    return latest if latest and latest["action"] == "approve" else None


def unapproved_units(ws: Workspace, codes, day: date) -> set[str]:
    """Which of ``codes`` have the figures of ``day``'s week not yet approved (none
    while no week was ever approved: the workflow is not in use)."""
    if not approvals.in_use(ws.engine):
        return set()
    return approvals.unapproved(ws.engine, _parents(ws), codes, day)


def has_accounts(ws: Workspace) -> bool:
    """Whether any account exists (none yet: the first admin is made with the CLI)."""
    return accounts.has_users(ws.engine)


def public_read(ws: Workspace) -> bool:
    """Whether the map and the read-only pages open without signing in:
    ``ZONES_PUBLIC_READ`` (1/0); by default on for the embedded demo, off otherwise."""
    setting = os.environ.get("ZONES_PUBLIC_READ", "").strip().lower()
    if setting in ("1", "true", "yes", "on"):
        return True
    if setting in ("0", "false", "no", "off"):
        return False
    return store.get_meta(ws.engine, store.Meta.DEMO) is not None


def served_file(ws: Workspace, name: str, token: str | None) -> served.Served | None:
    """A file the map fetches (layer, timeline, a day's rates), rebuilt from the database
    by whichever replica is asked; None for a name that means nothing. Only for someone
    signed in, unless the map is open to all (``public_read``)."""
    parsed = served.parse(name)
    if parsed is None:
        return None
    if not public_read(ws) and sessions.actor_of(ws.engine, token) is None:
        raise AccessError(t("access.sign_in"))
    override = parsed[1].get("override")
    if override and override not in rulesets(ws).rulesets:
        return None  # a rule set that is not (or no longer) there
    return served.get(ws, name)


def served_name(ws: Workspace, kind: str, **params) -> str:
    """The current name of a map file of ``kind`` (see ``served_file``)."""
    return served.name_of(kind, served.version_for(ws, kind), **params)


def allow_export(ws: Workspace, actor: Actor | None, what: str, lang: str = "vi") -> None:
    """Refuse an export to an observer without the export right (audited)."""
    if actor is None:
        return  # reading without signing in is itself a setting (public_read)
    with using_lang(lang):
        _allowed(ws, actor, Right.EXPORT, f"export_{what}")


def upload_area(ws: Workspace, actor: Actor, lang: str = "vi") -> str | None:
    """The unit an actor sends figures for (name and code), None when everywhere."""
    with using_lang(lang):
        return _unit_name(ws, actor.unit) if actor.scoped else None


# --- writing ----------------------------------------------------------------------------------

def demo(ws: Workspace, actor: Actor, national: bool = False, reset: bool = False,
         lang: str = "vi", yes: bool = False) -> dict:
    """Build the embedded demo, then refresh (levels, snapshot, data version). The audit
    entry "started" (with what is replaced) is committed before anything is deleted; the
    old data is replaced in one transaction; a reset over data people put in (uploads,
    declarations, rule sets, accounts, …) is refused unless ``yes``."""
    with using_lang(lang):
        _allowed(ws, actor, Right.BOUNDARIES, "demo")
        asked = {"national": national, "reset": reset}
        try:
            replacing = check_rebuild(ws.engine, reset=reset, yes=yes)
        except ZonesError:
            audit.record(ws.engine, actor, "demo", outcome="refused", detail=asked)
            raise
        audit.record(ws.engine, actor, "demo", outcome="started",
                     detail={**asked, "replacing": replacing})
        try:
            built = build_demo(ws.engine, national=national, reset=reset)
        except Exception:  # nothing replaced: the transaction rolled back
            audit.record(ws.engine, actor, "demo", outcome="failed", detail=asked)
            raise
        built["assessed"] = refresh(ws, observations=built.pop("observations"))
        audit.record(ws.engine, actor, "demo", detail={**asked, "units": built["units"],
                                                       "rows": built["rows"]})
    log.info("demo built: %d units, %d rows", built["units"], built["rows"])
    return built


def check_upload(ws: Workspace, data: bytes, filename: str, sheet: str | None = None,
                 lang: str = "vi", index=None, actor: Actor | None = None) -> ingest.Checked:
    """Read and check an upload of figures (nothing is stored). With ``actor``, an
    observer is refused and rows for units outside the actor's subtree are refused."""
    starts = [rs.effective_from for rs in rulesets(ws).rulesets.values() if rs.effective_from]
    with using_lang(lang):
        area, area_name = None, ""
        if actor is not None:
            _allowed(ws, actor, Right.SEND, "upload")
            area = _area(ws, actor)
            area_name = _unit_name(ws, actor.unit) if area is not None else ""
        return ingest.check_upload(ws.engine, data, filename, sheet=sheet, lang=lang,
                                   index=index, first_day=min(starts) if starts else None,
                                   area=area, area_name=area_name,
                                   locked=approvals.locked(ws.engine, _parents(ws)))


def store_upload(ws: Workspace, checked: ingest.Checked, actor: Actor,
                 all_or_nothing: bool = False, dry_run: bool = False,
                 background: bool = False,
                 progress: Callable[[str], None] | None = None) -> ingest.StoreResult:
    """Store the good rows of a checked upload as ``actor`` (who sent it), with its
    audit entry and its debt of levels in the same transaction, then recompute the
    levels from its earliest day, merged with any other upload's (``zones.levels.
    worker``): before returning, or with ``background`` in a thread of this process
    (the page follows it with ``recompute_progress``)."""
    with using_lang(checked.lang):
        who = _allowed(ws, actor, Right.SEND, "upload")
        if who.scoped:
            stray = access.outside(who, checked.good["unit_code"], _parents(ws))
            if stray:  # checked for another actor: refuse rather than store outside
                raise AccessError(t("access.outside_unit", user=who.name,
                                    area=_unit_name(ws, who.unit), unit=stray[0]))

        locks, good = approvals.locked(ws.engine, _parents(ws)), checked.good
        late = [why for c, d in zip(good["unit_code"], good["date"], strict=True)
                if (why := locks(c, approvals.monday(pd.Timestamp(d).date())))]
        if late:  # approved after the check: refuse rather than change a locked week
            raise ZonesError(t("ingest.reason.week_locked", detail=late[0]))

        def entry(conn, result):
            audit.record(conn, who, "upload", upload_id=result.upload_id, detail={
                "file": checked.filename, **checked.counts(), "stored": result.inserted,
                "superseded": result.superseded, "changes": result.changes})

        try:
            result = ingest.store_checked(ws.engine, checked, sent_by=who.name,
                                          all_or_nothing=all_or_nothing, dry=dry_run,
                                          on_commit=entry)
        except ZonesError as err:
            log.info("upload refused: %d rows refused of %d", len(checked.refused),
                     checked.counts()["rows"])
            audit.record(ws.engine, who, "upload", outcome="refused",
                         detail={"file": checked.filename, "reason": str(err)})
            raise
        if not dry_run and result.duplicate_of is None and result.first_date is not None:
            if background:
                worker.start_paying(ws)
                result.recomputing = True
            else:
                result.warning = _pay_or_warn(ws, progress)
    # never user data in the log: counts and ids only (no file names, no values)
    log.info("upload stored: %s rows new, %s superseded, %s refused", result.inserted,
             result.superseded, len(checked.refused))
    return result


def plan_boundaries(ws: Workspace, path: str | Path, opts: bnd.ImportOptions | None = None,
                    lang: str = "vi", actor: Actor | None = None) -> bnd.ImportPlan:
    """Read and validate a boundary file or attribute table (nothing is stored). With
    ``actor``, one who may not import boundaries is refused before the file is read."""
    with using_lang(lang):
        if actor is not None:
            _allowed(ws, actor, Right.BOUNDARIES, "boundaries_imported")
        return bnd.plan_import(ws.engine, path, opts)


def already_imported(ws: Workspace, plan: bnd.ImportPlan) -> dict | None:
    """The boundary set these very bytes were imported as (id, name, is_active), if any."""
    return bnd.same_file_set(ws.engine, plan)


def activate_boundary_set(ws: Workspace, set_id: int, actor: Actor,
                          lang: str = "vi") -> None:
    """Switch the boundary set every view uses (e.g. back to an older one), then
    recompute every level for its units."""
    with using_lang(lang):
        who = _allowed(ws, actor, Right.BOUNDARIES, "boundary_set_activated")
        before = store.active_set(ws.engine)
        bnd.activate_set(ws.engine, set_id)
        audit.record(ws.engine, who, "boundary_set_activated", detail={
            "old": before["id"] if before else None, "new": set_id})
        refresh(ws)
    log.info("boundary set %d activated", set_id)


def import_boundaries(ws: Workspace, plan: bnd.ImportPlan, actor: Actor,
                      lang: str = "vi") -> int:
    """Store a planned import (one transaction, with its audit entry), then recompute
    every level and rate: boundaries and population change them all. Returns the
    boundary set id. The same file imported again changes nothing."""
    with using_lang(lang):
        who = _allowed(ws, actor, Right.BOUNDARIES, "boundaries_imported")
        same = bnd.same_file_set(ws.engine, plan)
        if same is not None:
            return int(same["id"])

        def entry(conn, set_id):
            audit.record(conn, who, "boundaries_imported", detail={
                "file": plan.report.filename, "kind": plan.report.kind, "set_id": set_id,
                "counts": plan.report.counts, "updated": plan.report.updated,
                "rejected": len(plan.report.rejected)})

        set_id = bnd.commit_import(ws.engine, plan, on_commit=entry)
        refresh(ws)
    log.info("boundaries imported: set %d, %d units", set_id, len(plan.units))
    return set_id


def download_boundaries(ws: Workspace, source: str, *, level: int | None = None,
                        country: str | None = None, url: str | None = None,
                        out: str | None = None, set_name: str | None = None,
                        progress: Callable[[str], None] | None = None,
                        actor: Actor | None = None,
                        lang: str = "vi") -> tuple[bnd.Downloaded, bnd.ImportPlan, int]:
    """Fetch a public boundary file (source, licence, checksum recorded) and import it."""
    with using_lang(lang):
        _allowed(ws, actor, Right.BOUNDARIES, "boundaries_imported")
        got = bnd.download_source(source, ws.downloads_dir, level=level, country=country,
                                  url=url, out=out, progress=progress)
        opts = bnd.ImportOptions(level=got.level, structure=got.structure, source=got.source,
                                 licence=got.licence, set_name=set_name)
        plan = bnd.plan_import(ws.engine, got.path, opts)
    return got, plan, import_boundaries(ws, plan, actor, lang)


def _proposal(ws: Workspace, actor: Actor, unit_code: str | None, level: int | None,
              effective_from: date | None, effective_to: date | None,
              decision_number: str, note: str | None, signed_by: str | None,
              stamp) -> tuple[Actor, decl.Proposal, int | None]:
    """Who declares, what (checked: every problem listed at once) and the level in force
    the day before (for the NQ 128 warning)."""
    everything = units(ws)
    known = unit_code if unit_code and unit_code in everything.index else None
    who = _allowed(ws, actor, Right.DECLARE, "declared", known)
    problems = decl.problems(everything, unit_code, level, effective_from, effective_to,
                             decision_number, signed_by)
    if problems:
        log.info("declaration refused: %d problems", len(problems))
        raise ZonesError("\n".join(problems))
    previous = decl.level_before(levels_in_force(ws), unit_code, effective_from)
    return who, decl.Proposal(
        unit_code=unit_code, unit_name=str(everything.at[unit_code, "name"]),
        unit_level=str(everything.at[unit_code, "level"]),
        parents=decl.parents(everything, unit_code), level=level,
        effective_from=effective_from, effective_to=effective_to,
        decision_number=decision_number.strip(), signed_by=(signed_by or "").strip() or None,
        note=note or None,
        warnings=tuple(decl.notice_warnings(level, previous, effective_from, stamp))), previous


def check_declaration(ws: Workspace, *, actor: Actor, unit_code: str | None,
                      level: int | None, effective_from: date | None,
                      effective_to: date | None = None, decision_number: str,
                      note: str | None = None, lang: str = "vi", now=None,
                      signed_by: str | None = None) -> decl.Proposal:
    """Check a declaration as ``declare`` would and store nothing: what the page's
    confirmation step repeats (the unit with its district and province, the level, the
    dates, the decision, the signer) and the warnings saving would give."""
    with using_lang(lang):
        return _proposal(ws, actor, unit_code, level, effective_from, effective_to,
                         decision_number, note, signed_by, now or store.now())[1]


def declare(ws: Workspace, *, actor: Actor, unit_code: str | None, level: int | None,
            effective_from: date | None, effective_to: date | None = None,
            decision_number: str, note: str | None = None, lang: str = "vi",
            now=None, signed_by: str | None = None) -> decl.Declared:
    """Validate and store a declaration as ``actor`` (leaders, inside their subtree;
    every problem listed at once); warn when a raise is announced less than 48 hours
    ahead (NQ 128)."""
    with using_lang(lang):
        stamp = now or store.now()
        who, got, previous = _proposal(ws, actor, unit_code, level, effective_from,
                                       effective_to, decision_number, note, signed_by, stamp)
        new_id = decl.insert(ws.engine, unit_code=got.unit_code, level=got.level,
                             effective_from=got.effective_from, effective_to=got.effective_to,
                             decision_number=got.decision_number, entered_by=who.name,
                             note=got.note, stamp=stamp, signed_by=got.signed_by)
        audit.record(ws.engine, who, "declared", unit=got.unit_code, detail={
            "id": new_id, "level": level, "from": effective_from, "to": effective_to,
            "decision": decision_number, "signed_by": signed_by, "note": note,
            "previous_level": previous})
        refresh(ws, levels=False)
    log.info("declaration %d stored", new_id)
    return decl.Declared(new_id, list(got.warnings))


def revoke(ws: Workspace, declaration_id: int, actor: Actor, lang: str = "vi") -> None:
    """Revoke a declaration (leaders, inside their subtree): it stays listed, marked
    with who revoked it and when, and no level in force uses it any more; an unknown or
    already revoked id is refused in words."""
    with using_lang(lang):
        existing = declarations(ws)
        row = existing[existing["id"] == declaration_id]
        unit = str(row["unit_code"].iloc[0]) if len(row) else None
        who = _allowed(ws, actor, Right.DECLARE, "revoked", unit)
        old = decl.revoke(ws.engine, declaration_id, who.name, store.now())
        if old is None:
            raise ZonesError(t("decl.no_such", value=declaration_id))
        if old["revoked_at"] is not None:
            raise ZonesError(t("decl.already_revoked", id=declaration_id,
                               decision=old["decision_number"], by=old["revoked_by"] or "",
                               at=f"{pd.Timestamp(old['revoked_at']):%d/%m/%Y %H:%M}"))
        audit.record(ws.engine, who, "revoked", unit=old["unit_code"], detail={
            "id": declaration_id, "old": old})
        refresh(ws, levels=False)
    log.info("declaration %d revoked", declaration_id)


# --- helpers ----------------------------------------------------------------------------------

def _check_override(ws: Workspace, override: str) -> None:
    check_ruleset(dayview.ruleset_registry(ws), override)


def recompute_progress(ws: Workspace) -> worker.Progress:
    """Whether levels are still owed (an upload's recomputation not finished yet)."""
    return worker.progress(ws)


def _pay_or_warn(ws: Workspace, progress: Callable[[str], None] | None) -> str | None:
    try:
        worker.pay_owed(ws, wait=True, report=progress)
    except ZonesError as err:
        log.warning("levels not recomputed after an upload: %s", err)
        return t("ingest.recompute_failed", reason=str(err))
    return None


# --- rule sets kept in the store ------------------------------------------------------------

RULESET_COLUMNS = ["id", "version", "title", "effective_from", "effective_to", "source",
                   "file", "added_by", "added_at", "status"]


def add_ruleset(ws: Workspace, actor: Actor | None, data: bytes, file_name: str,
                lang: str = "vi") -> stored.Added:
    """Validate and keep a custom rule set in the database (administrators; audited);
    the levels are recomputed (it may be in force on some days)."""
    with using_lang(lang):
        who = _allowed(ws, actor, Right.RULESETS, "ruleset_added")
        reg = rulesets(ws)
        taken = {rid: t("rs.shipped") if ruleset_source(reg, rid) == "shipped"
                 else str(rs.path or rid)
                 for rid, rs in reg.rulesets.items() if rid not in reg.stored}
        added = stored.add(ws.engine, data, file_name, who.name, taken)
        if not added.unchanged:
            audit.record(ws.engine, who, "ruleset_added", detail={
                "ruleset": added.ruleset_id, "version": added.version,
                "stored_version": added.number, "file": file_name})
            refresh(ws)
    return added


def check_ruleset_size(size: int, file_name: str, lang: str = "vi") -> None:
    """Refuse a rule-set file too big to be one, before it is read."""
    with using_lang(lang):
        stored.check_size(size, file_name)


def ruleset_source(reg: rules.RuleSetRegistry, ruleset_id: str) -> str:
    """Where a loaded rule set comes from: "database", "shipped" or "folder"."""
    if ruleset_id in reg.stored:
        return "database"
    path = reg.rulesets[ruleset_id].path
    return "shipped" if path is not None and SHIPPED_RULESETS in path.parents else "folder"


def ruleset_origin(reg: rules.RuleSetRegistry, key: str, actor: Actor | None,
                   lang: str = "vi") -> str:
    """Where a rule set (an id) or a broken file (a key of ``reg.errors``) comes from, in
    words: administrators see the file and its folder, others a neutral source (no server
    path)."""
    with using_lang(lang):
        return stored.origin(reg, key, actor is not None and actor.can(Right.RULESETS))


def list_rulesets(ws: Workspace, lang: str = "vi") -> pd.DataFrame:
    """Every rule set (shipped, folder, database) and every broken one, as the CLI lists them."""
    reg = rulesets(ws)
    rows = []
    for rid, rs in sorted(reg.rulesets.items()):
        kept = reg.stored.get(rid)
        rows.append({"id": rid, "version": rs.version, "title": rs.title.get(lang),
                     "effective_from": fmt_date(rs.effective_from),
                     "effective_to": fmt_date(rs.effective_to),
                     "source": ruleset_source(reg, rid),
                     "file": kept["file"] if kept else (rs.path.name if rs.path else ""),
                     "added_by": kept["added_by"] if kept else "",
                     "added_at": f"{pd.Timestamp(kept['added_at']):%d/%m/%Y %H:%M}"
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
    reg = rulesets(ws)
    check_ruleset(reg, ruleset_id)
    if ruleset_id in reg.stored:
        rows = stored.newest(ws.engine)
        return str(rows.loc[rows["ruleset_id"] == ruleset_id, "source"].iloc[-1])
    path = reg.rulesets[ruleset_id].path
    return path.read_text(encoding="utf-8") if path is not None else ""


def ruleset_versions(ws: Workspace) -> pd.DataFrame:
    """Every version kept in the database (who added it, when), oldest first."""
    return stored.history(ws.engine)
