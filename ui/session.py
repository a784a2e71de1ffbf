"""Who is signed in on this browser session, and the sign-in form.

The signed-in actor lives in Streamlit's session state, on the server (no token is
handed to the browser); it expires after ``ZONES_SESSION_MINUTES`` (default 480) without
activity. Every right is still checked by the core's front door: this module only
decides what the page shows.
"""

from __future__ import annotations

import os
import time

import streamlit as st

from ui.common import lang, tr, workspace
from zones import api
from zones.errors import ZonesError

SESSION_MINUTES = float(os.environ.get("ZONES_SESSION_MINUTES", "480"))
_KEY, _SEEN = "_actor", "_actor_seen"


def sso_configured() -> bool:
    """Whether the province's single sign-on (Streamlit's OIDC ``st.login``) is set up in
    ``.streamlit/secrets.toml`` (an ``[auth]`` section); the built-in accounts work
    without it, and without any internet."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _from_sso() -> api.Actor | None:
    """The account of a user signed in through single sign-on (named by e-mail)."""
    if not sso_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    email = str(st.user.get("email") or "")
    if st.session_state.get("_sso_refused") == email:
        return None
    try:
        actor = api.sso_sign_in(workspace(), email, lang())
    except ZonesError as err:
        st.session_state["_sso_refused"] = email
        st.error(str(err))
        return None
    st.session_state[_KEY] = actor
    st.session_state[_SEEN] = time.monotonic()
    return actor


def current_actor() -> api.Actor | None:
    """The signed-in actor, or None (never signed in, signed out or expired)."""
    actor = st.session_state.get(_KEY)
    if actor is None:
        return _from_sso()
    if time.monotonic() - st.session_state.get(_SEEN, time.monotonic()) > SESSION_MINUTES * 60:
        sign_out(expired=True)
        return None
    st.session_state[_SEEN] = time.monotonic()
    return actor


def sign_out(expired: bool = False) -> None:
    actor = st.session_state.pop(_KEY, None)
    st.session_state.pop(_SEEN, None)
    if expired:
        st.session_state["_expired"] = True
    if actor is not None and actor.via == "sso":
        st.logout()  # ends the identity cookie too (and the provider's session)


def sign_in_form(reason: str | None = None) -> None:
    """The sign-in form (name, password); signs in and reruns on success."""
    st.subheader(tr("auth.title"))
    if st.session_state.pop("_expired", False):
        st.info(tr("auth.expired"))
    if reason:
        st.info(reason)
    ws = workspace()
    if sso_configured() and st.button(tr("auth.sso"), key="sso_login", type="primary"):
        st.login()
    if not api.has_accounts(ws):
        st.warning(tr("auth.no_accounts"))
        return
    with st.form("sign_in", clear_on_submit=True):
        name = st.text_input(tr("auth.name"), key="auth_name")
        password = st.text_input(tr("auth.password"), type="password", key="auth_password")
        submitted = st.form_submit_button(tr("auth.submit"), type="primary")
    if submitted:
        try:
            actor = api.sign_in(ws, name.strip(), password, "page", lang())
        except ZonesError as err:
            st.error(str(err))
            return
        st.session_state[_KEY] = actor
        st.session_state[_SEEN] = time.monotonic()
        st.rerun()


def require_actor(right: api.Right) -> api.Actor:
    """The signed-in actor holding ``right``; else the page shows why (the sign-in form,
    or the refusal) and stops."""
    actor = current_actor()
    if actor is None:
        sign_in_form(tr("auth.needed"))
        st.stop()
    try:
        return api.access.require(actor, right)  # the core's own refusal message
    except api.AccessError as err:
        st.error(str(err))
        st.stop()


def may_export() -> bool:
    """Whether download buttons are offered (not to an observer without export)."""
    actor = current_actor()
    return actor is None or actor.can(api.Right.EXPORT)


def sidebar() -> None:
    """Who is signed in, and the button to sign out (or to sign in)."""
    actor = current_actor()
    if actor is None:
        st.caption(tr("auth.anonymous"))
        return
    where = api.upload_area(workspace(), actor, lang())
    st.caption(tr("auth.signed_in", name=actor.name, role=tr(f"role.{actor.role}"))
               + (f" — {where}" if where else ""))
    if st.button(tr("auth.sign_out"), key="sign_out"):
        sign_out()
        st.rerun()
