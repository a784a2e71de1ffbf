"""Reading a sites upload (CSV, XLSX, or GeoJSON for any kind; polygons for lockdowns)
into a table of raw cells, within the bounds of every upload.

Runs in the bounded child process (``zones.isolate``): the size is checked before
anything is parsed (20 MB, as for figures), CSV and XLSX rows and columns within the
upload settings (``zones.ingest.read``), a GeoJSON's features within
``ZONES_UPLOAD_MAX_ROWS`` and its vertices within ``GEODATA_MAX_VERTICES``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

from zones.errors import ZonesError
from zones.i18n import fmt_int, t
from zones.ingest.read import (
    ALIAS_INDEX,
    UNIT_COLUMNS,
    RawTable,
    _original_frame,
    _row_blank,
    check_size,
    csv_rows,
    file_kind,
    header_key,
    xlsx_rows,
)
from zones.settings import DEFAULTS, Settings
from zones.sites.percent import percent_scores

KINDS = ("facility", "quarantine", "lockdown")
#: the columns of every kind, then each kind's own
COMMON = ("site_id", "name", "lat", "lon", "from", "to")
OWN = {"facility": ("sector", "score"), "quarantine": ("capacity", "occupied"),
       "lockdown": ()}
#: headers accepted besides the column's own name (matched without case, spaces,
#: punctuation or diacritics)
ALIASES: dict[str, tuple[str, ...]] = {
    "site_id": ("Mã điểm", "Mã cơ sở", "Mã địa điểm", "ID", "site"),
    "name": ("Tên", "Tên cơ sở", "Tên điểm", "Tên địa điểm", "site_name"),
    "lat": ("Vĩ độ", "latitude", "y"),
    "lon": ("Kinh độ", "longitude", "lng", "long", "x"),
    "from": ("Từ ngày", "valid_from", "Hiệu lực từ", "Ngày bắt đầu"),
    "to": ("Đến ngày", "valid_to", "Hiệu lực đến", "Ngày kết thúc"),
    "sector": ("Ngành", "Lĩnh vực", "Ngành nghề"),
    "score": ("Điểm", "Điểm tự đánh giá", "Điểm an toàn", "Tỷ lệ điểm"),
    "capacity": ("Sức chứa", "Số giường", "Công suất"),
    "occupied": ("Đang cách ly", "Số người đang cách ly", "Đang sử dụng", "Đang ở"),
}
SITE_ALIAS = {header_key(a): c for c, names in ALIASES.items() for a in (c, *names)}
UNIT_ALIAS = {k: c for k, c in ALIAS_INDEX.items() if c in UNIT_COLUMNS}
HEADER_SCAN_ROWS = 30
MAX_TEXT = 1_000  # characters of a cell kept (a name has at most 200)


@dataclass
class SiteTable:
    """The cells of a sites upload (``RawTable``) and, for a GeoJSON, each feature's
    geometry as GeoJSON (row -> dict, bounded) when it is no point."""

    table: RawTable
    shapes: dict[int, dict] = field(default_factory=dict)
    geojson: bool = False


def _err(key: str, lang: str, **values) -> ZonesError:
    return ZonesError(t(f"sites.file.{key}", lang=lang, **values))


def columns_of(kind: str) -> tuple[str, ...]:
    return (*COMMON, *OWN[kind])


def _column(header: object, kind: str) -> str | None:
    key = header_key(header)
    column = SITE_ALIAS.get(key) or UNIT_ALIAS.get(key)
    if column in ("sector", "score", "capacity", "occupied") and column not in OWN[kind]:
        return None
    return column


def _header_row(rows: list[list], kind: str, lang: str) -> int:
    best, score = -1, 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = {c for c in (_column(v, kind) for v in row if v is not None) if c}
        if len(found) > score:
            best, score = i, len(found)
    if score < 3:
        raise _err("no_header", lang, rows=min(len(rows), HEADER_SCAN_ROWS),
                   columns=", ".join(columns_of(kind)))
    return best


def table_from_rows(rows: list[list], kind: str, lang: str,
                    settings: Settings) -> RawTable:
    """Locate the header, drop blank rows, name the columns (the contract's English name
    or a Vietnamese header)."""
    h = _header_row(rows, kind, lang)
    header = rows[h]
    positions, written, ignored = {}, {}, []
    for pos, cell in enumerate(header):
        if cell is None or not str(cell).strip():
            continue
        column = _column(cell, kind)
        if column is None or column in positions:
            ignored.append(str(cell).strip()[:100])
            continue
        positions[column], written[column] = pos, str(cell).strip()
    missing = [c for c in ("site_id", "name", "from", *OWN[kind]) if c not in positions]
    if "unit_code" not in positions and "unit_name" not in positions:
        missing.append("unit_code")
    if kind != "lockdown" or "lat" in positions or "lon" in positions:
        missing += [c for c in ("lat", "lon") if c not in positions]
    if missing:
        raise _err("missing_columns", lang, columns=", ".join(missing),
                   found=", ".join(written.values()) or "–")
    width = max((len(r) for r in rows), default=0)
    body, index = [], []
    for i in range(h + 1, len(rows)):
        if _row_blank(rows[i]):
            continue
        body.append(list(rows[i]) + [None] * (width - len(rows[i])))
        index.append(i + 1)
    if not body:
        raise _err("no_rows", lang, row=h + 1)
    if len(body) > settings.upload_max_rows:
        raise _err("too_many_rows", lang, n=fmt_int(len(body), lang),
                   limit=fmt_int(settings.upload_max_rows, lang))
    original = _original_frame(body, header, width, index)
    cells = pd.DataFrame({c: original.iloc[:, p] for c, p in positions.items()},
                         index=index, dtype=object)
    return RawTable(cells=cells, original=original, headers=written, ignored=ignored,
                    header_row=h + 1)


def _percent_score(data: bytes, sheet: str, rows: list[list], kind: str,
                   lang: str) -> None:
    """The score column's cells formatted as percent, as the percent the user saw."""
    if all(_row_blank(r) for r in rows):
        return
    h = _header_row(rows, kind, lang)
    column = next((pos for pos, cell in enumerate(rows[h])
                   if cell is not None and _column(cell, kind) == "score"), None)
    if column is not None:
        percent_scores(data, sheet, rows, column, h + 1)


# --- GeoJSON ------------------------------------------------------------------------------

def _vertices(coords, budget: list[int], depth: int = 0) -> bool:
    """Whether ``coords`` is nested lists of finite [lon, lat] pairs (counting them into
    ``budget``, which stops the walk when it runs out)."""
    if depth > 6 or not isinstance(coords, list):
        return False
    if coords and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords):
        budget[0] -= 1
        return 2 <= len(coords) <= 3 and all(math.isfinite(c) for c in coords) \
            and budget[0] >= 0
    return all(_vertices(c, budget, depth + 1) for c in coords) if budget[0] >= 0 else False


def geojson_table(data: bytes, kind: str, lang: str, settings: Settings) -> SiteTable:
    """The features of a GeoJSON FeatureCollection as rows (their properties), a point's
    coordinates as lat and lon, a polygon kept (lockdowns only) for the check."""
    try:
        doc = json.loads(data.decode("utf-8-sig"), parse_constant=lambda c: None)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise _err("geojson_broken", lang, reason=type(err).__name__) from err
    if not isinstance(doc, dict) or not isinstance(doc.get("features"), list):
        raise _err("geojson_broken", lang, reason="FeatureCollection")
    features = doc["features"]
    if len(features) > settings.upload_max_rows:
        raise _err("too_many_rows", lang, n=fmt_int(len(features), lang),
                   limit=fmt_int(settings.upload_max_rows, lang))
    budget = [settings.geodata_max_vertices]
    header: list[str] = []
    seen: set[str] = set()
    records, shapes = [], {}
    for n, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        if len(props) > settings.upload_max_columns:
            raise _err("too_many_columns", lang, row=n, n=len(props),
                       limit=settings.upload_max_columns)
        record = {}
        for key, value in props.items():
            name = str(key)[:100]
            if name not in seen:
                if len(seen) >= settings.upload_max_columns:
                    raise _err("too_many_columns", lang, row=n, n=len(seen) + 1,
                               limit=settings.upload_max_columns)
                seen.add(name)
                header.append(name)
            if isinstance(value, str):
                value = value[:MAX_TEXT]
            elif not isinstance(value, int | float | bool) and value is not None:
                value = json.dumps(value, ensure_ascii=False)[:MAX_TEXT]
            record[name] = value
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if isinstance(geometry, dict):
            gtype, coords = geometry.get("type"), geometry.get("coordinates")
            if not _vertices(coords, budget):
                if budget[0] < 0:
                    raise _err("too_many_vertices", lang,
                               limit=fmt_int(settings.geodata_max_vertices, lang))
                shapes[n] = {"type": "bad", "coordinates": None}
            elif gtype == "Point":
                record.setdefault("lon", coords[0])
                record.setdefault("lat", coords[1])
            elif gtype in ("Polygon", "MultiPolygon"):
                shapes[n] = {"type": gtype, "coordinates": coords}
            else:
                shapes[n] = {"type": str(gtype)[:40], "coordinates": None}
        records.append(record)
    for extra in ("lat", "lon"):
        if any(extra in r for r in records) and extra not in seen:
            header.append(extra)
    rows = [header] + [[r.get(h) for h in header] for r in records]
    if not records:
        raise _err("no_rows", lang, row=1)
    table = table_from_rows(rows, kind, lang, settings)
    # rows are numbered by feature (the header is "row 1" of the table built above)
    table.cells.index = table.cells.index - 1
    table.original.index = table.original.index - 1
    table.header_row = 0
    return SiteTable(table, shapes, geojson=True)


def read_sites(data: bytes, filename: str, kind: str, lang: str,
               settings: Settings = DEFAULTS) -> SiteTable:
    """Read an upload's bytes into a ``SiteTable`` within the ``settings``' limits
    (ZonesError when the file cannot be used)."""
    check_size(len(data), lang)
    if kind not in KINDS:
        raise _err("bad_kind", lang, kind=kind, kinds=", ".join(KINDS))
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if filename.lower().endswith((".geojson", ".json")) or head.startswith(b"{"):
        return geojson_table(data, kind, lang, settings)
    fkind = file_kind(data, filename)
    if fkind == "xls":
        raise ZonesError(t("ingest.file.xls_old", lang=lang))
    if fkind == "xlsx":
        rows, sheet = xlsx_rows(data, None, lang, settings)
        encoding = None
        if kind == "facility":  # a score cell shown as "85%" holds 0.85: read as 85 (%)
            _percent_score(data, sheet, rows, kind, lang)
    else:
        rows, encoding = csv_rows(data, lang, settings)
        sheet = None
    if all(_row_blank(r) for r in rows):
        raise ZonesError(t("ingest.file.empty", lang=lang))
    table = table_from_rows(rows, kind, lang, settings)
    table.kind, table.sheet, table.encoding = fkind, sheet, encoding
    return SiteTable(table)
