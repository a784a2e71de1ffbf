"""The stored_rulesets table's statements: every kept version of an uploaded rule-set file
(``zones.levels.stored_rulesets`` checks the files and decides which version is in force)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from zones.storage.schema import stored_rulesets


def versions_of(conn: Connection, ruleset_id: str) -> list:
    """(id, sha256) of every kept version of ``ruleset_id``, oldest first."""
    return list(conn.execute(sa.select(stored_rulesets.c.id, stored_rulesets.c.sha256)
                             .where(stored_rulesets.c.ruleset_id == ruleset_id)
                             .order_by(stored_rulesets.c.id)).all())


def insert(conn: Connection, *, ruleset_id: str, version: str, file_name: str, sha256: str,
           source: str, added_by: str, added_at: datetime) -> int:
    """Keep one version; its id."""
    return int(conn.execute(sa.insert(stored_rulesets).values(
        ruleset_id=ruleset_id, version=version, file_name=file_name, sha256=sha256,
        source=source, added_by=added_by, added_at=added_at)).inserted_primary_key[0])


def all_versions(engine: Engine, *, with_source: bool) -> pd.DataFrame:
    """Every kept version, oldest first (the file's text only ``with_source``)."""
    cols = [c for c in stored_rulesets.c if with_source or c.name != "source"]
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(sa.select(*cols).order_by(stored_rulesets.c.id))
                            .mappings().all(), columns=[c.name for c in cols])
