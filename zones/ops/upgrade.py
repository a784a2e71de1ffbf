"""The migrations as a deploy step (``python -m zones db upgrade``): what every start does
too (``zones.storage.db.open_db``, under its lock: the file lock beside a SQLite file,
PostgreSQL's advisory lock), run on its own and reported: the revision before and after."""

from __future__ import annotations

from dataclasses import dataclass

from alembic.util import CommandError
from sqlalchemy import exc as sa_exc

from zones.errors import DatabaseError
from zones.i18n import t
from zones.masking import masked
from zones.storage import ops_sql
from zones.storage.db import migrate, open_db
from zones.workspace import Workspace


@dataclass(frozen=True)
class Upgrade:
    """The revision the database was at (None: new or never migrated), and is at now."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def revision_of(url: str) -> str | None:
    """The revision of the database at ``url`` without migrating (None: none yet, or it
    cannot be read; opening it then says why)."""
    try:
        if ops_sql.sqlite_missing(url):
            return None
        with ops_sql.probe_engine(url).connect() as conn:
            return ops_sql.revision(conn)
    except (sa_exc.SQLAlchemyError, ValueError, ImportError):
        return None


def upgrade(ws: Workspace) -> Upgrade:
    """Migrate the database of ``ws`` to the newest revision (``DatabaseError`` with a
    clear message when it cannot be opened or was made by a newer version)."""
    before = revision_of(ws.url)
    engine = open_db(ws.url)  # migrates on its first open in this process, with clear errors
    try:
        migrate(engine)  # and again, for an engine this process opened before
    except CommandError as err:  # changed since by a newer version of this program
        raise DatabaseError(t("db.unknown_revision", url=masked(
            engine.url.render_as_string(hide_password=True)), reason=masked(str(err)))) from err
    with engine.connect() as conn:
        after = ops_sql.revision(conn) or ""
    return Upgrade(before, after)
