"""Reading boundary files: GeoJSON, zipped Shapefile, GeoPackage, GeoParquet, CSV/XLSX.

``read_boundaries(path, ...)`` returns a ``ReadResult``: the raw attribute columns plus a
geometry column in EPSG:4326 (a plain DataFrame for attribute tables without geometry).
Unusable input raises ``GeodataError`` with a message key and the details: file over the
size limit, corrupt zip, zip members pointing outside the folder, several layers and
none chosen, no CRS although the coordinates are projected. The limits are plain numbers
the caller passes (``Limits``: the application's settings).
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata import encoding as enc
from geodata import sheets
from geodata.fields import LAT_ALIASES, LON_ALIASES, GeodataError, find_field

#: zip compression methods the reader can inflate: stored, deflate, bzip2, lzma
ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate",
               zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}
ZIP_METHOD_NAMES = {9: "Deflate64", 99: "AES", 95: "xz", 96: "JPEG", 97: "WavPack",
                    98: "PPMd", 93: "Zstandard", 6: "Implode"}
VECTOR_EXTS = (".geojson", ".json", ".gpkg", ".parquet", ".geoparquet", ".shp", ".fgb")
TABLE_EXTS = (".csv", ".xlsx", ".xls", ".txt")
ZIP_EXTS = (".zip",)

# VN-2000 datum shift to WGS 84 (Quyết định 05/2007/QĐ-BTNMT), for TM-3 zones given as
# "VN2000:105.75" (central meridian in decimal degrees).
VN2000_TOWGS84 = ("-191.90441429,-39.30318279,-111.45032835,"
                  "-0.00928836,0.01975479,-0.00427372,0.252906278")


@dataclass
class ReadResult:
    """What a reader found: the frame and how it was read."""

    frame: pd.DataFrame  # GeoDataFrame in EPSG:4326, or DataFrame for attribute tables
    fmt: str  # geojson, shapefile, gpkg, parquet, table
    layers: list[str] = field(default_factory=list)
    layer: str | None = None
    encoding: str | None = None
    legacy: str | None = None  # "tcvn3"/"vni" when names were converted
    crs_in: str | None = None
    size_bytes: int = 0
    nonfinite: list[int] = field(default_factory=list)  # rows whose coordinates are NaN/inf
    cpg: str | None = None  # the code page a .cpg named when the bytes contradicted it

    @property
    def has_geometry(self) -> bool:
        return isinstance(self.frame, gpd.GeoDataFrame)


@dataclass(frozen=True)
class Limits:
    """Bounds checked before (or, for vertices, right after) reading: the file's size
    (bytes, inflated for a zip), features, fields, vertices of all shapes, zip members,
    and an attribute workbook's."""

    bytes: int
    features: int
    columns: int
    vertices: int
    zip_members: int
    sheets: sheets.SheetLimits


def check_size(path: Path, limit: int) -> int:
    """The file size; GeodataError("too_large") when over the limit (bytes)."""
    if not path.is_file():
        raise GeodataError("file_missing", path=str(path))
    size = path.stat().st_size
    if size > limit:
        raise GeodataError("too_large", path=path.name, size_mb=round(size / 2**20, 1),
                           limit_mb=round(limit / 2**20, 1))
    return size


def read_boundaries(path: str | os.PathLike, *, limits: Limits, layer: str | None = None,
                    encoding: str | None = None, crs: str | None = None) -> ReadResult:
    """Read any supported boundary file or attribute table (see module docstring)."""
    path = Path(path)
    size = check_size(path, limits.bytes)
    ext = path.suffix.lower()
    if ext in ZIP_EXTS:
        with tempfile.TemporaryDirectory(prefix="units-") as tmp:
            inner = safe_extract(path, Path(tmp), limits)
            result = read_boundaries(_pick_member(inner, layer), limits=limits, layer=layer,
                                     encoding=encoding, crs=crs)
        result.size_bytes = size
        return result
    if ext in TABLE_EXTS:
        result = ReadResult(read_table(path, limits.sheets, encoding), "table")
        if _lat_lon(result.frame):
            result.frame = points_from_table(result.frame)
    elif ext in VECTOR_EXTS:
        result = _read_vector(path, layer, encoding, limits)
    else:
        raise GeodataError("unknown_format", path=path.name,
                           formats=", ".join((*VECTOR_EXTS, *ZIP_EXTS, *TABLE_EXTS)))
    result.size_bytes = size
    if isinstance(result.frame, gpd.GeoDataFrame):
        result.nonfinite = drop_nonfinite(result.frame)
        result.crs_in = crs or (result.frame.crs.to_string() if result.frame.crs else None)
        result.frame = to_wgs84(result.frame, crs)
        check_in_range(result.frame)
    return result


def drop_nonfinite(frame: gpd.GeoDataFrame) -> list[int]:
    """Shapes with a NaN or infinite coordinate become missing (their rows are refused
    later, with that reason); their positions."""
    geoms = frame.geometry.to_numpy()
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    bad = np.unique(owner[~np.isfinite(coords).all(axis=1)])
    if len(bad):
        geoms = geoms.copy()
        geoms[bad] = None
        frame.set_geometry(list(geoms), inplace=True, crs=frame.crs)
    return [int(i) for i in bad]


def safe_extract(zpath: Path, dest: Path, limits: Limits) -> list[Path]:
    """Extract a zip into ``dest`` refusing corrupt archives, paths leaving ``dest``
    (zip slip), links and archives that inflate beyond the size limit."""
    limit = limits.bytes
    try:
        with zipfile.ZipFile(zpath) as zf:
            infos = zf.infolist()
            if len(infos) > limits.zip_members:
                raise GeodataError("zip_members", path=zpath.name, n=len(infos),
                                   limit=limits.zip_members)
            for info in infos:
                _check_member(info, zpath.name)
            total = sum(i.file_size for i in infos)
            if total > limit:
                raise GeodataError("too_large", path=zpath.name, size_mb=round(total / 2**20, 1),
                                   limit_mb=round(limit / 2**20, 1))
            bad = zf.testzip()
            if bad is not None:
                raise GeodataError("corrupt_zip", path=zpath.name, reason=bad)
            zf.extractall(dest)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as err:
        raise GeodataError("corrupt_zip", path=zpath.name, reason=str(err)) from err
    return [p for p in dest.rglob("*") if p.is_file()]


def _check_member(info: zipfile.ZipInfo, archive: str) -> None:
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
    if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]) or is_link:
        raise GeodataError("zip_slip", path=archive, member=info.filename)
    if info.flag_bits & 0x1 or info.compress_type == 99:
        raise GeodataError("zip_encrypted", path=archive, member=info.filename)
    if info.compress_type not in ZIP_METHODS:
        method = ZIP_METHOD_NAMES.get(info.compress_type, f"#{info.compress_type}")
        raise GeodataError("zip_method", path=archive, member=info.filename, method=method)


def _pick_member(files: list[Path], layer: str | None) -> Path:
    """The dataset inside an extracted zip (a .shp, or one GeoJSON/GeoPackage/...)."""
    shps = sorted(p for p in files if p.suffix.lower() == ".shp")
    candidates = shps or sorted(p for p in files if p.suffix.lower() in VECTOR_EXTS)
    if not candidates:
        raise GeodataError("zip_no_data", files=", ".join(p.name for p in files) or "-")
    if len(candidates) > 1 and layer:
        chosen = [p for p in candidates if p.stem == layer]
        if chosen:
            return chosen[0]
    if len(candidates) > 1 and shps:
        raise GeodataError("choose_layer", layers=", ".join(p.stem for p in candidates))
    return candidates[0]


def _read_vector(path: Path, layer: str | None, encoding: str | None,
                 limits: Limits) -> ReadResult:
    ext = path.suffix.lower()
    if ext in (".parquet", ".geoparquet"):
        return _read_parquet(path, limits)
    fmt = {".gpkg": "gpkg", ".shp": "shapefile", ".fgb": "flatgeobuf"}.get(ext, "geojson")
    layers = list_layers(path)
    if layer is None and len(layers) > 1:
        raise GeodataError("choose_layer", layers=", ".join(layers))
    if layer is not None and layers and layer not in layers:
        raise GeodataError("no_such_layer", layer=layer, layers=", ".join(layers))
    codec, legacy, cpg = (encoding, None, None)
    if ext == ".shp":
        codec, legacy, cpg = shapefile_encoding(path, encoding)
        # GDAL's own recoding truncates some code pages (cp1258): read the bytes as
        # Latin-1 (lossless) and decode them here.
        frame = _recode(_pyogrio_read(path, layer, "latin1", limits), codec)
        if legacy is None and codec == "latin-1":
            legacy = enc.detect_legacy(_string_values(frame))
    else:
        frame = _pyogrio_read(path, layer, codec, limits)
    frame = _fix_text(frame, legacy)
    check_vertices(frame, path.name, limits)
    return ReadResult(frame, fmt, layers, layer or (layers[0] if layers else None),
                      codec, legacy, cpg=cpg)


def check_features(frame: pd.DataFrame, name: str, limits: Limits) -> None:
    """Refuse a layer with more features or fields than the limits. The reader stops at
    one feature past the limit (``max_features``), so a huge file is never read whole,
    and the file is parsed once (asking GDAL for the count first parses a GeoJSON twice)."""
    if len(frame) > limits.features:
        raise GeodataError("too_many_features", path=name, n=f"> {limits.features}",
                           limit=limits.features)
    fields = len(frame.columns) - (1 if isinstance(frame, gpd.GeoDataFrame) else 0)
    if fields > limits.columns:
        raise GeodataError("too_many_fields", path=name, n=fields, limit=limits.columns)


def check_vertices(frame: pd.DataFrame, name: str, limits: Limits) -> None:
    """Refuse shapes with more vertices in all than the limit (the work after reading,
    repair, dissolve, adjacency, grows with them)."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return
    n = int(shapely.get_num_coordinates(frame.geometry.to_numpy()).sum())
    if n > limits.vertices:
        raise GeodataError("too_many_vertices", path=name, n=n, limit=limits.vertices)


def _recode(frame: pd.DataFrame, codec: str) -> pd.DataFrame:
    """Strings read as Latin-1 decoded again with ``codec`` (names of columns too)."""
    if codec in ("latin-1", "latin1", "iso-8859-1"):
        return frame

    def again(value):
        if not isinstance(value, str):
            return value
        return value.encode("latin-1", errors="replace").decode(codec, errors="replace")

    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for col in frame.columns:
        if col != geom and _is_text(frame[col]):
            frame[col] = frame[col].map(again).astype(object)
    return frame.rename(columns={c: again(c) for c in frame.columns if c != geom})


def list_layers(path: Path) -> list[str]:
    """Layer names of a vector data source (GeoPackage layers, one for most formats)."""
    import pyogrio

    try:
        return [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except Exception as err:  # pyogrio raises several GDAL error types
        raise GeodataError("unreadable", path=path.name, reason=_short(err)) from err


def _pyogrio_read(path: Path, layer: str | None, codec: str | None,
                  limits: Limits) -> pd.DataFrame:
    import pyogrio

    try:
        frame = pyogrio.read_dataframe(path, layer=layer, encoding=codec,
                                       max_features=limits.features + 1)
    except Exception as err:
        raise GeodataError("unreadable", path=path.name, reason=_short(err)) from err
    check_features(frame, path.name, limits)
    return frame


def check_parquet(path: Path, limits: Limits) -> None:
    """Refuse a Parquet file over the limits from its footer alone (rows, columns,
    expanded size): 79 KB of Parquet can hold five million rows."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as err:
        raise GeodataError("unreadable", path=path.name, reason=_short(err)) from err
    expanded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if meta.num_rows > limits.features:
        raise GeodataError("too_many_features", path=path.name, n=meta.num_rows,
                           limit=limits.features)
    if meta.num_columns > limits.columns:
        raise GeodataError("too_many_fields", path=path.name, n=meta.num_columns,
                           limit=limits.columns)
    if expanded > limits.bytes:
        raise GeodataError("too_large", path=path.name, size_mb=round(expanded / 2**20, 1),
                           limit_mb=round(limits.bytes / 2**20, 1))


def _read_parquet(path: Path, limits: Limits) -> ReadResult:
    check_parquet(path, limits)
    try:
        frame = gpd.read_parquet(path)
    except ValueError:  # a plain (non-geo) parquet: treat it as an attribute table
        try:
            frame = pd.read_parquet(path)
        except Exception as err:
            raise GeodataError("unreadable", path=path.name, reason=_short(err)) from err
        frame = frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object})
        return ReadResult(frame, "table")
    except Exception as err:
        raise GeodataError("unreadable", path=path.name, reason=_short(err)) from err
    check_vertices(frame, path.name, limits)
    return ReadResult(_fix_text(frame, None), "parquet", [path.stem], path.stem)


def shapefile_encoding(shp: Path, override: str | None
                       ) -> tuple[str, str | None, str | None]:
    """(codec to read the .dbf with, legacy font or None, the .cpg's code page when the
    bytes contradict it): ``--encoding``, else the ``.cpg`` file unless the bytes cannot be
    in it, else detected from the bytes (legacy fonts are read as Latin-1)."""
    if override:
        key = override.strip().lower().replace("-", "").replace("_", "")
        if key in ("tcvn3", "abc", "vntime"):
            return "latin-1", "tcvn3", None
        if key in ("vni", "vniwindows", "vniwin"):
            return "latin-1", "vni", None
        return override, None, None
    dbf = _sibling(shp, ".dbf")
    text = enc.dbf_text_bytes(dbf.read_bytes()) if dbf is not None else b""
    cpg = _sibling(shp, ".cpg")
    named = enc.cpg_encoding(cpg.read_text(errors="replace")) if cpg is not None else None
    if named and not enc.contradicts(named, text):
        return named, None, None
    detected = enc.detect_bytes(text) if dbf is not None else "utf-8"
    return detected, None, (named if named else None)


def _sibling(path: Path, ext: str) -> Path | None:
    for cand in path.parent.iterdir():
        if cand.stem == path.stem and cand.suffix.lower() == ext:
            return cand
    return None


def _string_values(frame: pd.DataFrame) -> list[str]:
    cols = [c for c in frame.columns if c != "geometry" and _is_text(frame[c])]
    return [v for c in cols for v in frame[c].head(2000).tolist() if isinstance(v, str)]


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values)


def _fix_text(frame: pd.DataFrame, legacy: str | None) -> pd.DataFrame:
    """Column names and string values in NFC (converted from a legacy font first)."""
    frame = frame.copy()
    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for col in frame.columns:
        if col != geom and _is_text(frame[col]):
            frame[col] = pd.Series(enc.fix_strings(frame[col].tolist(), legacy),
                                   index=frame.index, dtype=object)
    renames = {c: enc.fix_strings([c], legacy)[0] for c in frame.columns if c != geom}
    return frame.rename(columns=renames)


def read_table(path: Path, limits: sheets.SheetLimits,
               encoding: str | None = None) -> pd.DataFrame:
    """A CSV/XLSX attribute table, every cell as a string (codes keep leading zeros)."""
    try:
        if path.suffix.lower() in (".xlsx", ".xls"):
            try:
                sheets.check_workbook(path.read_bytes(), limits)  # before calamine sizes the range
            except sheets.SheetLimitError as err:
                raise GeodataError(err.key, **err.params) from err
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="calamine")
        else:
            raw = path.read_bytes()
            codec = encoding or enc.detect_bytes(raw[:2_000_000])
            text = raw.decode(codec, errors="replace").lstrip("\ufeff")
            from io import StringIO

            frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False,
                                sep=None, engine="python")
    except GeodataError:
        raise
    except Exception as err:
        raise GeodataError("unreadable", path=path.name, reason=_short(err)) from err
    frame.columns = [enc.fix_strings([str(c)], None)[0].strip() for c in frame.columns]
    legacy = enc.detect_legacy(_string_values(frame)) if encoding in ("latin-1",) else None
    return _fix_text(frame.replace({"": None}), legacy)


def _lat_lon(frame: pd.DataFrame) -> tuple[str, str] | None:
    cols = list(frame.columns)
    lat, lon = find_field(cols, LAT_ALIASES), find_field(cols, LON_ALIASES)
    return (lat, lon) if lat and lon else None


def points_from_table(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Point features from a table with latitude/longitude columns (decimal degrees)."""
    lat, lon = _lat_lon(frame)
    y = pd.to_numeric(frame[lat].astype("string").str.replace(",", "."), errors="coerce")
    x = pd.to_numeric(frame[lon].astype("string").str.replace(",", "."), errors="coerce")
    bad = x.isna() | y.isna() | (x.abs() > 180) | (y.abs() > 90)
    geoms = np.where(bad.to_numpy(), None, shapely.points(x.fillna(0), y.fillna(0)))
    return gpd.GeoDataFrame(frame.drop(columns=[lat, lon]), geometry=list(geoms),
                            crs="EPSG:4326")


def parse_crs(text: str):
    """A CRS from ``EPSG:xxxx``, any pyproj string, or ``VN2000:<central meridian>`` for
    a VN-2000 TM-3 zone (e.g. ``VN2000:105.75`` for 105°45')."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    raw = text.strip()
    try:
        if raw.upper().startswith(("VN2000:", "VN-2000:")):
            lon0 = float(raw.split(":", 1)[1].replace(",", "."))
            return CRS.from_proj4(f"+proj=tmerc +lat_0=0 +lon_0={lon0} +k=0.9999 +x_0=500000 "
                                  f"+y_0=0 +ellps=WGS84 +towgs84={VN2000_TOWGS84} +units=m "
                                  "+no_defs")
        return CRS.from_user_input(raw)
    except (CRSError, ValueError) as err:
        raise GeodataError("bad_crs", value=text) from err


def to_wgs84(frame: gpd.GeoDataFrame, crs: str | None = None) -> gpd.GeoDataFrame:
    """``frame`` in EPSG:4326. ``crs`` overrides the file's own; no CRS at all is taken
    as EPSG:4326 only when the coordinates look like degrees."""
    if crs:
        frame = frame.set_crs(parse_crs(crs), allow_override=True)
    geoms = frame.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if frame.crs is None:
        if present.any():
            x0, y0, x1, y1 = shapely.total_bounds(geoms[present])
            if max(abs(x0), abs(x1)) > 180 or max(abs(y0), abs(y1)) > 90:
                raise GeodataError("projected_no_crs", x=round(x0), y=round(y0))
        return frame.set_crs("EPSG:4326")
    if frame.crs.equals("EPSG:4326") or frame.crs.to_epsg() == 4326:
        return frame.set_crs("EPSG:4326", allow_override=True)
    try:
        out = frame.to_crs("EPSG:4326")
    except Exception as err:
        raise GeodataError("bad_crs", value=frame.crs.to_string()) from err
    return out


def check_in_range(frame: gpd.GeoDataFrame) -> None:
    """GeodataError("wrong_crs") when reprojected coordinates are not on Earth / near
    Vietnam's longitudes (a wrong ``.prj`` or ``--crs``)."""
    geoms = frame.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return
    x0, y0, x1, y1 = shapely.total_bounds(geoms[present])
    if not np.isfinite([x0, y0, x1, y1]).all() or x0 < -180 or x1 > 180 or y0 < -90 or y1 > 90:
        raise GeodataError("wrong_crs", bounds=f"{x0:.3f}, {y0:.3f}, {x1:.3f}, {y1:.3f}")


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\\/\s:'\"()]+)+[\\/]([^\\/\s:'\"()]+)")
_SETTING = re.compile(r"[^.;]*\b(?:[A-Z][A-Z0-9]*_[A-Z0-9_]+|configuration option)\b[^.;]*[.;]?")


def _short(err: Exception) -> str:
    """The first line of a reader's error, without server paths (a temporary folder
    means nothing to the user, and is not theirs to see) or GDAL settings they cannot
    change."""
    text = str(err).strip()
    if not text:
        return type(err).__name__
    line = _PATH.sub(r"\1", text.splitlines()[0])
    line = _SETTING.sub("", line).strip(" .;:,")
    return (line or type(err).__name__)[:300]
