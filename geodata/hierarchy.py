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
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import contract
from geodata.fields import POPULATION_FIELDS, FieldMap, clean_codes, parse_counts
from geodata.names import fold, nfc

UNIT_COLUMNS = (*contract.UNIT_FIELDS, "approximate")


def canonical(frame: pd.DataFrame, fmap: FieldMap) -> pd.DataFrame:
    """The units of ``fmap.level`` with canonical columns (geometry kept when present)."""
    out = pd.DataFrame(index=frame.index)
    out["code"] = clean_codes(frame[fmap.code], fmap.level)
    names = frame[fmap.name] if fmap.name else out["code"]
    out["name"] = [nfc(n) if isinstance(n, str) and n.strip() else c
                   for n, c in zip(names, out["code"], strict=True)]
    out["level"] = fmap.level
    out["parent_code"] = parent_codes(frame, fmap, 0)
    for canon in POPULATION_FIELDS:
        src = fmap.population.get(canon)
        out[canon] = parse_counts(frame[src]).to_numpy() if src else np.nan
    out["approximate"] = False
    if isinstance(frame, gpd.GeoDataFrame):
        return gpd.GeoDataFrame(out, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    return out


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


def build_parents(frame: pd.DataFrame, fmap: FieldMap, base: pd.DataFrame) -> pd.DataFrame:
    """Parent units (every level the file names) dissolved from ``base`` (canonical rows
    of ``frame``): codes, names, parent codes, population sums, geometry unions."""
    levels = []
    for depth, parent in enumerate(fmap.parents):
        keys = parent_codes(frame, fmap, depth)
        names = frame[parent.name].map(nfc) if parent.name else keys
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
    return resources.files("vietnamadminunits") / "data" / name


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
