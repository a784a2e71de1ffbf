"""Reading the outbox: a user's feed ("Thông báo": their alerts, unread first), the
administrator's view of every message (sent, failed, pending) and a resend."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from zones.errors import ZonesError
from zones.i18n import msg
from zones.people import audit
from zones.people.access import Actor
from zones.storage import alerts_sql, store

FEED_COLUMNS = ["id", "alert_code", "day", "unit_code", "unit_name", "kind", "event",
                "from_level", "level", "effective_day", "reason", "decision", "read"]
OUTBOX_COLUMNS = ["id", "run_id", "user", "email", "lang", "subject", "status",
                  "attempts", "last_error", "created_at", "sent_at", "changes"]


def feed(engine: Engine, user_name: str, names: pd.Series, limit: int = 200) -> pd.DataFrame:
    """``user_name``'s alerts: unread first, newest first."""
    rows = [{"id": r["id"], "alert_code": r["alert_code"], "day": r["day"],
             "unit_code": r["unit_code"], "unit_name": names.get(r["unit_code"], r["unit_code"]),
             "kind": r["kind"], "event": r["event"], "from_level": r["from_level"],
             "level": r["level"], "effective_day": r["effective_day"], "reason": r["reason"],
             "decision": r["decision"] or "", "read": r["read_at"] is not None}
            for r in alerts_sql.items(engine, user_name=user_name, limit=limit)]
    return pd.DataFrame(rows, columns=FEED_COLUMNS)


def unread(engine: Engine, user_name: str) -> int:
    return alerts_sql.unread_count(engine, user_name)


def mark_read(engine: Engine, user_name: str, item_id: int) -> bool:
    """Mark one of ``user_name``'s alerts read (someone else's is left as it is)."""
    with engine.begin() as conn:
        return alerts_sql.mark_read(conn, user_name, item_id, store.now())


def messages(engine: Engine, statuses: tuple[str, ...] | None = None,
             limit: int = 500) -> pd.DataFrame:
    rows = []
    for m in alerts_sql.messages(engine, statuses, limit=limit):
        rows.append({"id": m["id"], "run_id": m["run_id"], "user": m["user_name"],
                     "email": m["email"] or "", "lang": m["lang"], "subject": m["subject"],
                     "status": m["status"], "attempts": m["attempts"],
                     "last_error": m["last_error"] or "",
                     "created_at": pd.Timestamp(m["created_at"]).strftime("%Y-%m-%d %H:%M"),
                     "sent_at": pd.Timestamp(m["sent_at"]).strftime("%Y-%m-%d %H:%M")
                     if m["sent_at"] else "",
                     "changes": len(alerts_sql.items(engine, message_id=m["id"]))})
    return pd.DataFrame(rows, columns=OUTBOX_COLUMNS)


def resend(engine: Engine, actor: Actor, message_id: int) -> dict:
    """Queue a sent or failed e-mail again (the next run, or this call's caller, sends
    it); audited."""
    with engine.begin() as conn:
        row = alerts_sql.requeue(conn, message_id)
        if row is None or row["status"] != "pending":
            raise ZonesError(msg("alerts.cannot_resend", id=message_id,
                               status=row["status"] if row else "–"))
        audit.record(conn, actor, "alert_resent", detail={"message": message_id,
                                                          "user": row["user_name"]})
    return row
