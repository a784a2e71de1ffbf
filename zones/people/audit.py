"""The audit trail: every write and every refusal, who, when, from where, what changed.

``record`` is the only way in (an INSERT; the database's triggers refuse UPDATE and
DELETE, so no code path can change a row once written). ``entries`` reads it back with
the filters of the page *Nhật ký* and ``audit`` of the CLI. ``detail`` is JSON: counts,
and old -> new where a value was replaced. Passwords are never part of it.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from zones.people.access import Actor
from zones.storage import audit_sql, store

COLUMNS = ("id", "at", "actor", "role", "via", "action", "outcome", "unit_code",
           "upload_id", "detail")


def record(target: Engine | Connection, actor: Actor | None, action: str, *,
           outcome: str = "ok", unit: str | None = None, upload_id: int | None = None,
           detail: dict | None = None, name: str | None = None) -> None:
    """Append one entry. ``target``: an engine (own transaction) or the connection of
    the write it belongs to (stored with it, or not at all). ``name``: who, when there is
    no actor yet (a failed sign-in)."""
    row = {"at": store.now(), "actor": (actor.name if actor else name) or "",
           "role": str(actor.role) if actor else "", "via": actor.via if actor else "page",
           "action": action, "outcome": outcome, "unit_code": unit, "upload_id": upload_id,
           "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else None}
    if isinstance(target, Connection):
        audit_sql.insert_entry(target, row)
        return
    with target.begin() as conn:
        audit_sql.insert_entry(conn, row)


def entries(engine: Engine, *, start: date | None = None, end: date | None = None,
            unit: str | None = None, user: str | None = None, action: str | None = None
            ) -> pd.DataFrame:
    """Audit entries, newest first, filtered by day range, unit, user and action."""
    rows = audit_sql.select_entries(
        engine, COLUMNS, since=datetime.combine(start, datetime.min.time()) if start else None,
        before=datetime.combine(end + timedelta(days=1), datetime.min.time()) if end else None,
        unit=unit, user=user, action=action)
    return pd.DataFrame(rows, columns=list(COLUMNS))
