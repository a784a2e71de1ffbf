"""The workspace: one database and the folders that belong to it.

Every action of the front door (``zones.api``) takes a ``Workspace`` explicitly, so no
module derives a path on its own. For a SQLite file the folders sit beside the file
(``rulesets/``, ``cache/``, ``downloads/``); for any other URL (e.g. PostgreSQL) they
sit under the repository's ``data/``. Display layers are served by the app from
``static/layers`` (Streamlit serves only that folder).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from zones.storage.db import open_db

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
DEFAULT_DB_PATH = DATA / "zones.db"
STATIC = ROOT / "static"


def default_url() -> str:
    """The database URL in force: ``ZONES_DB`` or the SQLite file under ``data/``."""
    return os.environ.get("ZONES_DB") or f"sqlite:///{DEFAULT_DB_PATH}"


@dataclass(frozen=True)
class Workspace:
    """A database URL and its folders (custom rule sets, caches, layers, downloads)."""

    url: str
    rulesets_dir: Path
    cache_dir: Path
    layers_dir: Path
    downloads_dir: Path

    @classmethod
    def at(cls, url: str | None = None) -> Workspace:
        """The workspace of ``url`` (default: ``default_url()``)."""
        url = url or default_url()
        home = _home(url)
        return cls(url=url, rulesets_dir=home / "rulesets", cache_dir=home / "cache",
                   layers_dir=STATIC / "layers", downloads_dir=home / "downloads")

    @property
    def engine(self) -> Engine:
        """The opened (and migrated) database; ``DatabaseError`` with a clear message."""
        return open_db(self.url)


def _home(url: str) -> Path:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return DATA
    db = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if db and db != ":memory:":
        return Path(db).expanduser().resolve().parent
    return DATA
