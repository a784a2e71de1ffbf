"""Checking and repairing imported boundaries.

Repairs are silent but counted (invalid rings made valid, Z dropped, empty shapes
dropped); problems that make a file unusable raise ``GeodataError`` (mixed geometry
types, duplicate codes); the rest is reported with figures (orphan parents, overlaps and
gaps above a tolerance, slivers below it counted but tolerated: real near-coverages
such as the 2025 ward map have a few hundred).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.fields import GeodataError

EQUAL_AREA = "EPSG:6933"  # WGS 84 / NSIDC EASE-Grid 2.0 Global (equal area, metres)
OVERLAP_MIN_M2 = 10_000.0  # 1 ha: smaller overlaps are slivers from digitising
GAP_MIN_M2 = 10_000.0
_KINDS = {"Polygon": "polygon", "MultiPolygon": "polygon", "Point": "point",
          "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
          "LinearRing": "line", "GeometryCollection": "collection"}


def geometry_kinds(geoms: np.ndarray) -> dict[str, int]:
    """Count of features per kind: polygon, point, line, collection, missing."""
    types = pd.Series(shapely.get_type_id(geoms))
    names = types.map(dict(enumerate(("Point", "LineString", "LinearRing", "Polygon",
                                      "MultiPoint", "MultiLineString", "MultiPolygon",
                                      "GeometryCollection"))))
    kinds = names.map(_KINDS).fillna("missing")
    return {k: int(v) for k, v in kinds.value_counts().items()}


def check_kinds(geoms: np.ndarray, allowed: tuple[str, ...]) -> str:
    """The one geometry kind of a layer; GeodataError when kinds are mixed or not allowed."""
    counts = {k: n for k, n in geometry_kinds(geoms).items() if k != "missing"}
    if not counts:
        raise GeodataError("no_geometry")
    if len(counts) > 1:
        raise GeodataError("mixed_geometry",
                           counts=", ".join(f"{k}: {n}" for k, n in sorted(counts.items())))
    kind = next(iter(counts))
    if kind not in allowed:
        raise GeodataError("wrong_geometry", kind=kind, allowed=", ".join(allowed))
    return kind


def polygonal(geom):
    """Only the polygonal part of a geometry (a repaired shape may hold stray lines)."""
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


@dataclass
class Repair:
    """Result of ``repair``: repaired geometries and masks of what was done."""

    geoms: np.ndarray
    repaired: np.ndarray  # bool: was invalid, made valid
    empty: np.ndarray  # bool: missing or empty after repair (to drop)


def repair(geoms: np.ndarray, kind: str = "polygon") -> Repair:
    """Make shapes valid (shapely ``make_valid``), 2D, and polygonal for polygon layers."""
    geoms = np.asarray(geoms, dtype=object).copy()
    missing = shapely.is_missing(geoms)
    present = ~missing
    geoms[present] = shapely.force_2d(geoms[present])
    invalid = np.zeros(len(geoms), dtype=bool)
    invalid[present] = ~shapely.is_valid(geoms[present])
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        if kind == "polygon":
            fixed = np.array([polygonal(g) for g in fixed], dtype=object)
        geoms[invalid] = fixed
    empty = missing.copy()
    empty[present] = shapely.is_empty(geoms[present])
    return Repair(geoms, invalid & ~empty, empty)


def duplicates(codes: pd.Series) -> list[str]:
    """Codes that occur more than once (sorted)."""
    counts = codes.value_counts()
    return sorted(map(str, counts[counts > 1].index))


def orphans(units: pd.DataFrame) -> pd.DataFrame:
    """Units whose parent_code is set but not among the codes (columns code, parent_code)."""
    has_parent = units["parent_code"].notna() & (units["parent_code"].astype(str) != "")
    missing = has_parent & ~units["parent_code"].isin(set(units["code"]))
    return units.loc[missing, ["code", "parent_code"]].reset_index(drop=True)


def areas_m2(geoms: np.ndarray) -> np.ndarray:
    """Areas in square metres of EPSG:4326 shapes (equal-area projection)."""
    if len(geoms) == 0:
        return np.zeros(0)
    return gpd.GeoSeries(geoms, crs="EPSG:4326").to_crs(EQUAL_AREA).area.to_numpy()


def overlaps(units: gpd.GeoDataFrame, min_m2: float = OVERLAP_MIN_M2,
             levels: tuple[str, ...] | None = None) -> tuple[pd.DataFrame, int]:
    """Pairs of same-level units whose interiors overlap by more than ``min_m2``
    (code_a, code_b, area_m2, largest first) and the number of smaller, tolerated ones.

    ``levels`` limits the check (levels dissolved from their children need none: their
    overlaps are their children's). Candidate pairs come from bounding boxes, then one
    DE-9IM test "interiors intersect" each (faster than the ``overlaps`` predicate, and
    it also catches a unit lying inside another).
    """
    found, slivers = [], 0
    for level, grp in units.groupby("level"):
        if levels is not None and level not in levels:
            continue
        geoms = grp.geometry.to_numpy()
        codes = grp["code"].to_numpy()
        a, b = shapely.STRtree(geoms).query(geoms)
        keep = a < b
        a, b = a[keep], b[keep]
        shapely.destroy_prepared(geoms)  # prepared shapes make relate slower
        inside = shapely.relate_pattern(geoms[a], geoms[b], "T********")
        a, b = a[inside], b[inside]
        if not len(a):
            continue
        area = areas_m2(shapely.intersection(geoms[a], geoms[b]))
        big = area > min_m2
        slivers += int((~big).sum())
        found.append(pd.DataFrame({"code_a": codes[a[big]], "code_b": codes[b[big]],
                                   "area_m2": area[big]}))
    out = pd.concat(found, ignore_index=True) if found else pd.DataFrame(
        {"code_a": [], "code_b": [], "area_m2": []})
    return out.sort_values("area_m2", ascending=False, ignore_index=True), slivers


def gaps(cover: np.ndarray, min_m2: float = GAP_MIN_M2) -> tuple[pd.DataFrame, int]:
    """Holes inside the union of ``cover`` (top-level shapes) larger than ``min_m2``:
    (lon, lat of a point inside, area_m2), and the number of smaller ones."""
    geoms = cover[~(shapely.is_missing(cover) | shapely.is_empty(cover))]
    if not len(geoms):
        return pd.DataFrame({"lon": [], "lat": [], "area_m2": []}), 0
    union = shapely.union_all(geoms)
    rings = [r for poly in shapely.get_parts(union) if poly.geom_type == "Polygon"
             for r in poly.interiors]
    holes = np.array([shapely.Polygon(r) for r in rings], dtype=object)
    area = areas_m2(holes)
    big = area > min_m2
    pts = shapely.point_on_surface(holes[big]) if big.any() else np.array([], dtype=object)
    frame = pd.DataFrame({"lon": shapely.get_x(pts), "lat": shapely.get_y(pts),
                          "area_m2": area[big]})
    return frame.sort_values("area_m2", ascending=False, ignore_index=True), int((~big).sum())
