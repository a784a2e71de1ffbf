"""What the health check reads, without migrating or creating anything: the revision
the database is at, the owed recomputation, the last run and the last upload.

``probe_engine`` opens a database for reading its state only: a SQLite file that does
not exist is reported missing (never created), a server is given a short connect
timeout, and nothing is migrated (``db.open_db`` is what migrates)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from zones.storage.db import alembic_config
from zones.storage.schema import boundary_sets, meta_kv, snapshots, uploads
from zones.storage.store import Meta

#: seconds a health check waits for a database server to answer
CONNECT_TIMEOUT_S = 3


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest revision of the migrations shipped with this version."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    """Every revision this version knows (a database at another one was made by a newer
    version)."""
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(r.revision for r in script.walk_revisions())


@lru_cache(maxsize=8)
def probe_engine(url: str) -> Engine:
    """An engine that only reads the database's state (see the module's description).
    ``sa.exc.ArgumentError``/``ValueError``/``ImportError`` for a URL it cannot use."""
    parsed = sa.engine.make_url(url)
    args: dict = {}
    if parsed.get_backend_name() == "postgresql":
        args["connect_timeout"] = CONNECT_TIMEOUT_S
    elif parsed.get_backend_name() == "sqlite":
        args["timeout"] = CONNECT_TIMEOUT_S
    return sa.create_engine(url, connect_args=args, pool_pre_ping=True)


def sqlite_missing(url: str) -> str | None:
    """The path of a SQLite URL's file when it does not exist, else None."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database).expanduser()
    return None if path.is_file() else str(path)


def revision(conn: Connection) -> str | None:
    """The revision the database is at (None: never migrated)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def state(conn: Connection) -> dict:
    """The owed recomputation, the active boundary set, the last assessment run and the
    last upload of figures (for a database at the current revision)."""
    owed = conn.execute(sa.select(meta_kv.c.value).where(
        meta_kv.c.key == Meta.RECOMPUTE_FROM)).scalar()
    active = conn.execute(sa.select(sa.func.count()).select_from(boundary_sets)).scalar()
    run: datetime | None = conn.execute(sa.select(sa.func.max(snapshots.c.created_at))).scalar()
    last = conn.execute(sa.select(uploads.c.uploaded_at, uploads.c.rows_stored,
                                  uploads.c.kind).where(
        uploads.c.kind.in_(("observations", "demo"))).order_by(uploads.c.uploaded_at.desc(),
                                                   uploads.c.id.desc()).limit(1)).first()
    return {"owed": owed, "has_units": bool(active), "last_run": run,
            "last_upload": last[0] if last else None,
            "last_upload_rows": int(last[1]) if last else None,
            "last_upload_kind": last[2] if last else None}
