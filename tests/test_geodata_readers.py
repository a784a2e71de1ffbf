"""Readers: every format on tiny hand-made files, and every way a file can be unusable."""

from __future__ import annotations

import zipfile
from dataclasses import replace

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geodata import readers
from geodata.fields import GeodataError
from tests.test_boundaries_fixtures import communes_gdf, write_shapefile_zip, zip_dir
from zones.boundaries.imports import read_limits
from zones.settings import DEFAULTS

#: the documented limits, as the application passes them
LIMITS = read_limits(DEFAULTS)


def read_boundaries(path, limits: readers.Limits = LIMITS, **options) -> readers.ReadResult:
    return readers.read_boundaries(path, limits=limits, **options)


def names(result):
    return sorted(result.frame["TenXa"])


EXPECTED = sorted(communes_gdf()["TenXa"])


def test_geojson(tmp_path):
    path = tmp_path / "a.geojson"
    communes_gdf().to_file(path)
    got = read_boundaries(path)
    assert got.fmt == "geojson" and got.has_geometry
    assert names(got) == EXPECTED
    assert got.frame.crs.to_epsg() == 4326
    assert got.frame["MaXa"].tolist()[0] == "30733"


def test_zipped_shapefile_with_cpg(tmp_path):
    got = read_boundaries(write_shapefile_zip(tmp_path, communes_gdf()))
    assert got.fmt == "shapefile" and got.encoding == "utf-8"
    assert names(got) == EXPECTED


@pytest.mark.parametrize(("legacy", "as_legacy"), [
    ("tcvn3", {"Phường Vĩnh Thanh": "Ph­êng VÜnh Thanh", "Phường Vĩnh Quang": "Ph­êng VÜnh Quang",
               "Xã Bình Sơn": "X· B×nh S¬n", "Xã Bình Giang": "X· B×nh Giang"}),
    ("vni", {"Phường Vĩnh Thanh": "Phöôøng Vónh Thanh", "Phường Vĩnh Quang": "Phöôøng Vónh Quang",
             "Xã Bình Sơn": "Xaõ Bình Sôn", "Xã Bình Giang": "Xaõ Bình Giang"}),
])
@pytest.mark.parametrize("keep_cpg", [True, False])
def test_shapefile_in_legacy_font_is_converted(tmp_path, legacy, as_legacy, keep_cpg):
    gdf = communes_gdf()
    gdf["TenXa"] = gdf["TenXa"].map(as_legacy)
    gdf["TenHuyen"] = "-"
    gdf["TenTinh"] = "-"
    got = read_boundaries(write_shapefile_zip(tmp_path, gdf, encoding="latin1",
                                                      keep_cpg=keep_cpg))
    assert got.legacy == legacy
    assert names(got) == EXPECTED


def test_encoding_override(tmp_path):
    gdf = communes_gdf()
    gdf["TenXa"] = "Hµ Néi"
    gdf["TenHuyen"] = gdf["TenTinh"] = "-"
    path = write_shapefile_zip(tmp_path, gdf, encoding="latin1", keep_cpg=False)
    got = read_boundaries(path, encoding="TCVN3")
    assert set(got.frame["TenXa"]) == {"Hà Nội"}


def test_shapefile_in_cp1258(tmp_path):
    got = read_boundaries(write_shapefile_zip(tmp_path, communes_gdf(),
                                                      encoding="cp1258", keep_cpg=False))
    assert names(got) == EXPECTED


def test_geopackage_layers(tmp_path):
    path = tmp_path / "b.gpkg"
    communes_gdf().to_file(path, layer="xa")
    communes_gdf().head(1).to_file(path, layer="khac")
    with pytest.raises(GeodataError) as err:
        read_boundaries(path)
    assert err.value.key == "choose_layer"
    assert set(err.value.params["layers"].split(", ")) == {"xa", "khac"}
    got = read_boundaries(path, layer="xa")
    assert names(got) == EXPECTED and got.layer == "xa"
    with pytest.raises(GeodataError, match="no_such_layer"):
        read_boundaries(path, layer="huyen")


def test_geoparquet_keeps_string_codes(tmp_path):
    path = tmp_path / "c.parquet"
    communes_gdf().to_parquet(path)
    got = read_boundaries(path)
    assert got.fmt == "parquet" and names(got) == EXPECTED


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_attribute_tables_keep_leading_zeros(tmp_path, ext):
    df = pd.DataFrame({"MaXa": ["00004", "30733"], "TenXa": ["Phường Trúc Bạch", "Vĩnh Thanh"],
                       "DanSo": ["1.234", "567"]})
    path = tmp_path / f"t.{ext}"
    if ext == "csv":
        df.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        df.to_excel(path, index=False)
    got = read_boundaries(path)
    assert not got.has_geometry
    assert got.frame["MaXa"].tolist() == ["00004", "30733"]
    assert got.frame["TenXa"].tolist()[0] == "Phường Trúc Bạch"


def test_points_table_becomes_point_layer(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("MaXa,TenAp,Vĩ độ,Kinh độ\n30733,Ấp 1,\"10,02\",105.02\n", encoding="utf-8")
    got = read_boundaries(path)
    assert got.has_geometry
    assert got.frame.geometry.iloc[0].coords[0] == pytest.approx((105.02, 10.02))


def test_size_limit(tmp_path):
    path = tmp_path / "a.geojson"
    communes_gdf().to_file(path)
    with pytest.raises(GeodataError) as err:
        read_boundaries(path, limits=replace(LIMITS, bytes=100))
    assert err.value.key == "too_large"


def test_zip_inflating_beyond_the_limit(tmp_path):
    big = tmp_path / "big.geojson"
    big.write_text(" " * 50_000)
    path = zip_dir([big], tmp_path / "bomb.zip")
    assert path.stat().st_size < 20_000
    with pytest.raises(GeodataError, match="too_large"):
        read_boundaries(path, limits=replace(LIMITS, bytes=20_000))


def test_corrupt_zip(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(GeodataError, match="corrupt_zip"):
        read_boundaries(path)


@pytest.mark.parametrize("member", ["../evil.shp", "/etc/evil.shp", "a/../../evil.shp"])
def test_zip_slip_refused(tmp_path, member):
    src = tmp_path / "f.shp"
    src.write_bytes(b"x")
    path = zip_dir([src], tmp_path / "slip.zip", [member])
    with pytest.raises(GeodataError) as err:
        read_boundaries(path)
    assert err.value.key == "zip_slip" and err.value.params["member"] == member
    assert not (tmp_path.parent / "evil.shp").exists()


def test_zip_without_map_data(tmp_path):
    src = tmp_path / "readme.txt"
    src.write_text("hi")
    with pytest.raises(GeodataError, match="zip_no_data"):
        read_boundaries(zip_dir([src], tmp_path / "x.zip"))


def test_zip_with_two_shapefiles_needs_a_layer(tmp_path):
    a = write_shapefile_zip(tmp_path, communes_gdf(), name="xa")
    b = write_shapefile_zip(tmp_path, communes_gdf().head(1), name="huyen")
    both = tmp_path / "both.zip"
    with zipfile.ZipFile(both, "w") as out:
        for z in (a, b):
            with zipfile.ZipFile(z) as zin:
                for info in zin.infolist():
                    out.writestr(info.filename, zin.read(info))
    with pytest.raises(GeodataError, match="choose_layer"):
        read_boundaries(both)
    assert len(read_boundaries(both, layer="huyen").frame) == 1


def test_unknown_format(tmp_path):
    path = tmp_path / "a.kml2"
    path.write_text("x")
    with pytest.raises(GeodataError, match="unknown_format"):
        read_boundaries(path)


def test_garbage_geojson(tmp_path):
    path = tmp_path / "a.geojson"
    path.write_text("{not json")
    with pytest.raises(GeodataError, match="unreadable"):
        read_boundaries(path)


def projected(epsg: int) -> gpd.GeoDataFrame:
    return communes_gdf().to_crs(epsg)


def test_vn2000_prj_is_reprojected(tmp_path):
    path = write_shapefile_zip(tmp_path, projected(3405))
    got = read_boundaries(path)
    assert "3405" in got.crs_in or "VN-2000" in got.crs_in
    assert got.frame.total_bounds == pytest.approx(communes_gdf().total_bounds, abs=1e-6)


def test_projected_without_prj_is_refused_with_a_hint(tmp_path):
    path = write_shapefile_zip(tmp_path, projected(3405), keep_prj=False)
    with pytest.raises(GeodataError) as err:
        read_boundaries(path)
    assert err.value.key == "projected_no_crs"
    got = read_boundaries(path, crs="EPSG:3405")
    assert got.frame.total_bounds == pytest.approx(communes_gdf().total_bounds, abs=1e-6)


def test_provincial_tm3_zone(tmp_path):
    crs = readers.parse_crs("VN2000:104.5")  # Kiên Giang's 3° zone, central meridian 104°30'
    gdf = communes_gdf().to_crs(crs)
    path = write_shapefile_zip(tmp_path, gdf, keep_prj=False)
    got = read_boundaries(path, crs="VN2000:104.5")
    assert got.frame.total_bounds == pytest.approx(communes_gdf().total_bounds, abs=1e-6)


def test_wrong_crs_is_caught(tmp_path):
    path = write_shapefile_zip(tmp_path, projected(3405), keep_prj=False)
    with pytest.raises(GeodataError, match="wrong_crs"):
        read_boundaries(path, crs="EPSG:4326")
    with pytest.raises(GeodataError, match="bad_crs"):
        read_boundaries(path, crs="EPSG:999999")


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_degrees_without_crs_are_taken_as_wgs84(tmp_path):
    path = write_shapefile_zip(tmp_path, gpd.GeoDataFrame(
        {"MaXa": ["1"]}, geometry=[box(105, 10, 105.1, 10.1)]), keep_prj=False)
    assert read_boundaries(path).frame.crs.to_epsg() == 4326


# --- hostile files: limits checked before reading, contradictions detected -----------------

def _with_cpg(tmp_path, gdf, *, encoding: str, cpg: str):
    folder = tmp_path / "shp_cpg"
    folder.mkdir()
    gdf.to_file(folder / "xa.shp", encoding=encoding)
    for f in folder.glob("*.cpg"):
        f.unlink()
    (folder / "xa.cpg").write_text(cpg)
    return zip_dir(sorted(folder.iterdir()), tmp_path / "xa.zip")


@pytest.mark.parametrize(("bytes_in", "cpg"), [("utf-8", "1252"), ("utf-8", "ISO-8859-1"),
                                               ("cp1258", "UTF-8")])
def test_a_cpg_that_contradicts_the_bytes_is_not_believed(tmp_path, bytes_in, cpg):
    got = read_boundaries(_with_cpg(tmp_path, communes_gdf(), encoding=bytes_in,
                                            cpg=cpg))
    assert names(got) == EXPECTED  # not "PhÆ°á»ng ..."
    assert got.cpg  # and the report says which .cpg was overruled


def test_a_right_cpg_is_used_as_it_is(tmp_path):
    got = read_boundaries(_with_cpg(tmp_path, communes_gdf(), encoding="cp1258",
                                            cpg="1258"))
    assert names(got) == EXPECTED and got.cpg is None and got.encoding == "cp1258"


def _zip_with(tmp_path, flag: int = 0, method: int | None = None):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xa.geojson", communes_gdf().to_json())
    data = bytearray(path.read_bytes())
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    data[local + 6] |= flag
    data[central + 8] |= flag
    if method is not None:
        data[local + 8], data[central + 10] = method, method
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(("flag", "method", "key", "shown"), [
    (1, None, "zip_encrypted", None), (0, 99, "zip_encrypted", None),
    (0, 9, "zip_method", "Deflate64"), (0, 98, "zip_method", "PPMd")])
def test_zip_members_it_cannot_inflate_are_refused_by_name(tmp_path, flag, method, key, shown):
    with pytest.raises(GeodataError) as err:
        read_boundaries(_zip_with(tmp_path, flag, method))
    assert err.value.key == key and err.value.params["member"] == "xa.geojson"
    if shown:
        assert err.value.params["method"] == shown


def test_a_zip_with_too_many_members_is_refused(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(6):
            zf.writestr(f"f{i}.txt", "x")
    with pytest.raises(GeodataError) as err:
        read_boundaries(path, limits=replace(LIMITS, zip_members=5))
    assert err.value.key == "zip_members" and err.value.params["n"] == 6


def test_parquet_over_the_limits_is_refused_from_its_footer(tmp_path):
    path = tmp_path / "many.parquet"
    pd.DataFrame({"code": [str(i) for i in range(50)]}).to_parquet(path)
    with pytest.raises(GeodataError) as err:
        read_boundaries(path, limits=replace(LIMITS, features=10))
    assert err.value.key == "too_many_features" and err.value.params["n"] == 50


def test_garbage_parquet_is_unreadable_not_a_crash(tmp_path):
    path = tmp_path / "g.parquet"
    path.write_bytes(b"PAR1" + bytes(200) + b"PAR1")
    with pytest.raises(GeodataError) as err:
        read_boundaries(path)
    assert err.value.key == "unreadable"


def test_feature_and_vertex_limits(tmp_path):
    path = tmp_path / "a.geojson"
    communes_gdf().to_file(path)
    with pytest.raises(GeodataError) as err:
        read_boundaries(path, limits=replace(LIMITS, features=2))
    assert err.value.key == "too_many_features"
    with pytest.raises(GeodataError) as err:
        read_boundaries(path, limits=replace(LIMITS, vertices=10))
    assert err.value.key == "too_many_vertices"


def test_nan_coordinates_make_a_missing_shape(tmp_path):
    path = tmp_path / "nan.geojson"
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature",'
                    '"properties":{"MaXa":"1"},"geometry":{"type":"Polygon","coordinates":'
                    '[[[105,10],[105.1,10],[105.1,NaN],[105,10]]]}},{"type":"Feature",'
                    '"properties":{"MaXa":"2"},"geometry":{"type":"Polygon","coordinates":'
                    '[[[105,10],[105.1,10],[105.1,10.1],[105,10]]]}}]}')
    got = read_boundaries(path)
    assert got.nonfinite == [0] and got.frame.geometry.iloc[0] is None


def test_reader_messages_hold_no_server_paths_or_gdal_settings():
    err = OSError("/tmp/units-x1y2/deep/xa.geojson: Failed to read GeoJSON data; GeoJSON "
                  "object too complex/large. You may define the OGR_GEOJSON_MAX_OBJ_SIZE "
                  "configuration option to a value in megabytes to allow for larger features")
    text = readers._short(err)
    assert "/tmp" not in text and "OGR_" not in text and text.startswith("xa.geojson")
