"""The migrations as a deploy step (``python -m zones db upgrade``): what every start does
too (``zones.storage.db.open_db``, under its lock: the file lock beside a SQLite file,
PostgreSQL's advisory lock), run on its own and reported: the revisions before and after,
both read under that lock, so of several deploy steps run at once one says it migrated
and the others that there was nothing to do."""

from __future__ import annotations

from dataclasses import dataclass

from zones.storage import db


@dataclass(frozen=True)
class Upgrade:
    """The revision the database was at (None: new or never migrated), and is at now."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def upgrade(url: str) -> Upgrade:
    """Migrate the database at ``url`` to the newest revision (``DatabaseError`` with a
    clear message when it cannot be opened or was made by a newer version)."""
    before, after = db.upgrade(url)
    return Upgrade(before, after or "")
