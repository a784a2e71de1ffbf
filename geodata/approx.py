"""Approximate polygons from points: Voronoi cells clipped to a container.

Used for the embedded demo (commune shapes from official centroids, clipped to each
commune's bounding box) and for hamlets given as points (cells clipped to their commune).
Every shape made here is approximate and must be labelled so wherever it is shown.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

# Fallback radius (degrees, ~5.5 km) for a point whose own bounding box is unknown.
FALLBACK_RADIUS_DEG = 0.05


def voronoi_cells(points: gpd.GeoSeries, container: BaseGeometry | None = None) -> gpd.GeoSeries:
    """One Voronoi cell per point (same index), clipped to ``container`` when given.

    Coincident points are nudged apart by a few metres so each still gets a cell.
    """
    coords = shapely.get_coordinates(points.to_numpy()).copy()
    coords = _separate_duplicates(coords)
    pts = shapely.points(coords)
    if len(pts) == 1:
        cells = np.array([container if container is not None else pts[0].buffer(
            FALLBACK_RADIUS_DEG)], dtype=object)
        return gpd.GeoSeries(cells, index=points.index, crs=points.crs)
    extent = shapely.box(*shapely.bounds(shapely.multipoints(pts))).buffer(1.0)
    if container is not None:
        extent = shapely.union(extent, shapely.envelope(container).buffer(0.1))
    regions = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=extent, ordered=True)
    cells = np.asarray(shapely.get_parts(regions), dtype=object)
    if container is not None:
        cells = shapely.intersection(cells, container)
    return gpd.GeoSeries(cells, index=points.index, crs=points.crs)


def _separate_duplicates(coords: np.ndarray) -> np.ndarray:
    key = pd.Series(map(tuple, np.round(coords, 6)))
    rank = key.groupby(key).cumcount().to_numpy()
    if rank.any():
        angle = rank * 2.399963  # golden angle spreads the copies around the original
        coords[:, 0] += np.where(rank > 0, 1e-4 * np.cos(angle), 0.0)
        coords[:, 1] += np.where(rank > 0, 1e-4 * np.sin(angle), 0.0)
    return coords


def cells_in_boxes(points: gpd.GeoSeries, boxes: pd.DataFrame, margin: float = 0.01
                   ) -> gpd.GeoSeries:
    """Voronoi cells of all points, clipped to the land the bounding boxes cover.

    Each cell is cut by the union of the (slightly enlarged) bounding boxes it meets, not
    by its own box alone: neighbours then share their edges exactly, with no slivers of
    background between communes, while coasts and islands keep the shape of their boxes.
    ``boxes`` has columns min_lon, min_lat, max_lon, max_lat (NaN = unknown: a disc of
    ``FALLBACK_RADIUS_DEG`` around the point stands in). A cell that would lose its own
    point falls back to the disc.
    """
    cells = voronoi_cells(points).to_numpy()
    b = boxes[["min_lon", "min_lat", "max_lon", "max_lat"]].to_numpy(dtype=float)
    known = ~np.isnan(b).any(axis=1)
    discs = shapely.buffer(points.to_numpy(), FALLBACK_RADIUS_DEG, quad_segs=4)
    land = discs.copy()
    land[known] = shapely.box(b[known, 0] - margin, b[known, 1] - margin,
                              b[known, 2] + margin, b[known, 3] + margin)
    cell_idx, land_idx = shapely.STRtree(land).query(cells, predicate="intersects")
    out = np.empty(len(cells), dtype=object)
    for k, group in pd.Series(land_idx).groupby(cell_idx):
        out[k] = shapely.intersection(cells[k], shapely.union_all(land[group.to_numpy()]))
    out[pd.isna(out)] = discs[pd.isna(out)]
    bad = shapely.is_empty(out) | ~shapely.intersects(out, points.to_numpy())
    out[bad] = shapely.intersection(cells[bad], discs[bad])
    return gpd.GeoSeries(shapely.make_valid(out), index=points.index, crs=points.crs)


def dissolve_codes(geoms: gpd.GeoSeries, parents: pd.Series) -> gpd.GeoSeries:
    """Union of the geometries per parent code (index: parent code)."""
    frame = gpd.GeoDataFrame({"parent": parents.to_numpy()}, geometry=geoms.to_numpy(),
                             crs=geoms.crs)
    merged = frame.dissolve(by="parent")
    return merged.geometry.make_valid()


def random_points_in(polygon: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` reproducible random points inside ``polygon`` (array of shapely Points)."""
    minx, miny, maxx, maxy = polygon.bounds
    found: list = []
    while len(found) < n:
        xs = rng.uniform(minx, maxx, 4 * n)
        ys = rng.uniform(miny, maxy, 4 * n)
        cand = shapely.points(xs, ys)
        found.extend(cand[shapely.contains(polygon, cand)][: n - len(found)])
    return np.array(found, dtype=object)
