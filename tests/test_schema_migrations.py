"""``zones/storage/schema.py`` is what the Alembic migrations build: a database migrated
to head compared with the tables of ``schema.py`` (alembic's ``compare_metadata``: tables,
columns, types, nullability, indexes, unique constraints) shows no difference.

On PostgreSQL, what PostGIS adds beside the schema (its ``spatial_ref_sys`` table, the
``units.geom`` column and its index, kept by ``zones.storage.postgis``) is left out."""

from __future__ import annotations

import warnings

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from zones.storage.db import open_db
from zones.storage.schema import metadata

pytestmark = pytest.mark.both_stores

#: PostGIS's own objects, beside the schema (zones.storage.postgis)
POSTGIS = {("remove_table", "spatial_ref_sys"), ("remove_column", "units.geom"),
           ("remove_index", "ix_units_geom")}


def named(diff) -> tuple[str, str]:
    """A difference as (kind, object) for reading and for the PostGIS exceptions."""
    if isinstance(diff, list):  # column changes come as a list of modify_* tuples
        kind, _, table, column = diff[0][:4]
        return kind, f"{table}.{column}"
    kind, *rest = diff
    if kind in ("add_table", "remove_table"):
        return kind, rest[0].name
    if kind in ("add_column", "remove_column"):
        return kind, f"{rest[1]}.{rest[2].name}"
    if kind in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
        return kind, rest[0].name
    return kind, repr(rest)[:200]


def differences(url: str, target: sa.MetaData) -> list[tuple[str, str]]:
    engine = open_db(url)
    with engine.connect() as conn, warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)  # PostGIS's geometry type
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        found = [named(d) for d in compare_metadata(context, target)]
    return [d for d in found if d not in POSTGIS]


def test_the_schema_is_what_the_migrations_build(blank_url):
    assert differences(blank_url, metadata) == []


def test_a_column_added_to_the_schema_only_is_seen(blank_url):
    changed = sa.MetaData()
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["audit"].append_column(sa.Column("extra", sa.Integer))
    assert differences(blank_url, changed) == [("add_column", "audit.extra")]
