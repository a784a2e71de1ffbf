"""Importing and exporting administrative boundaries (``python -m zones units ...``).

The flow is plan, then commit: ``plan_import`` reads a file, maps its fields, repairs and
checks the shapes and builds the hierarchy without touching the database;
``commit_import`` stores the plan in one transaction (a failed import leaves the stored
data as it was). A boundary file becomes a new boundary set (a named version, made the
active one); an attribute table (CSV/XLSX without geometry) updates names and population
of the active set; hamlets (points or polygons) are added to the active set.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection, Engine

from geodata import download, hamlets, hierarchy, readers, validate
from geodata import fields as gf
from geodata.adjacency import touching_pairs
from geodata.display import TOLERANCE, geojson_layer
from geodata.fields import GeodataError
from zones import isolate, safe
from zones.errors import NoDataError, ZonesError
from zones.i18n import Msg, Number, msg, t, text_of
from zones.settings import DEFAULTS, Settings
from zones.storage import boundaries_sql, store
from zones.storage.schema import POPULATION_FIELDS

TOLERANCE_M = 30.0  # adjacency: shapes closer than this touch


@dataclass
class ImportOptions:
    """What the user chose (CLI flags or UI widgets); None = detect."""

    level: str | None = None
    code_field: str | None = None
    name_field: str | None = None
    parent_field: str | None = None
    parent_name_field: str | None = None
    population_field: str | None = None
    layer: str | None = None
    set_name: str | None = None
    encoding: str | None = None
    structure: str | None = None
    crs: str | None = None
    source: str = ""
    licence: str = ""
    display_payload: bool = True

    def overrides(self) -> dict[str, str | None]:
        return {"code": self.code_field, "name": self.name_field,
                "parent": self.parent_field, "parent_name": self.parent_name_field,
                "population": self.population_field}


@dataclass
class ImportReport:
    """Everything the user is told about an import."""

    filename: str
    kind: str = "boundaries"  # boundaries, attributes, hamlets
    fmt: str = ""
    layer: str | None = None
    encoding: str | None = None
    legacy: str | None = None
    crs_in: str | None = None
    structure: str = ""
    level: str = ""
    mapping: dict = field(default_factory=dict)
    features: int = 0
    counts: dict = field(default_factory=dict)
    repaired: list = field(default_factory=list)
    rejected: list = field(default_factory=list)  # dicts: row, code, reason
    warnings: list = field(default_factory=list)  # already-translated lines
    overlaps: pd.DataFrame | None = None
    slivers: int = 0
    gaps: pd.DataFrame | None = None
    small_gaps: int = 0
    adjacency: int = 0
    updated: int = 0
    payload_kb: dict = field(default_factory=dict)
    nonfinite: set = field(default_factory=set)  # rows whose coordinates are NaN/inf

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0


@dataclass
class ImportPlan:
    """Units ready to store and the report; nothing is written until ``commit_import``."""

    units: pd.DataFrame
    report: ImportReport
    pairs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"code_a": [], "code_b": []}))
    structure: str = "2021"
    set_name: str = ""
    source: str = ""
    licence: str = ""
    checksum: str | None = None
    approximate: bool = False
    target_set: int | None = None  # attributes/hamlets: the set they go into
    updates: pd.DataFrame | None = None  # attributes: existing units to change
    update_cols: tuple[str, ...] = ()


def user_error(err: GeodataError) -> ZonesError:
    """A geodata problem as a translated user error (exit code 2)."""
    params = {k: (", ".join(map(str, v)) if isinstance(v, list | tuple) else v)
              for k, v in err.params.items()}
    return ZonesError(msg(f"bnd.err.{err.key}", **params))


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- planning ------------------------------------------------------------------------------

def read_limits(settings: Settings) -> readers.Limits:
    """The bounds of a boundary file, from the settings."""
    return readers.Limits(bytes=settings.geodata_max_bytes,
                          features=settings.geodata_max_features,
                          columns=settings.geodata_max_columns,
                          vertices=settings.geodata_max_vertices,
                          zip_members=settings.geodata_max_zip_members,
                          sheets=settings.sheet_limits())


def plan_import(engine: Engine | None, path: str | Path, opts: ImportOptions | None = None,
                settings: Settings = DEFAULTS) -> ImportPlan:
    """Read, map, repair and check ``path`` within the ``settings``' limits; raise
    ZonesError when it is unusable."""
    opts = opts or ImportOptions()
    path = Path(path)
    try:
        read = isolate.bounded(settings, readers.read_boundaries, path,
                               limits=read_limits(settings), layer=opts.layer,
                               encoding=opts.encoding, crs=opts.crs)
        report = _base_report(path, read)
        if not read.has_geometry:
            plan = _plan_attributes(engine, read.frame, opts, report)
        elif _is_hamlet_file(read.frame, opts):
            plan = _plan_hamlets(engine, read.frame, opts, report)
        else:
            plan = _plan_boundaries(read.frame, opts, report)
    except GeodataError as err:
        raise user_error(err) from err
    _check_extent(plan)
    plan.checksum = sha256_file(path)
    plan.source = opts.source or path.name
    plan.licence = opts.licence
    return plan


#: Vietnam with its islands, generously (lon, lat): coordinates outside are not Vietnam in
#: EPSG:4326 (a file in metres without its CRS lands near 0°N 0°E)
VIETNAM = (100.0, 5.0, 118.0, 25.0)


def _check_extent(plan: ImportPlan) -> None:
    """Refuse shapes that lie outside Vietnam for the CRS the file claims."""
    frame = plan.units
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        return
    shapes = frame.geometry[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if shapes.empty:
        return
    x0, y0, x1, y1 = shapes.total_bounds
    w, s, e, n = VIETNAM
    if not (np.isfinite([x0, y0, x1, y1]).all() and x0 >= w and x1 <= e and y0 >= s
            and y1 <= n):
        raise ZonesError(msg("bnd.err.outside_vietnam", bounds=f"{x0:.4g}, {y0:.4g}, "
                           f"{x1:.4g}, {y1:.4g}"))


def _base_report(path: Path, read: readers.ReadResult) -> ImportReport:
    report = ImportReport(filename=path.name, fmt=read.fmt, layer=read.layer,
                          encoding=read.encoding, legacy=read.legacy, crs_in=read.crs_in,
                          features=len(read.frame), nonfinite=set(read.nonfinite))
    if read.cpg:
        report.warnings.append(msg("bnd.warn.cpg_contradicted", cpg=read.cpg,
                                 used=(read.legacy or read.encoding or "?").upper()))
    return report


def _is_hamlet_file(frame: gpd.GeoDataFrame, opts: ImportOptions) -> bool:
    if opts.level == "hamlet":
        return True
    if opts.level is None and gf.infer_level(list(frame.columns)) == "hamlet":
        return True
    kinds = validate.geometry_kinds(frame.geometry.to_numpy())
    return opts.level is None and set(kinds) - {"missing"} == {"point"}


def _plan_boundaries(frame: gpd.GeoDataFrame, opts: ImportOptions,
                     report: ImportReport) -> ImportPlan:
    validate.check_kinds(frame.geometry.to_numpy(), ("polygon",))
    level_col = None if opts.level else gf.level_field(frame)
    if level_col:
        return _plan_levels(frame, opts, report, level_col)
    fmap, structure = gf.infer_mapping(frame, level=opts.level, structure=opts.structure,
                                       overrides=opts.overrides())
    _describe_mapping(report, fmap, structure)
    frame = _repaired(frame, report)
    base = hierarchy.canonical(frame, fmap)
    base["_row"] = np.arange(1, len(base) + 1)
    report.repaired = sorted(base.loc[frame["_repaired"].to_numpy(), "code"].tolist())
    orphan, official = hierarchy.unnamed_parents(frame, fmap, structure)
    keep = _reject_rows(base, report) & _reject_unnamed(base, orphan, report)
    frame, base = frame.loc[keep], base.loc[keep]
    _check_duplicates(base["code"])
    parents = hierarchy.build_parents(frame, fmap, base, official)
    for row in hierarchy.parent_conflicts(frame, fmap).itertuples():
        report.warnings.append(msg("bnd.warn.parent_conflict", code=row.code,
                                 parents=row.parents))
    if official:
        report.warnings.append(msg("bnd.warn.official_names", n=sum(map(len, official.values()))))
    unit_frame = pd.concat([parents, base], ignore_index=True) if len(parents) else base
    return _finish_plan(unit_frame, fmap, structure, opts, report)


def _finish_plan(unit_frame: pd.DataFrame, fmap: gf.FieldMap, structure: str,
                 opts: ImportOptions, report: ImportReport) -> ImportPlan:
    """Cycles refused, codes unique, quality and adjacency: the plan of a boundary file."""
    unit_frame = gpd.GeoDataFrame(unit_frame.reset_index(drop=True), geometry="geometry",
                                  crs="EPSG:4326")
    unit_frame = _reject_cycles(unit_frame, report)
    unit_frame = _reject_below_refused(unit_frame, report)
    if unit_frame.empty:
        raise ZonesError(msg("bnd.err.nothing_left", n=len(report.rejected)))
    _check_duplicates(unit_frame["code"])
    _check_population(unit_frame, fmap, report)
    finest = next(lv for lv in ("hamlet", "commune", "district", "province")
                  if (unit_frame["level"] == lv).any())
    _quality(unit_frame, report, finest)
    pairs = adjacency_pairs(unit_frame)
    report.adjacency = len(pairs)
    report.counts = unit_frame["level"].value_counts().to_dict()
    if opts.display_payload:
        report.payload_kb = payload_kb(unit_frame)
    return ImportPlan(unit_frame, report, pairs, structure, opts.set_name or "")


def _plan_levels(frame: gpd.GeoDataFrame, opts: ImportOptions, report: ImportReport,
                 level_col: str) -> ImportPlan:
    """A file whose ``level`` field gives each feature's level (architecture §4): every
    row keeps its own level and links to its parent among the file's rows."""
    fmap, parent_col = _levels_mapping(frame, opts, level_col)
    frame = _repaired(frame, report)
    base = hierarchy.canonical_levels(frame, fmap, level_col, parent_col)
    base["_row"] = np.arange(1, len(base) + 1)
    report.repaired = sorted(base.loc[frame["_repaired"].to_numpy(), "code"].tolist())
    keep = _reject_rows(base, report)
    base = base.loc[keep]
    structure = opts.structure or ("2021" if "district" in set(base["level"]) or (
        base["parent_code"].dropna().str.len() == 3).any() else "2025")
    parents = hierarchy.official_parents(base, structure)
    if len(parents):
        report.warnings.append(msg("bnd.warn.official_names", n=len(parents)))
        base = pd.concat([base, parents], ignore_index=True)
    base = base.loc[_reject_levels(base, set(), report)]
    levels = set(base["level"])
    finest = next((lv for lv in ("hamlet", "commune", "district", "province")
                   if lv in levels), "commune")
    report.level, report.structure = finest, structure
    report.mapping = {"code": fmap.code, "name": fmap.name, "level": level_col,
                      "parent_code": parent_col, **fmap.population}
    report.mapping = {k: v for k, v in report.mapping.items() if v}
    return _finish_plan(base, fmap, structure, opts, report)


def _levels_mapping(frame: pd.DataFrame, opts: ImportOptions, level_col: str
                    ) -> tuple[gf.FieldMap, str | None]:
    """Code, name and population fields of a multi-level file, and its parent field."""
    columns = [c for c in frame.columns if c not in ("geometry", level_col)]
    fmap, _ = gf.infer_mapping(frame[columns], level="commune", structure="2021",
                               overrides={**opts.overrides(), "parent": None,
                                          "parent_name": None})
    parent_col = opts.parent_field or gf.find_field(columns, gf.GENERIC_PARENT)
    if parent_col and parent_col not in columns:
        parent_col = gf.find_field(columns, (gf.norm_field(parent_col),))
    return fmap, parent_col


RANK = hierarchy.RANK


def _reject_levels(base: pd.DataFrame, stored: set, report: ImportReport) -> np.ndarray:
    """Rows kept of a multi-level file: each has a level, and a parent that is in the file
    (or already stored) and above it."""
    own = [lv if isinstance(lv, str) and lv in RANK else None for lv in base["level"]]
    level_of = dict(zip(base["code"], own, strict=True))  # NaN (after a concat): no level
    ok = np.ones(len(base), dtype=bool)
    for pos, (code, level, parent) in enumerate(zip(base["code"], own,
                                                    base["parent_code"], strict=True)):
        row = _row(base, pos)
        reason = None
        if not level:
            reason = _no_level(base, pos)
        elif isinstance(parent, str) and parent:
            if parent not in level_of and parent not in stored:
                reason = msg("bnd.reason.unknown_parent", parent=parent)
            elif parent in level_of and (not level_of[parent]
                                         or RANK[level_of[parent]] >= RANK[level]):
                reason = msg("bnd.reason.parent_not_above", parent=parent,
                           parent_level=msg(f"ui.level.{level_of[parent] or 'commune'}"),
                           level=msg(f"ui.level.{level}"))
        if reason and code:
            ok[pos] = False
            report.rejected.append({"row": row, "code": code, "reason": reason})
    return ok


def _no_level(frame: pd.DataFrame, pos: int) -> str:
    """Why row ``pos`` has no level: its level cell is empty, or holds no level."""
    text = frame["level_text"].iloc[pos] if "level_text" in frame.columns else None
    if isinstance(text, str) and text:
        return msg("bnd.reason.bad_level", value=text)
    return msg("bnd.reason.no_level")


def _row(frame: pd.DataFrame, pos: int) -> int | str:
    """The feature number the user sees for row ``pos`` ("" for a built parent)."""
    if "_row" not in frame.columns:
        return pos + 1
    value = frame["_row"].iloc[pos]
    return "" if pd.isna(value) else int(value)


def _reject_unnamed(base: pd.DataFrame, orphan: pd.Series, report: ImportReport
                    ) -> np.ndarray:
    """Rows whose parent is given by a code only, a code in no official list: the parent
    would have to be invented (no name, a shape guessed), so the rows are refused."""
    bad = orphan.notna().to_numpy()
    for pos in np.flatnonzero(bad):
        report.rejected.append({"row": int(pos) + 1, "code": base["code"].iloc[pos],
                                "reason": msg("bnd.reason.unnamed_parent",
                                            parent=orphan.iloc[pos])})
    return ~bad


def _reject_below_refused(frame: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    """Units whose parent was refused (a cycle, a bad row) are refused too: their parent
    would be missing from the set."""
    refused = {r["code"] for r in report.rejected}
    while True:
        parent = frame["parent_code"]
        lost = parent.isin(list(refused)) & ~parent.isin(frame["code"])
        if not lost.any():
            return frame
        for pos in np.flatnonzero(lost.to_numpy()):
            code = frame["code"].iloc[pos]
            report.rejected.append({"row": _row(frame, pos), "code": code, "reason": msg(
                "bnd.reason.parent_refused", parent=frame["parent_code"].iloc[pos])})
            refused.add(code)
        frame = frame[~lost.to_numpy()].reset_index(drop=True)


def _describe_mapping(report: ImportReport, fmap: gf.FieldMap, structure: str) -> None:
    report.level, report.structure = fmap.level, structure
    report.mapping = {k: v for k, v in fmap.used().items() if v}
    if fmap.guessed_level:
        report.warnings.append(msg("bnd.warn.level_guessed", level=msg(f"ui.level.{fmap.level}")))


def _repaired(frame: gpd.GeoDataFrame, report: ImportReport) -> gpd.GeoDataFrame:
    fixed = validate.repair(frame.geometry.to_numpy())
    out = frame.set_geometry(list(fixed.geoms), crs=frame.crs)
    out["_repaired"] = fixed.repaired
    return out


def _reject_rows(base: pd.DataFrame, report: ImportReport) -> np.ndarray:
    """Rows kept; the others (empty shape, no code) go to the report's rejected list."""
    empty = base.geometry.is_empty.to_numpy() | base.geometry.isna().to_numpy() \
        if isinstance(base, gpd.GeoDataFrame) else np.zeros(len(base), dtype=bool)
    no_code = (base["code"] == "").to_numpy()
    for pos in np.flatnonzero(empty | no_code):
        reason = "bnd.reason.no_code" if no_code[pos] else (
            "bnd.reason.nonfinite" if pos in report.nonfinite else "bnd.reason.empty_geometry")
        report.rejected.append({"row": int(pos) + 1, "code": base["code"].iloc[pos],
                                "reason": msg(reason)})
    return ~(empty | no_code)


def _reject_cycles(frame: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    """Units that are their own parent or ancestor (K1 -> K2 -> K1) are refused, with the
    chain in the report; so are the units under them (their tree has no top)."""
    parent = dict(zip(frame["code"], frame["parent_code"], strict=True))
    bad: dict[str, str] = {}
    for code in parent:
        chain, seen = [code], {code}
        while (p := parent.get(chain[-1])) and isinstance(p, str) and p in parent:
            if p in seen:
                loop = [*chain[chain.index(p):], p]
                for c in chain:
                    bad.setdefault(c, " → ".join(loop))
                break
            chain.append(p)
            seen.add(p)
    if not bad:
        return frame
    for pos, code in enumerate(frame["code"]):
        if code in bad:
            report.rejected.append({"row": _row(frame, pos), "code": code,
                                    "reason": msg("bnd.reason.cycle", chain=bad[code])})
    return frame[~frame["code"].isin(bad)].reset_index(drop=True)


def _check_duplicates(codes: pd.Series) -> None:
    dups = validate.duplicates(codes)
    if dups:
        shown = ", ".join(dups[:20]) + (" …" if len(dups) > 20 else "")
        raise GeodataError("duplicate_codes", n=len(dups), codes=shown)


def _check_population(base: pd.DataFrame, fmap: gf.FieldMap, report: ImportReport) -> None:
    for canon, src in fmap.population.items():
        bad = base[canon].lt(0)
        if bad.any():
            base.loc[bad, canon] = np.nan
            report.warnings.append(msg("bnd.warn.negative_population", field=src,
                                     n=int(bad.sum())))


def _quality(unit_frame: gpd.GeoDataFrame, report: ImportReport, level: str) -> None:
    report.overlaps, report.slivers = validate.overlaps(unit_frame, levels=(level,))
    tops = unit_frame.loc[unit_frame["parent_code"].isna(), "geometry"].to_numpy()
    report.gaps, report.small_gaps = validate.gaps(tops)


def adjacency_pairs(unit_frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Touching same-level units (the lead's ``geodata.adjacency.touching_pairs``)."""
    with_geom = unit_frame[~(unit_frame.geometry.isna() | unit_frame.geometry.is_empty)]
    if with_geom.empty:
        return pd.DataFrame({"code_a": [], "code_b": []}, dtype=object)
    return touching_pairs(with_geom.set_index("code", drop=False).rename_axis(None),
                          tolerance_m=TOLERANCE_M)


def payload_kb(unit_frame: gpd.GeoDataFrame) -> dict[str, float]:
    """Size of each level's simplified display layer (kB), as the map will send it."""
    out = {}
    for level, grp in unit_frame.groupby("level"):
        tol = TOLERANCE.get(level, TOLERANCE.get("country", 0.001))
        try:
            text = geojson_layer(grp, tol)
        except Exception:  # a display-only figure: never fail an import over it
            continue
        out[level] = round(len(text.encode("utf-8")) / 1024, 1)
    return out


# --- attribute tables and hamlets -------------------------------------------------------

def _plan_attributes(engine: Engine | None, frame: pd.DataFrame, opts: ImportOptions,
                     report: ImportReport) -> ImportPlan:
    """A table without geometry: update names/population of the active set's units and
    add the units it lists that are not there yet (without shapes)."""
    report.kind = "attributes"
    level_col = None if opts.level else gf.level_field(frame)
    if level_col:  # each row's own level (as `units export` writes it)
        return _plan_attribute_levels(engine, frame, opts, report, level_col)
    fmap, structure = gf.infer_mapping(frame, level=opts.level, structure=opts.structure,
                                       overrides=opts.overrides())
    _check_levels_known(frame, fmap)
    _describe_mapping(report, fmap, structure)
    base = hierarchy.canonical(frame, fmap)
    keep = _reject_rows(base, report)
    frame, base = frame.loc[keep], base.loc[keep]
    _check_duplicates(base["code"])
    _check_population(base, fmap, report)
    current = store.active_set(engine) if engine is not None else None
    existing = store.load_units(engine) if current else pd.DataFrame(columns=["code", "level"])
    known = set(existing["code"])
    parents = hierarchy.build_parents(frame, fmap, base)
    if len(parents):  # a parent the file also lists as a row is that row, not a second unit
        parents = parents[~parents["code"].isin(known | set(base["code"]))]
    new = pd.concat([parents, base[~base["code"].isin(known)]], ignore_index=True)
    new = _reject_orphans(new, known if current else None, report)
    cols = (("name",) if fmap.name else ()) + tuple(fmap.population)
    updates = base[base["code"].isin(known)].copy()
    if fmap.name:  # canonical() falls back to the code; an empty name cell changes nothing
        given = frame.loc[updates.index, fmap.name].map(lambda v: isinstance(v, str)
                                                        and bool(v.strip()))
        updates["name"] = updates["name"].where(given, None)
    report.updated, report.counts = len(updates), new["level"].value_counts().to_dict()
    return ImportPlan(new, report, structure=current["structure"] if current else structure,
                      set_name=opts.set_name or "", target_set=current["id"] if current else None,
                      updates=updates, update_cols=cols)


def _plan_attribute_levels(engine: Engine | None, frame: pd.DataFrame, opts: ImportOptions,
                           report: ImportReport, level_col: str) -> ImportPlan:
    """A table whose ``level`` field gives each row's level (``units export``): a stored
    unit keeps its level, code and parent (its name and population are updated); a new
    one is added at its own level under a parent in the file or already stored. A row that
    cannot be stored so is refused by row, naming the field, the value and the fix."""
    current = store.active_set(engine) if engine is not None else None
    existing = store.load_units(engine) if current else pd.DataFrame(
        columns=["code", "level", "parent_code"])
    stored_level = dict(zip(existing["code"], existing["level"], strict=True))
    stored_parent = dict(zip(existing["code"], existing["parent_code"], strict=True))
    fmap, parent_col = _levels_mapping(frame, opts, level_col)
    base = hierarchy.canonical_levels(frame, fmap, level_col, parent_col,
                                      stored=set(stored_level))
    base["_row"] = np.arange(1, len(base) + 1)
    keep = _reject_rows(base, report)
    keep &= _reject_duplicate_rows(base, keep, report)
    _check_population(base, fmap, report)
    raw_level = frame[level_col].astype("string").fillna("").str.strip()
    known = base["code"].isin(list(stored_level)).to_numpy()
    for pos in np.flatnonzero(keep & known):  # stored units: same level, same parent
        code, level = base["code"].iloc[pos], base["level"].iloc[pos]
        parent, was = base["parent_code"].iloc[pos], stored_parent[base["code"].iloc[pos]]
        reason = None
        if not level and base["level_text"].iloc[pos]:
            reason = _no_level(base, pos)
        elif level and level != stored_level[code]:
            reason = msg("bnd.reason.level_mismatch", value=raw_level.iloc[pos], code=code,
                       stored=stored_level[code])
        elif isinstance(parent, str) and parent and parent != (was or ""):
            reason = msg("bnd.reason.parent_changed", value=parent, code=code,
                       stored=was or "-")
        if reason:
            keep[pos] = False
            report.rejected.append({"row": _row(base, pos), "code": code, "reason": reason})
    updates = base[keep & known].copy()
    new = base[keep & ~known].reset_index(drop=True)
    structure = current["structure"] if current else (opts.structure or (
        "2021" if "district" in set(base["level"]) or (
            base["parent_code"].dropna().str.len() == 3).any() else "2025"))
    new = _new_rows_at_their_level(new, stored_level, current is not None, structure, report,
                                   refused=set(base.loc[~keep, "code"]) - {""})
    cols = (("name",) if fmap.name else ()) + tuple(fmap.population)
    if fmap.name:  # an empty name cell changes nothing
        given = frame.loc[updates.index, fmap.name].map(lambda v: isinstance(v, str)
                                                        and bool(v.strip()))
        updates["name"] = updates["name"].where(given, None)
    levels = set(base.loc[keep, "level"].dropna())
    report.level = next((lv for lv in ("hamlet", "commune", "district", "province")
                         if lv in levels), "commune")
    report.structure = structure
    report.mapping = {k: v for k, v in {"code": fmap.code, "name": fmap.name,
                                        "level": level_col, "parent_code": parent_col,
                                        **fmap.population}.items() if v}
    report.updated, report.counts = len(updates), new["level"].value_counts().to_dict()
    return ImportPlan(new.drop(columns=["_row", "level_text"], errors="ignore"), report,
                      structure=structure,
                      set_name=opts.set_name or "",
                      target_set=current["id"] if current else None,
                      updates=updates.drop(columns=["_row", "level_text"]), update_cols=cols)


def _check_levels_known(frame: pd.DataFrame, fmap: gf.FieldMap) -> None:
    """A table with no level field whose rows include their own parents (a code of the
    parent field is also a row's code) holds several levels: one level guessed for every
    row would store the parents again, re-padded at the wrong level. Refused."""
    if not fmap.guessed_level or not fmap.parents or not fmap.parents[0].code:
        return

    def raw(col: str) -> set:
        text = frame[col].astype("string").fillna("").str.strip()
        text = text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True).str.lstrip("0")
        return set(text) - {""}

    both = sorted(raw(fmap.code) & raw(fmap.parents[0].code))
    if both:
        raise GeodataError("levels_needed", codes=", ".join(both[:10]))


def _reject_duplicate_rows(base: pd.DataFrame, keep: np.ndarray, report: ImportReport
                           ) -> np.ndarray:
    """Every row of a code written on more than one row is refused (which is right is
    for the sender to say)."""
    ok = np.ones(len(base), dtype=bool)
    codes = base["code"].where(keep)
    dup = codes.duplicated(keep=False).to_numpy() & keep
    rows = {}
    for pos in np.flatnonzero(dup):
        rows.setdefault(base["code"].iloc[pos], []).append(str(_row(base, pos)))
    for pos in np.flatnonzero(dup):
        code = base["code"].iloc[pos]
        ok[pos] = False
        report.rejected.append({"row": _row(base, pos), "code": code, "reason": msg(
            "bnd.reason.duplicate_row", code=code, rows=", ".join(rows[code]))})
    return ok


def _new_rows_at_their_level(new: pd.DataFrame, stored_level: dict, into_set: bool,
                             structure: str, report: ImportReport, refused: set
                             ) -> pd.DataFrame:
    """New units of a levels table kept: a level, and a parent above it that is stored,
    in the file, or an official unit given by code (built from the official list); below
    province, a unit added to a stored set needs its parent. Units under a refused one
    (``refused``: codes of rows refused before) are refused too."""
    loose = new.copy()
    loose.loc[loose["parent_code"].isin([*stored_level, *refused]), "parent_code"] = None
    built = hierarchy.official_parents(loose, structure) if len(loose) else loose.iloc[0:0]
    if len(built):
        built = built[~built["code"].isin(list(stored_level))]
        if len(built):
            report.warnings.append(msg("bnd.warn.official_names", n=len(built)))
            new = pd.concat([new, built], ignore_index=True)
    ok = np.ones(len(new), dtype=bool)
    own = [lv if isinstance(lv, str) and lv in RANK else None for lv in new["level"]]
    level_of = {**stored_level, **dict(zip(new["code"], own, strict=True))}
    for pos, (code, level, parent) in enumerate(zip(new["code"], own,
                                                    new["parent_code"], strict=True)):
        reason = None
        if not level:
            reason = _no_level(new, pos)
        elif isinstance(parent, str) and parent:
            if parent not in level_of and parent in refused:
                reason = msg("bnd.reason.parent_refused", parent=parent)
            elif parent not in level_of:
                reason = msg("bnd.reason.parent_missing", parent=parent)
            elif not level_of[parent] or RANK[level_of[parent]] >= RANK[level]:
                reason = msg("bnd.reason.parent_not_above", parent=parent,
                           parent_level=msg(f"ui.level.{level_of[parent] or 'commune'}"),
                           level=msg(f"ui.level.{level}"))
        elif into_set and level != "province":
            reason = msg("bnd.reason.needs_parent", level=level)
        if reason:
            ok[pos] = False
            report.rejected.append({"row": _row(new, pos), "code": code, "reason": reason})
    refused = refused | set(new.loc[~ok, "code"])
    new = new[ok].reset_index(drop=True)
    while True:  # a unit whose parent row was refused (and is not stored) has no parent
        lost = new["parent_code"].isin(list(refused)) & ~new["parent_code"].isin(
            list(stored_level))
        if not lost.any():
            return new
        for pos in np.flatnonzero(lost.to_numpy()):
            report.rejected.append({"row": _row(new, pos), "code": new["code"].iloc[pos],
                                    "reason": msg("bnd.reason.parent_refused",
                                                parent=new["parent_code"].iloc[pos])})
            refused.add(new["code"].iloc[pos])
        new = new[~lost.to_numpy()].reset_index(drop=True)


def _reject_orphans(new: pd.DataFrame, known: set | None, report: ImportReport
                    ) -> pd.DataFrame:
    """Drop (and report) new units whose parent is neither stored nor in the file; when
    adding to an existing set (``known``), units below province need a parent."""
    codes = (known or set()) | set(new["code"])
    no_parent = new["parent_code"].isna()
    orphan = ~no_parent & ~new["parent_code"].isin(codes)
    loose = no_parent & (new["level"] != "province") if known is not None else no_parent & False
    for row in new[orphan | loose].itertuples():
        reason = (msg("bnd.reason.unknown_parent", parent=row.parent_code) if row.parent_code
                  else msg("bnd.reason.not_in_set"))
        report.rejected.append({"row": "", "code": row.code, "reason": reason})
    return new[~(orphan | loose)].reset_index(drop=True)


def _plan_hamlets(engine: Engine | None, frame: gpd.GeoDataFrame, opts: ImportOptions,
                  report: ImportReport) -> ImportPlan:
    """Hamlets into the active set: polygons as given, points as Voronoi cells."""
    report.kind = "hamlets"
    current = store.active_set(engine) if engine is not None else None
    if current is None:
        raise GeodataError("no_active_set")
    kind = validate.check_kinds(frame.geometry.to_numpy(), ("polygon", "point"))
    frame, fmap = hamlets.hamlet_mapping(frame, opts.overrides())
    _describe_mapping(report, fmap, current["structure"])
    frame = _repaired(frame, report)
    base = hierarchy.canonical(frame, fmap)
    keep = _reject_rows(base, report)
    stored = store.load_units(engine, geometry=True, set_id=current["id"])
    communes = stored[stored["level"] == "commune"]
    known = base["parent_code"].isin(set(communes["code"])).to_numpy()
    for pos in np.flatnonzero(keep & ~known):
        report.rejected.append({"row": int(pos) + 1, "code": base["code"].iloc[pos], "reason": msg(
            "bnd.reason.unknown_commune", parent=base["parent_code"].iloc[pos])})
    base = base.loc[keep & known]
    _check_duplicates(base["code"])
    clash = sorted(set(base["code"]) & set(stored.loc[stored["level"] != "hamlet", "code"]))
    if clash:
        raise GeodataError("hamlet_code_clash", codes=", ".join(clash[:20]))
    shapes = communes.geometry
    if kind == "point":
        outside = hamlets.outside_their_commune(base.geometry, base["parent_code"], shapes)
        if outside.any():
            report.warnings.append(msg("bnd.warn.points_outside", n=int(outside.sum()),
                                     codes=", ".join(base["code"][outside].tolist()[:10])))
        base = base.set_geometry(hamlets.hamlet_cells(base.geometry, base["parent_code"],
                                                      shapes).to_numpy())
        base["approximate"] = True
    base = gpd.GeoDataFrame(base.reset_index(drop=True), geometry="geometry", crs="EPSG:4326")
    pairs = adjacency_pairs(base)
    report.adjacency, report.counts = len(pairs), {"hamlet": len(base)}
    return ImportPlan(base, report, pairs, current["structure"], target_set=current["id"],
                      approximate=kind == "point")


# --- storing -------------------------------------------------------------------------------

def commit_import(engine: Engine, plan: ImportPlan, on_commit=None, *, lang: str) -> int:
    """Store ``plan`` in one transaction and return the boundary set id (its note in
    ``lang``). ``on_commit`` (connection, set id) runs inside it (the audit entry: stored
    with the data or not)."""
    with engine.begin() as conn:
        store.take_write_lock(conn)
        if plan.report.kind == "boundaries" or plan.target_set is None:
            set_id = store.create_set(
                conn, name=unique_set_name(conn, plan), structure=plan.structure,
                source=plan.source, licence=plan.licence, approximate=plan.approximate,
                checksum=plan.checksum, note=t("bnd.note.imported", lang, file=plan.report.filename))
        else:
            set_id = plan.target_set
            _check_unchanged(conn, plan)
        source = plan.report.filename
        if plan.report.kind == "attributes" and plan.updates is not None:
            _record_changes(conn, set_id, plan.updates, plan.update_cols, source)
            _update_units(conn, set_id, plan.updates, plan.update_cols)
        if plan.report.kind == "hamlets":
            _record_changes(conn, set_id, plan.units, HAMLET_FIELDS, source)
            boundaries_sql.drop_units(conn, set_id, plan.units["code"].tolist())
        if plan.target_set is not None:
            _record_added(conn, set_id, plan.units, source)
        store.insert_units(conn, set_id, plan.units)
        store.insert_adjacency(conn, set_id, plan.pairs)
        store.owe_levels(conn, None)  # new units or population: every day is owed
        store.bump_version(conn, boundaries=True)
        if on_commit is not None:
            on_commit(conn, set_id)
    return set_id


def _check_unchanged(conn: Connection, plan: ImportPlan) -> None:
    """Under the write lock: the units an attribute table adds were planned against the
    stored set; when another import stored one of them (or switched the set) meanwhile,
    storing the plan would collide, so it is refused with a message (nothing stored)."""
    if plan.report.kind != "attributes":
        return
    active = boundaries_sql.active_set_id(conn)
    taken = boundaries_sql.unit_rows(conn, plan.target_set, plan.units["code"].tolist(), [])
    if active != plan.target_set or taken:
        raise ZonesError(msg("bnd.err.changed_meanwhile", codes=", ".join(sorted(taken)[:10])
                           or "-"))


def same_file_set(engine: Engine, plan: ImportPlan) -> dict | None:
    """The boundary set already imported from these very bytes, if any (a re-import of the
    same file changes nothing)."""
    if plan.report.kind != "boundaries" or not plan.checksum:
        return None
    return boundaries_sql.set_with_checksum(engine, plan.checksum)


def activate_set(engine: Engine, set_id: int) -> None:
    """Make boundary set ``set_id`` the one every view uses (one transaction)."""
    with engine.begin() as conn:
        store.take_write_lock(conn)
        if not boundaries_sql.set_exists(conn, set_id):
            raise ZonesError(msg("bnd.err.no_such_set", value=set_id))
        boundaries_sql.activate(conn, set_id)
        store.owe_levels(conn, None)  # other units: every day is owed
        store.bump_version(conn, boundaries=True)


def unique_set_name(conn: Connection, plan: ImportPlan) -> str:
    """The set name asked for (refused when taken), or ``<file> (<structure>)`` made unique."""
    taken = boundaries_sql.set_names(conn)
    if plan.set_name:
        if plan.set_name in taken:
            raise ZonesError(msg("bnd.err.set_exists", name=plan.set_name))
        return plan.set_name
    stem = f"{Path(plan.report.filename).stem} ({plan.structure})"
    name, n = stem, 2
    while name in taken:
        name, n = f"{stem} #{n}", n + 1
    return name


HAMLET_FIELDS = ("name", "parent_code", *POPULATION_FIELDS, "geometry")


def _record_changes(conn: Connection, set_id: int, new: pd.DataFrame,
                    cols: tuple[str, ...], source: str) -> None:
    """Append old -> new of every stored unit whose ``cols`` the import changes (an
    empty cell changes nothing; a replaced shape keeps its old WKB)."""
    import shapely

    if new.empty or not cols:
        return
    wanted = [c for c in cols if c in new.columns]
    stored = boundaries_sql.unit_rows(conn, set_id, new["code"].tolist(), wanted)
    when, rows = store.now(), []
    for rec in new[["code", *wanted]].to_dict("records"):
        old = stored.get(rec["code"])
        if old is None:
            continue  # a unit the import adds (recorded by _record_added)
        for c in wanted:
            value = rec[c]
            if c == "geometry":
                before = old[c]
                after = shapely.to_wkb(value) if value is not None else None
                if before != after:
                    rows.append({"field": c, "old_value": None, "new_value": None,
                                 "old_geometry": before, "code": rec["code"]})
                continue
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            after = str(int(value)) if c in POPULATION_FIELDS else str(value)
            before = None if old[c] is None else str(old[c])
            if before != after:
                rows.append({"field": c, "old_value": before, "new_value": after,
                             "old_geometry": None, "code": rec["code"]})
    if rows:
        boundaries_sql.insert_changes(conn, [
            {**r, "boundary_set_id": set_id, "changed_at": when, "source": source}
            for r in rows])


def _record_added(conn: Connection, set_id: int, frame: pd.DataFrame, source: str) -> None:
    """Units added to an existing set, as history rows ("unit": added)."""
    stored = set(boundaries_sql.unit_rows(conn, set_id, frame["code"].tolist(), []))
    added = [c for c in frame["code"] if c not in stored]
    if added:
        when = store.now()
        boundaries_sql.insert_changes(conn, [
            {"boundary_set_id": set_id, "code": c, "field": "unit", "old_value": None,
             "new_value": "added", "changed_at": when, "source": source} for c in added])


def unit_changes_frame(engine: Engine, code: str | None, lang: str) -> pd.DataFrame:
    """The history of units changed inside the active boundary set, newest first (a
    replaced shape named in ``lang``)."""
    current = store.active_set(engine)
    cols = ["changed_at", "code", "field", "old_value", "new_value", "source"]
    if current is None:
        return pd.DataFrame(columns=cols)
    frame = pd.DataFrame(boundaries_sql.changes(engine, current["id"], cols, code),
                         columns=[*cols, "old_geometry"])
    shape = t("bnd.hist.old_shape", lang)
    frame["old_value"] = [shape if g is not None else v for v, g in
                          zip(frame["old_value"], frame["old_geometry"], strict=True)]
    return frame.drop(columns="old_geometry")


def _update_units(conn: Connection, set_id: int, updates: pd.DataFrame,
                  cols: tuple[str, ...]) -> None:
    if updates.empty or not cols:
        return
    records = []  # an empty cell keeps the stored value
    for rec in updates[["code", *cols]].to_dict("records"):
        row = {"code": rec["code"]}
        for c in cols:  # an empty cell is None (not a float NaN: PostgreSQL types it)
            value = None if pd.isna(rec[c]) else rec[c]
            row[c] = int(value) if value is not None and c in POPULATION_FIELDS else value
        records.append(row)
    boundaries_sql.update_units(conn, set_id, cols, records)


def import_file(engine: Engine, path: str | Path, opts: ImportOptions | None = None,
                *, lang: str, dry_run: bool = False, settings: Settings = DEFAULTS
                ) -> tuple[ImportPlan, int | None]:
    """Plan and (unless ``dry_run``) store an import: (plan, set id or None; the set's
    note in ``lang``)."""
    plan = plan_import(engine, path, opts, settings)
    return plan, (None if dry_run else commit_import(engine, plan, lang=lang))


# --- report --------------------------------------------------------------------------------

def report_lines(report: ImportReport, lang: str, max_items: int = 20) -> list[str]:
    """The validation report as lines of text in ``lang``."""
    lines = [msg("bnd.rep.file", file=report.filename, fmt=report.fmt,
               layer=report.layer or "-", n=Number(report.features))]
    if report.encoding or report.legacy:
        lines.append(msg("bnd.rep.encoding", encoding=report.encoding or "-",
                       legacy=(report.legacy or "").upper() or "-"))
    if report.crs_in and report.crs_in not in ("EPSG:4326", "OGC:CRS84"):
        lines.append(msg("bnd.rep.crs", crs=report.crs_in))
    if report.level:
        lines.append(msg("bnd.rep.mapping", level=msg(f"ui.level.{report.level}"),
                       structure=report.structure, fields=", ".join(
                           f"{k} ← {v}" for k, v in report.mapping.items())))
    for level in ("province", "district", "commune", "hamlet"):
        if report.counts.get(level):
            lines.append(msg("bnd.rep.count", level=msg(f"ui.level.{level}"),
                           n=Number(report.counts[level])))
    if report.kind == "attributes":
        lines.append(msg("bnd.rep.updated", n=Number(report.updated)))
    lines += _problem_lines(report, max_items)
    if report.adjacency:
        lines.append(msg("bnd.rep.adjacency", n=Number(report.adjacency)))
    for level, kb in report.payload_kb.items():
        lines.append(msg("bnd.rep.payload", level=msg(f"ui.level.{level}"), kb=kb))
    return [text_of(line, lang) for line in lines]


def _problem_lines(report: ImportReport, max_items: int) -> list[Msg]:
    lines = []
    if report.repaired:
        lines.append(msg("bnd.rep.repaired", n=len(report.repaired),
                       codes=", ".join(report.repaired[:max_items])))
    for rej in report.rejected[:max_items]:
        lines.append(msg("bnd.rep.rejected", row=rej["row"], code=rej["code"] or "-",
                       reason=rej["reason"]))
    if len(report.rejected) > max_items:
        lines.append(msg("bnd.rep.more", n=len(report.rejected) - max_items))
    if report.overlaps is not None and len(report.overlaps):
        lines.append(msg("bnd.rep.overlaps", n=len(report.overlaps), pairs="; ".join(
            f"{r.code_a}/{r.code_b} {r.area_m2 / 1e6:.3f} km²"
            for r in report.overlaps.head(max_items).itertuples())))
    if report.slivers or report.small_gaps:
        lines.append(msg("bnd.rep.slivers", overlaps=report.slivers, gaps=report.small_gaps))
    if report.gaps is not None and len(report.gaps):
        lines.append(msg("bnd.rep.gaps", n=len(report.gaps), where="; ".join(
            f"({r.lat:.4f}, {r.lon:.4f}) {r.area_m2 / 1e6:.3f} km²"
            for r in report.gaps.head(max_items).itertuples())))
    lines += report.warnings
    return lines


# --- export ---------------------------------------------------------------------------------

EXPORT_COLUMNS = ("code", "name", "level", "parent_code", *POPULATION_FIELDS)


def export_frame(engine: Engine, level: str | None = None, *, geometry: bool = False
                 ) -> pd.DataFrame:
    """Stored units of the active set in hierarchy order (each unit after its parent),
    contract columns, population as integers (empty when unknown)."""
    if store.active_set(engine) is None:
        raise NoDataError(msg("db.empty"))
    frame = store.load_units(engine, geometry=geometry)
    frame = frame.iloc[np.argsort(hierarchy_keys(frame), kind="stable")]
    if level:
        frame = frame[frame["level"] == level]
    out = frame[[*EXPORT_COLUMNS, *(["geometry"] if geometry else [])]].reset_index(drop=True)
    for c in POPULATION_FIELDS:
        out[c] = out[c].round().astype("Int64")
    out["parent_code"] = out["parent_code"].fillna("")
    return out


def hierarchy_keys(frame: pd.DataFrame) -> np.ndarray:
    """A sort key per unit: the codes of its ancestors and its own, joined (depth first)."""
    parent = dict(zip(frame["code"], frame["parent_code"], strict=True))
    keys = []
    for code in frame["code"]:
        chain, seen = [code], {code}
        while (p := parent.get(chain[-1])) and p not in seen:
            chain.append(p)
            seen.add(p)
        keys.append("\x00".join(reversed(chain)))
    return np.array(keys, dtype=object)


@dataclass(frozen=True)
class Downloaded:
    """A fetched public boundary file and what the boundary set records about it."""

    path: Path
    url: str
    sha256: str
    size: int
    source: str
    licence: str
    structure: str
    level: str | None
    non_commercial: bool


def download_source(source: str, folder: Path, *, level: int | None = None,
                    country: str | None = None, url: str | None = None,
                    out: str | None = None, progress=None,
                    settings: Settings = DEFAULTS, lang: str) -> Downloaded:
    """Fetch the file of ``units download`` into ``out`` or ``folder`` (``progress``
    told in ``lang``)."""
    try:
        src = download.source(source)
        address = download.source_url(src, level, country or "VNM", url)
        target = Path(out) if out else folder / download.file_name(address)
        if target.is_dir():
            target = target / download.file_name(address)
        if progress is not None:
            progress(t("bnd.dl.fetching", lang, url=address))
        target.parent.mkdir(parents=True, exist_ok=True)
        path, sha, size = download.fetch(address, target, settings.geodata_max_bytes)
    except GeodataError as err:
        raise user_error(err) from err
    return Downloaded(path=path, url=address, sha256=sha, size=size,
                      source=f"{src.title}: {address}", licence=src.licence,
                      structure=src.structure, non_commercial=src.non_commercial,
                      level=download.LEVEL_NAMES.get(level or src.default_level))


# --- helpers of the page (pages/boundaries.py) ---------------------------------------------

STAGING = Path(tempfile.gettempdir()) / f"zones-uploads-{os.getuid()}"


def stage_upload(name: str, data: bytes) -> Path:
    """Write an uploaded file where only this server's user can read it (folders 0700,
    file 0600), named by its checksum so that reruns of the page reuse it. The archive in
    the database is the only lasting copy: ``discard_upload`` removes this one."""
    STAGING.mkdir(mode=0o700, exist_ok=True)
    os.chmod(STAGING, 0o700)
    folder = STAGING / hashlib.sha256(data).hexdigest()[:16]
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / (Path(name).name or "upload")
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    return path


def discard_upload(path: Path) -> None:
    """Remove a staged upload (after it is imported, or replaced by another file)."""
    if STAGING in Path(path).resolve().parents:
        shutil.rmtree(Path(path).parent, ignore_errors=True)


def file_layers(path: Path) -> list[str]:
    """Layers to choose from (GeoPackage); empty when the file has one or is not one."""
    if path.suffix.lower() != ".gpkg":
        return []
    try:
        layers = readers.list_layers(path)
    except GeodataError:
        return []
    return layers if len(layers) > 1 else []


def file_columns(path: Path, opts: ImportOptions, settings: Settings = DEFAULTS) -> list[str]:
    """The attribute fields of a file (for the mapping selectboxes); [] when unreadable."""
    try:
        read = isolate.bounded(settings, readers.read_boundaries, path,
                               limits=read_limits(settings), layer=opts.layer,
                               encoding=opts.encoding, crs=opts.crs)
    except (GeodataError, ZonesError):
        return []
    return [str(c) for c in read.frame.columns if c != "geometry"]


def sets_table(engine: Engine) -> pd.DataFrame:
    """Boundary sets with their unit counts per level, newest first (for display)."""
    sets = store.list_sets(engine)
    if sets.empty:
        return sets
    for level in ("province", "district", "commune", "hamlet"):
        if level not in sets.columns:
            sets[level] = 0
    cols = ["id", "name", "structure", "is_active", "approximate", "province", "district",
            "commune", "hamlet", "source", "created_at"]
    return sets[cols].sort_values("id", ascending=False).reset_index(drop=True)


def preview_layer(plan: ImportPlan, max_features: int = 4000) -> gpd.GeoDataFrame:
    """The finest level of a plan, simplified for a quick preview map."""
    frame = plan.units
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        return gpd.GeoDataFrame({"code": [], "name": []}, geometry=[], crs="EPSG:4326")
    order = ["hamlet", "commune", "district", "province"]
    level = next(lv for lv in order if (frame["level"] == lv).any())
    part = frame.loc[frame["level"] == level, ["code", "name", "geometry"]].head(max_features)
    part = part[~(part.geometry.isna() | part.geometry.is_empty)].copy()
    for col in ("code", "name"):  # shown in a tooltip as HTML: names are text, not markup
        part[col] = part[col].map(safe.text)
    return part.set_geometry(part.geometry.simplify(0.0005, preserve_topology=True))
