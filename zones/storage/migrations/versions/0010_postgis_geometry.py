"""units.geom: the shapes as a PostGIS column with a spatial index, where the database
has PostGIS (PostgreSQL with the extension installed, or installable by this user)

The app keeps reading and writing the WKB column ``geometry`` (the same code on SQLite
and on PostgreSQL without PostGIS); a trigger keeps ``geom`` equal to it, so GIS tools
(QGIS, ogr2ogr) and spatial queries see real geometries with a GiST index. Without
PostGIS this migration changes nothing, and the column is added on the first open after
PostGIS is installed (``zones.storage.postgis.ensure``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 16:20:00
"""

from alembic import op

from zones.storage import postgis

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

def upgrade() -> None:
    postgis.ensure(op.get_bind())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql("DROP TRIGGER IF EXISTS units_geom ON units")
    bind.exec_driver_sql("DROP FUNCTION IF EXISTS zones_units_geom()")
    bind.exec_driver_sql("DROP INDEX IF EXISTS ix_units_geom")
    bind.exec_driver_sql("ALTER TABLE units DROP COLUMN IF EXISTS geom")
