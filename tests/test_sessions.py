"""Browser sessions of the built-in accounts (``zones.people.sessions`` through the front door)
and the two cookie routes of ``ui.server.auth``: one-time tickets bound to a browser,
tokens stored only as hashes, expiry, and sessions ended by sign-out, a disabled account
or a new password."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from starlette.requests import Request

from tests.test_access import PASSWORD, cli, trail
from tests.test_access import accounts as accounts  # the fixture, shared
from ui.server import auth
from zones import api
from zones.people import sessions
from zones.settings import DEFAULTS
from zones.storage.schema import sessions as sessions_table


def age(ws, column: str, delta: timedelta, token: str | None = None) -> None:
    """Move a time of the stored sessions (of ``token``'s only, if given) into the past."""
    table = sessions_table
    with ws.engine.begin() as conn:
        rows = conn.execute(sa.select(table.c.id, table.c[column], table.c.token_hash)).all()
        for row in rows:
            if token is None or row.token_hash == sessions.digest(token):
                conn.execute(sa.update(table).where(table.c.id == row.id).values(
                    {column: row[1] - delta}))


def signed_in(url, name="xa.vinhlac"):
    ws = api.open_workspace(url)
    return ws, api.sign_in(ws, name, PASSWORD)


def test_a_ticket_gives_one_session_token_once(accounts):
    ws, actor = signed_in(accounts)
    ticket = api.start_session(ws, actor, "xsrf-of-this-browser")
    token = api.open_session(ws, ticket, "xsrf-of-this-browser")
    assert token and token != ticket
    assert api.open_session(ws, ticket, "xsrf-of-this-browser") is None  # used
    assert api.session_actor(ws, token).name == "xa.vinhlac"
    assert api.session_actor(ws, token).unit == actor.unit
    assert api.session_actor(ws, "made-up") is None and api.session_actor(ws, None) is None


def test_a_ticket_brought_by_another_browser_or_late_is_refused(accounts, monkeypatch):
    ws, actor = signed_in(accounts)
    ticket = api.start_session(ws, actor, "xsrf-a")
    assert api.open_session(ws, ticket, "xsrf-b") is None
    assert api.open_session(ws, ticket, "xsrf-a") is None  # spent by the wrong browser
    late = api.start_session(ws, actor, "xsrf-a")
    age(ws, "created_at", timedelta(minutes=5))
    assert api.open_session(ws, late, "xsrf-a") is None


def test_only_hashes_of_tickets_and_tokens_are_stored(accounts):
    ws, actor = signed_in(accounts)
    ticket = api.start_session(ws, actor, "xsrf-a")
    token = api.open_session(ws, ticket, "xsrf-a")
    ws.engine.dispose()
    with open(accounts.removeprefix("sqlite:///"), "rb") as fh:
        raw = fh.read()
    for secret in (ticket, token, "xsrf-a"):
        assert secret.encode() not in raw
    assert sessions.digest(token).encode() in raw


def test_sessions_expire_when_idle_and_after_their_longest_life(accounts):
    ws, actor = signed_in(accounts)
    idle = api.open_session(ws, api.start_session(ws, actor))
    old = api.open_session(ws, api.start_session(ws, actor))
    age(ws, "last_seen", timedelta(minutes=DEFAULTS.session_minutes + 1), idle)
    age(ws, "created_at", timedelta(hours=DEFAULTS.session_max_hours + 1), old)
    assert api.session_actor(ws, idle) is None
    assert api.session_actor(ws, old) is None
    with ws.engine.connect() as conn:
        ended = conn.execute(sa.select(sa.func.count()).where(
            sessions_table.c.ended_at.is_not(None))).scalar()
    assert ended == 2


def test_use_moves_the_idle_clock_on(accounts):
    ws, actor = signed_in(accounts)
    token = api.open_session(ws, api.start_session(ws, actor))
    age(ws, "last_seen", timedelta(minutes=DEFAULTS.session_minutes - 1))
    assert api.session_actor(ws, token) is not None  # still inside the idle limit ...
    age(ws, "last_seen", timedelta(minutes=2))  # ... and that use restarted the clock
    assert api.session_actor(ws, token) is not None


def test_sign_out_disabling_or_a_new_password_end_sessions(accounts, monkeypatch):
    ws, actor = signed_in(accounts)
    first = api.open_session(ws, api.start_session(ws, actor))
    api.sign_out(ws, first, actor)
    assert api.session_actor(ws, first) is None
    assert (trail(accounts, action="sign_out")["actor"] == "xa.vinhlac").sum() == 1

    second = api.open_session(ws, api.start_session(ws, actor))
    assert cli(accounts, "users", "reset-password", "xa.vinhlac", "--password-stdin",
               stdin="mat-khau-moi-2021\n", monkeypatch=monkeypatch) == 0
    assert api.session_actor(ws, second) is None

    ws, actor = api.open_workspace(accounts), api.sign_in(ws, "quansat", PASSWORD)
    third = api.open_session(ws, api.start_session(ws, actor))
    assert cli(accounts, "users", "disable", "quansat") == 0
    assert api.session_actor(ws, third) is None
    detail = trail(accounts, action="user_disabled")["detail"].iloc[-1]
    assert '"sessions_ended": 1' in detail


# --- the cookie routes --------------------------------------------------------------

def request(path: str, query: dict | None = None, cookies: dict | None = None,
            headers: dict | None = None) -> Request:
    raw = [(b"cookie", "; ".join(f"{k}={v}" for k, v in (cookies or {}).items()).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "method": "GET", "path": path, "headers": raw,
                    "query_string": urlencode(query or {}).encode(), "scheme": "http",
                    "server": ("127.0.0.1", 8501)})


@pytest.fixture
def routes(accounts, monkeypatch):
    monkeypatch.setenv("ZONES_DB", accounts)
    auth._workspace.cache_clear()
    yield api.open_workspace(accounts)
    auth._workspace.cache_clear()


def cookie_of(response) -> str | None:
    for name, value in response.raw_headers:
        if name == b"set-cookie":
            return value.decode()
    return None


def test_the_session_route_sets_an_httponly_cookie_and_goes_back(routes):
    ws, actor = routes, api.sign_in(routes, "xa.vinhlac", PASSWORD)
    ticket = api.start_session(ws, actor, "2|abc|def|1")
    response = asyncio.run(auth.open_session(request(
        "/zones-auth/session", {"t": ticket, "next": "/upload?x=1"},
        cookies={"_streamlit_xsrf": "2|abc|def|1"})))
    assert response.status_code == 303 and response.headers["location"] == "/upload?x=1"
    cookie = cookie_of(response)
    assert cookie.startswith(f"{auth.COOKIE}=") and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Secure" not in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert api.session_actor(ws, token).name == "xa.vinhlac"
    assert response.headers["cache-control"] == "no-store"


def test_behind_https_the_cookie_is_secure(routes):
    ticket = api.start_session(routes, api.sign_in(routes, "xa.vinhlac", PASSWORD))
    response = asyncio.run(auth.open_session(request(
        "/dashboard/zones-auth/session", {"t": ticket, "next": "/dashboard/"},
        headers={"X-Forwarded-Proto": "https"})))
    assert "Secure" in cookie_of(response)


@pytest.mark.parametrize("ticket", ["", "not-a-ticket", "'; DROP TABLE sessions; --"])
def test_a_bad_ticket_sets_no_cookie_and_shows_no_error(routes, ticket):
    response = asyncio.run(auth.open_session(request(
        "/zones-auth/session", {"t": ticket, "next": "/upload"})))
    assert response.status_code == 303 and response.headers["location"] == "/upload"
    assert cookie_of(response) is None


def test_a_database_failure_in_the_route_is_a_redirect_not_a_traceback(routes, monkeypatch):
    def broken(*_):
        raise RuntimeError("database went away")
    monkeypatch.setattr(api, "open_session", broken)
    response = asyncio.run(auth.open_session(request(
        "/zones-auth/session", {"t": "x", "next": "/"})))
    assert response.status_code == 303 and cookie_of(response) is None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil",
                                    "javascript:alert(1)", "", "/a\r\nSet-Cookie: x=1"])
def test_the_routes_only_go_back_to_this_site(target):
    assert auth.back_to(target) == "/"


def test_the_sign_out_route_clears_the_cookie(routes):
    response = asyncio.run(auth.close_session(request(
        "/zones-auth/signout", {"next": "/"}, cookies={auth.COOKIE: "abc"})))
    cookie = cookie_of(response)
    assert response.status_code == 303
    assert cookie.startswith(f'{auth.COOKIE}=""') and "Max-Age=0" in cookie


def test_the_routes_match_under_a_base_path():
    paths = {"/zones-auth/session", "/dashboard/zones-auth/session", "/zones-auth/signout"}
    for path in paths:
        scope = {"type": "http", "method": "GET", "path": path}
        assert any(r.matches(scope)[0].name == "FULL" for r in auth.ROUTES), path


def test_an_unexpected_failure_tells_a_page_user_what_to_report():
    page = api.failure_message(RuntimeError("x"), "vi", page=True)
    cli_text = api.failure_message(RuntimeError("x"), "vi")
    assert page.startswith("Lỗi không mong đợi (RuntimeError)") and "ZONES_DEBUG" not in page
    assert "nhật ký của máy chủ" in page
    assert "ZONES_DEBUG=1" in cli_text
    assert "server's log" in api.failure_message(KeyError("x"), "en", page=True)
