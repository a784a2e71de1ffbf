"""Who is signed in on this browser, and the sign-in form.

A sign-in on the form is kept in the database as a session whose token lives in an
HttpOnly cookie (set by ``ui.server.auth``'s route: page scripts never see it), so a reload or a
second tab stays signed in, and a sign-out, an expiry (``ZONES_SESSION_MINUTES`` idle,
default 480; ``ZONES_SESSION_MAX_HOURS`` in all, default 24) or a disabled account ends
it in every tab. Every page run checks the account behind the tab against the database
(cookie or not: a tab whose browser never took the cookie keeps its actor in the
session state, and loses it once the account is disabled, locked for everyone or given
a new password). Every right is still checked by the core's front door: this module
only decides what the page shows.
"""

from __future__ import annotations

import json
import time

import streamlit as st

from ui.common import default_lang, lang, md_text, run_memo, show_error, tr, workspace
from ui.server.names import AUTH_PREFIX, COOKIE, LANG_COOKIE, LANGS, XSRF_COOKIE
from zones import api
from zones.errors import ZonesError

#: the actor, when it was last seen, the cookie token it came from, a pending redirect
_KEY, _SEEN, _TOKEN, _GO = "_actor", "_actor_seen", "_actor_token", "_go_to"
#: when the actor signed in (its account's later changes end the tab's sign-in)
_SINCE = "_actor_since"
#: the last cookie check (token, when, actor) and the last check of the session state's
#: actor (actor, since, when, result): reused within one page run (``sidebar``, first in
#: every run, forgets them) and at most RECHECK_SECONDS (a fragment's reruns)
_CHECKED, _STATE_CHECKED, RECHECK_SECONDS = "_cookie_checked", "_state_checked", 1.0


def sso_configured() -> bool:
    """Whether the province's single sign-on (Streamlit's OIDC ``st.login``) is set up in
    ``.streamlit/secrets.toml`` (an ``[auth]`` section); the built-in accounts work
    without it, and without any internet. Asked once per script run: without a secrets
    file each question is two files not found and an error raised under a lock."""
    memo = run_memo()
    if "sso" not in memo:
        try:
            memo["sso"] = "auth" in st.secrets
        except Exception:  # no secrets file at all
            memo["sso"] = False
    return memo["sso"]


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
        show_error(err)
        return None
    st.session_state[_KEY] = actor
    st.session_state[_SEEN] = time.monotonic()
    st.session_state[_SINCE] = api.session_started()
    return actor


def _client_address() -> str | None:
    """The browser's address, for counting wrong passwords per address: the connection's
    own; through a proxy on this machine (``deploy/nginx-zones.conf``; Streamlit then
    sees localhost and says None), the address that proxy added last to
    X-Forwarded-For (the entries before it are whatever the client sent). None when
    unknown (a test harness)."""
    try:
        value = st.context.ip_address
        forwarded = "" if value else (st.context.headers.get("X-Forwarded-For") or "")
    except Exception:  # no browser request (a test harness)
        return None
    if isinstance(value, str) and value:
        return value
    last = forwarded.split(",")[-1].strip()
    return last or None


def _cookie(name: str) -> str | None:
    try:
        value = st.context.cookies.get(name)
    except Exception:  # no browser request (a test harness)
        return None
    return value if isinstance(value, str) and value else None


def _route(action: str, **query: str) -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    path = f"/{base}/{AUTH_PREFIX}/{action}" if base else f"/{AUTH_PREFIX}/{action}"
    return path + "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else path


def _go(url: str) -> None:
    """Send this browser to one of ``ui.server.auth``'s routes, which comes back to this page."""
    # no "<" inside the script: Streamlit's sanitiser drops a script whose text has one
    script = ("<script>(function(){var u=%s;var b=window.location.pathname+"
              "window.location.search;window.location.replace(u+(u.indexOf('?')===-1?'?':'&')"
              "+'next='+encodeURIComponent(b));})();</script>")
    st.html(script % json.dumps(url).replace("<", "\\u003c"), unsafe_allow_javascript=True)


def start_lang() -> None:
    """A new session starts in the language this browser chose last (its cookie)."""
    if "lang" not in st.session_state:
        chosen = _cookie(LANG_COOKIE)
        st.session_state.lang = chosen if chosen in LANGS else default_lang()


def lang_chosen() -> None:
    """The language switch's callback: this run keeps the choice in the cookie."""
    st.session_state["_keep_lang"] = st.session_state.lang


def keep_lang() -> None:
    """After a switch, have the browser ask the cookie route in the background (no
    reload, nothing drawn)."""
    chosen = st.session_state.pop("_keep_lang", None)
    if chosen in LANGS:
        script = "<script>fetch(%s, {credentials: 'same-origin'});</script>"
        st.html(script % json.dumps(_route("lang", v=chosen)).replace("<", "\\u003c"),
                unsafe_allow_javascript=True)


def _from_cookie() -> api.Actor | None:
    """The actor of this browser's session cookie, checked in the database once per page
    run (a run asks several times: the sidebar, the app's gate, the page)."""
    token = _cookie(COOKIE)
    if not token:
        return None
    checked = st.session_state.get(_CHECKED)
    if checked and checked[0] == token and time.monotonic() - checked[1] < RECHECK_SECONDS:
        return checked[2]
    actor = api.session_actor(workspace(), token)
    st.session_state[_CHECKED] = (token, time.monotonic(), actor)
    if actor is not None:
        st.session_state[_KEY], st.session_state[_TOKEN] = actor, token
        st.session_state[_SEEN] = time.monotonic()
        st.session_state.setdefault(_SINCE, api.session_started())
    elif st.session_state.get(_TOKEN) == token:  # ended or expired since the last run
        for key in (_KEY, _SEEN, _SINCE, _TOKEN):
            st.session_state.pop(key, None)
        st.session_state["_expired"] = True
    return actor


def current_actor() -> api.Actor | None:
    """The signed-in actor, or None (never signed in, signed out or expired)."""
    actor = _from_cookie()
    if actor is not None:
        return actor
    actor = st.session_state.get(_KEY)
    if actor is None:
        return _from_sso()
    idle_s = workspace().settings.session_minutes * 60
    if time.monotonic() - st.session_state.get(_SEEN, time.monotonic()) > idle_s:
        sign_out(expired=True)
        return None
    actor = _from_state(actor)
    if actor is None:  # disabled, locked for everyone or a new password since
        sign_out(expired=True)
        return None
    st.session_state[_SEEN] = time.monotonic()
    return actor


def _from_state(actor: api.Actor) -> api.Actor | None:
    """The session state's actor checked against its account in the database, once per
    page run (a run asks several times)."""
    since = st.session_state.setdefault(_SINCE, api.session_started())
    checked = st.session_state.get(_STATE_CHECKED)
    if (checked and checked[0] == actor and checked[1] == since
            and time.monotonic() - checked[2] < RECHECK_SECONDS):
        return checked[3]
    fresh = api.recheck_actor(workspace(), actor, since)
    st.session_state[_STATE_CHECKED] = (actor, since, time.monotonic(), fresh)
    if fresh is not None:
        st.session_state[_KEY] = fresh
    return fresh


def sign_out(expired: bool = False) -> None:
    """End the session: in the database (every tab), then the cookie (a redirect)."""
    actor = st.session_state.pop(_KEY, None)
    for key in (_SEEN, _SINCE, _CHECKED, _STATE_CHECKED):
        st.session_state.pop(key, None)
    token = st.session_state.pop(_TOKEN, None) or _cookie(COOKIE)
    if expired:
        st.session_state["_expired"] = True
    api.sign_out(workspace(), token, None if expired else actor)
    if token:
        st.session_state[_GO] = _route("signout")
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
            actor = api.sign_in(ws, name.strip(), password, "page", lang(),
                                address=_client_address())
        except ZonesError as err:
            show_error(err)
            return
        st.session_state[_KEY] = actor
        st.session_state[_SEEN] = time.monotonic()
        st.session_state[_SINCE] = api.session_started()
        # this tab is signed in now; the cookie (set by a redirect) keeps it on a reload
        ticket = api.start_session(ws, actor, _cookie(XSRF_COOKIE))
        st.session_state[_GO] = _route("session", t=ticket)
        st.rerun()


def require_actor(right: api.Right) -> api.Actor:
    """The signed-in actor holding ``right``; else the page shows why (the sign-in form,
    or the refusal) and stops."""
    actor = current_actor()
    if actor is None:
        sign_in_form(tr("auth.needed"))
        st.stop()
    try:
        return api.require(actor, right)  # the core's own refusal message
    except api.AccessError as err:
        show_error(err)
        st.stop()


def may_export() -> bool:
    """Whether download buttons are offered (not to an observer without export)."""
    actor = current_actor()
    return actor is None or actor.can(api.Right.EXPORT)


def sidebar() -> None:
    """Who is signed in, and the button to sign out (or to sign in). The app calls this
    first in every page run: the run's checks of the account start afresh here."""
    for key in (_CHECKED, _STATE_CHECKED):
        st.session_state.pop(key, None)
    if _GO in st.session_state:  # after a sign-in or sign-out: set or clear the cookie
        _go(st.session_state.pop(_GO))
        st.stop()  # nothing else this run: the browser is leaving for the route
    actor = current_actor()
    if actor is None:
        st.caption(tr("auth.anonymous"))
        return
    where = api.upload_area(workspace(), actor, lang())
    st.caption(tr("auth.signed_in", name=md_text(actor.name), role=tr(f"role.{actor.role}"))
               + (f" — {md_text(where)}" if where else ""))
    if st.button(tr("auth.sign_out"), key="sign_out"):
        sign_out()
        st.rerun()
