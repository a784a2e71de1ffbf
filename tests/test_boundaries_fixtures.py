"""Shared builders of the boundary-import tests: tiny hand-made boundary files.

A 2 x 2 grid of communes (0.1° squares near Rạch Giá) in two districts of one province:

    91 Kiên Giang
      899 Thành phố Rạch Giá: 30733 Phường Vĩnh Thanh, 30736 Phường Vĩnh Quang
      900 Huyện Hòn Đất:      30800 Xã Bình Sơn,       30801 Xã Bình Giang
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import sqlalchemy as sa
from shapely.geometry import Point, Polygon, box

from zones.cli import main
from zones.storage.db import open_db
from zones.storage.schema import adjacency, boundary_sets, units

X0, Y0, STEP = 105.0, 10.0, 0.1

COMMUNES = pd.DataFrame(
    [("30733", "Phường Vĩnh Thanh", "899", "Thành phố Rạch Giá", 0, 0, 1200),
     ("30736", "Phường Vĩnh Quang", "899", "Thành phố Rạch Giá", 1, 0, 2300),
     ("30800", "Xã Bình Sơn", "900", "Huyện Hòn Đất", 0, 1, 3400),
     ("30801", "Xã Bình Giang", "900", "Huyện Hòn Đất", 1, 1, 4500)],
    columns=["MaXa", "TenXa", "MaHuyen", "TenHuyen", "col", "row", "DanSo"])


def cell(col: int, row: int, size: float = STEP) -> Polygon:
    """The square of grid cell (col, row)."""
    x, y = X0 + col * STEP, Y0 + row * STEP
    return box(x, y, x + size, y + size)


def communes_gdf(**extra) -> gpd.GeoDataFrame:
    """The four communes with Vietnamese GIS field names (2021 structure)."""
    df = COMMUNES.assign(MaTinh="91", TenTinh="Tỉnh Kiên Giang", **extra)
    geoms = [cell(c, r) for c, r in zip(df["col"], df["row"], strict=True)]
    return gpd.GeoDataFrame(df.drop(columns=["col", "row"]), geometry=geoms, crs="EPSG:4326")


def write_geojson(path: Path, gdf: gpd.GeoDataFrame | None = None) -> Path:
    (communes_gdf() if gdf is None else gdf).to_file(path, driver="GeoJSON")
    return path


def zip_dir(files: list[Path], out: Path, arcnames: list[str] | None = None) -> Path:
    """Zip ``files`` (flat, or under ``arcnames`` kept exactly as given)."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i, f in enumerate(files):
            info = zipfile.ZipInfo(arcnames[i] if arcnames else f.name)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, f.read_bytes())
    return out


def write_shapefile_zip(tmp: Path, gdf: gpd.GeoDataFrame, *, encoding: str = "utf-8",
                        keep_cpg: bool = True, keep_prj: bool = True,
                        name: str = "xa") -> Path:
    """A zipped Shapefile of ``gdf`` with its .dbf in ``encoding``."""
    folder = tmp / f"shp_{name}"
    folder.mkdir(exist_ok=True)
    gdf.to_file(folder / f"{name}.shp", encoding=encoding)
    files = sorted(folder.iterdir())
    files = [f for f in files if (keep_cpg or f.suffix != ".cpg")
             and (keep_prj or f.suffix != ".prj")]
    return zip_dir(files, tmp / f"{name}.zip")


def db_url(tmp: Path) -> str:
    return f"sqlite:///{tmp}/t.db"


def run(tmp: Path, *argv: str) -> int:
    """``python -m zones --db <tmp db> ARGV`` in-process; the exit code."""
    return main(["--db", db_url(tmp), *argv])


def stored(tmp: Path) -> dict:
    """What the test database holds: sets, units per level, adjacency rows."""
    engine = open_db(db_url(tmp))
    with engine.connect() as conn:
        sets = conn.execute(sa.select(boundary_sets.c.name, boundary_sets.c.is_active)).all()
        levels = dict(conn.execute(sa.select(units.c.level, sa.func.count()).group_by(
            units.c.level)).all())
        pairs = conn.execute(sa.select(sa.func.count()).select_from(adjacency)).scalar()
    return {"sets": [tuple(s) for s in sets], "levels": levels, "adjacency": pairs}


def hamlet_points() -> pd.DataFrame:
    """Three hamlet points in 30733 and two in 30736 (CSV-like, lat/lon columns)."""
    pts = [("30733", "Ấp 1", 0.02, 0.02), ("30733", "Ấp 2", 0.08, 0.02),
           ("30733", "Ấp 3", 0.05, 0.08), ("30736", "Khu phố 1", 0.12, 0.05),
           ("30736", "Khu phố 2", 0.18, 0.05)]
    return pd.DataFrame({"MaXa": [p[0] for p in pts], "TenAp": [p[1] for p in pts],
                         "lat": [Y0 + p[3] for p in pts], "lon": [X0 + p[2] for p in pts]})


@pytest.fixture(name="imported")
def imported_fixture(tmp_path: Path) -> Path:
    """A temp folder whose database holds the four communes (2021 structure)."""
    code = run(tmp_path, "units", "import", str(write_geojson(tmp_path / "xa.geojson")))
    if code != 0:
        raise RuntimeError(f"fixture import failed with exit code {code}")
    return tmp_path


__all__ = ["Point", "cell", "communes_gdf", "hamlet_points", "imported_fixture", "run", "stored",
           "write_geojson", "write_shapefile_zip", "zip_dir"]
