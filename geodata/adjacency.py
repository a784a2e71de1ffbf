"""Which units touch: pairs of units of the same level whose shapes meet.

Real boundary data has slivers and tiny gaps, so two shapes closer than a tolerance
count as touching.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

METRES_PER_DEGREE = 111_320.0


def touching_pairs(units: gpd.GeoDataFrame, tolerance_m: float = 30.0,
                   level_col: str = "level") -> pd.DataFrame:
    """Pairs (code_a < code_b) of same-level units within ``tolerance_m`` of each other.

    ``units`` is indexed by code, in EPSG:4326 (the tolerance is converted to degrees
    at the equator, which errs on the generous side in Vietnam).
    """
    out = []
    tol = tolerance_m / METRES_PER_DEGREE
    has_level = level_col in units.columns
    groups = units.groupby(level_col) if has_level else [(None, units)]
    for _, grp in groups:
        geoms = grp.geometry.to_numpy()
        ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        if ok.sum() < 2:
            continue
        codes = grp.index.to_numpy()[ok]
        tree = shapely.STRtree(geoms[ok])
        left, right = tree.query(geoms[ok], predicate="dwithin", distance=tol)
        keep = left < right
        out.append(pd.DataFrame({"code_a": codes[left[keep]], "code_b": codes[right[keep]]}))
    if not out:
        return pd.DataFrame({"code_a": pd.Series(dtype=object),
                             "code_b": pd.Series(dtype=object)})
    pairs = pd.concat(out, ignore_index=True)
    a, b = pairs["code_a"].astype(str).to_numpy(), pairs["code_b"].astype(str).to_numpy()
    return pd.DataFrame({"code_a": np.minimum(a, b), "code_b": np.maximum(a, b)}
                        ).drop_duplicates(ignore_index=True)
