"""The statements of storing observations as versions (``zones.ingest.versions`` plans
which versions to write; this module writes and reads them).

Each (unit, date) has one current row (``superseded_at`` NULL); a replaced row is marked
superseded and pointed at the version that replaced it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from zones.storage import store
from zones.storage.schema import METRICS, observations, uploads

_IN_CHUNK = 500  # unit codes per IN (...) list


def earlier_upload(conn: Connection, digest: str) -> dict | None:
    """The earlier observations upload with these bytes that stored something, if any."""
    row = conn.execute(
        sa.select(uploads.c.id, uploads.c.uploaded_at, uploads.c.uploaded_by)
        .where(uploads.c.sha256 == digest, uploads.c.kind == "observations",
               uploads.c.status.in_(("stored", "partial", "unchanged")))
        .order_by(uploads.c.id).limit(1)).mappings().first()
    return dict(row) if row else None


def current_rows(conn: Connection, codes: Sequence[str], first: date,
                 last: date) -> pd.DataFrame:
    """Current stored rows (id, unit_code, date, METRICS) of ``codes`` from ``first`` to
    ``last``: dates as ``datetime64``, metrics as ``Int64``."""
    cols = [observations.c.id, observations.c.unit_code, observations.c.date,
            *(observations.c[m] for m in METRICS)]
    codes = sorted(codes)
    frames = []
    for i in range(0, len(codes), _IN_CHUNK):
        q = sa.select(*cols).where(observations.c.superseded_at.is_(None),
                                   observations.c.date.between(first, last),
                                   observations.c.unit_code.in_(codes[i:i + _IN_CHUNK]))
        frames.append(pd.DataFrame([tuple(r) for r in conn.execute(q)],
                                   columns=[c.name for c in cols]))
    cur = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=[c.name for c in cols])
    cur["date"] = pd.to_datetime(cur["date"]).astype("datetime64[ns]")
    cur["unit_code"] = cur["unit_code"].astype(object)
    for m in METRICS:
        cur[m] = pd.to_numeric(cur[m]).astype("Int64")
    return cur


def executemany(conn: Connection, stmt, columns: dict[str, list],
                types: dict[str, sa.types.TypeEngine]) -> None:
    """Run ``stmt`` once per row of ``columns`` (bind name -> values) in one driver
    ``executemany``.

    SQLAlchemy's own executemany converts every parameter of every row; here each
    column's bind processor runs once per distinct value, which makes a 10,000-row
    upload several times faster. Works with positional and named paramstyles.
    """
    compiled = stmt.compile(dialect=conn.dialect, column_keys=list(columns))
    ready = {k: _bind_column(v, types[k], conn.dialect) for k, v in columns.items()}
    n = len(next(iter(ready.values()))) if ready else 0
    if n == 0:
        return
    if compiled.positional:
        order = [ready[k] for k in compiled.positiontup]
        params = list(zip(*order, strict=True))
    else:
        keys = list(ready)
        params = [dict(zip(keys, row, strict=True)) for row in zip(*ready.values(), strict=True)]
    conn.exec_driver_sql(str(compiled), params)


def _bind_column(values: list, type_: sa.types.TypeEngine, dialect) -> list:
    proc = type_.bind_processor(dialect)
    if proc is None:
        return list(values)
    converted = {v: proc(v) for v in set(values)}
    return [converted[v] for v in values]


def insert_upload(conn: Connection, record: dict) -> int:
    """Store an ``uploads`` row; its id."""
    return int(conn.execute(sa.insert(uploads).values(**record)).inserted_primary_key[0])


def insert_versions(conn: Connection, columns: dict[str, list]) -> None:
    """Insert observation rows given column by column (column name -> values)."""
    types = {k: observations.c[k].type for k in columns}
    executemany(conn, sa.insert(observations), columns, types)


def retire(conn: Connection, old_ids: list[int], stamp: datetime) -> None:
    """Mark the rows ``old_ids`` superseded at ``stamp``."""
    stmt = (sa.update(observations).where(observations.c.id == sa.bindparam("b_old"))
            .values(superseded_at=sa.bindparam("b_at")))
    executemany(conn, stmt, {"b_old": old_ids, "b_at": [stamp] * len(old_ids)},
                {"b_old": sa.Integer(), "b_at": sa.DateTime()})


def ids_by_source_row(conn: Connection, upload_id: int) -> dict[int, int]:
    """source_row -> id of the rows an upload wrote (source_row is unique in an upload)."""
    return dict(conn.execute(sa.select(observations.c.source_row, observations.c.id)
                             .where(observations.c.upload_id == upload_id)).all())


def link(conn: Connection, old_ids: list[int], new_ids: list[int]) -> None:
    """Point each row of ``old_ids`` at the version that replaced it (``superseded_by``)."""
    stmt = (sa.update(observations).where(observations.c.id == sa.bindparam("b_old"))
            .values(superseded_by=sa.bindparam("b_new")))
    executemany(conn, stmt, {"b_old": old_ids, "b_new": new_ids},
                {"b_old": sa.Integer(), "b_new": sa.Integer()})


def unit_versions(engine: Engine, code: str, start: date | None, end: date | None,
                  limit: int) -> list:
    """Every stored version of a unit's values, newest first, with who sent it, when and
    from which upload (id and file name); mappings."""
    o, u = observations, uploads
    q = (sa.select(o.c.date, *(o.c[m] for m in METRICS), o.c.sent_by, o.c.recorded_at,
                   o.c.upload_id, u.c.filename, o.c.source_row,
                   o.c.superseded_at.is_(None).label("current"), o.c.superseded_at)
         .join(u, u.c.id == o.c.upload_id, isouter=True)
         .where(o.c.unit_code == code)
         .order_by(o.c.date.desc(), o.c.id.desc()).limit(limit))
    if start is not None:
        q = q.where(o.c.date >= start)
    if end is not None:
        q = q.where(o.c.date <= end)
    with engine.connect() as conn:
        return list(conn.execute(q).mappings().all())


def bulk_insert(conn: Connection, columns: list[str], rows: list[tuple]) -> int:
    """Insert many plain tuples of observation ``columns`` (``store.bulk_insert``)."""
    return store.bulk_insert(conn, observations, columns, rows)
