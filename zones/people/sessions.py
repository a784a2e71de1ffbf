"""Browser sessions of the built-in accounts, kept in the database.

A sign-in on the page gives a one-time *ticket* (valid ``TICKET_SECONDS``). The browser
takes it to the server's cookie route, which trades it for a session *token* in an
HttpOnly cookie: page scripts never see it, and a reload or a second tab stays signed
in. Only SHA-256 hashes of tickets and tokens are stored, so a copy of the database
signs no one in; every replica of the app sees the same sessions.

A session ends on sign-out, after ``session_minutes`` without activity, after
``session_max_hours`` in all (settings: ``zones.settings``), and when its account is disabled, locked for everyone after wrong
passwords, or its password is set anew. Every page run checks this against the database
(one indexed read), for a cookie's session and for a tab that holds its actor without
one (``check``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from zones.people import audit
from zones.people.access import Actor, Role
from zones.settings import DEFAULTS, Settings
from zones.storage import sessions_sql, store

TICKET_SECONDS = 120
#: how often the idle clock is moved on (one write per minute, not per page run)
_TOUCH_SECONDS = 60


def digest(secret: str | None) -> str | None:
    """The stored form of a ticket, a token or a browser binding."""
    return hashlib.sha256(secret.encode()).hexdigest() if secret else None


def begin(engine: Engine, actor: Actor, bound_to: str | None = None) -> str:
    """A one-time ticket for a signed-in ``actor``; ``bound_to`` (e.g. the browser's
    XSRF cookie) must come back with it, so a ticket sent to someone else is useless."""
    ticket = secrets.token_urlsafe(32)
    now = store.now()
    with engine.begin() as conn:
        # tickets never taken to the cookie route are of no further use
        sessions_sql.drop_tickets_before(conn, now - timedelta(seconds=TICKET_SECONDS))
        sessions_sql.insert_ticket(conn, user_name=actor.name, via=actor.via,
                                   ticket_hash=digest(ticket), bound_to=digest(bound_to),
                                   now=now)
    return ticket


def redeem(engine: Engine, ticket: str, bound_to: str | None = None) -> str | None:
    """The session token for a ticket, once; None for an unknown, used, expired or
    foreign ticket."""
    if not ticket:
        return None
    now = store.now()
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        row = sessions_sql.open_ticket(conn, digest(ticket))
        if row is None:
            return None
        fresh = row.created_at >= now - timedelta(seconds=TICKET_SECONDS)
        if not fresh or (row.bound_to and row.bound_to != digest(bound_to)):
            sessions_sql.void_ticket(conn, row.id, now)
            return None
        traded = sessions_sql.trade_ticket(conn, row.id, digest(ticket), digest(token), now)
        return token if traded else None


def _usable(row, since: datetime, now: datetime) -> bool:
    """Whether an account row still backs a session begun at ``since``: not disabled,
    not locked for everyone, its password not set anew since."""
    return not (row["disabled"] or (row["locked_until"] and row["locked_until"] > now)
                or (row["password_changed_at"] and row["password_changed_at"] > since))


def started() -> datetime:
    """The time a page session begins (to compare with a later new password)."""
    return store.now()


def check(engine: Engine, actor: Actor, since: datetime) -> Actor | None:
    """The actor of a tab signed in at ``since`` without a session cookie, checked against
    its account (one indexed read); None once the account is disabled, locked for
    everyone, or its password was set anew since. An actor without an account (the
    CLI's ``local-admin``) has nothing to check and is returned as it is."""
    row = sessions_sql.account(engine, actor.name)
    if row is None:
        return actor
    if not _usable(row, since, store.now()):
        return None
    return Actor(row["name"], Role(row["role"]), row["unit_code"], actor.via,
                 bool(row["no_export"]))


def actor_of(engine: Engine, token: str | None, settings: Settings = DEFAULTS) -> Actor | None:
    """The actor of a live session token (its idle clock moved on); None when there is
    no such session, or it has ended or expired, or its account may no longer act
    (disabled, locked for everyone, a new password): one read of the session and its
    account together."""
    if not token:
        return None
    now = store.now()
    row = sessions_sql.live_session(engine, digest(token))
    if row is None:
        return None
    idle = now - row["last_seen"] > timedelta(minutes=settings.session_minutes)
    old = now - row["created_at"] > timedelta(hours=settings.session_max_hours)
    who = None
    if not (idle or old or row["name"] is None or not _usable(row, row["created_at"], now)):
        who = Actor(row["name"], Role(row["role"]), row["unit_code"], row["via"],
                    bool(row["no_export"]))
    if who is None:
        with engine.begin() as conn:
            sessions_sql.end_session(conn, row["id"], now)
    elif (now - row["last_seen"]).total_seconds() > _TOUCH_SECONDS:
        with engine.begin() as conn:
            sessions_sql.touch(conn, row["id"], now)
    return who


def end(engine: Engine, token: str | None, actor: Actor | None) -> None:
    """Sign out: the session of ``token`` ends (audited when someone was signed in)."""
    with engine.begin() as conn:
        if token:
            sessions_sql.end_by_token(conn, digest(token), store.now())
        if actor is not None:
            audit.record(conn, actor, "sign_out")

