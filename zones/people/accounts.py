"""Accounts: users with a role and a unit, passwords as argon2 hashes, sign-in with
lock-out after repeated wrong passwords.

The password itself is never stored, logged or audited: only ``argon2-cffi``'s hash
(argon2id, a random salt per password). Every sign-in, good or bad, is in the audit
trail; a name that is no account is recorded cut short and marked, never as typed (it
may be a password typed into the wrong field).

Guessing is throttled before any password is checked: each attempt first takes and
raises, in one statement, the count of its account and client address, so guesses sent
at once are counted one by one (the limits are settings: ``zones.settings``).
``max_failed_sign_ins`` wrong passwords from one address lock that address out of that
account for ``lock_minutes``, twice as long after each lock (at most
``lock_max_minutes``); ``max_failed_sign_ins_all`` from all addresses together lock the
account for everyone for ``lock_minutes``. Locks expire; an administrator lifts
them at once (``users enable``, or a new password); a right password resets the counts.
An unknown name, a wrong password, a locked and a disabled account get the same message
after the same work (one argon2 check), so neither tells which names exist.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from datetime import datetime, timedelta
from functools import cache

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Connection, Engine

from zones.errors import ZonesError
from zones.i18n import Joined, msg
from zones.people import audit
from zones.people.access import AccessError, Actor, Role
from zones.settings import DEFAULTS, Settings
from zones.storage import accounts_sql, sessions_sql, store

#: characters of an unknown sign-in name kept in the audit trail
UNKNOWN_NAME_KEPT = 3
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
        raise ZonesError(msg("users.short_password", n=MIN_PASSWORD))


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as err:
        raise ZonesError(msg("users.bad_role", value=value,
                           roles=", ".join(r.value for r in Role))) from err


def add_user(engine: Engine, actor: Actor, name: str, password: str, role: str,
             unit: str | None = None, no_export: bool = False) -> None:
    """Create an account (an admin's action, audited)."""
    role_ = _role(role)
    if not _NAME.match(name or ""):
        raise ZonesError(msg("users.bad_name", value=name))
    _check_password(password)
    if role_ in NEEDS_UNIT and not unit:
        raise ZonesError(msg("users.needs_unit", role=msg(f"role.{role_}")))
    with engine.begin() as conn:
        store.take_write_lock(conn)
        level = accounts_sql.unit_level(conn, unit) if unit else None
        if unit and level is None:
            raise ZonesError(msg("users.unknown_unit", value=unit))
        if level is not None and level not in ROLE_LEVELS.get(role_, ()):
            raise ZonesError(msg("users.unit_level", unit=unit, level=msg(f"ui.level.{level}"),
                               role=msg(f"role.{role_}"),
                               levels=Joined([msg(f"ui.level.{lv}")
                                              for lv in ROLE_LEVELS.get(role_, ())], ", ")))
        if accounts_sql.exists(conn, name):
            raise ZonesError(msg("users.exists", name=name))
        accounts_sql.insert(
            conn, name=name, password_hash=_HASHER.hash(password), role=str(role_),
            unit_code=unit or None, disabled=False, no_export=no_export,
            failed_sign_ins=0, created_at=store.now(), password_changed_at=store.now())
        audit.record(conn, actor, "user_added", unit=unit,
                     detail={"user": name, "role": str(role_), "unit": unit})


def _row(engine: Engine, name: str) -> dict:
    row = accounts_sql.row(engine, name)
    if row is None:
        raise ZonesError(msg("users.unknown", name=name))
    return row


def _end_sessions(conn: Connection, name: str) -> int:
    """End every browser session of an account (disabled, or its password reset)."""
    return sessions_sql.end_of_user(conn, name, store.now())


def disable_user(engine: Engine, actor: Actor, name: str) -> None:
    """Disable an account: it can no longer sign in or be used with ``--as``."""
    _row(engine, name)
    with engine.begin() as conn:
        accounts_sql.update(conn, name, disabled=True)
        ended = _end_sessions(conn, name)
        audit.record(conn, actor, "user_disabled", detail={"user": name,
                                                           "sessions_ended": ended})


def enable_user(engine: Engine, actor: Actor, name: str) -> None:
    """Enable a disabled account again, and lift its locks after wrong passwords (for
    every address)."""
    _row(engine, name)
    with engine.begin() as conn:
        # the throttle rows first, then the user's: the order a sign-in takes them in
        # (counting a guess), so the two never wait on each other (no deadlock)
        accounts_sql.clear_throttle(conn, name)
        accounts_sql.update(conn, name, disabled=False, failed_sign_ins=0, locked_until=None)
        audit.record(conn, actor, "user_enabled", detail={"user": name})


def reset_password(engine: Engine, actor: Actor, name: str, password: str) -> None:
    """Give an account a new password (and lift its locks; its sessions end)."""
    _check_password(password)
    _row(engine, name)
    with engine.begin() as conn:
        accounts_sql.clear_throttle(conn, name)  # throttle, then user: as a sign-in locks them
        accounts_sql.update(conn, name, password_hash=_HASHER.hash(password), failed_sign_ins=0,
                            locked_until=None, password_changed_at=store.now())
        ended = _end_sessions(conn, name)
        audit.record(conn, actor, "user_password_reset",
                     detail={"user": name, "sessions_ended": ended})


def list_users(engine: Engine) -> pd.DataFrame:
    """Accounts without their hashes: name, role, unit, disabled, locked_until."""
    cols = ["name", "role", "unit_code", "disabled", "no_export", "locked_until",
            "created_at"]
    return pd.DataFrame(accounts_sql.listing(engine, cols), columns=cols)


def actor(engine: Engine, name: str, via: str) -> Actor:
    """The actor of account ``name`` (``--as``, or a signed-in page); refused when it
    does not exist or is disabled."""
    row = _row(engine, name)
    if row["disabled"]:
        raise AccessError(msg("users.disabled", name=name))
    return Actor(row["name"], Role(row["role"]), row["unit_code"], via,
                 bool(row["no_export"]))


def refuse_disabled(engine: Engine, who: Actor) -> None:
    """AccessError when ``who``'s account has been disabled since it signed in (asked by
    the front door before every write: a page that still holds the actor cannot write).
    An actor without an account (the CLI's ``local-admin``) passes."""
    with engine.connect() as conn:
        disabled = accounts_sql.disabled(conn, who.name)
    if disabled:
        raise AccessError(msg("users.disabled", name=who.name))


def unknown_name(name: str) -> str:
    """How a sign-in name that is no account is recorded: its first characters and "…"
    (what was typed may be a password)."""
    return name[:UNKNOWN_NAME_KEPT] + "…"


@cache
def _dummy_hash() -> str:
    """A hash no password matches, made like every stored one: checked instead of the
    account's own when the guess is not allowed, so every refusal takes the same time."""
    return _HASHER.hash(secrets.token_urlsafe(24))


def _lock_length(lockouts: int, settings: Settings) -> timedelta:
    """How long an address waits after its ``lockouts``-th lock (doubling, bounded)."""
    return timedelta(minutes=min(settings.lock_minutes * 2 ** min(lockouts, 30),
                                 settings.lock_max_minutes))


def client_key(address: str | None) -> str:
    """What the wrong passwords of a client are counted under: its IPv4 address, or the
    /64 network of an IPv6 one (one subscriber holds a whole /64: counting each address
    apart would give an attacker endless fresh counts); anything else as given, cut."""
    text = (address or "").strip()[:64]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def _count_address(conn: Connection, name: str, address: str, now: datetime,
                   settings: Settings) -> bool:
    """Take and raise the count of wrong passwords of ``name`` from ``address`` in one
    statement (the row is held until the transaction ends); whether this guess is still
    allowed. The last allowed guess locks the address at once: the lock stays if it is
    wrong, and a right password lifts it."""
    row = accounts_sql.count_address(conn, name, address, now,
                                     forget_after=timedelta(minutes=settings.lock_max_minutes))
    if row.failures == settings.max_failed_sign_ins:
        accounts_sql.lock_address(conn, name, address,
                                  now + _lock_length(row.lockouts, settings))
    return row.failures <= settings.max_failed_sign_ins


def _count_account(conn: Connection, name: str, now: datetime, settings: Settings):
    """The same for the account over every address (``max_failed_sign_ins_all``): its
    row as it is now, and whether this guess is still allowed (called once the
    transaction holds the write lock, so the read and the update see the same row)."""
    before, row = accounts_sql.count_account(conn, name, now,
                                             settings.max_failed_sign_ins_all,
                                             timedelta(minutes=settings.lock_minutes))
    locked = before is not None and before > now
    return row, not locked and row["failed_sign_ins"] <= settings.max_failed_sign_ins_all


def sign_in(engine: Engine, name: str, password: str, via: str = "page",
            address: str | None = None, settings: Settings = DEFAULTS) -> Actor:
    """Check a name and password; the actor on success. The guess is counted first (for
    the account and the client ``address``), then one password check runs: against the
    account's hash when the guess is allowed, else against a dummy one. Every refusal
    has one message, whatever its reason (audited, never with the password)."""
    now = store.now()
    address = client_key(address)
    with engine.connect() as conn:  # read outside the write: nothing is stored for a
        known = accounts_sql.exists(conn, name)  # name that is no account
    row, allowed = None, False
    if known:
        with engine.begin() as conn:
            if _count_address(conn, name, address, now, settings):
                row, allowed = _count_account(conn, name, now, settings)
            else:
                row = {"disabled": accounts_sql.disabled(conn, name)}
    usable = allowed and not row["disabled"]
    try:
        _HASHER.verify(row["password_hash"] if usable else _dummy_hash(), password)
        right = usable
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        right = False
    if not right:
        reason = ("unknown user" if row is None else "disabled" if row["disabled"]
                  else "wrong password" if allowed else "locked")
        detail = {"reason": reason}
        if row is None:
            detail["unknown_name"] = True
        elif address:
            detail["address"] = address
        audit.record(engine, None, "sign_in", outcome="refused",
                     name=unknown_name(name) if row is None else name, detail=detail)
        raise AccessError(msg("users.bad_sign_in", n=settings.max_failed_sign_ins,
                            minutes=settings.lock_minutes))
    who = Actor(row["name"], Role(row["role"]), row["unit_code"], via, bool(row["no_export"]))
    with engine.begin() as conn:
        accounts_sql.clear_throttle(conn, name, address)  # throttle, then user (no deadlock)
        accounts_sql.signed_in(conn, row["id"])
        audit.record(conn, who, "sign_in")
    return who


def has_users(engine: Engine) -> bool:
    return accounts_sql.any_user(engine)
