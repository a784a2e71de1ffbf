"""The built-in Vietnamese gazetteer, read from the installed PyPI package
``vietnamadminunits`` (MIT): official codes, names, hierarchy and centroids of the
legacy (pre-2025, 63-province) structure.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

import pandas as pd

from geodata.names import nfc

SOURCE = "vietnamadminunits (PyPI, MIT), bảng admin_units_legacy"

_COLUMNS = {
    "provinceCode": "province_code", "province": "province_name",
    "provinceLat": "province_lat", "provinceLon": "province_lon",
    "districtCode": "district_code", "district": "district_name",
    "districtLat": "district_lat", "districtLon": "district_lon",
    "wardCode": "commune_code", "ward": "commune_name",
    "wardLat": "lat", "wardLon": "lon", "wardBounds": "bounds",
}


def data_file(name: str) -> Path:
    """A data file shipped with ``vietnamadminunits`` (``dataset.db``,
    ``converter_2025.json``). Only its data is read, never its code: find_spec locates
    the installed package without running its ``__init__`` (which builds parsers for
    several seconds and imports its own dependencies, Unidecode among them: GPL-2.0+,
    left out of the locked install, README "Installs")."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("vietnamadminunits is not installed (pip install -r "
                                  "requirements.txt)")
    return Path(spec.submodule_search_locations[0]) / "data" / name


def _dataset_path() -> str:
    return str(data_file("dataset.db"))


def legacy_communes(province_code: str | None = None) -> pd.DataFrame:
    """Legacy communes with their district and province (codes as zero-padded strings).

    Island districts without communes (e.g. Bạch Long Vĩ, Côn Đảo) appear as one row
    whose commune code is the district code with the suffix ``-X`` (not an official code),
    placed at the district centroid.
    """
    with sqlite3.connect(f"file:{_dataset_path()}?mode=ro", uri=True) as conn:
        df = pd.read_sql(f"SELECT {', '.join(_COLUMNS)} FROM admin_units_legacy", conn)
    df = df.rename(columns=_COLUMNS)
    if province_code is not None:
        df = df[df["province_code"] == str(province_code).zfill(2)]
    for c in ("province_code", "district_code", "commune_code"):
        df[c] = df[c].astype("string").astype(object)
    no_ward = df["commune_code"].isna() | (df["commune_code"] == "")
    df.loc[no_ward, "commune_code"] = df.loc[no_ward, "district_code"] + "-X"
    df.loc[no_ward, "commune_name"] = df.loc[no_ward, "district_name"]
    df.loc[no_ward, "lat"] = df.loc[no_ward, "district_lat"]
    df.loc[no_ward, "lon"] = df.loc[no_ward, "district_lon"]
    df.loc[no_ward, "bounds"] = None
    for c in ("province_name", "district_name", "commune_name"):
        df[c] = df[c].map(nfc)
    bbox = df["bounds"].map(_parse_bounds)
    df[["min_lat", "min_lon", "max_lat", "max_lon"]] = pd.DataFrame(
        bbox.tolist(), index=df.index, dtype=float)
    return df.drop(columns="bounds").drop_duplicates("commune_code").reset_index(drop=True)


def _parse_bounds(text: str | None) -> tuple[float, float, float, float]:
    """'lat1,lon1 – lat2,lon2' -> (min_lat, min_lon, max_lat, max_lon); NaNs when absent."""
    nan = float("nan")
    if not isinstance(text, str) or "–" not in text:
        return (nan, nan, nan, nan)
    a, b = (part.strip().split(",") for part in text.split("–"))
    lat1, lon1, lat2, lon2 = float(a[0]), float(a[1]), float(b[0]), float(b[1])
    return (min(lat1, lat2), min(lon1, lon2), max(lat1, lat2), max(lon1, lon2))


def official_names(level: str, structure: str = "2021") -> dict[str, str]:
    """Official names of districts or provinces by code, for a file that gives a parent's
    code but not its name: the 2021 (legacy) list, or the 2025 one for provinces."""
    if level not in ("province", "district"):
        return {}
    if structure == "2025" and level == "province":
        sql = "SELECT DISTINCT provinceCode, province FROM admin_units"
    else:
        col = "province" if level == "province" else "district"
        sql = f"SELECT DISTINCT {col}Code, {col} FROM admin_units_legacy"
    try:
        with sqlite3.connect(f"file:{_dataset_path()}?mode=ro", uri=True) as conn:
            rows = conn.execute(sql).fetchall()
    except (sqlite3.Error, ModuleNotFoundError):
        return {}
    return {str(code): nfc(name) for code, name in rows if code and name}


def official_province_of_district() -> dict[str, str]:
    """Legacy (2021) district code -> its province code."""
    try:
        with sqlite3.connect(f"file:{_dataset_path()}?mode=ro", uri=True) as conn:
            rows = conn.execute("SELECT DISTINCT districtCode, provinceCode "
                                "FROM admin_units_legacy").fetchall()
    except (sqlite3.Error, ModuleNotFoundError):
        return {}
    return {str(d): str(p) for d, p in rows if d and p}
