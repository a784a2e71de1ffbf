"""Shared Streamlit plumbing: the workspace, the language, messages."""

from __future__ import annotations

import logging
import os
import weakref

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from zones import api
from zones.errors import ZonesError
from zones.i18n import t
from zones.safe import md_text  # also the pages' (they import ui, never zones.safe)

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def _workspace(settings: api.Settings) -> api.Workspace:
    return api.open_workspace(settings=settings, wait_for_levels=False)


#: session id -> (its script run context, that run's cursors, the run's memo)
_RUNS: dict[str, tuple[weakref.ref, dict, dict]] = {}


def run_memo() -> dict:
    """A dict kept for one script run of this session (a fresh one outside a run).

    A page asks for the workspace a dozen times a run; opening it (settings read from the
    environment, the cached workspace looked up by hashing them, the database asked
    whether levels are owed) once per run instead keeps a date step cheap when fifty
    sessions share one process (``bench/bench_sessions.py``). Streamlit gives each run
    new cursors (``ScriptRunContext.reset``), which is how a new run is told apart.
    """
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return {}
    held = _RUNS.get(ctx.session_id)
    if held is None or held[0]() is not ctx or held[1] is not ctx.cursors:
        if len(_RUNS) > 512:  # sessions gone
            for sid in [k for k, v in list(_RUNS.items()) if v[0]() is None]:
                _RUNS.pop(sid, None)
        held = _RUNS[ctx.session_id] = (weakref.ref(ctx), ctx.cursors, {})
    return held[2]


def default_lang() -> str:
    """The deployment's language for a browser that has chosen none (``ZONES_LANG``)."""
    try:
        return api.Settings.from_env(os.environ).lang
    except ZonesError:  # told on the page by workspace()
        return "vi"


def workspace() -> api.Workspace:
    """The app's workspace (database opened and migrated once per process, with the
    settings of the server's environment; a setting not allowed is told on the page)."""
    memo = run_memo()
    if "workspace" in memo:
        return memo["workspace"]
    try:
        ws = _workspace(api.Settings.from_env(os.environ))
        if api.levels_owed(ws):  # running (after an upload) or cut short: in the background
            api.finish_owed_work(ws)
        memo["workspace"] = ws
        return ws
    except ZonesError as err:  # the details (masked) to the log, a plain word to visitors
        log.error("workspace not opened: %s", api.failure_message(err, lang()))
        st.error(plain_message(api.failure_message(err, lang(), page=True)))
        st.stop()


def lang() -> str:
    """The language chosen in the sidebar ("vi" by default)."""
    return st.session_state.get("lang", "vi")


def tr(key: str, **values) -> str:
    """A UI message in the current language."""
    return t(key, lang=lang(), **values)


def data_version() -> str:
    """Token that changes with the stored data; loaders use it as a cache key."""
    return api.data_version(workspace())


def require_units() -> None:
    """Stop the page with a clear message when the database holds no units."""
    if not api.has_units(workspace()):
        st.info(tr("db.empty"))
        st.stop()


def plain_message(message: object) -> str:
    """A core message for st.error/st.warning/…: shown as written, line by line.

    Core messages (zones/**/messages*.yaml) are plain text with no intended Markdown, and
    quote what users sent (cells, names, file names, paths): so the whole text is
    escaped, and each of its lines stays a line (a Markdown hard break)."""
    return "  \n".join(md_text(line) for line in str(message).splitlines())


def show_error(err: ZonesError) -> None:
    """A user error as the page shows it, in the page's language (never a traceback;
    never read as Markdown)."""
    st.error(plain_message(err.text(lang())))


def show_failure(err: Exception) -> None:
    """Any failure of a page: its details to the server's log (for the administrator),
    a message in the user's language on the page."""
    if not isinstance(err, ZonesError):
        log.error("page failed", exc_info=err)
    st.error(plain_message(api.failure_message(err, lang(), page=True)))


def assessed_page(title_key: str, intro_key: str | None = None):
    """The start of a page that needs assessed levels: title, intro, a clear message (and
    stop) without units or levels. Returns (workspace, units, levels in force)."""
    st.title(tr(title_key))
    if intro_key:
        st.caption(tr(intro_key))
    require_units()
    ws = workspace()
    table = api.levels_in_force(ws)
    if len(table.dates) == 0:
        st.info(tr("ui.no_assessments"))
        st.stop()
    return ws, api.units(ws), table


@st.fragment(run_every=2.0)
def recompute_notice() -> None:
    """Drawn only while levels are being recomputed (after anyone's upload, on any
    replica): a line saying the page shows the levels stored so far; once they are done
    the whole page reruns by itself, with the new levels, and this is no longer drawn.
    Checked every 2 s (one meta read)."""
    if api.recompute_progress(workspace()).owed is None:
        st.rerun()
    st.caption(":material/hourglass_top: " + tr("ui.recomputing_notice"))
