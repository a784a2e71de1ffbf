"""The statements of boundary imports: boundary sets, units changed in place, the units'
change history (``zones.boundaries.imports`` validates the files and decides what changes;
``store`` inserts units and adjacency)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from zones.storage.schema import adjacency, boundary_sets, unit_changes, units

_IN_CHUNK = 500  # unit codes per IN (...) list


def set_with_checksum(engine: Engine, checksum: str) -> dict | None:
    """The first boundary set imported from a file with this checksum (id, name,
    is_active), if any."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(boundary_sets.c.id, boundary_sets.c.name,
                                     boundary_sets.c.is_active)
                           .where(boundary_sets.c.checksum == checksum)
                           .order_by(boundary_sets.c.id)).mappings().first()
    return dict(row) if row else None


def set_exists(conn: Connection, set_id: int) -> bool:
    return conn.execute(sa.select(boundary_sets.c.id).where(
        boundary_sets.c.id == set_id)).scalar() is not None


def activate(conn: Connection, set_id: int) -> None:
    """Set ``set_id`` active and every other set inactive, in one statement."""
    conn.execute(sa.update(boundary_sets).values(is_active=boundary_sets.c.id == set_id))


def active_set_id(conn: Connection) -> int | None:
    """The id of the set every view uses (as ``store.active_set``), inside ``conn``."""
    return conn.execute(sa.select(boundary_sets.c.id).order_by(
        boundary_sets.c.is_active.desc(), boundary_sets.c.id.desc()).limit(1)).scalar()


def set_names(conn: Connection) -> set[str]:
    return set(conn.execute(sa.select(boundary_sets.c.name)).scalars())


def unit_rows(conn: Connection, set_id: int, codes: Sequence[str],
              cols: Sequence[str]) -> dict[str, dict]:
    """code -> {code, *cols} of the stored units of set ``set_id`` among ``codes``."""
    out: dict[str, dict] = {}
    columns = [units.c.code, *(units.c[c] for c in cols)]
    for start in range(0, len(codes), _IN_CHUNK):
        chunk = list(codes[start:start + _IN_CHUNK])
        for row in conn.execute(sa.select(*columns).where(
                units.c.boundary_set_id == set_id, units.c.code.in_(chunk))).mappings():
            out[row["code"]] = dict(row)
    return out


def update_units(conn: Connection, set_id: int, cols: Sequence[str],
                 rows: list[dict]) -> None:
    """Update ``cols`` of the units ``rows`` (dicts with ``code`` and ``cols``) of set
    ``set_id``; a None keeps the stored value."""
    stmt = (sa.update(units).where(units.c.boundary_set_id == set_id,
                                   units.c.code == sa.bindparam("_code"))
            .values({c: sa.func.coalesce(sa.bindparam(f"_{c}", type_=units.c[c].type),
                                         units.c[c]) for c in cols}))
    conn.execute(stmt, [{"_code": r["code"], **{f"_{c}": r[c] for c in cols}} for r in rows])


def drop_units(conn: Connection, set_id: int, codes: Sequence[str]) -> None:
    """Delete units of set ``set_id`` and their adjacency pairs."""
    for start in range(0, len(codes), _IN_CHUNK):
        chunk = list(codes[start:start + _IN_CHUNK])
        conn.execute(sa.delete(units).where(units.c.boundary_set_id == set_id,
                                            units.c.code.in_(chunk)))
        conn.execute(sa.delete(adjacency).where(
            adjacency.c.boundary_set_id == set_id,
            adjacency.c.code_a.in_(chunk) | adjacency.c.code_b.in_(chunk)))


def insert_changes(conn: Connection, rows: list[dict]) -> None:
    """Append rows to the units' change history."""
    conn.execute(sa.insert(unit_changes), rows)


def changes(engine: Engine, set_id: int, cols: Sequence[str], code: str | None) -> list:
    """The change history of set ``set_id`` (of one unit, with ``code``), newest first:
    mappings of ``cols`` and ``old_geometry``."""
    stmt = (sa.select(*(unit_changes.c[c] for c in cols), unit_changes.c.old_geometry)
            .where(unit_changes.c.boundary_set_id == set_id)
            .order_by(unit_changes.c.id.desc()))
    if code:
        stmt = stmt.where(unit_changes.c.code == code)
    with engine.connect() as conn:
        return list(conn.execute(stmt).mappings().all())
