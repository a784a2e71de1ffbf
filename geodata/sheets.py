"""Bounds of an untrusted workbook, checked before any spreadsheet reader touches it.

A 5 KB XLSX can declare (or contain one cell at) column XFD, row 1,048,576: a reader that
allocates the used range densely asks for hundreds of GB and the process dies. So the
package is opened as a zip and, without building anything, the number of members, their
expanded size, and each sheet's extent (its ``<dimension>`` and the furthest cell it
really holds, scanned in bounded chunks) are compared with limits. Every limit is a
setting (environment variable) and every refusal names the limit and the file's figure.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from dataclasses import dataclass

MAX_MEMBERS = int(os.environ.get("ZONES_XLSX_MAX_MEMBERS", "2000"))
MAX_EXPANDED_MB = float(os.environ.get("ZONES_XLSX_MAX_EXPANDED_MB", "300"))
MAX_CELLS = int(os.environ.get("ZONES_XLSX_MAX_CELLS", "5000000"))
MAX_COLUMNS = int(os.environ.get("ZONES_XLSX_MAX_COLUMNS", "500"))
CHUNK = 1 << 20

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d{1,7})"')  # a cell's own reference


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


def check_workbook(data: bytes) -> list[Extent]:
    """Refuse (``SheetLimitError``) a workbook over a limit; the extent of each sheet."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        members = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []  # not a zip: the reader reports the broken file itself
    if len(members) > MAX_MEMBERS:
        raise SheetLimitError("xlsx_members", n=len(members), limit=MAX_MEMBERS)
    expanded = sum(m.file_size for m in members) / 1e6
    if expanded > MAX_EXPANDED_MB:
        raise SheetLimitError("xlsx_expanded", mb=round(expanded), limit=round(MAX_EXPANDED_MB))
    out = []
    for m in members:
        if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml"):
            extent = _extent(book, m)
            if extent.columns > MAX_COLUMNS or extent.cells > MAX_CELLS:
                raise SheetLimitError("xlsx_extent", rows=extent.rows, columns=extent.columns,
                                 cells=extent.cells, limit=MAX_CELLS,
                                 max_columns=MAX_COLUMNS)
            out.append(extent)
    return out


def _extent(book: zipfile.ZipFile, member: zipfile.ZipInfo) -> Extent:
    """The largest of the declared dimension and the furthest cell present."""
    rows = cols = 0
    tail = b""
    read = 0
    try:
        with book.open(member) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                read += len(chunk)
                if read > MAX_EXPANDED_MB * 1e6:
                    raise SheetLimitError("xlsx_expanded", mb=round(read / 1e6),
                                     limit=round(MAX_EXPANDED_MB))
                text = tail + chunk
                if rows == 0 and cols == 0:
                    dim = _DIMENSION.search(text)
                    if dim and dim.group(3):
                        cols, rows = column_number(dim.group(3)), int(dim.group(4))
                refs = _CELL_REF.findall(text)  # (letters, digits) of every cell, in C
                if refs:
                    letters, numbers = zip(*refs, strict=True)
                    cols = max(cols, max(column_number(c) for c in set(letters)))
                    rows = max(rows, max(map(int, numbers)))
                tail = text[-256:]  # a tag cut between two chunks is seen whole next time
    except SheetLimitError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, ValueError,
            NotImplementedError):
        pass  # encrypted or broken member: the reader reports it
    return Extent(member.filename, rows, cols)


_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]+)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]+)"[^>]*?\bTarget="([^"]+)"')
_REL_ALT = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]+)"[^>]*?\bId="([^"]+)"')
_ERROR_CELL = re.compile(
    rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})(\d{1,7})"[^>]*?\bt="e"[^>]*>\s*'
    rb'<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>')


def sheet_member(book: zipfile.ZipFile, name: str) -> str | None:
    """The zip member holding the sheet called ``name``."""
    try:
        workbook = book.read("xl/workbook.xml")
        rels = book.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    targets = dict(_REL.findall(rels))
    targets.update({rid: target for target, rid in _REL_ALT.findall(rels)})
    for sheet_name, rid in _SHEET.findall(workbook):
        if sheet_name.decode("utf-8", "replace") == name and rid in targets:
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
    return {(int(r) - 1, column_number(c) - 1): v.decode("utf-8", "replace") or "#ERROR"
            for c, r, v in _ERROR_CELL.findall(body)}
