"""The users and sign_in_throttle tables' statements (``zones.accounts`` decides who may
do what, hashes passwords and sets the limits, passed in here as plain values)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from zones.storage.schema import sign_in_throttle, units, users

#: what a sign-in returns of the account it counted
_SIGN_IN = ("id", "name", "password_hash", "role", "unit_code", "disabled", "no_export",
            "failed_sign_ins")


def unit_level(conn: Connection, code: str) -> str | None:
    """The level of a stored unit, or None when there is no such unit."""
    return conn.execute(sa.select(units.c.level).where(units.c.code == code)).scalar()


def exists(conn: Connection, name: str) -> bool:
    return conn.execute(sa.select(users.c.id).where(users.c.name == name)).first() is not None


def insert(conn: Connection, **values) -> None:
    conn.execute(sa.insert(users).values(**values))


def row(engine: Engine, name: str) -> dict | None:
    """Every column of an account, or None."""
    with engine.connect() as conn:
        found = conn.execute(sa.select(users).where(users.c.name == name)).mappings().first()
    return dict(found) if found is not None else None


def update(conn: Connection, name: str, **values) -> None:
    conn.execute(sa.update(users).where(users.c.name == name).values(**values))


def clear_throttle(conn: Connection, name: str, address: str | None = None) -> None:
    """Forget the wrong-password counts of an account (of one address, when given)."""
    where = [sign_in_throttle.c.user_name == name]
    if address is not None:
        where.append(sign_in_throttle.c.address == address)
    conn.execute(sa.delete(sign_in_throttle).where(*where))


def listing(engine: Engine, columns: Sequence[str]) -> list:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(*(users.c[c] for c in columns)).order_by(
            users.c.name)).mappings().all())


def disabled(conn: Connection, name: str) -> bool | None:
    """Whether the account is disabled; None when there is no such account."""
    return conn.execute(sa.select(users.c.disabled).where(users.c.name == name)).scalar()


def count_address(conn: Connection, name: str, address: str, now: datetime,
                  forget_after: timedelta):
    """Take and raise the count of wrong passwords of ``name`` from ``address`` in one
    statement (an upsert; the row is held until the transaction ends): a lock that has
    expired, or a row untouched for ``forget_after`` and not locked, starts again at 1.
    The row's (failures, lockouts) after it."""
    t = sign_in_throttle
    expired = sa.and_(t.c.locked_until.is_not(None), t.c.locked_until <= now)
    stale = sa.and_(t.c.last_at < now - forget_after,
                    sa.or_(t.c.locked_until.is_(None), expired))
    insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert_(t).values(user_name=name, address=address, failures=1,
                             locked_until=None, lockouts=0, last_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=[t.c.user_name, t.c.address], set_={
        "failures": sa.case((sa.or_(expired, stale), 1), else_=t.c.failures + 1),
        "locked_until": sa.case((sa.or_(expired, stale), sa.null()),
                                else_=t.c.locked_until),
        "lockouts": sa.case((stale, 0), else_=t.c.lockouts),
        "last_at": now}).returning(t.c.failures, t.c.lockouts)
    return conn.execute(stmt).one()


def lock_address(conn: Connection, name: str, address: str, until: datetime) -> None:
    """Lock ``address`` out of ``name`` until ``until`` (one more lockout counted)."""
    t = sign_in_throttle
    conn.execute(sa.update(t).where(t.c.user_name == name, t.c.address == address)
                 .values(locked_until=until, lockouts=t.c.lockouts + 1))


def count_account(conn: Connection, name: str, now: datetime, lock_at: int,
                  lock_for: timedelta) -> tuple[datetime | None, dict]:
    """Raise the account's count of wrong passwords over every address in one UPDATE …
    RETURNING (an expired lock starts it again at 1; the ``lock_at``-th locks the account
    for ``lock_for``). ``locked_until`` as it was, read first with the row held, and the
    account's row after it."""
    before = conn.execute(sa.select(users.c.locked_until).where(
        users.c.name == name).with_for_update()).scalar()
    expired = sa.and_(users.c.locked_until.is_not(None), users.c.locked_until <= now)
    failures = sa.case((expired, 1), else_=users.c.failed_sign_ins + 1)
    after = conn.execute(sa.update(users).where(users.c.name == name).values(
        failed_sign_ins=failures,
        locked_until=sa.case((expired, sa.null()),
                             (users.c.locked_until.is_not(None), users.c.locked_until),
                             (failures >= lock_at, now + lock_for),
                             else_=sa.null())).returning(
        *(users.c[c] for c in _SIGN_IN))).mappings().one()
    return before, dict(after)


def signed_in(conn: Connection, user_id: int) -> None:
    """A right password: the account's count and lock are lifted."""
    conn.execute(sa.update(users).where(users.c.id == user_id).values(
        failed_sign_ins=0, locked_until=None))


def any_user(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.select(users.c.id).limit(1)).first() is not None
