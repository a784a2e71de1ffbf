"""The workspace (its database opened, its owed work, its versions), what any failure
tells the user, and the embedded demo."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from zones.api.action import action, log
from zones.demo import build_demo, check_rebuild
from zones.errors import DatabaseError, ZonesError
from zones.i18n import t
from zones.levels import worker
from zones.levels.refresh import refresh
from zones.people import audit
from zones.people.access import Actor, Right
from zones.settings import Settings
from zones.storage import store
from zones.storage.db import masked
from zones.workspace import Workspace

__all__ = [
    "Workspace",
    "boundary_version",
    "data_version",
    "demo",
    "failure_message",
    "finish_owed_work",
    "has_units",
    "levels_owed",
    "open_workspace",
    "recompute_progress",
    "versions_pinned",
]


@action()
def failure_message(err: BaseException, lang: str, page: bool = False,
                    settings: Settings | None = None) -> str:
    """What the user is told about any failure (never a traceback): the message of a
    user error; a database that failed while in use (SQLAlchemy's error, or pandas'
    wrapping of it); else an unexpected error, named by its kind only (on a ``page``:
    what to tell the administrator, whose server log has the details). A database
    that cannot be opened is told on a page without its address (server paths and
    accounts are the administrator's). No password ever appears."""
    if isinstance(err, DatabaseError) and page:
        return t("db.page_unavailable", lang)
    if isinstance(err, ZonesError):
        return masked(err.text(lang))
    db_err = err if isinstance(err, SQLAlchemyError) else err.__cause__
    if isinstance(db_err, SQLAlchemyError):
        return t("db.failed", lang, reason=masked(str(getattr(db_err, "orig", db_err))
                                                  .splitlines()[0]))
    if isinstance(err, MemoryError):
        return t("isolate.memory", lang, mb=(settings or Settings()).read_max_mb,
                 setting="ZONES_READ_MAX_MB")
    return t("ui.unexpected" if page else "cli.unexpected", lang, kind=type(err).__name__)


def open_workspace(url: str | None = None, wait_for_levels: bool = True,
                   settings: Settings | None = None) -> Workspace:
    """The workspace of ``url`` (default: ``settings.db`` or ``data/zones.db``) with
    ``settings`` (the edges read them once: ``Settings.from_env(os.environ)``), its database
    opened and migrated; ``DatabaseError`` with a clear message otherwise. A
    recomputation owed (cut short by a crash, or running elsewhere) is finished first
    (``wait_for_levels``: the CLI); pages pass False and follow it instead
    (``finish_owed_work``)."""
    ws = Workspace.at(url, settings)
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


def recompute_progress(ws: Workspace) -> worker.Progress:
    """Whether levels are still owed (an upload's recomputation not finished yet)."""
    return worker.progress(ws)


def data_version(ws: Workspace) -> str:
    """A token that changes with every write (cache keys of the UI)."""
    return store.data_version(ws.engine)


def versions_pinned():
    """A context (a page's script run) in which the data and boundary versions are read
    once: ``store.versions_pinned``."""
    return store.versions_pinned()


def boundary_version(ws: Workspace) -> str:
    """A token that changes when units or shapes change (keys of served layer files)."""
    return store.boundary_version(ws.engine)


@action(Right.BOUNDARIES, "demo")
def demo(ws: Workspace, actor: Actor, national: bool = False, reset: bool = False,
         lang: str = "vi", yes: bool = False, curve: str = "simulated") -> dict:
    """Build the embedded demo, then refresh (levels, snapshot, data version). The audit
    entry "started" (with what is replaced) is committed before anything is deleted; the
    old data is replaced in one transaction; a reset over data people put in (uploads,
    declarations, rule sets, accounts, …) is refused unless ``yes``."""
    asked = {"national": national, "reset": reset} | (
        {"curve": curve} if curve != "simulated" else {})
    try:
        replacing = check_rebuild(ws.engine, reset=reset, yes=yes)
    except ZonesError:
        audit.record(ws.engine, actor, "demo", outcome="refused", detail=asked)
        raise
    audit.record(ws.engine, actor, "demo", outcome="started",
                 detail={**asked, "replacing": replacing})
    try:
        built = build_demo(ws.engine, national=national, reset=reset, curve=curve)
    except Exception:  # nothing replaced: the transaction rolled back
        audit.record(ws.engine, actor, "demo", outcome="failed", detail=asked)
        raise
    # the refresh is the body's: it is handed the demo's figures and reports its count
    built["assessed"] = refresh(ws, observations=built.pop("observations"))
    audit.record(ws.engine, actor, "demo", detail={**asked, "units": built["units"],
                                                   "rows": built["rows"]})
    log.info("demo built: %d units, %d rows", built["units"], built["rows"])
    return built

