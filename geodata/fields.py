"""Mapping a boundary file's fields onto the units contract (architecture.md §4).

Common Vietnamese GIS names (``MaXa``/``ma_xa``/``TenXa``/``MaHuyen``/``MaTinh``/``DanSo``),
GADM (``GID_n``/``NAME_n``), the 2025 ward lists (``ward_code``/``province_code``) and
geoBoundaries (``shapeID``/``shapeName``) are recognised without regard to case,
diacritics or separators; anything else is given explicitly (CLI flags, UI selectboxes).

Codes stay strings: official numeric codes that lost their leading zeros are padded
(province 2, district 3, commune 5 digits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import contract
from geodata.names import strip_accents

LEVELS = contract.UNIT_LEVELS
CODE_WIDTH = contract.CODE_WIDTH
POPULATION_FIELDS = contract.POPULATION_FIELDS


class GeodataError(ValueError):
    """A boundary file problem the user can fix. ``key`` names the message, ``params``
    fill it (the application translates ``key``; ``str()`` gives an English fallback)."""

    def __init__(self, key: str, **params: object):
        self.key = key
        self.params = params
        detail = ", ".join(f"{k}={v}" for k, v in params.items())
        super().__init__(f"{key}: {detail}" if detail else key)

    def __reduce__(self):  # pickled whole (it comes back from the reading process)
        return (_geodata_error, (type(self), self.key, self.params))


def _geodata_error(cls: type[GeodataError], key: str, params: dict) -> GeodataError:
    return cls(key, **params)


def norm_field(name: object) -> str:
    """The comparison key of a field name: no diacritics, lower case, letters/digits only."""
    return re.sub(r"[^a-z0-9]", "", strip_accents(str(name)).lower())


# Aliases, already in norm_field form, best first.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "province": {
        "code": ("matinh", "matinhtp", "provincecode", "provcode", "gid1",
                 "tinhcode", "matp"),
        "name": ("tentinhday", "provincefullname", "tentinh", "tentinhtp", "provincename",
                 "provname", "name1", "tinh", "tinhtp", "tinhthanhpho"),
    },
    "district": {
        "code": ("mahuyen", "maquanhuyen", "maqh", "districtcode", "distcode", "gid2"),
        "name": ("tenhuyenday", "districtfullname", "tenhuyen", "tenquanhuyen",
                 "districtname", "distname", "name2", "huyen", "quanhuyen"),
    },
    "commune": {
        "code": ("maxa", "maphuongxa", "mapx", "maxaphuong", "wardcode", "communecode",
                 "gid3"),
        "name": ("tenxaday", "wardfullname", "communefullname", "tenxa", "tenphuongxa",
                 "tenxaphuong", "wardname", "communename", "name3", "xa", "phuongxa"),
    },
    "hamlet": {
        "code": ("maap", "mathon", "makhupho", "mathonap", "hamletcode", "villagecode"),
        "name": ("tenap", "tenthon", "tenkhupho", "tenthonap", "hamletname", "villagename",
                 "ap", "thon"),
    },
}
GENERIC = {
    "code": ("code", "ma", "madvhc", "madonvi", "shapeid", "admincode", "pcode", "gid"),
    "name": ("name", "ten", "tendvhc", "tendonvi", "shapename", "adminname"),
}
# the units contract's own field (architecture.md §4), as `units export` writes it
GENERIC_PARENT = ("parentcode", "macaptren", "madonvicaptren")

POPULATION_ALIASES = {
    "population": ("population", "danso", "tongdanso", "sodan", "pop", "pop2019", "danso2019",
                   "ds"),
    "pop_18plus": ("pop18plus", "danso18", "dansotren18", "pop18", "tu18tuoi"),
    "pop_50plus": ("pop50plus", "danso50", "dansotren50", "pop50", "tu50tuoi"),
    "pop_65plus": ("pop65plus", "danso65", "dansotren65", "pop65", "tu65tuoi"),
}
# the contract's `level` field (architecture.md §4): its name, and the values it may hold
LEVEL_FIELD = ("level", "cap", "capdonvi", "caphanhchinh")
LEVEL_VALUES = {
    "province": "province", "tinh": "province", "tinhthanhpho": "province",
    "district": "district", "huyen": "district", "quanhuyen": "district", "quan": "district",
    "thixa": "district", "phuong": "commune", "thitran": "commune",
    "commune": "commune", "ward": "commune", "xa": "commune", "xaphuong": "commune",
    "phuongxa": "commune", "hamlet": "hamlet", "ap": "hamlet", "thon": "hamlet",
    "thonap": "hamlet", "khupho": "hamlet",
}
LAT_ALIASES = ("lat", "latitude", "vido", "y")
LON_ALIASES = ("lon", "lng", "long", "longitude", "kinhdo", "x")
GADM_LEVELS = {1: "province", 2: "district", 3: "commune"}


@dataclass
class ParentField:
    """A parent level carried by the file: its code field and (optional) name field."""

    level: str
    code: str | None
    name: str | None = None


@dataclass
class FieldMap:
    """Which source field feeds which canonical field."""

    level: str
    code: str
    name: str | None
    parents: list[ParentField] = field(default_factory=list)  # nearest first
    population: dict[str, str] = field(default_factory=dict)
    guessed_level: bool = False

    def used(self) -> dict[str, str | None]:
        """Canonical field -> source field, for reports."""
        out: dict[str, str | None] = {"code": self.code, "name": self.name}
        for p in self.parents:
            out[f"{p.level}_code"] = p.code
            out[f"{p.level}_name"] = p.name
        out.update(self.population)
        return out


def find_field(columns: list[str], aliases: tuple[str, ...]) -> str | None:
    """The first column whose normalised name is one of ``aliases`` (in alias order)."""
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(norm_field(col), col)
    return next((by_norm[a] for a in aliases if a in by_norm), None)


def _require(columns: list[str], name: str | None, flag: str) -> str | None:
    if name is None or name in columns:
        return name
    match = find_field(columns, (norm_field(name),))
    if match is None:
        raise GeodataError("field_not_found", field=name, flag=flag,
                           fields=", ".join(map(str, columns)))
    return match


def infer_level(columns: list[str], sample: pd.DataFrame | None = None) -> str | None:
    """The unit level a file describes, from its field names (None when unknown)."""
    gadm = [n for n in (3, 2, 1) if find_field(columns, (f"gid{n}",))]
    if gadm:
        return GADM_LEVELS[gadm[0]]
    for level in ("hamlet", "commune", "district", "province"):
        if find_field(columns, ALIASES[level]["code"]):
            return level
    shape_type = find_field(columns, ("shapetype",))
    if shape_type and sample is not None and len(sample):
        adm = str(sample[shape_type].iloc[0]).upper().replace("ADM", "")
        return GADM_LEVELS.get(int(adm)) if adm.isdigit() else None
    return None


def level_from_codes(codes: pd.Series) -> str | None:
    """A level guessed from official numeric codes: 2 digits province, 3 district, 5 commune."""
    text = codes.dropna().astype(str).str.strip()
    if text.empty or not text.str.fullmatch(r"\d+").all():
        return None
    width = int(text.str.len().median())
    return {1: "province", 2: "province", 3: "district", 4: "commune", 5: "commune"}.get(width)


def parent_levels(level: str, structure: str) -> list[str]:
    """Levels above ``level``, nearest first (no district in the 2025 structure)."""
    above = list(LEVELS[:LEVELS.index(level)])[::-1]
    return [lv for lv in above if not (structure == "2025" and lv == "district")]


def infer_structure(columns: list[str], level: str) -> str:
    """"2021" when district fields exist (or the file is of districts), else "2025"."""
    if level == "district" or find_field(columns, ALIASES["district"]["code"]) \
            or find_field(columns, ALIASES["district"]["name"]):
        return "2021"
    if level in ("commune", "hamlet") and find_field(columns, ALIASES["province"]["code"]):
        return "2025"
    return "2021"


def _parents(columns: list[str], level: str, structure: str) -> list[ParentField]:
    out = []
    for lv in parent_levels(level, structure):
        code = find_field(columns, ALIASES[lv]["code"])
        name = find_field(columns, ALIASES[lv]["name"])
        if code or name:
            out.append(ParentField(lv, code, name))
    return out


def infer_mapping(frame: pd.DataFrame, *, level: str | None = None,
                  structure: str | None = None, overrides: dict[str, str | None] | None = None
                  ) -> tuple[FieldMap, str]:
    """The field mapping of ``frame`` and its structure ("2021"/"2025").

    ``overrides`` keys: code, name, parent, parent_name, population (source field names).
    Raises GeodataError("no_code_field") listing the fields seen when no code is found.
    """
    columns = [c for c in frame.columns if c != "geometry"]
    ov = {k: _require(columns, v, k) for k, v in (overrides or {}).items()}
    level = level or infer_level(columns, frame.head(1))
    guessed = level is None
    code = ov.get("code") or (find_field(columns, ALIASES[level]["code"]) if level else None) \
        or find_field(columns, GENERIC["code"])
    if code is None:
        raise GeodataError("no_code_field", fields=", ".join(map(str, columns)))
    level = level or level_from_codes(frame[code]) or "commune"
    structure = structure or infer_structure(columns, level)
    name = ov.get("name") or find_field(columns, ALIASES[level]["name"]) \
        or find_field(columns, GENERIC["name"])
    parents = _parents(columns, level, structure)
    generic_parent = find_field(columns, GENERIC_PARENT)
    if not parents and generic_parent and not (ov.get("parent") or ov.get("parent_name")):
        ov["parent"] = generic_parent  # our own export (units contract): parent_code
    if ov.get("parent") or ov.get("parent_name"):
        nearest = parent_levels(level, structure)[:1] or ["province"]
        parents = [p for p in parents if p.level != nearest[0]]
        parents.insert(0, ParentField(nearest[0], ov.get("parent"), ov.get("parent_name")))
    population = {k: f for k in POPULATION_FIELDS
                  if (f := find_field(columns, POPULATION_ALIASES[k]))}
    if ov.get("population"):
        population["population"] = ov["population"]
    fmap = FieldMap(level, code, name, parents, population, guessed_level=guessed)
    return fmap, structure


def level_field(frame: pd.DataFrame) -> str | None:
    """The column holding each feature's own level (the contract's ``level``), when the
    file has one and at least half of its values are levels: such a file may hold
    provinces, districts and communes together (a row whose value is no level is refused
    by row, never read with a level guessed for the whole file)."""
    col = find_field([c for c in frame.columns if c != "geometry"], LEVEL_FIELD)
    if col is None:
        return None
    values = frame[col].dropna().astype(str).map(norm_field)
    values = values[values != ""]
    return col if len(values) and 2 * values.isin(list(LEVEL_VALUES)).sum() >= len(values) \
        else None


def row_levels(values: pd.Series) -> pd.Series:
    """Contract level names of a ``level_field`` column (None where empty)."""
    return values.map(lambda v: LEVEL_VALUES.get(norm_field(v)) if isinstance(v, str)
                      else None).astype(object)


def clean_codes(values: pd.Series, level: str | None) -> pd.Series:
    """Codes as trimmed strings; numeric official codes zero-padded to their level's width.

    ``1.0`` (a code read as a number) becomes ``"1"`` first, so province 1 is ``"01"``.
    Missing values become "".
    """
    text = values.astype("string").fillna("").str.strip()
    text = text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    width = CODE_WIDTH.get(level or "")
    if width:
        digits = text.str.fullmatch(r"\d+").fillna(False)
        text = text.where(~digits, text.str.zfill(width))
    return text.astype(object)


MAX_HEAD_COUNT = 200_000_000


def parse_counts(values: pd.Series) -> pd.Series:
    """Head counts as floats (NaN when empty or unreadable): numbers as they are, text with
    thousands separators ("12.345", "12 345", "12,345") or decimals ("1234.0")."""
    if pd.api.types.is_numeric_dtype(values):
        out = values.astype(float)
    else:
        text = values.astype("string").str.strip().str.replace(r"[\s\u00a0]", "", regex=True)
        grouped = text.str.fullmatch(r"\d{1,3}([.,]\d{3})+").fillna(False)
        text = text.where(~grouped, text.str.replace(r"[.,]", "", regex=True))
        out = pd.to_numeric(text.str.replace(",", ".", regex=False),
                            errors="coerce").astype(float)
    # no place holds more people than this (an INTEGER column, and a plausible bound):
    # "inf", 1e30 and the like are unreadable, not a population
    return out.where(np.isfinite(out) & (out.abs() <= MAX_HEAD_COUNT))
