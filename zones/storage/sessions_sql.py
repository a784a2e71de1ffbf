"""The sessions table's statements (``zones.sessions`` decides when tickets and sessions
begin, are traded and end). Hashes only: no ticket or token reaches this module."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from zones.storage.schema import sessions, users

#: what a page run needs of an account to know it may still act
_ACCOUNT = (users.c.name, users.c.role, users.c.unit_code, users.c.no_export,
            users.c.disabled, users.c.locked_until, users.c.password_changed_at)


def drop_tickets_before(conn: Connection, before: datetime) -> None:
    """Delete tickets created before ``before`` and never traded for a session."""
    conn.execute(sa.delete(sessions).where(sessions.c.token_hash.is_(None),
                                           sessions.c.created_at < before))


def insert_ticket(conn: Connection, *, user_name: str, via: str, ticket_hash: str | None,
                  bound_to: str | None, now: datetime) -> None:
    conn.execute(sa.insert(sessions).values(
        user_name=user_name, via=via, ticket_hash=ticket_hash, bound_to=bound_to,
        created_at=now, last_seen=now))


def open_ticket(conn: Connection, ticket_hash: str | None):
    """The row (id, bound_to, created_at) of an untraded ticket, or None."""
    return conn.execute(sa.select(sessions.c.id, sessions.c.bound_to,
                                  sessions.c.created_at).where(
        sessions.c.ticket_hash == ticket_hash, sessions.c.token_hash.is_(None))).first()


def void_ticket(conn: Connection, session_id: int, now: datetime) -> None:
    conn.execute(sa.update(sessions).where(sessions.c.id == session_id).values(
        ticket_hash=None, ended_at=now))


def trade_ticket(conn: Connection, session_id: int, ticket_hash: str | None,
                 token_hash: str | None, now: datetime) -> bool:
    """The ticket becomes the session's token, in one statement that only succeeds
    while the ticket is still there (so it is traded once); whether it did."""
    done = conn.execute(sa.update(sessions).where(
        sessions.c.id == session_id, sessions.c.ticket_hash == ticket_hash).values(
        ticket_hash=None, token_hash=token_hash, last_seen=now))
    return done.rowcount == 1


def account(engine: Engine, name: str):
    """The account columns a page run checks (a mapping), or None."""
    with engine.connect() as conn:
        return conn.execute(sa.select(*_ACCOUNT).where(users.c.name == name)).mappings().first()


def live_session(engine: Engine, token_hash: str | None):
    """A session not ended, with its account's columns (``name`` None when the account
    is gone), in one read; None when there is no such session."""
    with engine.connect() as conn:
        return conn.execute(sa.select(sessions.c.id, sessions.c.via, sessions.c.created_at,
                                      sessions.c.last_seen, *_ACCOUNT)
                            .select_from(sessions.outerjoin(
                                users, users.c.name == sessions.c.user_name))
                            .where(sessions.c.token_hash == token_hash,
                                   sessions.c.ended_at.is_(None))).mappings().first()


def end_session(conn: Connection, session_id: int, now: datetime) -> None:
    conn.execute(sa.update(sessions).where(sessions.c.id == session_id).values(ended_at=now))


def touch(conn: Connection, session_id: int, now: datetime) -> None:
    """Move a session's idle clock on."""
    conn.execute(sa.update(sessions).where(sessions.c.id == session_id).values(last_seen=now))


def end_by_token(conn: Connection, token_hash: str | None, now: datetime) -> None:
    conn.execute(sa.update(sessions).where(sessions.c.token_hash == token_hash,
                                           sessions.c.ended_at.is_(None)).values(ended_at=now))


def end_of_user(conn: Connection, name: str, now: datetime) -> int:
    """End every open session (and untraded ticket) of an account; how many."""
    return conn.execute(sa.update(sessions).where(
        sessions.c.user_name == name, sessions.c.ended_at.is_(None)).values(
        ended_at=now, ticket_hash=None)).rowcount
