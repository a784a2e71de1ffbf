"""A file whose contract ``level`` field gives each feature's level, and parents that are
refused rather than invented."""

from __future__ import annotations

import geopandas as gpd
from shapely.ops import unary_union

from tests.test_boundaries_fixtures import cell, communes_gdf, run, stored, write_geojson
from zones.storage import store
from zones.storage.db import open_db


def multi_level(extra: list[tuple] = ()) -> gpd.GeoDataFrame:
    """Province 91, its districts 899 and 900 and their four communes in one file, codes
    written as numbers would lose their zeros (province "91", districts "899"/"900")."""
    rows = [("91", "Tỉnh Kiên Giang", "province", "", [(0, 0), (1, 0), (0, 1), (1, 1)]),
            ("899", "Thành phố Rạch Giá", "district", "91", [(0, 0), (1, 0)]),
            ("900", "Huyện Hòn Đất", "district", "91", [(0, 1), (1, 1)]),
            ("30733", "Phường Vĩnh Thanh", "commune", "899", [(0, 0)]),
            ("30736", "Phường Vĩnh Quang", "commune", "899", [(1, 0)]),
            ("30800", "Xã Bình Sơn", "commune", "900", [(0, 1)]),
            ("30801", "Xã Bình Giang", "commune", "900", [(1, 1)]), *extra]
    return gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "name": [r[1] for r in rows],
         "level": [r[2] for r in rows], "parent_code": [r[3] for r in rows],
         "population": [None, None, None, 1200, 2300, 3400, 4500][:len(rows)]
         + [100] * (len(rows) - 7)},
        geometry=[unary_union([cell(c, r) for c, r in r_[4]]) for r_ in rows],
        crs="EPSG:4326")


def test_every_feature_keeps_its_own_level_and_parent(tmp_path, capsys):
    path = write_geojson(tmp_path / "ca_tinh.geojson", multi_level())
    assert run(tmp_path, "units", "import", str(path)) == 0
    got = stored(tmp_path)
    assert got["levels"] == {"province": 1, "district": 2, "commune": 4}
    units = store.load_units(open_db(f"sqlite:///{tmp_path}/t.db"))
    assert units.loc["91", "parent_code"] is None  # not "00091", no phantom parent
    assert units.loc["899", "parent_code"] == "91"
    assert units.loc["30801", "parent_code"] == "900"
    assert units.loc["900", "name"] == "Huyện Hòn Đất"
    capsys.readouterr()


def test_bad_rows_of_a_multi_level_file_are_refused_by_row(tmp_path, capsys):
    extra = [("30900", "Xã Mồ Côi", "commune", "X99", [(2, 0)]),  # parent nowhere
             ("901", "Huyện Ngược", "district", "30733", [(2, 1)]),  # parent is a commune
             ("30950", "Xã Con", "commune", "901", [(3, 1)])]  # under the refused one
    path = write_geojson(tmp_path / "loi.geojson", multi_level(extra))
    assert run(tmp_path, "units", "import", str(path)) == 1
    err = capsys.readouterr().err
    assert "dòng 8 (mã 30900)" in err.lower() and "X99" in err
    assert "dòng 9 (mã 901)" in err.lower() and "30733" in err
    assert "30950" in err
    got = stored(tmp_path)
    assert got["levels"] == {"province": 1, "district": 2, "commune": 4}


def test_a_parent_given_by_an_official_code_only_gets_its_official_name(tmp_path, capsys):
    gdf = communes_gdf().drop(columns=["TenHuyen", "TenTinh", "MaTinh"])
    path = write_geojson(tmp_path / "xa.geojson", gdf)
    assert run(tmp_path, "units", "import", str(path)) == 0
    units = store.load_units(open_db(f"sqlite:///{tmp_path}/t.db"))
    assert units.loc["899", "name"] == "Thành phố Rạch Giá"
    assert "danh mục" in capsys.readouterr().err


def test_a_parent_given_by_an_unknown_code_only_is_not_invented(tmp_path, capsys):
    gdf = communes_gdf().drop(columns=["TenHuyen", "TenTinh", "MaTinh"])
    gdf.loc[gdf["MaXa"] == "30800", "MaHuyen"] = "X42"
    path = write_geojson(tmp_path / "xa.geojson", gdf)
    assert run(tmp_path, "units", "import", str(path)) == 1
    err = capsys.readouterr().err
    assert "X42" in err and "không tự tạo" in err
    units = store.load_units(open_db(f"sqlite:///{tmp_path}/t.db"))
    assert "X42" not in units.index and "30800" not in units.index
    assert len(units[units["level"] == "commune"]) == 3


def test_the_units_export_with_every_level_imports_back_the_same(demo_url, tmp_path, capsys):
    from zones.cli import main

    out = tmp_path / "all.geojson"
    assert main(["--db", demo_url, "units", "export", "--format", "geojson",
                 "--out", str(out)]) == 0
    target = f"sqlite:///{tmp_path / 'new.db'}"
    assert main(["--db", target, "units", "import", str(out)]) == 0
    before = store.load_units(open_db(demo_url)).sort_index()
    after = store.load_units(open_db(target)).sort_index()
    assert after.index.tolist() == before.index.tolist()
    assert after["level"].tolist() == before["level"].tolist()
    assert after["parent_code"].fillna("").tolist() == before["parent_code"].fillna("").tolist()
    capsys.readouterr()


def test_attribute_and_hamlet_imports_keep_the_history_of_what_they_change(tmp_path, capsys):
    import pandas as pd

    from tests.test_boundaries_fixtures import hamlet_points
    from zones import api

    assert run(tmp_path, "units", "import", str(write_geojson(tmp_path / "xa.geojson"))) == 0
    table = tmp_path / "danso.csv"
    pd.DataFrame({"MaXa": ["30733", "30736"], "TenXa": ["Phường Vĩnh Thanh Mới", ""],
                  "DanSo": ["1300", "2300"]}).to_csv(table, index=False)
    assert run(tmp_path, "units", "import", str(table)) == 0
    ws = api.open_workspace(f"sqlite:///{tmp_path}/t.db")
    changes = api.unit_changes(ws)
    got = {(r.code, r.field): (r.old_value, r.new_value) for r in changes.itertuples()}
    assert got == {("30733", "name"): ("Phường Vĩnh Thanh", "Phường Vĩnh Thanh Mới"),
                   ("30733", "population"): ("1200", "1300")}  # 30736: nothing changed
    assert set(changes["source"]) == {"danso.csv"}
    # hamlets: added, then re-imported with another name and place -> the old ones kept
    first = tmp_path / "ap.csv"
    hamlet_points().to_csv(first, index=False)
    assert run(tmp_path, "units", "import", str(first)) == 0
    added = api.unit_changes(ws)
    assert (added["field"] == "unit").sum() == 5
    moved = hamlet_points()
    moved.loc[0, "TenAp"] = "Ấp Một"
    moved.loc[0, "lat"] += 0.03
    second = tmp_path / "ap_moi.csv"
    moved.to_csv(second, index=False)
    assert run(tmp_path, "units", "import", str(second)) == 0
    code = store.load_units(open_db(f"sqlite:///{tmp_path}/t.db"), levels=["hamlet"]
                            ).query("name == 'Ấp Một'").index[0]
    mine = api.unit_changes(ws, code)
    assert set(mine["field"]) >= {"name", "geometry", "unit"}
    assert mine.loc[mine["field"] == "name", "old_value"].iloc[0] == "Ấp 1"
    capsys.readouterr()
    assert run(tmp_path, "units", "history", code) == 0
    out = capsys.readouterr().out
    assert "Ấp 1" in out and "ap_moi.csv" in out
