"""Opening the database: URL resolution, connection checks and schema migrations.

The default is a SQLite file under ``data/``; ``ZONES_DB`` or ``--db`` give any SQLAlchemy
URL. Every open runs the Alembic migrations up to head, so a database built by an older
version still opens after a schema change.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: one process at a time is the operator's business
    fcntl = None

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.util import CommandError
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from zones.errors import DatabaseError
from zones.i18n import msg
from zones.masking import masked
from zones.storage import interop_sql, postgis

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 60_000


def _make_engine(url: str) -> Engine:
    try:
        parsed = sa.engine.make_url(url)
    except (ArgumentError, ValueError) as err:  # ValueError: e.g. a port that is no number
        raise DatabaseError(msg("db.bad_url", url=masked(url))) from err
    shown = masked(parsed.render_as_string(hide_password=True), parsed.password)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        parent = Path(parsed.database).expanduser().resolve().parent
        if not parent.is_dir():
            raise DatabaseError(msg("db.no_folder", url=shown, folder=str(parent)))
    try:
        engine = sa.create_engine(url, future=True)
    except ImportError as err:  # a dialect whose DBAPI module is not installed
        raise DatabaseError(msg("db.no_driver", url=shown,
                              driver=parsed.get_driver_name())) from err
    except (ArgumentError, NoSuchModuleError, ValueError) as err:
        raise DatabaseError(msg("db.bad_url", url=shown)) from err
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # a writer waits for another (up to a minute) instead of failing "database is locked"
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic configuration pointing at ``zones/migrations``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


#: the PostgreSQL advisory lock held while migrating (any constant shared by all replicas)
MIGRATION_LOCK = 0x7A6F6E6573  # "zones"


def migrate(engine: Engine) -> tuple[str | None, str | None]:
    """Bring the schema to the newest revision (idempotent). Processes opening the same
    database at once (replicas starting together, parallel CLI runs) migrate it once: the
    others wait for that migration, then find nothing to do. Returns the revisions before
    and after (read under the lock: None before for a new database)."""
    cfg = alembic_config(engine)
    with _migration_lock(engine), engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # released with the transaction
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        before = MigrationContext.configure(conn).get_current_revision()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        postgis.ensure(conn)  # PostGIS installed since the last migration: its column now
        interop_sql.ensure_views(conn)  # and the GIS views with it
        return before, MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _migration_lock(engine: Engine):
    """For a SQLite file: an exclusive lock on a file beside it while migrating (SQLite's
    own locks do not cover Alembic's reads before its first write)."""
    with file_lock(engine, "migrate-lock", wait=True):
        yield


@contextmanager
def file_lock(engine: Engine, suffix: str, wait: bool):
    """An exclusive lock on ``<database file>.<suffix>``, for what SQLite's own locks do
    not cover; yields whether it is held (always, with ``wait``). None when there is no
    file to lock beside (another database, ``:memory:``, a read-only folder, no fcntl):
    the caller falls back on its own."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or fcntl is None:
        yield None
        return
    lock = Path(path).expanduser().resolve().with_name(Path(path).name + "." + suffix)
    try:
        handle = open(lock, "a+b")  # noqa: SIM115 - held for the block
    except OSError:  # a read-only folder
        yield None
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True


def try_advisory_lock(conn: Connection, key: int) -> bool:
    """PostgreSQL: take the session-level advisory lock ``key`` if it is free; whether
    it is now held by ``conn``."""
    return bool(conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({int(key)})").scalar())


def advisory_lock(conn: Connection, key: int) -> None:
    """PostgreSQL: wait for the advisory lock ``key`` and hold it on ``conn``."""
    conn.exec_driver_sql(f"SELECT pg_advisory_lock({int(key)})")


def advisory_unlock(conn: Connection, key: int) -> None:
    conn.exec_driver_sql(f"SELECT pg_advisory_unlock({int(key)})")


@lru_cache(maxsize=8)
def open_db(url: str) -> Engine:
    """Open (and migrate) the database at ``url``; raise DatabaseError with a clear message."""
    engine = _make_engine(url)
    with _opening(engine):
        migrate(engine)
    return engine


def upgrade(url: str) -> tuple[str | None, str | None]:
    """The migrations as a deploy step (``db upgrade``): what ``open_db`` does, on an
    engine of its own; the revisions before (None: a new database) and after, read
    under the migration lock (deploy steps run at once: one migrates, the others find
    nothing to do). DatabaseError with a clear message, as ``open_db``."""
    engine = _make_engine(url)
    try:
        with _opening(engine):
            return migrate(engine)
    finally:
        engine.dispose()


@contextmanager
def _opening(engine: Engine):
    """Opening or migrating ``engine``'s database: a failure in words (DatabaseError)."""
    secret = engine.url.password
    shown = masked(engine.url.render_as_string(hide_password=True), secret)
    try:
        yield
    except OperationalError as err:
        raise DatabaseError(msg("db.cannot_open", url=shown,
                              reason=masked(str(err.orig), secret))) from err
    except sa_exc.DBAPIError as err:  # not a database, or a damaged one
        raise DatabaseError(msg("db.not_a_database", url=shown,
                              reason=masked(str(err.orig), secret))) from err
    except CommandError as err:  # made by a newer version of this program
        raise DatabaseError(msg("db.unknown_revision", url=shown,
                              reason=masked(str(err), secret))) from err
