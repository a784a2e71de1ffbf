"""``python -m zones units import/export``: exit codes, messages, one transaction."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import sqlalchemy as sa
from shapely.geometry import LineString, Polygon, box

from tests.test_boundaries_fixtures import (  # noqa: F401
    communes_gdf,
    db_url,
    hamlet_points,
    imported_fixture,
    run,
    stored,
    write_geojson,
    write_shapefile_zip,
    zip_dir,
)
from zones.storage import store
from zones.storage.db import open_db
from zones.storage.schema import units

pytestmark = pytest.mark.both_stores

FULL = {"province": 1, "district": 2, "commune": 4}


def export(tmp, *extra) -> pd.DataFrame:
    out = tmp / "out.csv"
    assert run(tmp, "units", "export", "--out", str(out), *extra) == 0
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def test_import_then_export_csv_in_hierarchy_order(imported, capsys):
    assert stored(imported)["levels"] == FULL
    assert stored(imported)["adjacency"] == 1 + 6  # 2 districts touch; 4 cells all touch
    got = export(imported)
    assert list(got.columns) == ["code", "name", "level", "parent_code", "population",
                                 "pop_18plus", "pop_50plus", "pop_65plus"]
    assert got["code"].tolist() == ["91", "899", "30733", "30736", "900", "30800", "30801"]
    assert got.set_index("code").loc["899", "population"] == "3500"
    assert got.set_index("code").loc["30733", "parent_code"] == "899"
    assert export(imported, "--level", "district")["code"].tolist() == ["899", "900"]


def test_import_prints_the_report(tmp_path, capsys):
    assert run(tmp_path, "units", "import", str(write_geojson(tmp_path / "xa.geojson"))) == 0
    err = capsys.readouterr().err
    assert "code ← MaXa" in err and "Xã/phường: 4" in err and "bộ địa giới số 1" in err


def test_export_geojson(imported):
    out = imported / "units.geojson"
    assert run(imported, "units", "export", "--out", str(out)) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["features"]) == 7
    first = data["features"][0]
    assert first["properties"]["code"] == "91" and first["geometry"]["type"] in (
        "Polygon", "MultiPolygon")


def test_export_geojson_to_stdout(imported, capsys):
    assert run(imported, "units", "export", "--format", "geojson", "--level", "province") == 0
    assert json.loads(capsys.readouterr().out)["features"][0]["properties"]["name"] == \
        "Tỉnh Kiên Giang"


def test_export_empty_database(tmp_path, capsys):
    assert run(tmp_path, "units", "export") == 2
    assert "python -m zones demo" in capsys.readouterr().err


def test_legacy_font_shapefile_via_cli(tmp_path):
    gdf = communes_gdf()
    gdf["TenXa"] = ["Ph­êng VÜnh Thanh", "Ph­êng VÜnh Quang", "X· B×nh S¬n", "X· B×nh Giang"]
    gdf["TenHuyen"] = ["Thµnh phè R¹ch Gi¸"] * 2 + ["HuyÖn Hßn §Êt"] * 2
    gdf["TenTinh"] = "TØnh Kiªn Giang"
    path = write_shapefile_zip(tmp_path, gdf, encoding="latin1", keep_cpg=False)
    assert run(tmp_path, "units", "import", str(path)) == 0
    names = export(tmp_path).set_index("code")["name"]
    assert names["30733"] == "Phường Vĩnh Thanh" and names["900"] == "Huyện Hòn Đất"
    assert names["91"] == "Tỉnh Kiên Giang"


def test_rejected_features_exit_1_and_the_rest_is_stored(tmp_path, capsys):
    gdf = communes_gdf()
    gdf.loc[3, "geometry"] = Polygon()
    gdf.loc[2, "MaXa"] = ""
    assert run(tmp_path, "units", "import", str(write_geojson(tmp_path / "x.geojson", gdf))) == 1
    assert stored(tmp_path)["levels"] == {"province": 1, "district": 1, "commune": 2}
    err = capsys.readouterr().err
    assert "dòng 3" in err and "không có mã" in err and "dòng 4" in err


def test_invalid_shape_repaired_and_reported(tmp_path, capsys):
    gdf = communes_gdf()
    x0, y0, x1, y1 = gdf.geometry.iloc[3].bounds
    gdf.loc[3, "geometry"] = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    assert run(tmp_path, "--lang", "en", "units", "import",
               str(write_geojson(tmp_path / "x.geojson", gdf))) == 0
    assert "Repaired 1 invalid shapes: 30801" in capsys.readouterr().err


def broken_files(tmp):
    """(name, path, extra args, words expected in the message) of unusable inputs."""
    out = []
    bad_zip = tmp / "bad.zip"
    bad_zip.write_bytes(b"PK\x03\x04garbage")
    out.append(("corrupt zip", bad_zip, [], "bị hỏng"))
    src = tmp / "a.shp"
    src.write_bytes(b"x")
    out.append(("zip slip", zip_dir([src], tmp / "slip.zip", ["../../a.shp"]), [], "../../a.shp"))
    mixed = communes_gdf()
    mixed.loc[0, "geometry"] = LineString([(105, 10), (105.1, 10.1)])
    out.append(("mixed", write_geojson(tmp / "mixed.geojson", mixed), [], "line: 1, polygon: 3"))
    nocode = communes_gdf()[["TenXa", "geometry"]].rename(columns={"TenXa": "foo"})
    out.append(("no code", write_geojson(tmp / "nocode.geojson", nocode), [], "foo"))
    dup = communes_gdf()
    dup.loc[1, "MaXa"] = "30733"
    out.append(("duplicates", write_geojson(tmp / "dup.geojson", dup), [], "30733"))
    proj = write_shapefile_zip(tmp, communes_gdf().to_crs(3405), keep_prj=False, name="proj")
    out.append(("no crs", proj, [], "--crs EPSG"))
    out.append(("missing file", tmp / "nope.geojson", [], "nope.geojson"))
    good = write_geojson(tmp / "good.geojson")
    out.append(("bad field flag", good, ["--code-field", "Ma_Phuong"], "Ma_Phuong"))
    out.append(("bad layer", good, ["--layer", "huyen"], "huyen"))
    return out


def test_unusable_files_exit_2_and_store_nothing(imported, capsys):
    before = stored(imported)
    for name, path, extra, words in broken_files(imported):
        capsys.readouterr()
        assert run(imported, "units", "import", str(path), *extra) == 2, name
        err = capsys.readouterr().err
        assert words in err, (name, err)
        assert "Traceback" not in err
        assert stored(imported) == before, name


def test_file_over_the_size_limit(imported, monkeypatch, capsys):
    before = stored(imported)
    monkeypatch.setenv("GEODATA_MAX_MB", "0.001")  # read by the CLI as it starts
    assert run(imported, "units", "import", str(write_geojson(imported / "big.geojson"))) == 2
    assert "GEODATA_MAX_MB" in capsys.readouterr().err
    assert stored(imported) == before


def test_failure_inside_the_transaction_rolls_back(imported, monkeypatch):
    before = stored(imported)

    def boom(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "insert_adjacency", boom)
    # an unexpected failure: a message and exit 2 (never a traceback), nothing half-stored
    assert run(imported, "units", "import", str(write_geojson(imported / "again.geojson"))) == 2
    assert stored(imported) == before


def test_second_import_is_a_new_active_set(imported):
    gdf = communes_gdf().drop(columns=["MaHuyen", "TenHuyen"])
    path = write_geojson(imported / "xa2025.geojson", gdf)
    assert run(imported, "units", "import", str(path), "--set-name", "Địa giới 2025") == 0
    info = stored(imported)
    assert ("Địa giới 2025", True) in info["sets"] and len(info["sets"]) == 2
    assert export(imported)["level"].tolist() == ["province"] + ["commune"] * 4
    assert run(imported, "units", "import", str(path), "--set-name", "Địa giới 2025") == 0
    assert len(stored(imported)["sets"]) == 2  # the same file again changes nothing
    other = write_geojson(imported / "khac.geojson", gdf.assign(TenXa=gdf["TenXa"] + " mới"))
    assert run(imported, "units", "import", str(other), "--set-name", "Địa giới 2025") == 2


def test_dry_run_stores_nothing(tmp_path, capsys):
    path = write_geojson(tmp_path / "x.geojson")
    assert run(tmp_path, "units", "import", str(path), "--dry-run") == 0
    assert stored(tmp_path)["sets"] == []
    assert "--dry-run" in capsys.readouterr().err


def test_flags_override_detection(tmp_path):
    gdf = communes_gdf().rename(columns={"MaXa": "id_dv", "TenXa": "ten_goi", "MaTinh": "cha",
                                         "DanSo": "nguoi"}).drop(
        columns=["MaHuyen", "TenHuyen", "TenTinh"])
    path = write_geojson(tmp_path / "x.geojson", gdf)
    assert run(tmp_path, "units", "import", str(path), "--level", "commune",
               "--code-field", "id_dv", "--name-field", "ten_goi", "--parent-field", "cha",
               "--population-field", "nguoi", "--structure", "2025") == 0
    got = export(tmp_path).set_index("code")
    assert got.loc["30801", ["name", "parent_code", "population"]].tolist() == [
        "Xã Bình Giang", "91", "4500"]


def test_attribute_table_updates_population_and_names(imported, capsys):
    table = imported / "danso.csv"
    table.write_text("Mã xã;Tên xã;Dân số\n30733;Phường Vĩnh Thanh (mới);12.345\n"
                     "30736;;777\n99999;Xã Lạ;5\n", encoding="utf-8")
    assert run(imported, "units", "import", str(table)) == 1
    got = export(imported).set_index("code")
    assert got.loc["30733", ["name", "population"]].tolist() == ["Phường Vĩnh Thanh (mới)",
                                                                "12345"]
    assert got.loc["30736", ["name", "population"]].tolist() == ["Phường Vĩnh Quang", "777"]
    assert "99999" not in got.index
    assert "99999" in capsys.readouterr().err


def test_attribute_table_into_an_empty_database_makes_a_set(tmp_path):
    table = tmp_path / "units.csv"
    table.write_text("MaXa,TenXa,MaTinh,TenTinh,DanSo\n00004,Phường Trúc Bạch,01,Hà Nội,100\n",
                     encoding="utf-8")
    assert run(tmp_path, "units", "import", str(table)) == 0
    got = export(tmp_path)
    assert got["code"].tolist() == ["01", "00004"]


def test_hamlet_points_become_approximate_cells(imported):
    table = imported / "ap.csv"
    hamlet_points().to_csv(table, index=False)
    assert run(imported, "units", "import", str(table)) == 0
    engine = open_db(f"sqlite:///{imported}/t.db")
    hamlets = store.load_units(engine, geometry=True, levels=["hamlet"])
    assert len(hamlets) == 5 and hamlets["approximate"].all()
    assert set(hamlets["parent_code"]) == {"30733", "30736"}
    communes = store.load_units(engine, geometry=True, levels=["commune"])
    for code, row in hamlets.iterrows():
        assert row.geometry.within(communes.loc[row.parent_code, "geometry"].buffer(1e-9)), code
    assert run(imported, "units", "import", str(table)) == 0  # replaces, no duplicates
    assert stored(imported)["levels"]["hamlet"] == 5
    assert len(stored(imported)["sets"]) == 1


def test_hamlets_with_unknown_commune_rejected(imported, capsys):
    df = hamlet_points()
    df.loc[0, "MaXa"] = "11111"
    table = imported / "ap.csv"
    df.to_csv(table, index=False)
    assert run(imported, "units", "import", str(table)) == 1
    assert stored(imported)["levels"]["hamlet"] == 4
    assert "11111" in capsys.readouterr().err


def test_hamlets_need_a_boundary_set(tmp_path, capsys):
    table = tmp_path / "ap.csv"
    hamlet_points().to_csv(table, index=False)
    assert run(tmp_path, "units", "import", str(table)) == 2
    assert "units import" in capsys.readouterr().err


def test_hamlet_polygons_kept_as_given(imported):
    gdf = gpd.GeoDataFrame({"MaAp": ["A1", "A2"], "TenAp": ["Ấp 1", "Ấp 2"],
                            "MaXa": ["30733", "30733"]},
                           geometry=[box(105.0, 10.0, 105.05, 10.1), box(105.05, 10.0, 105.1, 10.1)],
                           crs="EPSG:4326")
    path = write_geojson(imported / "ap.geojson", gdf)
    assert run(imported, "units", "import", str(path), "--level", "hamlet") == 0
    engine = open_db(f"sqlite:///{imported}/t.db")
    hamlets = store.load_units(engine, levels=["hamlet"])
    assert hamlets["code"].tolist() == ["A1", "A2"] and not hamlets["approximate"].any()
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(units)).scalar() == 9


def test_the_same_file_twice_changes_nothing_and_an_older_set_comes_back(imported, capsys):
    path = write_geojson(imported / "again.geojson")
    assert run(imported, "units", "import", str(path), "--set-name", "Bộ mới") == 0
    sets_before = stored(imported)["sets"]
    capsys.readouterr()
    assert run(imported, "units", "import", str(path)) == 0  # the very same bytes
    assert "không có gì thay đổi" in capsys.readouterr().err
    assert stored(imported)["sets"] == sets_before
    assert run(imported, "units", "activate", "1") == 0
    assert ("Bộ mới", False) in stored(imported)["sets"]
    assert [active for _name, active in stored(imported)["sets"]].count(True) == 1
    assert run(imported, "units", "activate", "99") == 2


def test_coordinates_outside_vietnam_are_refused_with_a_hint(tmp_path, capsys):
    from shapely import affinity

    gdf = communes_gdf()
    gdf["geometry"] = gdf.geometry.map(lambda g: affinity.translate(g, -105.0, -10.0))
    path = write_geojson(tmp_path / "lech.geojson", gdf)  # near 0°N 0°E: not Vietnam
    assert run(tmp_path, "units", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert "ngoài Việt Nam" in err and "--crs EPSG:3857" in err and "Traceback" not in err
    assert stored(tmp_path)["sets"] == []


@pytest.mark.parametrize("value", ["inf", "1e30", "-inf", "nan"])
def test_impossible_populations_are_not_stored(tmp_path, value):
    gdf = communes_gdf()
    gdf["DanSo"] = gdf["DanSo"].astype(object)
    gdf.loc[gdf.index[0], "DanSo"] = value
    assert run(tmp_path, "units", "import", str(write_geojson(tmp_path / "p.geojson", gdf))) \
        in (0, 1)
    engine = open_db(db_url(tmp_path))
    with engine.connect() as conn:
        pops = conn.execute(sa.select(units.c.population)).scalars().all()
    assert all(p is None or 0 <= p <= 200_000_000 for p in pops)


@pytest.mark.parametrize("parents", [{"30733": "30733"}, {"30733": "30736", "30736": "30733"}])
def test_a_unit_that_is_its_own_parent_is_refused_not_stored(tmp_path, capsys, parents):
    gdf = communes_gdf()
    for code, parent in parents.items():
        gdf.loc[gdf["MaXa"] == code, "MaHuyen"] = parent
    path = write_geojson(tmp_path / "vong.geojson", gdf)
    assert run(tmp_path, "units", "import", str(path), "--parent-field", "MaHuyen") == 1
    err = capsys.readouterr().err
    assert "cấp trên của chính nó" in err
    with open_db(db_url(tmp_path)).connect() as conn:
        codes = set(conn.execute(sa.select(units.c.code)).scalars())
    assert not (set(parents) & codes)
