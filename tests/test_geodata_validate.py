"""Geometry checks and repairs: kinds, make_valid, duplicates, orphans, overlaps, gaps."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from geodata import validate
from geodata.fields import GeodataError

BOWTIE = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])


def units(geoms, level="commune"):
    codes = [f"c{i}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"code": codes, "level": level}, geometry=geoms, crs="EPSG:4326")


@pytest.mark.parametrize(("geoms", "allowed", "error"), [
    ([box(0, 0, 1, 1), box(1, 0, 2, 1).union(box(3, 0, 4, 1))], ("polygon",), None),
    ([box(0, 0, 1, 1), LineString([(0, 0), (1, 1)])], ("polygon",), "mixed_geometry"),
    ([box(0, 0, 1, 1), Point(0, 0)], ("polygon", "point"), "mixed_geometry"),
    ([Point(0, 0)], ("polygon",), "wrong_geometry"),
    ([None, None], ("polygon",), "no_geometry"),
])
def test_kinds(geoms, allowed, error):
    arr = np.array(geoms, dtype=object)
    if error is None:
        assert validate.check_kinds(arr, allowed) == "polygon"
    else:
        with pytest.raises(GeodataError) as err:
            validate.check_kinds(arr, allowed)
        assert err.value.key == error


def test_mixed_kinds_are_counted():
    arr = np.array([box(0, 0, 1, 1), box(0, 0, 2, 2), LineString([(0, 0), (1, 1)])])
    with pytest.raises(GeodataError) as err:
        validate.check_kinds(arr, ("polygon",))
    assert err.value.params["counts"] == "line: 1, polygon: 2"


def test_repair_makes_valid_polygons_and_flags_empties():
    arr = np.array([BOWTIE, box(0, 0, 1, 1), Polygon(), None], dtype=object)
    out = validate.repair(arr)
    assert out.repaired.tolist() == [True, False, False, False]
    assert out.empty.tolist() == [False, False, True, True]
    assert shapely.is_valid(out.geoms[0]) and out.geoms[0].geom_type == "MultiPolygon"
    assert out.geoms[0].area == pytest.approx(0.5)


def test_repair_drops_stray_lines_and_z():
    spike = Polygon([(0, 0, 5), (2, 0, 5), (2, 2, 5), (0, 2, 5), (0, 0, 5), (-1, -1, 5),
                     (0, 0, 5)])
    out = validate.repair(np.array([spike], dtype=object))
    assert out.geoms[0].geom_type in ("Polygon", "MultiPolygon")
    assert not shapely.has_z(out.geoms[0])


def test_duplicates_and_orphans():
    assert validate.duplicates(pd.Series(["1", "2", "1", "3", "3"])) == ["1", "3"]
    frame = pd.DataFrame({"code": ["01", "001", "002"], "parent_code": [None, "01", "02"]})
    assert validate.orphans(frame).to_dict("records") == [{"code": "002", "parent_code": "02"}]


def test_overlaps_above_tolerance_are_reported_slivers_counted():
    # 0.01° squares ~ 1.2 km; the overlap of a and b is ~ 0.2 km², b/c only a sliver
    a = box(105.00, 10.0, 105.012, 10.01)
    b = box(105.010, 10.0, 105.02, 10.01)
    c = box(105.02 - 1e-6, 10.0, 105.03, 10.01)
    d = box(105.001, 10.001, 105.002, 10.002)  # inside a
    report, slivers = validate.overlaps(units([a, b, c, d]))
    pairs = {(r.code_a, r.code_b) for r in report.itertuples()}
    assert pairs == {("c0", "c1"), ("c0", "c3")}
    assert slivers == 1
    assert report["area_m2"].iloc[0] > 10_000


def test_overlaps_only_compare_one_level():
    geoms = [box(0, 0, 1, 1), box(0, 0, 1, 1)]
    frame = units(geoms)
    frame["level"] = ["province", "commune"]
    assert validate.overlaps(frame)[0].empty


def test_gaps_big_and_small():
    ring = box(105.0, 10.0, 105.1, 10.1).difference(box(105.04, 10.04, 105.06, 10.06))
    tiny = box(105.2, 10.0, 105.3, 10.1).difference(box(105.25, 10.05, 105.25001, 10.05001))
    gaps, small = validate.gaps(np.array([ring, tiny], dtype=object))
    assert len(gaps) == 1 and small == 1
    assert gaps["lon"].iloc[0] == pytest.approx(105.05, abs=0.01)
    assert 4e6 < gaps["area_m2"].iloc[0] < 6e6


def test_areas_are_in_square_metres():
    area = validate.areas_m2(np.array([box(105.0, 10.0, 105.01, 10.01)], dtype=object))[0]
    assert area == pytest.approx(1113 * 1095, rel=0.02)
