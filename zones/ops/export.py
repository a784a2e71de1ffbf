"""The levels in force with their shapes, for GIS tools (``python -m zones export``).

One row per unit of the chosen level: the ``assess`` columns a map needs
(``EXPORT_COLUMNS``: the level in force, its name, the computed and the declared level,
the decision, the rule set) and the unit's shape (WGS 84). Written as a GeoPackage (layer
``levels``, which QGIS opens directly), GeoJSON, or CSV with the shape as WKT (QGIS's
"delimited text" layer reads it). Names are data: written as values, never read as
markup by any of these formats; the CSV writer of the caller guards formula cells.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from zones.errors import ZonesError
from zones.i18n import msg

EXPORT_COLUMNS = ["unit_code", "unit_name", "level", "level_name", "computed_level",
                  "declared_level", "decision", "ruleset"]
FORMATS = ("gpkg", "geojson", "csv")
LAYER = "levels"
MIME = {"gpkg": "application/geopackage+sqlite3", "geojson": "application/geo+json",
        "csv": "text/csv"}


def with_shapes(levels: pd.DataFrame, shapes: pd.DataFrame) -> pd.DataFrame:
    """``levels`` (the assess table) in ``EXPORT_COLUMNS`` with each unit's shape from
    ``shapes`` (``export_units`` with geometry: ``code``, ``geometry``)."""
    geometry = dict(zip(shapes["code"], shapes["geometry"], strict=True))
    out = levels[EXPORT_COLUMNS].reset_index(drop=True).copy()
    out["geometry"] = [geometry.get(code) for code in out["unit_code"]]
    return out


def encode(frame: pd.DataFrame, fmt: str) -> bytes | pd.DataFrame:
    """The export's bytes (``gpkg``, ``geojson``), or for ``csv`` the frame with the shape
    as WKT (the caller's CSV writer guards formula cells)."""
    if fmt not in FORMATS:
        raise ZonesError(msg("export.bad_format", value=fmt, choices=", ".join(FORMATS)))
    import geopandas as gpd  # here only: the other commands start without it

    gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    if fmt == "csv":
        out = pd.DataFrame(gdf.drop(columns="geometry"))
        out["geometry"] = gdf.geometry.to_wkt(rounding_precision=7)
        return out
    if fmt == "geojson":
        return gdf.to_json(na="null", show_bbox=False, drop_id=True,
                           ensure_ascii=False).encode("utf-8")
    for c in ("level", "computed_level", "declared_level"):  # GeoPackage: integer fields
        gdf[c] = gdf[c].astype("Int32")
    with tempfile.TemporaryDirectory(prefix="zones-export-") as tmp:
        path = Path(tmp) / "levels.gpkg"
        gdf.to_file(path, layer=LAYER, driver="GPKG", engine="pyogrio")
        return path.read_bytes()
