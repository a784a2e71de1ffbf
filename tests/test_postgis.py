"""The shapes as PostGIS geometries on PostgreSQL (``zones.storage.postgis``): a
``geometry(Geometry, 4326)`` column kept equal to the WKB the app writes, with a GiST
index, so spatial queries answer as the app does."""

from __future__ import annotations

import os

import pytest
import shapely
import sqlalchemy as sa

from zones import api
from zones.cli import main
from zones.storage import postgis

VINH_LAC = "30745"


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_units_have_postgis_geometries_with_a_spatial_index(demo_copy):
    ws = api.open_workspace(demo_copy)
    with ws.engine.connect() as conn:
        if not postgis.has_geom(conn):
            if os.environ.get("CI"):
                pytest.fail("CI installs PostGIS (postgresql-postgis, see .ci/run)")
            pytest.skip("PostGIS is not installed in this cluster")
        counts = conn.exec_driver_sql(
            "SELECT count(geometry), count(geom), "
            "count(*) FILTER (WHERE geom IS NOT NULL AND NOT ST_IsValid(geom)) "
            "FROM units").one()
        index = conn.exec_driver_sql(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_units_geom'").scalar()
    assert counts[0] == counts[1] > 100 and "gist" in index.lower()
    shape = api.units(ws).loc[VINH_LAC, "geometry"]
    inside = shapely.point_on_surface(shape)
    with ws.engine.connect() as conn:
        found = conn.execute(sa.text(
            "SELECT code FROM units WHERE level = 'commune' AND ST_Contains(geom, "
            "ST_SetSRID(ST_MakePoint(:x, :y), 4326))"), {"x": inside.x, "y": inside.y}
        ).scalars().all()
    assert found == [VINH_LAC]
    # a shape the app rewrites is rewritten in PostGIS too
    with ws.engine.begin() as conn:
        conn.execute(sa.text("UPDATE units SET geometry = :g WHERE code = :c"),
                     {"g": shapely.to_wkb(shapely.box(0, 0, 1, 1)), "c": VINH_LAC})
        area = conn.execute(sa.text("SELECT ST_Area(geom) FROM units WHERE code = :c"),
                            {"c": VINH_LAC}).scalar()
    assert area == pytest.approx(1.0)


def test_a_url_whose_driver_is_missing_says_so_without_its_password(capsys):
    assert main(["--db", "mysql://u:pw-secret@127.0.0.1/x", "assess",
                 "--date", "2021-10-01"]) == 2
    err = capsys.readouterr().err
    assert "trình điều khiển" in err and "postgresql+psycopg://" in err
    assert "pw-secret" not in err and "Traceback" not in err
