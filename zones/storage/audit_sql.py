"""The audit table's statements (``zones.audit`` decides what is written and read)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from zones.storage.schema import audit


def insert_entry(conn: Connection, row: dict) -> None:
    """Append one entry (the database's triggers refuse UPDATE and DELETE)."""
    conn.execute(sa.insert(audit).values(**row))


def select_entries(engine: Engine, columns: Sequence[str], *, since: datetime | None,
                   before: datetime | None, unit: str | None, user: str | None,
                   action: str | None) -> list:
    """Entries at or after ``since`` and before ``before``, newest first; filters that
    are None are not applied."""
    stmt = sa.select(*(audit.c[c] for c in columns)).order_by(audit.c.id.desc())
    if since:
        stmt = stmt.where(audit.c.at >= since)
    if before:
        stmt = stmt.where(audit.c.at < before)
    if unit:
        stmt = stmt.where(audit.c.unit_code == unit)
    if user:
        stmt = stmt.where(audit.c.actor == user)
    if action:
        stmt = stmt.where(audit.c.action == action)
    with engine.connect() as conn:
        return list(conn.execute(stmt).mappings().all())
