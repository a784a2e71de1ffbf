"""Reading and writing the stored data (units, adjacency, observations, assessments).

Everything here takes an SQLAlchemy ``Engine`` and returns plain pandas frames: codes
as strings, dates as ``datetime64`` at midnight, metrics as floats with NaN for "not
reported" (never 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from enum import StrEnum

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

import contract
from zones.storage.schema import (
    METRICS,
    POPULATION_FIELDS,
    adjacency,
    assessments,
    boundary_sets,
    declarations,
    meta_kv,
    observations,
    snapshots,
    units,
)

UNIT_COLUMNS = (*contract.UNIT_FIELDS, "approximate")


class Meta(StrEnum):
    """The keys of the meta table (one place, so no module spells one on its own)."""

    DATA_VERSION = "data_version"      # changes with every write: the cache key
    LEVELS_VERSION = "levels_version"  # the assessment run the snapshot belongs to
    DEMO = "demo"                      # "province" / "national" when the demo built it
    FOCUS_DAY = "focus_day"            # the day a map opens on (the demo's outbreak;
                                       # emptied by the first upload that stores figures)
    BOUNDARY_VERSION = "boundary_version"  # changes with units and shapes (layer files)
    RECOMPUTE_FROM = "recompute_from"  # levels owed since this day ("all": every day)
    WRITE_LOCK = "write_lock"          # written first by every write: serialises writers
    SITES_VERSION = "sites_version"    # changes with every write of sites (the map's file)


def now() -> datetime:
    """The current UTC time without tzinfo (what the DateTime columns store)."""
    return datetime.now(UTC).replace(tzinfo=None)


# --- boundary sets and units ---------------------------------------------------------

def active_set(engine: Engine) -> dict | None:
    """The active boundary set as a dict, or None when nothing is stored."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(boundary_sets).order_by(boundary_sets.c.is_active.desc(),
                                              boundary_sets.c.id.desc()).limit(1)
        ).mappings().first()
    return dict(row) if row else None


def list_sets(engine: Engine) -> pd.DataFrame:
    """All boundary sets with their unit counts per level."""
    q = (sa.select(boundary_sets.c.id, boundary_sets.c.name, boundary_sets.c.structure,
                   boundary_sets.c.is_active, boundary_sets.c.approximate,
                   boundary_sets.c.created_at, boundary_sets.c.source,
                   units.c.level, sa.func.count(units.c.id).label("n"))
         .join(units, units.c.boundary_set_id == boundary_sets.c.id, isouter=True)
         .group_by(boundary_sets.c.id, units.c.level))
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    if df.empty:
        return df
    wide = df.pivot_table(index=["id", "name", "structure", "is_active", "approximate",
                                 "created_at", "source"],
                          columns="level", values="n", fill_value=0, aggfunc="sum")
    return wide.reset_index()


def create_set(conn: Connection, *, name: str, structure: str, source: str = "",
               licence: str = "", approximate: bool = False, checksum: str | None = None,
               activate: bool = True, note: str | None = None) -> int:
    """Insert a boundary set (inside the caller's transaction) and return its id."""
    if activate:
        conn.execute(sa.update(boundary_sets).values(is_active=False))
    res = conn.execute(sa.insert(boundary_sets).values(
        name=name, structure=structure, source=source, licence=licence,
        approximate=approximate, checksum=checksum, is_active=activate,
        created_at=now(), note=note))
    return int(res.inserted_primary_key[0])


def insert_units(conn: Connection, set_id: int, frame: pd.DataFrame) -> int:
    """Insert units (columns of UNIT_COLUMNS plus optional ``geometry`` shapely objects)."""
    import shapely

    rows = frame.reindex(columns=[*UNIT_COLUMNS, "geometry"])
    geoms = rows["geometry"].to_numpy()
    wkb = [None if g is None or (isinstance(g, float) and np.isnan(g)) else
           shapely.to_wkb(g) for g in geoms]
    records = []
    for i, rec in enumerate(rows.drop(columns="geometry").to_dict("records")):
        out = {"boundary_set_id": set_id, "geometry": wkb[i]}
        for k, v in rec.items():
            if k in POPULATION_FIELDS:
                out[k] = None if pd.isna(v) else int(v)
            elif k == "approximate":
                out[k] = bool(v) if not pd.isna(v) else False
            elif k == "parent_code":
                out[k] = None if pd.isna(v) or v == "" else str(v)
            else:
                out[k] = v
        records.append(out)
    if records:
        conn.execute(sa.insert(units), records)
    return len(records)


def load_units(engine: Engine, *, geometry: bool = False, set_id: int | None = None,
               levels: Sequence[str] | None = None) -> pd.DataFrame:
    """Units of the active (or given) boundary set, indexed by code.

    With ``geometry=True`` a GeoDataFrame in EPSG:4326 is returned.
    """
    if set_id is None:
        current = active_set(engine)
        if current is None:
            return _empty_units(geometry)
        set_id = current["id"]
    cols = [units.c[c] for c in UNIT_COLUMNS]
    if geometry:
        cols.append(units.c.geometry)
    q = sa.select(*cols).where(units.c.boundary_set_id == set_id)
    if levels:
        q = q.where(units.c.level.in_(list(levels)))
    with engine.connect() as conn:
        df = pd.read_sql(q.order_by(units.c.id), conn)
    df = _typed_units(df)
    if geometry:
        import geopandas as gpd
        import shapely

        geoms = shapely.from_wkb(df.pop("geometry").to_numpy())
        return gpd.GeoDataFrame(df, geometry=geoms, crs="EPSG:4326")
    return df


def _typed_units(df: pd.DataFrame) -> pd.DataFrame:
    df["code"] = df["code"].astype(str)
    df["parent_code"] = df["parent_code"].astype("string").astype(object).where(
        df["parent_code"].notna(), None)
    for c in POPULATION_FIELDS:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    df["approximate"] = df["approximate"].astype(bool)
    return df.set_index("code", drop=False).rename_axis(None)


def _empty_units(geometry: bool) -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(dtype=object) for c in UNIT_COLUMNS})
    if geometry:
        import geopandas as gpd

        return gpd.GeoDataFrame(df, geometry=[], crs="EPSG:4326")
    return df


def insert_adjacency(conn: Connection, set_id: int, pairs: pd.DataFrame) -> int:
    """Store adjacency pairs (columns code_a, code_b)."""
    recs = [{"boundary_set_id": set_id, "code_a": a, "code_b": b}
            for a, b in pairs[["code_a", "code_b"]].itertuples(index=False)]
    if recs:
        conn.execute(sa.insert(adjacency), recs)
    return len(recs)


def load_adjacency(engine: Engine, set_id: int | None = None) -> pd.DataFrame:
    """Adjacency pairs of the active boundary set (columns code_a, code_b)."""
    if set_id is None:
        current = active_set(engine)
        if current is None:
            return pd.DataFrame({"code_a": [], "code_b": []}, dtype=object)
        set_id = current["id"]
    q = sa.select(adjacency.c.code_a, adjacency.c.code_b).where(
        adjacency.c.boundary_set_id == set_id)
    with engine.connect() as conn:
        return pd.read_sql(q, conn)


# --- fast reads ------------------------------------------------------------------------

def raw_frame(engine: Engine, stmt: sa.Select) -> pd.DataFrame:
    """Run a select through the DBAPI cursor, skipping SQLAlchemy's per-value type
    processing (20x faster for the millions of rows of a national database). Dates come
    back as the driver gives them: use ``to_dates`` on them."""
    compiled = stmt.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
    params = ([compiled.params[k] for k in compiled.positiontup] if compiled.positional
              else compiled.params)
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.execute(str(compiled), params)
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        finally:
            cursor.close()
    return pd.DataFrame.from_records(rows, columns=names)


def iso_dates(values: pd.Series) -> np.ndarray:
    """Dates as ISO text (what SQLite stores), converting each distinct value once: the
    driver's own per-row date adapter costs seconds per million rows."""
    codes, uniques = pd.factorize(values)
    text = np.array([pd.Timestamp(u).date().isoformat() for u in uniques], dtype=object)
    return text[codes]


def to_dates(values: pd.Series) -> pd.Series:
    """Dates (ISO text or date objects) as datetime64, converting each distinct value once."""
    codes, uniques = pd.factorize(values)
    stamps = pd.to_datetime(pd.Index(uniques).astype(str)).astype("datetime64[ns]")
    return pd.Series(np.asarray(stamps)[codes], index=values.index)


# --- observations ----------------------------------------------------------------------

def current_observations(engine: Engine, start: date | None = None, end: date | None = None,
                         codes: Iterable[str] | None = None,
                         metrics: Sequence[str] = METRICS) -> pd.DataFrame:
    """The current value of every (unit, date): one row each, metrics as float (NaN = empty)."""
    current = observations.c.superseded_at.is_(None)
    if codes is not None and engine.dialect.name == "sqlite":
        # a unary + keeps SQLite's planner off the (superseded_at, date) index, which would
        # scan every current row: the (unit_code, date) index is 17x faster for a province
        current = sa.literal_column("+observations.superseded_at").is_(None)
    q = sa.select(observations.c.unit_code, observations.c.date,
                  *(observations.c[m] for m in metrics)).where(current)
    if start is not None:
        q = q.where(observations.c.date >= start)
    if end is not None:
        q = q.where(observations.c.date <= end)
    if codes is not None:
        q = q.where(observations.c.unit_code.in_(list(codes)))
    df = raw_frame(engine, q.order_by(observations.c.date, observations.c.unit_code))
    if df.empty:
        df = pd.DataFrame(columns=["unit_code", "date", *metrics])
    df["unit_code"] = df["unit_code"].astype(str)
    df["date"] = to_dates(df["date"])
    for m in metrics:
        df[m] = pd.to_numeric(df[m], errors="coerce").astype(float)
    return df


def observation_range(engine: Engine) -> tuple[date, date] | None:
    """First and last date with any current observation."""
    with engine.connect() as conn:
        lo, hi = conn.execute(sa.select(sa.func.min(observations.c.date),
                                        sa.func.max(observations.c.date))).one()
    if lo is None:
        return None
    return pd.Timestamp(lo).date(), pd.Timestamp(hi).date()


# --- assessments -------------------------------------------------------------------------

def replace_assessments(conn: Connection, frame: pd.DataFrame) -> int:
    """Replace stored assessments for the (unit, date) pairs in ``frame``.

    ``frame`` columns: unit_code, date, level (0 = not enough data), ruleset_id,
    ruleset_version.
    """
    if frame.empty:
        return 0
    d0, d1 = frame["date"].min(), frame["date"].max()
    codes = frame["unit_code"].unique().tolist()
    stmt = sa.delete(assessments).where(assessments.c.date.between(d0, d1))
    for chunk in _chunks(codes, 500):
        conn.execute(stmt.where(assessments.c.unit_code.in_(chunk)))
    frame = frame.sort_values(["unit_code", "date"])  # primary-key order: far fewer page splits
    block = np.empty((len(frame), 6), dtype=object)
    block[:, 0] = frame["unit_code"].to_numpy(dtype=object)
    block[:, 1] = iso_dates(frame["date"])
    levels = frame["level"].to_numpy(dtype="int64")
    block[:, 2] = levels.astype(object)
    block[levels <= 0, 2] = None  # not enough data
    block[:, 3] = frame["ruleset_id"].to_numpy(dtype=object)
    block[:, 4] = frame["ruleset_version"].to_numpy(dtype=object)
    block[:, 5] = now().isoformat(sep=" ")
    return bulk_insert(conn, assessments, ["unit_code", "date", "level", "ruleset_id",
                                           "ruleset_version", "computed_at"], block.tolist())


def bulk_insert(conn: Connection, table: sa.Table, columns: list[str], rows: list[tuple],
                chunk: int = 100_000) -> int:
    """Insert many plain tuples inside the caller's transaction: ``COPY`` on PostgreSQL
    (psycopg 3; about 20 times the rows a second of an insert), else the DBAPI's
    ``executemany`` (much faster than dict records for 10^5-10^6 rows)."""
    driver = conn.connection.driver_connection
    cursor = driver.cursor()
    try:
        if conn.dialect.name == "postgresql" and hasattr(cursor, "copy"):
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        style = conn.dialect.paramstyle
        marks = ", ".join("?" if style == "qmark" else "%s" for _ in columns)
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
        for start in range(0, len(rows), chunk):
            cursor.executemany(sql, rows[start:start + chunk])
    finally:
        cursor.close()
    return len(rows)


def load_assessments(engine: Engine, start: date | None = None,
                     end: date | None = None) -> pd.DataFrame:
    """Stored assessments: unit_code, date, level (0 = not enough data), ruleset ids."""
    q = sa.select(assessments.c.unit_code, assessments.c.date, assessments.c.level,
                  assessments.c.ruleset_id, assessments.c.ruleset_version)
    if start is not None:
        q = q.where(assessments.c.date >= start)
    if end is not None:
        q = q.where(assessments.c.date <= end)
    df = raw_frame(engine, q)
    if df.empty:
        df = pd.DataFrame(columns=["unit_code", "date", "level", "ruleset_id",
                                   "ruleset_version"])
    df["date"] = to_dates(df["date"])
    df["level"] = pd.to_numeric(df["level"]).fillna(0).astype("int8")
    return df


def load_declarations(engine: Engine) -> pd.DataFrame:
    """All declarations (unit_code, level, effective_from, effective_to, decision_number…)."""
    with engine.connect() as conn:
        df = pd.read_sql(sa.select(declarations).order_by(declarations.c.effective_from), conn)
    for c in ("effective_from", "effective_to"):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    return df


def ruleset_per_day(engine: Engine) -> pd.DataFrame:
    """The distinct (date, ruleset_id) pairs of the stored assessments."""
    q = sa.select(assessments.c.date, assessments.c.ruleset_id).distinct()
    with engine.connect() as conn:
        return pd.read_sql(q, conn)


def insert_declaration(conn: Connection, **values) -> int:
    """Store one declaration; its id."""
    return int(conn.execute(sa.insert(declarations).values(**values)).inserted_primary_key[0])


def declaration(conn: Connection, declaration_id: int) -> dict | None:
    row = conn.execute(sa.select(declarations).where(
        declarations.c.id == declaration_id)).mappings().first()
    return dict(row) if row is not None else None


def revoke_declaration(conn: Connection, declaration_id: int, by: str, at: datetime) -> None:
    conn.execute(sa.update(declarations).where(declarations.c.id == declaration_id)
                 .values(revoked_at=at, revoked_by=by))


# --- meta ----------------------------------------------------------------------------------

def save_snapshot(conn: Connection, run: str, body: bytes) -> None:
    """Keep ``body`` as the snapshot of assessment run ``run`` (the only one kept)."""
    conn.execute(sa.delete(snapshots))
    conn.execute(sa.insert(snapshots).values(run=run, body=body, created_at=now()))


def load_snapshot(engine: Engine, run: str) -> bytes | None:
    """The snapshot of assessment run ``run``, or None."""
    with engine.connect() as conn:
        return conn.execute(sa.select(snapshots.c.body).where(
            snapshots.c.run == run)).scalar()


def get_meta(engine: Engine, key: Meta, default: str | None = None) -> str | None:
    """A value from the key/value meta table."""
    with engine.connect() as conn:
        v = conn.execute(sa.select(meta_kv.c.value).where(meta_kv.c.key == key)).scalar()
    return default if v is None else v


def set_meta(conn: Connection, key: Meta, value: str) -> None:
    """Set a meta value inside the caller's transaction (an update, else an insert)."""
    done = conn.execute(sa.update(meta_kv).where(meta_kv.c.key == key).values(value=value))
    if not done.rowcount:
        conn.execute(sa.insert(meta_kv).values(key=key, value=value))


def take_write_lock(conn: Connection) -> None:
    """Serialise writers, first thing in a write transaction: SQLite takes its write lock
    here (waiting up to its busy timeout), PostgreSQL an advisory transaction lock. What
    the transaction reads after this cannot change under it."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(20211201)")
        return
    set_meta(conn, Meta.WRITE_LOCK, now().isoformat())


def data_version_in(conn: Connection) -> str:
    """``data_version`` inside the caller's transaction."""
    value = conn.execute(sa.select(meta_kv.c.value).where(
        meta_kv.c.key == Meta.DATA_VERSION)).scalar()
    return value or "0"


#: the versions read once while ``versions_pinned`` holds (a page's script run); None: off
_PINNED: ContextVar[dict | None] = ContextVar("zones_pinned_versions", default=None)
_WROTE = "wrote"


@contextmanager
def versions_pinned() -> Iterator[None]:
    """Within: the data and boundary versions are read from the database once per
    database (a page's script run asks a dozen times: every cached reading is keyed by
    them). A write in this context (``bump_version``) ends the pinning for the rest of it,
    so what the run wrote is what it reads; others' writes are seen from the next run."""
    token = _PINNED.set({})
    try:
        yield
    finally:
        _PINNED.reset(token)


def _version(engine: Engine, key: Meta) -> str:
    pins = _PINNED.get()
    if pins is None or pins.get(_WROTE):
        return get_meta(engine, key, "0") or "0"
    where = (id(engine), key)  # engines live as long as the process (open_db)
    if where not in pins:
        pins[where] = get_meta(engine, key, "0") or "0"
    return pins[where]


def data_version(engine: Engine) -> str:
    """A token that changes whenever units, observations or assessments change."""
    return _version(engine, Meta.DATA_VERSION)


def bump_version(conn: Connection, boundaries: bool = False) -> None:
    """Mark the stored data as changed (cache keys depend on it); ``boundaries`` when
    units or shapes changed too (the served layer files depend on that)."""
    pins = _PINNED.get()
    if pins is not None:  # this run reads what it wrote: no pinned versions any more
        pins.clear()
        pins[_WROTE] = True
    stamp = now().isoformat()
    set_meta(conn, Meta.DATA_VERSION, stamp)
    if boundaries:
        set_meta(conn, Meta.BOUNDARY_VERSION, stamp)


ALL_DAYS = "all"


def owe_levels(conn: Connection, start: date | None) -> None:
    """Record, in the caller's (data) transaction, that the levels from ``start`` (None:
    every day) must be recomputed: a crash or kill before that leaves a debt the next
    start, command or page load pays, never stale levels."""
    current = conn.execute(sa.select(meta_kv.c.value).where(
        meta_kv.c.key == Meta.RECOMPUTE_FROM)).scalar()
    wanted = ALL_DAYS if start is None else start.isoformat()
    if current == ALL_DAYS or (current is not None and wanted != ALL_DAYS
                               and current <= wanted):
        return
    set_meta(conn, Meta.RECOMPUTE_FROM, wanted)


def levels_owed(engine: Engine) -> str | None:
    """The recomputation owed: an ISO day, "all", or None."""
    return get_meta(engine, Meta.RECOMPUTE_FROM)


def settle_levels(conn: Connection, paid: str | None) -> None:
    """Clear the debt ``paid`` (read before recomputing) unless a later write owes more."""
    current = conn.execute(sa.select(meta_kv.c.value).where(
        meta_kv.c.key == Meta.RECOMPUTE_FROM)).scalar()
    if current is not None and current == paid:
        conn.execute(sa.delete(meta_kv).where(meta_kv.c.key == Meta.RECOMPUTE_FROM))


def boundary_version(engine: Engine) -> str:
    """A token that changes whenever units or their shapes change."""
    return _version(engine, Meta.BOUNDARY_VERSION)


def _chunks(seq: Sequence, n: int):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]
