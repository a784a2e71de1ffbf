"""Reading an observations upload (CSV or XLSX) into a table of raw cells.

The result keeps every cell as the file holds it (text for CSV; text, numbers, dates for
XLSX), indexed by the row number the user sees in Excel, with the columns renamed to the
contract names of architecture.md §5. Validation happens later (``zones.ingest_check``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

import pandas as pd
from python_calamine import CalamineWorkbook

import contract
from geodata import sheets
from geodata.names import fold
from zones.errors import ZonesError
from zones.i18n import fmt_int, t
from zones.settings import DEFAULTS, Settings
from zones.storage.schema import METRICS

MAX_BYTES = 20 * 1024 * 1024  # larger uploads are refused before parsing
HEADER_SCAN_ROWS = 30  # the header row is looked for in this many first rows

# Contract columns and the headers accepted for them (architecture.md §5, ``contract``),
# besides the English name itself. Matching ignores case, spacing, punctuation, diacritics.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    name: field.headers for name, field in {**contract.KEYS, **contract.METRICS}.items()}
UNIT_COLUMNS = ("unit_code", "unit_name", "district_name", "province_name")
CONTRACT_COLUMNS = ("date", *UNIT_COLUMNS, *METRICS)


def header_key(header: object) -> str:
    """The matching key of a header: no case, spacing, punctuation or diacritics."""
    text = "" if header is None else str(header).replace("≥", ">=")
    return re.sub(r"[^a-z0-9>=]", "", fold(text, drop_prefix=False))


def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column, aliases in HEADER_ALIASES.items():
        for alias in (column, *aliases):
            index[header_key(alias)] = column
    return index


ALIAS_INDEX = _alias_index()


@dataclass
class RawTable:
    """The cells of an upload, before validation.

    ``cells``: contract columns present in the file (object dtype, raw values), index =
    row number as seen in Excel. ``original``: the same rows with every column as written.
    """

    cells: pd.DataFrame
    original: pd.DataFrame
    headers: dict[str, str]  # contract column -> header as written in the file
    ignored: list[str] = field(default_factory=list)
    header_row: int = 1
    kind: str = "csv"
    sheet: str | None = None
    encoding: str | None = None


def _err(key: str, lang: str, **values) -> ZonesError:
    return ZonesError(t(f"ingest.file.{key}", lang=lang, **values))


# --- bytes -> rows of cells -----------------------------------------------------------------

def check_size(size: int, lang: str) -> None:
    """Refuse an empty or oversized upload before reading it."""
    if size == 0:
        raise _err("empty", lang)
    if size > MAX_BYTES:
        raise _err("too_large", lang, size_mb=f"{size / 2**20:.1f}",
                   limit_mb=f"{MAX_BYTES / 2**20:.0f}")


def file_kind(data: bytes, filename: str) -> str:
    """"xlsx", "xls" (old binary Excel) or "csv", from the content first, then the name."""
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "csv"


def decode_text(data: bytes, lang: str) -> tuple[str, str]:
    """Decode a CSV: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1258."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        if b"\x00" in data[:4096]:
            raise _err("binary", lang)
        candidates = ("utf-8", "cp1258")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return unicodedata.normalize("NFC", text), encoding
    return _decode_guess(data, lang)


def _decode_guess(data: bytes, lang: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise _err("encoding", lang)
    try:
        return unicodedata.normalize("NFC", data.decode(best.encoding)), best.encoding
    except (UnicodeDecodeError, LookupError) as err:
        raise _err("encoding", lang) from err


def _delimiter(text: str) -> str:
    sample = text[:20_000].splitlines()[:HEADER_SCAN_ROWS]
    widths = {d: max((len(r) for r in csv.reader(sample, delimiter=d)), default=0)
              for d in (",", ";", "\t")}
    return max(widths, key=lambda d: (widths[d], d == ","))


def csv_rows(data: bytes, lang: str,
             settings: Settings = DEFAULTS) -> tuple[list[list], str]:
    """The rows of a CSV file as lists of strings, and the encoding used (at most
    ``upload_max_columns`` cells a row, ``upload_max_rows`` rows of figures)."""
    max_rows, max_columns = settings.upload_max_rows, settings.upload_max_columns
    text, encoding = decode_text(data, lang)
    if not text.strip():
        raise _err("empty", lang)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, line = [], 0
    try:
        for row in reader:
            first, line = line + 1, reader.line_num
            glued = next((c for c in row if "\n" in c and delimiter in c), None)
            if glued is not None:  # a quote opened and never closed swallowed lines
                raise _err("csv_quote", lang, first=first, last=line,
                           start=glued.split("\n", 1)[0][:40])
            if len(row) > max_columns:
                raise _err("too_many_columns", lang, row=first, n=len(row), limit=max_columns)
            rows.append(row)
            if len(rows) > max_rows + HEADER_SCAN_ROWS:
                raise _err("too_many_rows", lang, n=f"> {max_rows}", limit=max_rows)
    except csv.Error as err:
        if "field limit" in str(err):  # one cell over 128 K characters
            raise _err("cell_too_long", lang, row=reader.line_num,
                       limit=fmt_int(csv.field_size_limit(), lang)) from err
        raise _err("csv_broken", lang, reason=str(err)) from err
    return rows, encoding


_XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, OSError,
                EOFError, ParseError, IndexError, AttributeError)


def xlsx_rows(data: bytes, sheet: str | None, lang: str,
              settings: Settings = DEFAULTS) -> tuple[list[list], str]:
    """The rows of one worksheet (the first, or ``sheet``) as lists of cell values.

    Read with calamine (Rust; ~10x faster than openpyxl on a 10,000-row sheet).
    """
    try:
        sheets.check_workbook(data, settings.sheet_limits())  # before any reader allocates the sheet's range
    except sheets.SheetLimitError as err:
        raise _err(err.key, lang, **err.params) from err
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = [m.name for m in book.sheets_metadata if str(m.visible).endswith("Visible")]
        name = _pick_sheet(book.sheet_names, sheet, lang, visible)
        rows = [list(r) for r in book.get_sheet_by_name(name).to_python(skip_empty_area=False)]
        for (r, c), code in sheets.error_cells(data, name).items():  # #DIV/0! is no value
            if r < len(rows) and c < len(rows[r]):
                rows[r][c] = code
    except ZonesError:
        raise
    except Exception as err:  # calamine raises its own error types for broken files
        raise _err("xlsx_broken", lang, reason=type(err).__name__) from err
    return [list(r) for r in rows], name


def _pick_sheet(names: list[str], sheet: str | None, lang: str,
                visible: list[str] | None = None) -> str:
    """The sheet asked for, else the first visible one (a hidden sheet is never read by
    surprise)."""
    if not names:
        raise _err("no_sheet", lang)
    if sheet is None:
        return (visible or names)[0]
    wanted = header_key(sheet)
    for title in names:
        if title == sheet or header_key(title) == wanted:
            return title
    listed = ", ".join(f"«{t}»" for t in names)
    raise _err("sheet_missing", lang, sheet=sheet, sheets=listed)


# --- rows -> table ------------------------------------------------------------------------

def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _row_blank(row: list) -> bool:
    try:
        return not "".join(row).strip()  # CSV rows: all text
    except TypeError:
        return all(_is_blank(v) for v in row)


def find_header(rows: list[list], lang: str) -> int:
    """Index (0-based) of the header row: the early row naming most contract columns."""
    best, best_score = -1, 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = len({ALIAS_INDEX[k] for k in map(header_key, row) if k in ALIAS_INDEX})
        if score > best_score:
            best, best_score = i, score
    if best_score < 2:
        raise _err("no_header", lang, rows=min(len(rows), HEADER_SCAN_ROWS))
    return best


def map_headers(header: list) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Contract column -> position, contract column -> header as written, ignored headers."""
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    ignored: list[str] = []
    for pos, cell in enumerate(header):
        if _is_blank(cell):
            continue
        text = str(cell).strip()
        column = ALIAS_INDEX.get(header_key(text))
        if column is None or column in positions:
            ignored.append(text)
            continue
        positions[column] = pos
        written[column] = text
    return positions, written, ignored


def _require_columns(written: dict[str, str], lang: str) -> None:
    if "date" not in written:
        raise _err("no_date_column", lang, found=", ".join(written.values()))
    if "unit_code" not in written and "unit_name" not in written:
        raise _err("no_unit_column", lang, found=", ".join(written.values()))


def _original_frame(body: list[list], header: list, width: int, index: list[int]) -> pd.DataFrame:
    names, seen = [], set()
    for pos in range(width):
        cell = header[pos] if pos < len(header) else None
        name = str(cell).strip() if not _is_blank(cell) else f"#{pos + 1}"
        while name in seen:
            name += "'"
        seen.add(name)
        names.append(name)
    return pd.DataFrame(body, columns=names, index=index, dtype=object)


def build_table(rows: list[list], lang: str,
                settings: Settings = DEFAULTS) -> RawTable:
    """Locate the header, drop blank rows and name the contract columns."""
    h = find_header(rows, lang)
    header = rows[h]
    positions, written, ignored = map_headers(header)
    _require_columns(written, lang)
    width = max((len(r) for r in rows), default=0)
    body, index = [], []
    for i in range(h + 1, len(rows)):
        row = rows[i]
        if _row_blank(row):
            continue
        body.append(list(row) + [None] * (width - len(row)))
        index.append(i + 1)  # Excel row numbers start at 1
    if not body:
        raise _err("no_rows", lang, row=h + 1)
    if len(body) > settings.upload_max_rows:
        raise _err("too_many_rows", lang, n=len(body), limit=settings.upload_max_rows)
    original = _original_frame(body, header, width, index)
    cells = pd.DataFrame({c: original.iloc[:, p] for c, p in positions.items()},
                         index=index, dtype=object)
    return RawTable(cells=cells, original=original, headers=written, ignored=ignored,
                    header_row=h + 1)


def read_upload(data: bytes, filename: str, lang: str, sheet: str | None = None,
                settings: Settings = DEFAULTS) -> RawTable:
    """Read an uploaded file's bytes into a ``RawTable`` within the ``settings``' limits
    (raises ZonesError if unusable)."""
    check_size(len(data), lang)
    kind = file_kind(data, filename)
    if kind == "xls":
        raise _err("xls_old", lang)
    if kind == "xlsx":
        rows, sheet_name = xlsx_rows(data, sheet, lang, settings)
        encoding = None
    else:
        rows, encoding = csv_rows(data, lang, settings)
        sheet_name = None
    if all(_row_blank(r) for r in rows):
        raise _err("empty", lang)
    table = build_table(rows, lang, settings)
    table.kind, table.sheet, table.encoding = kind, sheet_name, encoding
    return table
