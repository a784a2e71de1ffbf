"""The approvals table's statements: approvals and unlocks are events, appended."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from zones.storage.schema import approvals


def events(engine: Engine) -> list:
    """Every event, a mapping per row, oldest first."""
    with engine.connect() as conn:
        return list(conn.execute(sa.select(approvals).order_by(approvals.c.id)).mappings().all())


def append(conn: Connection, *, unit_code: str, week: date, action: str, by: str,
           at: datetime, note: str | None) -> None:
    conn.execute(sa.insert(approvals).values(unit_code=unit_code, week=week, action=action,
                                             by=by, at=at, note=note))


def latest(engine: Engine, unit_code: str, week: date):
    """The latest event of ``unit_code``'s ``week`` (a mapping), or None."""
    with engine.connect() as conn:
        return conn.execute(sa.select(approvals).where(
            approvals.c.unit_code == unit_code, approvals.c.week == week).order_by(
            approvals.c.id.desc()).limit(1)).mappings().first()


def any_event(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.select(approvals.c.id).limit(1)).first() is not None
