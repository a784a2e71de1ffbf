"""Bounds of an untrusted workbook, checked before any spreadsheet reader touches it.

A 5 KB XLSX can declare (or contain one cell at) column XFD, row 1,048,576: a reader that
allocates the used range densely asks for hundreds of GB and the process dies. So the
package is opened as a zip and, without building anything, the number of members, their
expanded size, and each sheet's extent (its ``<dimension>`` and the furthest cell it
really holds, scanned in bounded chunks) are compared with ``SheetLimits``, plain numbers
the caller passes (the application's settings) and every refusal names the limit and the
file's figure.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

CHUNK = 1 << 20

# Attributes are read as XML allows them: either quote, spaces around "=", character
# references ("&#88;FD1" is "XFD1"); a reference that is not plain is decoded, and a sheet
# whose cells do not all carry their own reference is walked by an XML parser that counts
# positions as a reader does.
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\sref\s*=\s*([\"'])(.*?)\1", re.S)
_REF = re.compile(rb"\sr\s*=\s*[\"']([^\"'<>]*)")  # a cell's or a row's own reference
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")  # every cell, with or without a reference
_PLAIN = re.compile(r"([A-Z]{0,3})(\d{1,7})")
_RANGE_END = re.compile(r"(?:[^:]*:)?\$?([A-Za-z]{1,3})\$?(\d{1,7})")


@dataclass(frozen=True)
class SheetLimits:
    """The bounds of a workbook: its parts, their expanded size (MB), a sheet's cells and
    columns."""

    members: int
    expanded_mb: float
    cells: int
    columns: int


class SheetLimitError(ValueError):
    """A workbook over a limit: ``key`` names the message, ``params`` fill it."""

    def __init__(self, key: str, **params: object):
        super().__init__(f"{key}: {params}")
        self.key, self.params = key, params

    def __reduce__(self):  # pickled whole (it comes back from the reading process)
        return (_limit_error, (self.key, self.params))


def _limit_error(key: str, params: dict) -> SheetLimitError:
    return SheetLimitError(key, **params)


@dataclass(frozen=True)
class Extent:
    member: str
    rows: int
    columns: int

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def column_number(letters: bytes | str) -> int:
    """A1-style column letters -> 1-based number (A=1, Z=26, AA=27, XFD=16384)."""
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def check_workbook(data: bytes, limits: SheetLimits) -> list[Extent]:
    """Refuse (``SheetLimitError``) a workbook over a limit; the extent of each sheet."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        members = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []  # not a zip: the reader reports the broken file itself
    if len(members) > limits.members:
        raise SheetLimitError("xlsx_members", n=len(members), limit=limits.members)
    expanded = sum(m.file_size for m in members) / 1e6
    if expanded > limits.expanded_mb:
        raise SheetLimitError("xlsx_expanded", mb=round(expanded),
                              limit=round(limits.expanded_mb))
    out = []
    for m in members:
        if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml"):
            extent = _extent(book, m, limits)
            if extent.columns > limits.columns or extent.cells > limits.cells:
                raise SheetLimitError("xlsx_extent", rows=extent.rows, columns=extent.columns,
                                      cells=extent.cells, limit=limits.cells,
                                      max_columns=limits.columns)
            out.append(extent)
    return out


def _ref_parts(value: bytes) -> tuple[str, int] | None:
    """A reference's (column letters, row number): "XFD1048576" -> ("XFD", 1048576),
    "5" (a row's) -> ("", 5); character references decoded; None when it is no reference."""
    text = value.decode("utf-8", "replace")
    if "&" in text:
        text = html.unescape(text)
    hit = _PLAIN.fullmatch(text.strip().upper())
    return (hit.group(1), int(hit.group(2))) if hit else None


class _Scan:
    """The furthest row and column a sheet's XML claims or holds, fed in chunks."""

    def __init__(self) -> None:
        self.rows = self.cols = 0
        self.cells = self.with_ref = 0  # cell tags, and cell references seen
        self.dimension_seen = False

    def feed(self, text: bytes) -> None:
        if not self.dimension_seen:
            dim = _DIMENSION.search(text)
            if dim:
                self.dimension_seen = True
                self._dimension(dim.group(2))
            elif b"<sheetData" in text or b":sheetData" in text:
                self.dimension_seen = True  # the dimension comes before the data
        self.cells += len(_CELL_TAG.findall(text))
        values = _REF.findall(text)
        if not values:
            return
        joined = b" ".join(values)  # the references alone: a far smaller text to scan
        if re.search(rb"[^A-Z0-9 ]", joined):  # lower case, character references…
            parts = [p for v in values if (p := _ref_parts(v)) is not None]
            joined = " ".join(f"{letters}{number}" for letters, number in parts).encode()
        letters = re.findall(rb"[A-Z]+", joined)
        numbers = re.findall(rb"\d+", joined)
        if numbers:
            self.rows = max(self.rows, max(map(int, set(numbers))))
        if letters:
            self.cols = max(self.cols, max(column_number(c) for c in set(letters)))
        self.with_ref += len(letters)

    def _dimension(self, value: bytes) -> None:
        text = html.unescape(value.decode("utf-8", "replace"))
        hit = _RANGE_END.fullmatch(text.strip())
        if hit:
            self.cols = max(self.cols, column_number(hit.group(1).upper()))
            self.rows = max(self.rows, int(hit.group(2)))


def _positions(stream, limits: SheetLimits) -> tuple[int, int]:
    """The furthest (row, column) of a sheet whose cells lack references, counted as a
    reader does (a row or cell without ``r`` follows the previous one); an XML parser,
    so slower than the scan: only for such sheets."""
    state = {"row": 0, "col": 0, "rows": 0, "cols": 0}

    def start(name: str, attrs: dict) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            parts = _ref_parts(attrs.get("r", "").encode())
            state["row"] = parts[1] if parts else state["row"] + 1
            state["col"] = 0
            state["rows"] = max(state["rows"], state["row"])
        elif local == "c":
            parts = _ref_parts(attrs.get("r", "").encode())
            if parts and parts[0]:
                state["col"] = column_number(parts[0])
                state["rows"] = max(state["rows"], parts[1])
            else:
                state["col"] += 1
            state["cols"] = max(state["cols"], state["col"])
            if (state["cols"] > limits.columns
                    or state["rows"] * state["cols"] > limits.cells):
                raise _OverError(state["rows"], state["cols"])

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    try:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _OverError as over:
        return over.rows, over.cols
    except expat.ExpatError:
        pass  # broken XML: the reader reports it; what was counted so far stands
    return state["rows"], state["cols"]


class _OverError(Exception):
    def __init__(self, rows: int, cols: int):
        super().__init__(rows, cols)
        self.rows, self.cols = rows, cols


def _extent(book: zipfile.ZipFile, member: zipfile.ZipInfo, limits: SheetLimits) -> Extent:
    """The largest of the declared dimension and the furthest cell present."""
    scan = _Scan()
    tail = b""
    read = 0
    try:
        with book.open(member) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                read += len(chunk)
                if read > limits.expanded_mb * 1e6:
                    raise SheetLimitError("xlsx_expanded", mb=round(read / 1e6),
                                          limit=round(limits.expanded_mb))
                text = tail + chunk
                cut = text.rfind(b">") + 1  # whole tags only: each is counted once
                if cut == 0 and len(text) < 4 * CHUNK:
                    tail = text
                    continue
                cut = cut or len(text)
                scan.feed(text[:cut])
                tail = text[cut:]
            scan.feed(tail)
        if scan.cells > scan.with_ref:  # cells placed by counting: walk them as a reader
            with book.open(member) as stream:
                rows, cols = _positions(stream, limits)
            scan.rows, scan.cols = max(scan.rows, rows), max(scan.cols, cols)
    except SheetLimitError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, ValueError,
            NotImplementedError):
        pass  # encrypted or broken member: the reader reports it
    return Extent(member.filename, scan.rows, scan.cols)


_Q = rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')"  # an attribute's value: two groups, one quote each
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname" + _Q + rb"[^>]*?\br:id" + _Q)
_REL = re.compile(rb"<Relationship\b[^>]*?\bId" + _Q + rb"[^>]*?\bTarget" + _Q)
_REL_ALT = re.compile(rb"<Relationship\b[^>]*?\bTarget" + _Q + rb"[^>]*?\bId" + _Q)
_ERROR_CELL = re.compile(  # a cell of type "e" (its attributes in any order, either quote)
    rb"<(?:\w+:)?c\s(?=(?:[^>]*?\s)?t\s*=\s*[\"']e[\"'])([^>]*)>\s*"
    rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def sheet_member(book: zipfile.ZipFile, name: str) -> str | None:
    """The zip member holding the sheet called ``name``."""
    try:
        workbook = book.read("xl/workbook.xml")
        rels = book.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    targets = {a or b: c or d for a, b, c, d in _REL.findall(rels)}
    targets.update({c or d: a or b for a, b, c, d in _REL_ALT.findall(rels)})
    for a, b, c, d in _SHEET.findall(workbook):
        sheet_name, rid = a or b, c or d
        if html.unescape(sheet_name.decode("utf-8", "replace")) == name and rid in targets:
            target = targets[rid].decode().lstrip("/")
            return target if target.startswith("xl/") else f"xl/{target}"
    return None


def error_cells(data: bytes, name: str) -> dict[tuple[int, int], str]:
    """Cells of sheet ``name`` holding a formula error (``#DIV/0!``, ``#N/A``…), by
    0-based (row, column): readers turn them into empty cells, which would read as
    "not reported"."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        member = sheet_member(book, name)
        body = book.read(member) if member else b""
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, RuntimeError, ValueError,
            EOFError, NotImplementedError):
        return {}
    out = {}
    for attrs, value in _ERROR_CELL.findall(body):
        ref = _REF.search(b" " + attrs)
        parts = _ref_parts(ref.group(1)) if ref else None
        if parts and parts[0]:
            out[(parts[1] - 1, column_number(parts[0]) - 1)] = (
                value.decode("utf-8", "replace") or "#ERROR")
    return out
