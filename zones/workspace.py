"""The workspace: one database and the folders that belong to it.

Every action of the front door (``zones.api``) takes a ``Workspace`` explicitly, so no
module derives a path on its own. Everything every replica must see alike lives in the
database (levels, their snapshot, stored rule sets, archived uploads); the map's files
are rebuilt from it on request (``zones.maps.served``). For a SQLite file, the embedded
default, a ``rulesets/`` folder beside the file is read too; a server database (e.g.
PostgreSQL) has no such folder: its rule sets are only the stored ones. ``downloads/``
holds boundary files fetched from a public source before they are imported (beside a
SQLite file, else under the repository's ``data/``). The workspace carries the settings
(``ws.settings``, read from the environment once at the edges: the CLI, the web server).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from zones.settings import Settings
from zones.storage.db import open_db

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
DEFAULT_DB_PATH = DATA / "zones.db"


def default_url(settings: Settings) -> str:
    """The database URL in force: ``ZONES_DB`` or the SQLite file under ``data/``."""
    return settings.db or f"sqlite:///{DEFAULT_DB_PATH}"


@dataclass(frozen=True)
class Workspace:
    """A database URL and its folders (custom rule sets beside a SQLite file, downloads),
    and the settings in force."""

    url: str = field(repr=False)  # it may hold the database's password
    rulesets_dir: Path | None  # None: a server database (its rule sets are stored ones)
    downloads_dir: Path
    settings: Settings = field(default_factory=Settings)

    @classmethod
    def at(cls, url: str | None = None, settings: Settings | None = None) -> Workspace:
        """The workspace of ``url`` (default: ``default_url(settings)``) with ``settings``
        (default: the documented defaults)."""
        settings = settings or Settings()
        url = url or default_url(settings)
        file = _sqlite_file(url)
        home = file.parent if file else DATA
        return cls(url=url, rulesets_dir=home / "rulesets" if file else None,
                   downloads_dir=home / "downloads", settings=settings)

    @property
    def engine(self) -> Engine:
        """The opened (and migrated) database; ``DatabaseError`` with a clear message."""
        return open_db(self.url)


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for any other database (or ``:memory:``)."""
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):  # opening it says what is wrong
        return None
    db = parsed.database if parsed.get_backend_name() == "sqlite" else None
    return Path(db).expanduser().resolve() if db and db != ":memory:" else None
