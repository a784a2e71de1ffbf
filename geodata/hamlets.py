"""Hamlets (ấp, thôn, khu phố, tổ dân phố): the level below the commune.

No hamlet geometry exists publicly, so hamlets come from the user: polygons as given, or
points (a CSV/XLSX with latitude/longitude and the commune code, or a point layer) turned
into Voronoi cells clipped to their commune, flagged approximate.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.approx import voronoi_cells
from geodata.fields import ALIASES, FieldMap, GeodataError, clean_codes, find_field, infer_mapping

# Half-width (degrees, ~2 km) of the box used when a hamlet's commune has no shape.
LOOSE_MARGIN = 0.02


def hamlet_mapping(frame: pd.DataFrame, overrides: dict[str, str | None] | None = None
                   ) -> tuple[pd.DataFrame, FieldMap]:
    """The field mapping of a hamlet file; when it has names but no hamlet codes, codes
    ``<commune code>-<n>`` are made (column ``_code``). Needs the commune code."""
    overrides = dict(overrides or {})
    columns = [c for c in frame.columns if c != "geometry"]
    has_code = overrides.get("code") or find_field(columns, ALIASES["hamlet"]["code"])
    commune = overrides.get("parent") or find_field(columns, ALIASES["commune"]["code"])
    if commune is None:
        raise GeodataError("hamlet_no_commune", fields=", ".join(map(str, columns)))
    overrides["parent"] = commune
    if not has_code:
        frame = frame.copy()
        parent = clean_codes(frame[commune], "commune")
        seq = parent.groupby(parent).cumcount() + 1
        frame["_code"] = parent + "-" + seq.map("{:02d}".format)
        overrides["code"] = "_code"
    fmap, _ = infer_mapping(frame, level="hamlet", structure="2021", overrides=overrides)
    return frame, fmap


def hamlet_cells(points: gpd.GeoSeries, parents: pd.Series,
                 communes: gpd.GeoSeries) -> gpd.GeoSeries:
    """One approximate polygon per point: the Voronoi cells of the points of each commune
    (``parents``: commune code per point) clipped to that commune's shape (``communes``
    indexed by code). A commune without a shape clips to a box around its points."""
    out = np.empty(len(points), dtype=object)
    codes = parents.to_numpy()
    for code in pd.unique(codes):
        idx = np.flatnonzero(codes == code)
        pts = points.iloc[idx]
        container = communes.get(code)
        if container is None or container.is_empty:
            x0, y0, x1, y1 = pts.total_bounds
            m = LOOSE_MARGIN
            container = shapely.box(x0 - m, y0 - m, x1 + m, y1 + m)
        out[idx] = voronoi_cells(pts, container).to_numpy()
    return gpd.GeoSeries(out, index=points.index, crs=points.crs)


def outside_their_commune(points: gpd.GeoSeries, parents: pd.Series,
                          communes: gpd.GeoSeries) -> np.ndarray:
    """Mask of points that lie outside the shape of their commune (when it has one)."""
    shapes = np.array([communes.get(c) for c in parents], dtype=object)
    known = ~shapely.is_missing(shapes)
    out = np.zeros(len(points), dtype=bool)
    out[known] = ~shapely.covers(shapes[known], points.to_numpy()[known])
    return out
