"""Shared Streamlit plumbing: the database engine, the language, messages, notices."""

from __future__ import annotations

import streamlit as st

from zones.errors import ZonesError
from zones.i18n import set_lang, t
from zones.storage import store
from zones.storage.db import default_url, open_db


@st.cache_resource(show_spinner=False)
def _engine(url: str):
    return open_db(url)


def engine():
    """The app's database engine (opened and migrated once per process)."""
    try:
        return _engine(default_url())
    except ZonesError as err:
        st.error(str(err))
        st.stop()


def lang() -> str:
    """The language chosen in the sidebar ("vi" by default)."""
    return st.session_state.get("lang", "vi")


def tr(key: str, **values) -> str:
    """A UI message in the current language."""
    return t(key, lang=lang(), **values)


def apply_lang() -> None:
    """Make core messages follow the UI language."""
    set_lang(lang())


def data_version() -> str:
    """Token that changes with the stored data; loaders use it as a cache key."""
    return store.data_version(engine())


def data_changed() -> None:
    """Call after writing to the database: drops cached frames so every page reloads."""
    st.cache_data.clear()


def require_units() -> None:
    """Stop the page with a clear message when the database holds no units."""
    if store.active_set(engine()) is None:
        st.info(tr("db.empty"))
        st.stop()
