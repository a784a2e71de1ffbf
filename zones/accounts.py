"""Accounts: users with a role and a unit, passwords as argon2 hashes, sign-in with
lock-out after repeated wrong passwords.

The password itself is never stored, logged or audited: only ``argon2-cffi``'s hash
(argon2id, a random salt per password). Five wrong passwords in a row lock the account
for ``LOCK_MINUTES``; every sign-in, good or bad, is in the audit trail.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Connection, Engine

from zones import audit
from zones.access import AccessError, Actor, Role
from zones.errors import ZonesError
from zones.i18n import t
from zones.storage import store
from zones.storage.schema import sessions, users
from zones.storage.schema import units as units_table

MAX_FAILURES = int(os.environ.get("ZONES_MAX_FAILED_SIGN_INS", "5"))
LOCK_MINUTES = int(os.environ.get("ZONES_LOCK_MINUTES", "15"))
MIN_PASSWORD = 8
_NAME = re.compile(r"^[\w.@-]{2,100}$")
_HASHER = PasswordHasher()
#: roles that act inside one unit's subtree and so need a unit
NEEDS_UNIT = frozenset({Role.PROVINCE, Role.DISTRICT, Role.COMMUNE})
#: the levels of unit each role may work in (a district official's unit is a district;
#: leaders and observers: any level, or none for everywhere)
ROLE_LEVELS = {Role.PROVINCE: ("province",), Role.DISTRICT: ("district",),
               Role.COMMUNE: ("commune",),
               Role.LEADER: ("province", "district", "commune"),
               Role.OBSERVER: ("province", "district", "commune")}


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ZonesError(t("users.short_password", n=MIN_PASSWORD))


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as err:
        raise ZonesError(t("users.bad_role", value=value,
                           roles=", ".join(r.value for r in Role))) from err


def add_user(engine: Engine, actor: Actor, name: str, password: str, role: str,
             unit: str | None = None, no_export: bool = False) -> None:
    """Create an account (an admin's action, audited)."""
    role_ = _role(role)
    if not _NAME.match(name or ""):
        raise ZonesError(t("users.bad_name", value=name))
    _check_password(password)
    if role_ in NEEDS_UNIT and not unit:
        raise ZonesError(t("users.needs_unit", role=t(f"role.{role_}")))
    with engine.begin() as conn:
        store.take_write_lock(conn)
        found = conn.execute(sa.select(units_table.c.level).where(
            units_table.c.code == unit)).first() if unit else None
        if unit and found is None:
            raise ZonesError(t("users.unknown_unit", value=unit))
        if found is not None and found.level not in ROLE_LEVELS.get(role_, ()):
            raise ZonesError(t("users.unit_level", unit=unit, level=t(f"ui.level.{found.level}"),
                               role=t(f"role.{role_}"),
                               levels=", ".join(t(f"ui.level.{lv}")
                                                for lv in ROLE_LEVELS.get(role_, ()))))
        if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first():
            raise ZonesError(t("users.exists", name=name))
        conn.execute(sa.insert(users).values(
            name=name, password_hash=_HASHER.hash(password), role=str(role_),
            unit_code=unit or None, disabled=False, no_export=no_export,
            failed_sign_ins=0, created_at=store.now()))
        audit.record(conn, actor, "user_added", unit=unit,
                     detail={"user": name, "role": str(role_), "unit": unit})


def _row(engine: Engine, name: str) -> dict:
    with engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.name == name)).mappings().first()
    if row is None:
        raise ZonesError(t("users.unknown", name=name))
    return dict(row)


def _end_sessions(conn: Connection, name: str) -> int:
    """End every browser session of an account (disabled, or its password reset)."""
    return conn.execute(sa.update(sessions).where(
        sessions.c.user_name == name, sessions.c.ended_at.is_(None)).values(
        ended_at=store.now(), ticket_hash=None)).rowcount


def disable_user(engine: Engine, actor: Actor, name: str) -> None:
    """Disable an account: it can no longer sign in or be used with ``--as``."""
    _row(engine, name)
    with engine.begin() as conn:
        conn.execute(sa.update(users).where(users.c.name == name).values(disabled=True))
        ended = _end_sessions(conn, name)
        audit.record(conn, actor, "user_disabled", detail={"user": name,
                                                           "sessions_ended": ended})


def enable_user(engine: Engine, actor: Actor, name: str) -> None:
    """Enable a disabled account again (and lift a lock-out)."""
    _row(engine, name)
    with engine.begin() as conn:
        conn.execute(sa.update(users).where(users.c.name == name).values(
            disabled=False, failed_sign_ins=0, locked_until=None))
        audit.record(conn, actor, "user_enabled", detail={"user": name})


def reset_password(engine: Engine, actor: Actor, name: str, password: str) -> None:
    """Give an account a new password (and lift a lock-out)."""
    _check_password(password)
    _row(engine, name)
    with engine.begin() as conn:
        conn.execute(sa.update(users).where(users.c.name == name).values(
            password_hash=_HASHER.hash(password), failed_sign_ins=0, locked_until=None))
        ended = _end_sessions(conn, name)
        audit.record(conn, actor, "user_password_reset",
                     detail={"user": name, "sessions_ended": ended})


def list_users(engine: Engine) -> pd.DataFrame:
    """Accounts without their hashes: name, role, unit, disabled, locked_until."""
    cols = ["name", "role", "unit_code", "disabled", "no_export", "locked_until",
            "created_at"]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*(users.c[c] for c in cols)).order_by(
            users.c.name)).mappings().all()
    return pd.DataFrame(rows, columns=cols)


def actor(engine: Engine, name: str, via: str) -> Actor:
    """The actor of account ``name`` (``--as``, or a signed-in page); refused when it
    does not exist or is disabled."""
    row = _row(engine, name)
    if row["disabled"]:
        raise AccessError(t("users.disabled", name=name))
    return Actor(row["name"], Role(row["role"]), row["unit_code"], via,
                 bool(row["no_export"]))


def sign_in(engine: Engine, name: str, password: str, via: str = "page") -> Actor:
    """Check a name and password; the actor on success. Wrong passwords count towards a
    lock-out; every attempt is audited (never the password)."""
    try:
        row = _row(engine, name)
    except ZonesError:
        _HASHER.hash(password)  # the same work for an unknown name: no timing oracle
        audit.record(engine, None, "sign_in", outcome="refused", name=name[:100],
                     detail={"reason": "unknown user"})
        raise AccessError(t("users.bad_sign_in")) from None
    now = store.now()
    if row["disabled"]:
        audit.record(engine, None, "sign_in", outcome="refused", name=name,
                     detail={"reason": "disabled"})
        raise AccessError(t("users.bad_sign_in"))
    if row["locked_until"] and row["locked_until"] > now:
        minutes = max(1, round((row["locked_until"] - now).total_seconds() / 60))
        audit.record(engine, None, "sign_in", outcome="refused", name=name,
                     detail={"reason": "locked"})
        raise AccessError(t("users.locked", minutes=minutes))
    try:
        _HASHER.verify(row["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        failures = row["failed_sign_ins"] + 1
        locked = now + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
        with engine.begin() as conn:
            conn.execute(sa.update(users).where(users.c.id == row["id"]).values(
                failed_sign_ins=0 if locked else failures, locked_until=locked))
            audit.record(conn, None, "sign_in", outcome="refused", name=name,
                         detail={"reason": "wrong password", "failures": failures,
                                 "locked": bool(locked)})
        if locked:
            raise AccessError(t("users.locked", minutes=LOCK_MINUTES)) from None
        raise AccessError(t("users.bad_sign_in")) from None
    who = Actor(row["name"], Role(row["role"]), row["unit_code"], via, bool(row["no_export"]))
    with engine.begin() as conn:
        conn.execute(sa.update(users).where(users.c.id == row["id"]).values(
            failed_sign_ins=0, locked_until=None))
        audit.record(conn, who, "sign_in")
    return who


def has_users(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.select(users.c.id).limit(1)).first() is not None
