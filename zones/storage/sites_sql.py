"""The statements of sites (facilities, quarantine sites, lockdown areas) and of the
facility scoring schemes kept in the database (``zones.sites`` decides what to write).

Each (kind, site_id) has one current row (``superseded_at`` NULL); a re-import marks the
old row superseded (kept as the history) and inserts the new one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from zones.storage import store
from zones.storage.schema import site_schemes, sites

#: the columns of a site row other than its id and bookkeeping
SITE_COLUMNS = ("site_id", "kind", "name", "unit_code", "lat", "lon", "geometry",
                "valid_from", "valid_to", "sector", "score", "capacity", "occupied",
                "sent_by", "source", "source_row", "recorded_at")
_IN_CHUNK = 500


def _frame(rows, columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=list(columns))


def current(engine: Engine, *, geometry: bool = False) -> pd.DataFrame:
    """Every current site (the polygon's WKB only with ``geometry``), by kind and id."""
    cols = [sites.c.id, *(sites.c[c] for c in SITE_COLUMNS
                          if geometry or c != "geometry")]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).where(sites.c.superseded_at.is_(None))
                            .order_by(sites.c.kind, sites.c.site_id)).all()
    return _frame(rows, [c.name for c in cols])


def current_of(conn: Connection, kind: str, site_ids: Sequence[str]) -> pd.DataFrame:
    """The current rows of ``site_ids`` of ``kind`` (inside the caller's transaction)."""
    cols = [sites.c.id, *(sites.c[c] for c in SITE_COLUMNS)]
    out = []
    ids = sorted(set(site_ids))
    for k in range(0, len(ids), _IN_CHUNK):
        out += conn.execute(sa.select(*cols).where(
            sites.c.superseded_at.is_(None), sites.c.kind == kind,
            sites.c.site_id.in_(ids[k:k + _IN_CHUNK]))).all()
    return _frame(out, [c.name for c in cols])


def supersede(conn: Connection, row_ids: Sequence[int], at: datetime) -> None:
    """Mark rows as replaced by newer versions (they stay, as the history)."""
    ids = sorted(int(i) for i in row_ids)
    for k in range(0, len(ids), _IN_CHUNK):
        conn.execute(sa.update(sites).where(sites.c.id.in_(ids[k:k + _IN_CHUNK]))
                     .values(superseded_at=at))


def insert(conn: Connection, rows: list[dict]) -> int:
    """Insert new current versions (the sites' version moves on); how many."""
    if rows:
        conn.execute(sa.insert(sites), rows)
        store.set_meta(conn, store.Meta.SITES_VERSION, uuid.uuid4().hex)
    return len(rows)


def history(engine: Engine, kind: str, site_id: str) -> pd.DataFrame:
    """Every version of one site (current and superseded), oldest first."""
    cols = [sites.c.id, *(sites.c[c] for c in SITE_COLUMNS if c != "geometry"),
            sites.c.superseded_at]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).where(sites.c.kind == kind,
                                                   sites.c.site_id == site_id)
                            .order_by(sites.c.id)).all()
    return _frame(rows, [c.name for c in cols])


def version(engine: Engine) -> str:
    """Changes with every write of sites (one meta row: a date step reads it): a cache key."""
    return store.get_meta(engine, store.Meta.SITES_VERSION, "0") or "0"


# --- scoring schemes ------------------------------------------------------------------

def scheme_versions_of(conn: Connection, scheme_id: str) -> list:
    """(id, sha256) of every kept version of ``scheme_id``, oldest first."""
    return list(conn.execute(sa.select(site_schemes.c.id, site_schemes.c.sha256)
                             .where(site_schemes.c.scheme_id == scheme_id)
                             .order_by(site_schemes.c.id)).all())


def insert_scheme(conn: Connection, **values) -> int:
    """Keep one version of a scheme; its id."""
    return int(conn.execute(sa.insert(site_schemes).values(**values))
               .inserted_primary_key[0])


def schemes(engine: Engine) -> pd.DataFrame:
    """Every kept version of every scheme, with its text, oldest first."""
    cols = list(site_schemes.c)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).order_by(site_schemes.c.id)).all()
    return _frame(rows, [c.name for c in cols])


def schemes_version(engine: Engine) -> str:
    """Changes with every scheme added: a cache key."""
    with engine.connect() as conn:
        n, top = conn.execute(sa.select(sa.func.count(), sa.func.max(site_schemes.c.id))).one()
    return f"{n}-{top or 0}"
