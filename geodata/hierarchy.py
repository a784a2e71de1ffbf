"""Building the unit hierarchy from one file, and linking the 2021 and 2025 structures.

A commune file that carries its parents' codes/names (``MaHuyen``/``TenHuyen``,
``MaTinh``/``TenTinh``, ``province_code``/``province_name``) yields the districts and the
provinces by dissolving the communes. The 2021 structure is province / district / commune,
the 2025 one province / commune (no districts).

``legacy_to_2025()`` maps legacy (pre-July-2025) commune codes to 2025 codes, from the
mapping shipped with the PyPI package ``vietnamadminunits`` (``converter_2025.json``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import contract
from geodata import gazetteer
from geodata.fields import POPULATION_FIELDS, FieldMap, clean_codes, parse_counts, row_levels
from geodata.names import fold, nfc

UNIT_COLUMNS = (*contract.UNIT_FIELDS, "approximate")


def canonical(frame: pd.DataFrame, fmap: FieldMap) -> pd.DataFrame:
    """The units of ``fmap.level`` with canonical columns (geometry kept when present)."""
    out = pd.DataFrame(index=frame.index)
    out["code"] = clean_codes(frame[fmap.code], fmap.level)
    out["name"] = _names(frame, fmap, out["code"])
    out["level"] = fmap.level
    out["parent_code"] = parent_codes(frame, fmap, 0)
    return _finish(frame, fmap, out)


def _names(frame: pd.DataFrame, fmap: FieldMap, codes: pd.Series) -> list[str]:
    """NFC names; the code where the name cell is empty."""
    names = frame[fmap.name] if fmap.name else codes
    return [nfc(n) if isinstance(n, str) and n.strip() else c
            for n, c in zip(names, codes, strict=True)]


def _finish(frame: pd.DataFrame, fmap: FieldMap, out: pd.DataFrame) -> pd.DataFrame:
    """Population fields parsed, ``approximate`` false, the shapes kept when present."""
    for canon in POPULATION_FIELDS:
        src = fmap.population.get(canon)
        out[canon] = parse_counts(frame[src]).to_numpy() if src else np.nan
    out["approximate"] = False
    if isinstance(frame, gpd.GeoDataFrame):
        return gpd.GeoDataFrame(out, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    return out


def canonical_levels(frame: pd.DataFrame, fmap: FieldMap, level_col: str,
                     parent_col: str | None, stored: set | frozenset = frozenset()
                     ) -> pd.DataFrame:
    """The units of a file whose ``level_col`` gives each feature's level (provinces,
    districts and communes together): codes padded by their own level, parents linked
    to the file's own rows (a parent code that names no row is kept as written, so that
    the importer can refuse the orphan; nothing is invented). ``stored``: codes already
    stored, which a parent cell may name too (an attribute table of one level)."""
    out = pd.DataFrame(index=frame.index)
    out["level"] = row_levels(frame[level_col])
    out["level_text"] = frame[level_col].astype("string").fillna("").str.strip().astype(object)
    raw = frame[fmap.code].astype("string").fillna("").str.strip()
    raw = raw.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    out["code"] = [c if c in stored or not lv else clean_codes(pd.Series([c]), lv).iloc[0]
                   for c, lv in zip(raw, out["level"], strict=True)]  # a stored code as is
    out["name"] = _names(frame, fmap, out["code"])
    by_raw = dict(zip(raw, out["code"], strict=True))
    known = set(out["code"]) | set(stored)

    def link(value) -> str | None:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        text = re.sub(r"^(\d+)\.0+$", r"\1", str(value).strip())
        if not text:
            return None
        if text in known:
            return text
        if text in by_raw:
            return by_raw[text]
        padded = [text.zfill(w) for w in (2, 3, 5)] if text.isdigit() else []
        return next((p for p in padded if p in known), text)

    out["parent_code"] = (frame[parent_col].map(link).astype(object) if parent_col
                          else pd.Series(None, index=frame.index, dtype=object))
    return _finish(frame, fmap, out)


RANK = {"province": 0, "district": 1, "commune": 2, "hamlet": 3}


def official_parents(base: pd.DataFrame, structure: str) -> pd.DataFrame:
    """Parents a multi-level file names by code without their rows, when the code is an
    official district or province: built from their children (names from the official
    list, shapes dissolved, population summed), with their own official parent. Codes
    in no official list are left out (the importer refuses their children)."""
    names = {lv: gazetteer.official_names(lv, structure) for lv in ("district", "province")}
    province_of = gazetteer.official_province_of_district() if structure != "2025" else {}
    frame, built = base, []
    for _ in range(2):  # communes -> districts -> provinces
        parent = frame["parent_code"]
        wanted = parent.notna() & (parent != "") & ~parent.isin(frame["code"])
        if not wanted.any():
            break
        kids = frame[wanted.to_numpy()]
        levels = [next((lv for lv in ("district", "province")
                        if RANK[lv] < RANK.get(own, 9) and p in names[lv]), None)
                  for p, own in zip(kids["parent_code"], kids["level"], strict=True)]
        for level in ("district", "province"):
            mine = kids[[lv == level for lv in levels]]
            if mine.empty:
                continue
            keys = mine["parent_code"]
            above = keys.map(province_of if level == "district" else {}).astype(object)
            group = _group_units(mine, keys, keys.map(names[level]), above, level)
            built.append(group)
        if not built:
            break
        frame = pd.concat([frame, *built[-2:]], ignore_index=True)
    if not built:
        return base.iloc[0:0]
    out = pd.concat(built, ignore_index=True)
    return out.drop_duplicates("code").reset_index(drop=True)


def parent_codes(frame: pd.DataFrame, fmap: FieldMap, depth: int) -> pd.Series:
    """Codes of the parent ``depth`` levels up (0 = nearest): the code field when the file
    has one, else a code made from the parent's name (and its own parent's code)."""
    if depth >= len(fmap.parents):
        return pd.Series(None, index=frame.index, dtype=object)
    parent = fmap.parents[depth]
    if parent.code:
        codes = clean_codes(frame[parent.code], parent.level)
        return codes.where(codes != "", None)
    above = parent_codes(frame, fmap, depth + 1).fillna("")
    slug = frame[parent.name].map(lambda n: re.sub(r"\s+", "-", fold(n)) if
                                  isinstance(n, str) and n.strip() else "")
    made = (above + ":" + slug).str.lstrip(":")
    return made.where(slug != "", None).astype(object)


def unnamed_parents(frame: pd.DataFrame, fmap: FieldMap, structure: str
                    ) -> tuple[pd.Series, dict[int, dict[str, str]]]:
    """Rows whose parent the file gives by code only, with a code that is in no official
    list (those parents would have to be invented: the rows are refused instead), and
    the official names found for the others (depth -> code -> name)."""
    orphan = pd.Series(None, index=frame.index, dtype=object)
    found: dict[int, dict[str, str]] = {}
    # a parent code that is one of the file's own codes is a loop, refused as such later
    own = set(clean_codes(frame[fmap.code], fmap.level))
    for depth, parent in enumerate(fmap.parents):
        if parent.name or not parent.code:
            continue
        official = gazetteer.official_names(parent.level, structure)
        keys = parent_codes(frame, fmap, depth)
        known = keys.isin(list(official)) | keys.isin(own)
        found[depth] = {k: official[k] for k in keys[known].unique() if k in official}
        orphan = orphan.where(orphan.notna() | known | keys.isna(), keys)
    return orphan, found


def build_parents(frame: pd.DataFrame, fmap: FieldMap, base: pd.DataFrame,
                  official: dict[int, dict[str, str]] | None = None) -> pd.DataFrame:
    """Parent units (every level the file names) dissolved from ``base`` (canonical rows
    of ``frame``): codes, names, parent codes, population sums, geometry unions. A parent
    given by code only takes its official name (``official``, from ``unnamed_parents``)."""
    levels = []
    for depth, parent in enumerate(fmap.parents):
        keys = parent_codes(frame, fmap, depth)
        if parent.name:
            names = frame[parent.name].map(nfc)
        else:
            named = keys.map((official or {}).get(depth, {})).astype(object)
            names = named.where(named.notna(), keys)
        above = parent_codes(frame, fmap, depth + 1)
        levels.append(_group_units(base, keys, names, above, parent.level))
    if not levels:
        return base.iloc[0:0]
    return pd.concat(levels, ignore_index=True)


def _group_units(base: pd.DataFrame, keys: pd.Series, names: pd.Series, above: pd.Series,
                 level: str) -> pd.DataFrame:
    ok = keys.notna().to_numpy()
    df = pd.DataFrame({"code": keys[ok].to_numpy(), "name": names[ok].to_numpy(),
                       "parent_code": above[ok].to_numpy()})
    pops = base.loc[ok, list(POPULATION_FIELDS)].reset_index(drop=True)
    df = pd.concat([df, pops], axis=1)
    agg = {"name": "first", "parent_code": "first",
           **{c: (lambda s: s.sum(min_count=len(s)) if s.notna().all() else np.nan)
              for c in POPULATION_FIELDS}}
    out = df.groupby("code", sort=True).agg(agg).reset_index()
    out["name"] = [n if isinstance(n, str) and n else c for n, c in
                   zip(out["name"], out["code"], strict=True)]
    out["level"] = level
    out["approximate"] = False
    if isinstance(base, gpd.GeoDataFrame):
        geoms = dissolve(base.geometry.to_numpy()[ok], keys[ok].to_numpy())
        return gpd.GeoDataFrame(out, geometry=[geoms[c] for c in out["code"]],
                                crs=base.crs)
    return out


def dissolve(geoms: np.ndarray, keys: np.ndarray) -> dict[str, object]:
    """Union of the shapes per key (valid polygons; empty when a group has no shape)."""
    order = np.argsort(keys, kind="stable")
    keys_sorted, geoms_sorted = keys[order], geoms[order]
    bounds = np.flatnonzero(np.r_[True, keys_sorted[1:] != keys_sorted[:-1]])
    out = {}
    for start, stop in zip(bounds, [*bounds[1:], len(keys_sorted)], strict=True):
        merged = shapely.union_all(geoms_sorted[start:stop])
        out[keys_sorted[start]] = merged if shapely.is_valid(merged) else shapely.make_valid(
            merged)
    return out


def parent_conflicts(frame: pd.DataFrame, fmap: FieldMap) -> pd.DataFrame:
    """Parents that the file places under more than one grandparent (code, parents)."""
    rows = []
    for depth in range(len(fmap.parents) - 1):
        pair = pd.DataFrame({"code": parent_codes(frame, fmap, depth),
                             "above": parent_codes(frame, fmap, depth + 1)}).dropna()
        n = pair.groupby("code")["above"].nunique()
        for code in n[n > 1].index:
            rows.append({"code": code, "parents": ", ".join(
                sorted(pair.loc[pair["code"] == code, "above"].unique()))})
    return pd.DataFrame(rows, columns=["code", "parents"])


# --- legacy (2021) -> 2025 ----------------------------------------------------------------

def _package_file(name: str):
    return gazetteer.data_file(name)


@lru_cache(maxsize=1)
def _key_tables() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """(legacy "prov_district_ward" key -> legacy code, (2025 province key, ward key) -> code)."""
    with sqlite3.connect(f"file:{_package_file('dataset.db')}?mode=ro", uri=True) as conn:
        old = conn.execute("SELECT provinceKey, districtKey, wardKey, wardCode "
                           "FROM admin_units_legacy").fetchall()
        new = conn.execute("SELECT provinceKey, wardKey, wardCode FROM admin_units").fetchall()
    legacy = {f"{p}_{d}_{w}": c for p, d, w, c in old if c}
    current = {(p, w): c for p, w, c in new}
    return legacy, current


@lru_cache(maxsize=1)
def legacy_mapping() -> pd.DataFrame:
    """Every legacy commune code with its 2025 successor(s): legacy_code, code_2025,
    is_default (the main successor when the legacy commune was divided)."""
    data = json.loads(_package_file("converter_2025.json").read_text(encoding="utf-8"))
    legacy, current = _key_tables()
    rows = []
    for prov, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward, olds in wards.items():
            rows += [(legacy.get(k), current.get((prov, ward)), True) for k in olds]
    for prov, olds in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for k, news in olds.items():
            rows += [(legacy.get(k), current.get((prov, n["newWardKey"])),
                      bool(n["isDefaultNewWard"])) for n in news]
    out = pd.DataFrame(rows, columns=["legacy_code", "code_2025", "is_default"]).dropna()
    return out.drop_duplicates(["legacy_code", "code_2025"]).reset_index(drop=True)


def legacy_to_2025(codes, *, default_only: bool = True) -> pd.DataFrame:
    """2025 codes of legacy commune ``codes`` (columns legacy_code, code_2025, is_default).

    With ``default_only`` each legacy code gets one row (its main successor); codes
    without a successor are listed with an empty ``code_2025``.
    """
    wanted = pd.Series(clean_codes(pd.Series(list(codes)), "commune"), name="legacy_code")
    table = legacy_mapping()
    if default_only:
        table = table.sort_values("is_default", ascending=False).drop_duplicates("legacy_code")
    merged = wanted.to_frame().merge(table, on="legacy_code", how="left",
                                     validate="many_to_many" if not default_only
                                     else "many_to_one")
    merged["code_2025"] = merged["code_2025"].fillna("")
    merged["is_default"] = merged["is_default"].fillna(False).astype(bool)
    return merged
