"""The statements of (re)building the demo: what a rebuild deletes, and what people put
in the database that it would lose (``zones.demo.build`` decides whether it may)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from zones.storage.schema import (
    approvals,
    boundary_sets,
    declarations,
    metadata,
    observations,
    plans,
    site_schemes,
    sites,
    stored_rulesets,
    uploads,
    users,
)


def clear(conn: Connection, kept: frozenset[str]) -> None:
    """Delete every row of every table not named in ``kept``, inside the caller's
    transaction (children before parents)."""
    for table in reversed(metadata.sorted_tables):
        if table.name not in kept:
            conn.execute(table.delete())


def real_data(engine: Engine) -> dict[str, int]:
    """Rows people put in, by kind: uploads and their figures (not the demo's),
    declarations, approvals, stored rule sets, boundary sets (not the demo's), accounts."""
    demo_uploads = sa.select(uploads.c.id).where(uploads.c.kind == "demo")
    count = sa.func.count()
    with engine.connect() as conn:
        def n(table, *where) -> int:
            return int(conn.execute(sa.select(count).select_from(table).where(*where))
                       .scalar() or 0)
        return {
            "uploads": n(uploads, uploads.c.kind != "demo"),
            "figures": n(observations, sa.or_(observations.c.upload_id.is_(None),
                                              observations.c.upload_id.not_in(demo_uploads))),
            "declarations": n(declarations),
            "approvals": n(approvals),
            "rulesets": n(stored_rulesets),
            "boundary_sets": n(boundary_sets, sa.or_(boundary_sets.c.note.is_(None),
                                                     boundary_sets.c.note != "demo")),
            "accounts": n(users),
            "plans": n(plans, plans.c.entered_by != "demo"),
            # the safety map's sites people sent (the demo's own are "demo")
            "sites": n(sites, sites.c.source != "demo"),
            "site_schemes": n(site_schemes),
        }
