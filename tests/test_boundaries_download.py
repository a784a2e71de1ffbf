"""``units download`` against a local http.server on 127.0.0.1 (no internet in tests)."""

from __future__ import annotations

import functools
import http.server
import threading
import zipfile

import geopandas as gpd
import pytest
import sqlalchemy as sa

from geodata import download
from geodata.fields import GeodataError
from tests.test_boundaries_fixtures import communes_gdf, run, stored
from zones.storage.db import open_db
from zones.storage.schema import boundary_sets


def gadm_like() -> gpd.GeoDataFrame:
    gdf = communes_gdf()
    return gpd.GeoDataFrame({
        "GID_0": "VNM", "GID_1": "VNM.33_1", "NAME_1": "Kiên Giang",
        "GID_2": ["VNM.33.1_1"] * 2 + ["VNM.33.2_1"] * 2,
        "NAME_2": ["Rạch Giá"] * 2 + ["Hòn Đất"] * 2,
        "GID_3": [f"VNM.33.{d}.{i}_1" for d, i in ((1, 1), (1, 2), (2, 1), (2, 2))],
        "NAME_3": gdf["TenXa"].str.replace("Phường |Xã ", "", regex=True),
    }, geometry=gdf.geometry, crs="EPSG:4326")


@pytest.fixture
def server(tmp_path):
    """A local HTTP server over tmp_path/www: yields its base URL."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_gadm_download_records_source_licence_checksum(tmp_path, server, capsys):
    root, base = server
    gj = tmp_path / "gadm41_VNM_3.json"
    gadm_like().to_file(gj, driver="GeoJSON")
    with zipfile.ZipFile(root / "gadm41_VNM_3.json.zip", "w") as zf:
        zf.write(gj, gj.name)
    out = tmp_path / "dl"
    out.mkdir()
    assert run(tmp_path, "units", "download", "gadm", "--level", "3", "--url", base,
               "--out", str(out)) == 0
    err = capsys.readouterr().err
    assert "phi thương mại" in err
    assert stored(tmp_path)["levels"] == {"province": 1, "district": 2, "commune": 4}
    with open_db(f"sqlite:///{tmp_path}/t.db").connect() as conn:
        row = conn.execute(sa.select(boundary_sets)).mappings().one()
    assert base in row["source"] and "GADM" in row["source"]
    assert "non-commercial" in row["licence"] and len(row["checksum"]) == 64
    assert (out / "gadm41_VNM_3.json.zip").exists()


def test_geoboundaries_adm1(tmp_path, server):
    root, base = server
    folder = root / "VNM" / "ADM1"
    folder.mkdir(parents=True)
    gpd.GeoDataFrame({"shapeID": ["VNM-ADM1-91"], "shapeName": ["Kiên Giang"],
                      "shapeType": ["ADM1"]}, geometry=[communes_gdf().union_all()],
                     crs="EPSG:4326").to_file(folder / "geoBoundaries-VNM-ADM1.geojson")
    assert run(tmp_path, "units", "download", "geoboundaries", "--level", "1", "--url", base,
               "--out", str(tmp_path / "gb.geojson")) == 0
    assert stored(tmp_path)["levels"] == {"province": 1}


def test_vn2025_with_file_url(tmp_path, server):
    root, base = server
    gdf = communes_gdf().drop(columns=["MaHuyen", "TenHuyen"]).rename(columns={
        "MaXa": "ward_code", "TenXa": "ward_name", "MaTinh": "province_code",
        "TenTinh": "province_name"})
    gdf.to_file(root / "wards.geojson")
    assert run(tmp_path, "units", "download", "vn2025", "--url", f"{base}/wards.geojson",
               "--out", str(tmp_path / "w.geojson")) == 0
    assert stored(tmp_path)["levels"] == {"province": 1, "commune": 4}


def test_missing_file_and_bad_source_exit_2(tmp_path, server, capsys):
    _, base = server
    assert run(tmp_path, "units", "download", "gadm", "--url", base,
               "--out", str(tmp_path / "x.zip")) == 2
    assert "404" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists() and not (tmp_path / "x.zip.part").exists()
    assert run(tmp_path, "units", "download", "osm") == 2
    assert "gadm, geoboundaries, vn2025" in capsys.readouterr().err
    assert run(tmp_path, "units", "download", "geoboundaries", "--level", "3") == 2
    assert stored(tmp_path)["sets"] == []


def test_urls():
    assert download.source_url(download.SOURCES["gadm"], 2) == \
        "https://geodata.ucdavis.edu/gadm/gadm4.1/json/gadm41_VNM_2.json.zip"
    assert download.source_url(download.SOURCES["geoboundaries"], 1, base="http://m/gb/") == \
        "http://m/gb/VNM/ADM1/geoBoundaries-VNM-ADM1.geojson"
    with pytest.raises(GeodataError, match="download_address"):
        download.fetch("file:///etc/passwd", download.Path("/tmp/x"), 10)


def test_oversized_download_refused(tmp_path, server):
    root, base = server
    (root / "big.geojson").write_text(" " * 5000)
    with pytest.raises(GeodataError, match="too_large"):
        download.fetch(f"{base}/big.geojson", tmp_path / "big.geojson", 1000)
    assert not (tmp_path / "big.geojson").exists()
