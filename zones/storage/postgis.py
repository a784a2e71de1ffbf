"""The shapes as PostGIS geometries, where the database has PostGIS.

The app reads and writes the WKB column ``units.geometry`` everywhere (the same code on
SQLite and on PostgreSQL without PostGIS). Where PostGIS is installed in the database,
or can be installed by the app's user, ``ensure`` adds ``units.geom`` (a
``geometry(Geometry, 4326)`` column with a GiST index) and a trigger that keeps it equal
to the WKB column, so GIS tools (QGIS, ogr2ogr) and spatial queries see real geometries.
It runs with the migrations (revision 0010) and again on every open, so a database
whose PostGIS was installed later gets the column then.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

TRIGGER_FN = """
CREATE OR REPLACE FUNCTION zones_units_geom() RETURNS trigger AS $$
BEGIN
  BEGIN
    NEW.geom := CASE WHEN NEW.geometry IS NULL THEN NULL
                     ELSE ST_SetSRID(ST_GeomFromWKB(NEW.geometry), 4326) END;
  EXCEPTION WHEN others THEN
    NEW.geom := NULL;  -- a shape PostGIS cannot read never blocks an import
  END;
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""


def has_postgis(bind: Connection) -> bool:
    """PostGIS is installed in this database, or can be installed by this user."""
    if bind.exec_driver_sql(
            "SELECT 1 FROM pg_extension WHERE extname = 'postgis'").scalar():
        return True
    if not bind.exec_driver_sql(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").scalar():
        return False
    nested = bind.begin_nested()
    try:
        bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
    except Exception:  # no right to create it: the DBA may do it (deploy/setup-postgres.sh)
        nested.rollback()
        return False
    nested.commit()
    return True


def has_geom(bind: Connection) -> bool:
    """``units.geom`` is there (PostGIS set up)."""
    return bool(bind.exec_driver_sql(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'units' "
        "AND column_name = 'geom' AND table_schema = current_schema()").scalar())


def ensure(bind: Connection) -> bool:
    """Set up ``units.geom`` where PostGIS is available; whether it is set up."""
    if bind.dialect.name != "postgresql":
        return False
    if has_geom(bind):
        return True
    if not has_postgis(bind):
        return False
    bind.exec_driver_sql("ALTER TABLE units ADD COLUMN IF NOT EXISTS geom "
                         "geometry(Geometry, 4326)")
    bind.exec_driver_sql(TRIGGER_FN)
    bind.exec_driver_sql("DROP TRIGGER IF EXISTS units_geom ON units")
    bind.exec_driver_sql("CREATE TRIGGER units_geom BEFORE INSERT OR UPDATE OF geometry "
                         "ON units FOR EACH ROW EXECUTE FUNCTION zones_units_geom()")
    bind.exec_driver_sql("UPDATE units SET geometry = geometry WHERE geometry IS NOT NULL")
    bind.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_units_geom ON units USING GIST (geom)")
    return True
