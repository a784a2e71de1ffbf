"""The alerts' statements: subscriptions, the state last alerted, runs and the outbox."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from zones.storage.schema import (
    alert_items,
    alert_messages,
    alert_runs,
    alert_state,
    alert_subscriptions,
)

# --- subscriptions ------------------------------------------------------------------------


def add_subscription(conn: Connection, **values) -> int:
    return int(conn.execute(sa.insert(alert_subscriptions).values(**values)).inserted_primary_key[0])


def subscriptions(engine: Engine, active_only: bool = True) -> list[dict]:
    """Every subscription (only those not ended, by default), oldest first."""
    stmt = sa.select(alert_subscriptions).order_by(alert_subscriptions.c.id)
    if active_only:
        stmt = stmt.where(alert_subscriptions.c.ended_at.is_(None))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings().all()]


def subscription(conn: Connection, sub_id: int) -> dict | None:
    row = conn.execute(sa.select(alert_subscriptions).where(
        alert_subscriptions.c.id == sub_id)).mappings().first()
    return dict(row) if row else None


def end_subscription(conn: Connection, sub_id: int, by: str, at: datetime) -> None:
    conn.execute(sa.update(alert_subscriptions).where(
        alert_subscriptions.c.id == sub_id, alert_subscriptions.c.ended_at.is_(None)).values(
        ended_at=at, ended_by=by))


# --- the state the last run saw --------------------------------------------------------------


def state(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(alert_state)).mappings().all()]


def replace_state(conn: Connection, kind: str, rows: list[dict]) -> None:
    """The state of ``kind`` replaced by ``rows`` (unit_code, level, ref, since, day)."""
    conn.execute(sa.delete(alert_state).where(alert_state.c.kind == kind))
    if rows:
        conn.execute(sa.insert(alert_state), [{"kind": kind, **r} for r in rows])


def last_run(engine: Engine) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(alert_runs).order_by(alert_runs.c.id.desc()).limit(1)
                           ).mappings().first()
    return dict(row) if row else None


def add_run(conn: Connection, *, day: date, by: str, at: datetime) -> int:
    return int(conn.execute(sa.insert(alert_runs).values(day=day, by=by, at=at, changes=0,
                                                         messages=0)).inserted_primary_key[0])


def finish_run(conn: Connection, run_id: int, changes: int, messages: int) -> None:
    conn.execute(sa.update(alert_runs).where(alert_runs.c.id == run_id).values(
        changes=changes, messages=messages))


# --- the outbox --------------------------------------------------------------------------------


def told(engine: Engine, user_names: list[str]) -> set[tuple]:
    """The (recipient, unit, kind, level, effective day, event) already told."""
    if not user_names:
        return set()
    c = alert_items.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(c.user_name, c.unit_code, c.kind, c.level,
                                      c.effective_day, c.event).where(
            c.user_name.in_(user_names))).all()
    return {tuple(r) for r in rows}


def add_message(conn: Connection, **values) -> int:
    return int(conn.execute(sa.insert(alert_messages).values(**values)).inserted_primary_key[0])


def add_items(conn: Connection, rows: list[dict]) -> None:
    if rows:
        conn.execute(sa.insert(alert_items), rows)


def code_taken(conn: Connection, code: str) -> bool:
    return conn.execute(sa.select(alert_items.c.id).where(
        alert_items.c.alert_code == code)).first() is not None


def messages(engine: Engine, statuses: tuple[str, ...] | None = None,
             user_name: str | None = None, limit: int | None = None) -> list[dict]:
    """Outbox messages, newest first (optionally of some statuses or one recipient)."""
    stmt = sa.select(alert_messages).order_by(alert_messages.c.id.desc())
    if statuses:
        stmt = stmt.where(alert_messages.c.status.in_(statuses))
    if user_name is not None:
        stmt = stmt.where(alert_messages.c.user_name == user_name)
    if limit:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings().all()]


def to_send(engine: Engine) -> list[int]:
    """Ids of the e-mails still owed (pending, failed, or left "sending" by a run that
    stopped), oldest first."""
    c = alert_messages.c
    with engine.connect() as conn:
        return [int(r[0]) for r in conn.execute(sa.select(c.id).where(
            c.status.in_(("pending", "sending", "failed"))).order_by(c.id)).all()]


def claim(conn: Connection, message_id: int) -> dict | None:
    """Mark a message "sending" (its own transaction, before the SMTP dialogue); the
    message, or None when it is no longer owed (sent meanwhile)."""
    c = alert_messages.c
    done = conn.execute(sa.update(alert_messages).where(
        c.id == message_id, c.status.in_(("pending", "sending", "failed"))).values(
        status="sending", attempts=c.attempts + 1))
    if done.rowcount != 1:
        return None
    return dict(conn.execute(sa.select(alert_messages).where(c.id == message_id)
                             ).mappings().first())


def mark(conn: Connection, message_id: int, status: str, *, error: str | None = None,
         at: datetime | None = None) -> None:
    values: dict = {"status": status, "last_error": error}
    if at is not None:
        values["sent_at"] = at
    conn.execute(sa.update(alert_messages).where(alert_messages.c.id == message_id
                                                 ).values(**values))


def requeue(conn: Connection, message_id: int) -> dict | None:
    """A sent or failed e-mail owed again (an administrator's resend); the message."""
    c = alert_messages.c
    conn.execute(sa.update(alert_messages).where(
        c.id == message_id, c.status.in_(("sent", "failed"))).values(status="pending"))
    row = conn.execute(sa.select(alert_messages).where(c.id == message_id)).mappings().first()
    return dict(row) if row else None


def items(engine: Engine, user_name: str | None = None, message_id: int | None = None,
          limit: int | None = None) -> list[dict]:
    """Alert items (one recipient's or one message's): unread first, then the newest
    digest first, each in its own order (a unit before the units inside it)."""
    c = alert_items.c
    stmt = sa.select(alert_items).order_by(c.read_at.is_not(None), c.message_id.desc(), c.id)
    if user_name is not None:
        stmt = stmt.where(c.user_name == user_name)
    if message_id is not None:
        stmt = stmt.where(c.message_id == message_id)
    if limit:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings().all()]


def mark_read(conn: Connection, user_name: str, item_id: int, at: datetime) -> bool:
    c = alert_items.c
    done = conn.execute(sa.update(alert_items).where(
        c.id == item_id, c.user_name == user_name, c.read_at.is_(None)).values(read_at=at))
    return done.rowcount == 1


def unread_count(engine: Engine, user_name: str) -> int:
    c = alert_items.c
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).where(
            c.user_name == user_name, c.read_at.is_(None))).scalar() or 0)
