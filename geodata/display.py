"""Display layers: light GeoJSON for the browser, computed once per boundary set.

Shapes are simplified as a coverage (neighbours keep a shared edge, no slivers open up)
and coordinates rounded; the tolerance depends on how far in each layer is viewed
(perf.md §Recommendations: about one screen pixel at the deepest zoom).
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import shapely
from shapely.errors import GEOSException

# degrees; about one screen pixel at the deepest zoom each layer is looked at: the whole
# country up to zoom 9 (a province opened gets its own, finer layer). On the 3,321 real
# 2025 wards, 0.001 gave 8.7 MB of GeoJSON, 0.003 with 3 decimals gives 3.0 MB
# (bench/bench_wards.py).
TOLERANCE = {"country": 0.003, "province": 0.0002, "hamlet": 0.00005}


def simplify_coverage(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Coverage-preserving simplification; falls back to per-shape when not a coverage."""
    if tolerance <= 0:
        return geoms
    try:
        out = shapely.coverage_simplify(geoms, tolerance)
    except (GEOSException, ValueError):
        out = shapely.simplify(geoms, tolerance, preserve_topology=True)
    bad = shapely.is_empty(out) | ~shapely.is_valid(out)
    out[bad] = shapely.make_valid(shapely.simplify(geoms[bad], tolerance / 4,
                                                   preserve_topology=True))
    return out


def round_coords(geoms: np.ndarray, decimals: int) -> np.ndarray:
    """Coordinates rounded to ``decimals`` places (5 ≈ 1 m, 4 ≈ 11 m)."""
    return shapely.transform(geoms, lambda c: np.round(c, decimals))


def geojson_layer(units: gpd.GeoDataFrame, tolerance: float, *,
                  properties: tuple[str, ...] = ("code", "name")) -> str:
    """A FeatureCollection (compact JSON text) of ``units`` in their row order.

    Feature ``i`` is row ``i``: the browser restyles features by position, so per-date
    payloads carry one value per feature in that same order.
    """
    geoms = units.geometry.to_numpy()
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    geoms = geoms.copy()
    geoms[keep] = simplify_coverage(geoms[keep], tolerance)
    # a rounding step at most a third of the tolerance: 3 places ≈ 110 m, 5 ≈ 1 m
    decimals = 3 if tolerance >= 0.003 else 4 if tolerance >= 0.001 else 5
    geoms[keep] = round_coords(geoms[keep], decimals)
    texts = shapely.to_geojson(geoms)
    props = units[list(properties)].astype(str).to_dict("records")
    feats = [
        f'{{"type":"Feature","properties":{json.dumps(p, ensure_ascii=False, separators=(",", ":"))},'
        f'"geometry":{g if g is not None else "null"}}}'
        for p, g in zip(props, texts, strict=True)
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}"
