"""Storage: the database (SQLAlchemy Core tables, Alembic migrations) and plain reads and
writes of units, observations, assessments, declarations and meta values."""

from zones.storage.db import open_db
from zones.storage.store import Meta

__all__ = ["Meta", "open_db"]
