"""Hamlets from points: Voronoi cells clipped to their commune; codes made when missing."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geodata import hamlets
from geodata.fields import GeodataError
from geodata.readers import points_from_table
from tests.test_boundaries_fixtures import cell, hamlet_points


def test_cells_tile_their_commune():
    pts = points_from_table(hamlet_points())
    communes = gpd.GeoSeries([cell(0, 0), cell(1, 0)], index=["30733", "30736"])
    cells = hamlets.hamlet_cells(pts.geometry, pts["MaXa"], communes)
    assert len(cells) == 5
    for code, square in communes.items():
        mine = cells[(pts["MaXa"] == code).to_numpy()]
        assert shapely.union_all(mine.to_numpy()).area == pytest.approx(square.area)
        assert mine.within(square.buffer(1e-9)).all()
    assert cells.contains(pts.geometry).all()


def test_commune_without_shape_gets_a_box():
    pts = points_from_table(hamlet_points())
    cells = hamlets.hamlet_cells(pts.geometry, pts["MaXa"], gpd.GeoSeries([], dtype=object))
    assert cells.contains(pts.geometry).all()


def test_codes_made_from_commune_when_missing():
    frame, fmap = hamlets.hamlet_mapping(points_from_table(hamlet_points()))
    assert fmap.level == "hamlet" and fmap.code == "_code"
    assert frame["_code"].tolist() == ["30733-01", "30733-02", "30733-03", "30736-01",
                                       "30736-02"]
    assert fmap.parents[0].level == "commune" and fmap.parents[0].code == "MaXa"


def test_hamlet_file_needs_a_commune_code():
    with pytest.raises(GeodataError, match="hamlet_no_commune"):
        hamlets.hamlet_mapping(pd.DataFrame({"TenAp": ["Ấp 1"]}))


def test_points_outside_their_commune():
    pts = gpd.GeoSeries(shapely.points([[105.05, 10.05], [105.5, 10.5]]))
    mask = hamlets.outside_their_commune(pts, pd.Series(["30733", "30733"]),
                                         gpd.GeoSeries([cell(0, 0)], index=["30733"]))
    assert mask.tolist() == [False, True]
