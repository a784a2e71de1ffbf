"""Validating the rows of a sites upload: every problem of every row, found at once.

Each row is checked cell by cell (the site's id and name, its unit by code or names as
for figures, its coordinates, its validity dates, and by kind the score or the counts),
then every point is checked against the shape of its unit in one vectorised pass: a
point outside its unit's shape (more than ``TOLERANCE`` degrees, about a millimetre, so a
point on the border is inside) is refused, naming the unit it falls in. A lockdown
polygon is checked by its area: more than ``lockdown_outside_max_percent`` of it
(``checks.yaml``) outside its unit is refused, naming the units it spills into and the
share in each. Problems are
worded like an upload's (``zones.ingest.check.explain``: row, column, value, reason, fix).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import shapely

from zones.i18n import fmt_num, t
from zones.ingest.check import explain, parse_counts, parse_dates, texts
from zones.ingest.read import UNIT_COLUMNS
from zones.ingest.units import UnitIndex, describe, resolve_units
from zones.sites.limits import checks
from zones.sites.read import SiteTable

#: how far (degrees) a point may lie from its unit's shape and still be in it: a point
#: on the border, written with the vertices' own precision, is inside
TOLERANCE = 1e-9
#: the most people a quarantine site may hold, as capacity or occupied
MAX_PEOPLE = 1_000_000
MAX_ID, MAX_NAME, MAX_SECTOR = 64, 200, 100
#: problem kinds that warn and store the row
WARNING_KINDS = frozenset({"site_over_capacity", "site_unit_no_shape"})
LAST_DAY = date(2199, 12, 31)
VALUE_COLUMNS = ["site_id", "name", "unit_code", "lat", "lon", "geometry", "valid_from",
                 "valid_to", "sector", "score", "capacity", "occupied"]
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_LEVEL_DEPTH = {"province": 0, "district": 1, "commune": 2, "hamlet": 3}


@dataclass
class CheckedSites:
    """A validated sites upload: clean values, problems, and the file they came from."""

    kind: str
    values: pd.DataFrame  # index = row number; VALUE_COLUMNS
    problems: pd.DataFrame  # row, column, value, reason, fix, kind
    filename: str = ""
    lang: str = "vi"  # the language its problems are phrased in (the user's)
    rows: int = 0
    ignored: list[str] = field(default_factory=list)
    header_row: int = 1

    @property
    def refused(self) -> pd.Index:
        bad = self.problems[~self.problems["kind"].isin(WARNING_KINDS)]
        return pd.Index(sorted(bad["row"].unique()), dtype=int)

    @property
    def good(self) -> pd.DataFrame:
        return self.values[~self.values.index.isin(self.refused)]

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "refused": len(self.refused), "good": len(self.good)}


def _control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in text)


def parse_number(text: str) -> tuple[float | None, str]:
    """A decimal number from a cell's text (a comma may be the decimal sign; "85%" for a
    score) -> (value, problem kind or "")."""
    s = text.strip().replace("\u2212", "-").rstrip("%").strip()
    if s == "":
        return None, "site_missing"
    if s.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        return None, "site_not_finite"
    if not _NUMBER.match(s):
        return None, "site_number_text"
    value = float(s.replace(",", "."))
    if not math.isfinite(value):
        return None, "site_not_finite"
    return value, ""


def check_sites(st: SiteTable, kind: str, index: UnitIndex, units, *,
                area: set[str] | None = None, area_name: str = "",
                lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, problems) of every row of a sites table. ``units``: the units with their
    shapes (GeoDataFrame indexed by code); ``area``: the sender's subtree (rows for units
    outside it are refused)."""
    table = st.table
    tx = texts(table.cells)
    h = dict(table.headers)
    for c in ("lat", "lon"):
        h.setdefault(c, c)
    problems: list[dict] = []

    def bad(row: int, column: str, value: str, kind_: str, detail: str = "") -> None:
        problems.append({"row": row, "column": h.get(column, column), "value": value[:200],
                         "kind": kind_, "detail": detail})

    def col(name: str) -> pd.Series:
        return tx[name] if name in tx else pd.Series("", index=tx.index, dtype=object)

    # units, by code or names (as for figures), inside the sender's area first
    refs = pd.DataFrame({c: col(c) for c in UNIT_COLUMNS}, index=tx.index)
    res = resolve_units(index, refs, lang, area)
    unit_h = "unit_code" if "unit_code" in h else "unit_name"
    # dates: validity, any day from 2000 to 2199
    starts, skind = parse_dates(col("from"), LAST_DAY)
    ends, ekind = parse_dates(col("to"), LAST_DAY)
    first_row: dict[str, int] = {}
    values = {c: [] for c in VALUE_COLUMNS}
    # plain lists: a row's cells by position (a pandas look-up per cell costs 20x more)
    cell = {c: col(c).tolist() for c in ("site_id", "name", "lat", "lon", "from", "to",
                                         "sector", "score", "capacity", "occupied")}
    codes, problems_of, details = (res[c].tolist() for c in ("code", "problem", "detail"))
    ref_code, ref_name = refs["unit_code"].tolist(), refs["unit_name"].tolist()
    start_l, skind_l = starts.tolist(), skind.tolist()
    end_l, ekind_l = ends.tolist(), ekind.tolist()
    counts = {c: parse_counts(col(c).str.strip()) for c in ("capacity", "occupied")} \
        if kind == "quarantine" else {}
    for k, row in enumerate(tx.index):
        sid, name = cell["site_id"][k].strip(), cell["name"][k].strip()
        if not sid:
            bad(row, "site_id", sid, "site_id_missing")
        elif len(sid) > MAX_ID or _control(sid):
            bad(row, "site_id", sid, "site_id_bad", str(MAX_ID))
        elif sid in first_row:
            bad(row, "site_id", sid, "site_duplicate", str(first_row[sid]))
        else:
            first_row[sid] = row
        if not name:
            bad(row, "name", name, "site_name_missing")
        elif len(name) > MAX_NAME or _control(name):
            bad(row, "name", name, "site_name_bad", str(MAX_NAME))
        code, problem = codes[k], problems_of[k]
        if isinstance(problem, str):
            bad(row, unit_h, ref_code[k] or ref_name[k], problem, details[k] or "")
            code = None
        elif area is not None and code not in area:
            bad(row, unit_h, ref_code[k] or ref_name[k], "site_outside_area", area_name)
        # coordinates (a polygon of a GeoJSON lockdown instead)
        shape = st.shapes.get(row)
        lat = lon = None
        geom = None
        if shape is not None and shape["coordinates"] is not None and kind == "lockdown":
            try:
                geom = shapely.geometry.shape(shape)
                if geom.is_empty or not geom.is_valid:
                    raise ValueError
            except Exception:  # any shape GEOS cannot build is the row's problem, worded
                geom = None
                bad(row, "geometry", shape["type"], "site_shape_bad")
        elif shape is not None:
            bad(row, "geometry", shape["type"], "site_shape_kind" if shape["coordinates"]
                is not None else "site_shape_bad")
        if geom is not None:
            point = geom.representative_point()
            lat, lon = point.y, point.x
        elif shape is None:
            lat, lon = _coordinates(row, cell["lat"][k], cell["lon"][k], bad)
        # validity
        start, end, sk, ek = start_l[k], end_l[k], skind_l[k], ekind_l[k]
        if sk:
            bad(row, "from", cell["from"][k], sk)
        if ek and ek != "date_missing":
            bad(row, "to", cell["to"][k], ek)
        if not sk and not ek and end < start:
            bad(row, "to", cell["to"][k], "site_to_before_from", cell["from"][k])
        # by kind
        score = capacity = occupied = sector = None
        if kind == "facility":
            sector = cell["sector"][k].strip() or None
            if sector and (len(sector) > MAX_SECTOR or _control(sector)):
                bad(row, "sector", sector, "site_text_bad", str(MAX_SECTOR))
            score, why = parse_number(cell["score"][k])
            if why:
                bad(row, "score", cell["score"][k], "site_score_missing"
                    if why == "site_missing" else why)
            elif not 0 <= score <= 100:
                bad(row, "score", cell["score"][k], "site_score_range")
                score = None
        elif kind == "quarantine":
            capacity = _count(row, "capacity", cell["capacity"][k], counts["capacity"], k,
                              bad, required=True)
            occupied = _count(row, "occupied", cell["occupied"][k], counts["occupied"], k,
                              bad, required=False)
            if capacity is not None and occupied is not None and occupied > capacity:
                bad(row, "occupied", cell["occupied"][k], "site_over_capacity",
                    str(capacity))
        values["site_id"].append(sid)
        values["name"].append(name)
        values["unit_code"].append(code)
        values["lat"].append(lat)
        values["lon"].append(lon)
        values["geometry"].append(shapely.to_wkb(geom) if geom is not None else None)
        values["valid_from"].append(None if sk else start.date())
        values["valid_to"].append(None if ek else end.date())
        values["sector"].append(sector)
        values["score"].append(score)
        values["capacity"].append(capacity)
        values["occupied"].append(occupied)
    frame = pd.DataFrame(values, index=tx.index, dtype=object)
    problems += _outside_units(frame, index, units, h.get(unit_h, unit_h),
                               h.get("lat", "lat"), lang)
    raw = pd.DataFrame(problems, columns=["row", "column", "value", "kind", "detail"])
    order = list(table.original.columns)
    return frame, explain(raw, lang, order)


def _coordinates(row, lat_text: str, lon_text: str, bad) -> tuple[float | None, float | None]:
    lat, why_lat = parse_number(lat_text)
    lon, why_lon = parse_number(lon_text)
    if why_lat:
        bad(row, "lat", lat_text, "site_coord_missing" if why_lat == "site_missing" else why_lat)
    if why_lon:
        bad(row, "lon", lon_text, "site_coord_missing" if why_lon == "site_missing" else why_lon)
    if why_lat or why_lon:
        return None, None
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        swapped = -90 <= lon <= 90 and -180 <= lat <= 180
        if not -90 <= lat <= 90:
            bad(row, "lat", lat_text, "site_lat_swapped" if swapped else "site_lat_range")
        else:
            bad(row, "lon", lon_text, "site_lon_range")
        return None, None
    return lat, lon


def _count(row, column: str, text: str, parsed, k: int, bad, required: bool) -> int | None:
    number, kind = parsed[0].iloc[k], parsed[1].iloc[k]
    if kind == "":
        value = int(number) if pd.notna(number) else None
        if value is None:
            if required:
                bad(row, column, text, "site_count_missing")
            return None
        if value > MAX_PEOPLE:
            bad(row, column, text, "site_count_huge", f"{MAX_PEOPLE:,}")
            return None
        return value
    bad(row, column, text, kind)
    return None


def _outside_units(frame: pd.DataFrame, index: UnitIndex, units, unit_h: str,
                   lat_h: str, lang: str) -> list[dict]:
    """A problem for each point outside its unit's shape, naming the unit it falls in;
    for each polygon too far outside it, naming where it spills."""
    ok = frame["unit_code"].notna() & frame["lat"].notna()
    if not ok.any() or units is None or len(units) == 0:
        return []
    sub = frame[ok]
    shapes = units.geometry.reindex(sub["unit_code"].to_numpy())
    has = shapes.notna().to_numpy() & ~shapes.isna().to_numpy()
    out: list[dict] = []
    for row, code in zip(sub.index[~has], sub["unit_code"][~has], strict=True):
        out.append({"row": row, "column": unit_h, "value": code,
                    "kind": "site_unit_no_shape", "detail": describe(index, code)})
    sub, shapes = sub[has], shapes[has]
    polygon = sub["geometry"].notna().to_numpy()
    if polygon.any():
        out += _polygons_outside(sub[polygon], shapes[polygon], index, units, lang)
        sub, shapes = sub[~polygon], shapes[~polygon]
    if sub.empty:
        return out
    points = shapely.points(sub["lon"].astype(float).to_numpy(),
                            sub["lat"].astype(float).to_numpy())
    inside = shapely.dwithin(shapes.to_numpy(), points, TOLERANCE)
    outside = ~inside
    if not outside.any():
        return out
    where = _falls_in(units, points[outside], index)
    for (row, r), found in zip(sub[outside].iterrows(), where, strict=True):
        shown = f"{r['lat']:.6f}, {r['lon']:.6f}"
        out.append({"row": row, "column": lat_h, "value": shown,
                    "kind": "site_outside_unit" if found else "site_outside_all",
                    "detail": found or describe(index, r["unit_code"])})
    return out


def _falls_in(units, points, index: UnitIndex) -> list[str | None]:
    """For each point, the deepest unit whose shape holds it (described), or None."""
    geoms = units.geometry.to_numpy()
    codes = units.index.to_numpy()
    valid = np.array([g is not None and not g.is_empty for g in geoms])
    tree = shapely.STRtree(np.where(valid, geoms, None))
    pairs = tree.query(points, predicate="intersects")
    best: dict[int, tuple[int, str]] = {}
    for p, g in zip(pairs[0], pairs[1], strict=True):
        code = codes[g]
        depth = _LEVEL_DEPTH.get(index.level.get(code, ""), -1)
        if p not in best or depth > best[p][0]:
            best[p] = (depth, code)
    return [describe(index, best[i][1]) if i in best else None for i in range(len(points))]


#: units named where a polygon spills (the largest shares first); the rest are counted
MAX_SPILL_NAMED = 3


def _polygons_outside(sub: pd.DataFrame, shapes, index: UnitIndex, units,
                      lang: str) -> list[dict]:
    """A problem for each lockdown polygon with more than the allowed share of its area
    outside its unit's shape, naming the units of the same level it spills into (and
    the share outside every unit) with the share of its area in each. Shares of areas in
    degrees²: within one polygon the east-west scale is the same for all its parts."""
    limit = checks()["lockdown_outside_max_percent"]
    polys = shapely.from_wkb(sub["geometry"].to_numpy())
    outside = shapely.difference(polys, shapes.to_numpy())
    share = 100 * shapely.area(outside) / np.maximum(shapely.area(polys), 1e-300)
    over = share > limit
    if not over.any():
        return []
    geoms = units.geometry.to_numpy()
    codes = units.index.to_numpy()
    tree = shapely.STRtree(np.array([g if g is not None and not g.is_empty else None
                                     for g in geoms], dtype=object))
    out = []
    for k in np.flatnonzero(over):
        code = sub["unit_code"].iloc[k]
        level = index.level.get(code)
        part, whole = outside[k], shapely.area(polys[k])
        spill = []
        for g in tree.query(part, predicate="intersects"):
            if codes[g] == code or index.level.get(codes[g]) != level:
                continue
            into = 100 * shapely.area(shapely.intersection(part, geoms[g])) / whole
            if into > 0:
                spill.append((into, codes[g]))
        spill.sort(key=lambda x: (-x[0], x[1]))
        # a sliver along a shared border is no spill worth naming, unless it is all
        spill = [x for x in spill if x[0] >= 0.05] or spill[:1]
        nowhere = share[k] - sum(x for x, _c in spill)
        parts = [t("sites.spill.into", lang=lang, share=_percent(x, lang),
                   unit=describe(index, c)) for x, c in spill[:MAX_SPILL_NAMED]]
        if len(spill) > MAX_SPILL_NAMED:
            parts.append(t("sites.spill.more", lang=lang, n=len(spill) - MAX_SPILL_NAMED))
        if nowhere >= 0.05 or not parts:
            parts.append(t("sites.spill.nowhere", lang=lang,
                           share=_percent(max(nowhere, 0.0), lang)))
        detail = t("sites.spill.outside", lang=lang, share=_percent(share[k], lang),
                   unit=describe(index, code),
                   limit=fmt_num(limit, 0 if limit.is_integer() else 2, lang),
                   where="; ".join(parts))
        out.append({"row": sub.index[k], "column": "geometry",
                    "value": polys[k].geom_type, "kind": "site_polygon_outside", "detail": detail})
    return out


def _percent(x: float, lang: str) -> str:
    """A share near the limit with two decimals (1.09, not 1.1 beside "at most 1")."""
    return fmt_num(x, 2 if x < 10 else 1, lang)
