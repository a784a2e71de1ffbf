"""Tokens of other systems: made and revoked by administrators, hashed at rest, scoped to
a unit's subtree, rate-limited per minute.

A token is 43 random URL-safe characters after ``zt_`` (256 bits), shown once when
made; only its SHA-256 hash is stored (a copy of the database authorises no one). Every
request counts against its token's minute in one statement (``interop_sql.
count_request``), so concurrent requests, on any replica, are counted one by one and the
``ZONES_API_RATE_PER_MINUTE``-th + 1 of a minute is refused.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy.engine import Engine

from zones.errors import ZonesError
from zones.i18n import msg
from zones.people import audit
from zones.people.access import Actor, Role
from zones.storage import interop_sql, store

log = logging.getLogger(__name__)

PREFIX = "zt_"
NAME_MAX = 100
LIST_COLUMNS = ["id", "name", "unit_code", "status", "created_by", "created_at",
                "revoked_by", "revoked_at", "last_used_at"]


class RefusedError(ZonesError):
    """A request the API refuses: its HTTP status and the message (in the request's
    language)."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Holder:
    """Who a valid token stands for: its id, name and the root of its subtree."""

    id: int
    name: str
    unit: str | None

    @property
    def actor(self) -> Actor:
        """As the audit records it (read-only, via the API)."""
        return Actor(f"token:{self.name}#{self.id}", Role.OBSERVER, self.unit, "api")


def hashed(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def clean_name(name: str) -> str:
    """A token's name as stored (NFC, trimmed), or a ZonesError naming the fix."""
    text = unicodedata.normalize("NFC", (name or "").strip())
    if not text or len(text) > NAME_MAX or any(unicodedata.category(c)[0] == "C"
                                               for c in text):
        raise ZonesError(msg("tok.bad_name", value=text[:NAME_MAX], max=NAME_MAX))
    return text


def add(engine: Engine, name: str, unit: str | None, by: Actor) -> tuple[int, str]:
    """Make a token for the system ``name`` scoped to ``unit`` (None: everywhere); its id
    and the token itself (never stored, shown once). Audited with the write."""
    token = PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        token_id = interop_sql.insert_token(conn, name=name, unit_code=unit,
                                            token_hash=hashed(token), created_by=by.name,
                                            now=store.now())
        audit.record(conn, by, "token_add", unit=unit,
                     detail={"id": token_id, "name": name, "unit": unit})
    log.info("API token %d made", token_id)
    return token_id, token


def listing(engine: Engine) -> pd.DataFrame:
    """Every token (never the token or its hash): live or revoked, when last used."""
    rows = interop_sql.tokens(engine)
    frame = pd.DataFrame(rows, columns=[c for c in LIST_COLUMNS if c != "status"])
    frame["status"] = ["revoked" if pd.notna(r) else "active" for r in frame["revoked_at"]]
    for col in ("created_at", "revoked_at", "last_used_at"):
        frame[col] = [f"{pd.Timestamp(v):%Y-%m-%d %H:%M:%S}" if pd.notna(v) else ""
                      for v in frame[col]]
    frame["unit_code"] = frame["unit_code"].fillna("")
    frame["revoked_by"] = frame["revoked_by"].fillna("")
    return frame[LIST_COLUMNS]


def revoke(engine: Engine, token_id: int, by: Actor) -> dict:
    """Revoke token ``token_id`` (it stays listed); ZonesError for an unknown id or one
    revoked already. Audited with the write."""
    with engine.begin() as conn:
        store.take_write_lock(conn)
        row = interop_sql.token(conn, token_id)
        if row is None:
            raise ZonesError(msg("tok.unknown", id=token_id))
        if not interop_sql.revoke_token(conn, token_id, by.name, store.now()):
            raise ZonesError(msg("tok.revoked_already", id=token_id, name=row["name"]))
        audit.record(conn, by, "token_revoke", unit=row["unit_code"],
                     detail={"id": token_id, "name": row["name"]})
    log.info("API token %d revoked", token_id)
    return row


def bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None."""
    if not authorization:
        return None
    kind, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if kind.lower() != "bearer" or not value.startswith(PREFIX) or len(value) > 200:
        return None
    return value


def authorise(engine: Engine, token: str | None, limit: int,
              now: datetime | None = None) -> Holder:
    """The holder of a live ``token`` whose request is within its minute's ``limit``;
    else ``RefusedError``: 401 without a token or with an unknown or revoked one (a revoked
    token's use is audited), 429 over the limit (audited once per minute)."""
    if token is None:
        raise RefusedError(401, msg("tok.missing"))
    now = now or store.now()
    minute = now.replace(second=0, microsecond=0)
    digest = hashed(token)
    row = interop_sql.count_request(engine, digest, minute, now)
    if row is None:
        known = interop_sql.token_by_hash(engine, digest)
        if known is not None:  # revoked: who tried is worth knowing
            holder = Holder(int(known["id"]), known["name"], known["unit_code"])
            audit.record(engine, holder.actor, "api_request", outcome="refused",
                         unit=holder.unit, detail={"reason": "revoked"})
            log.info("API request with revoked token %d refused", holder.id)
        else:
            log.info("API request with an unknown token refused")
        raise RefusedError(401, msg("tok.invalid"))
    holder = Holder(int(row["id"]), row["name"], row["unit_code"])
    count = int(row["window_count"])
    if count > limit:
        wait = 60 - now.second
        if count == limit + 1:
            audit.record(engine, holder.actor, "api_request", outcome="refused",
                         unit=holder.unit, detail={"reason": "rate", "limit": limit})
        raise RefusedError(429, msg("tok.rate", limit=limit, seconds=wait), retry_after=wait)
    return holder


