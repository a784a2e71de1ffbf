"""Score cells an Excel user formatted as percent: "85%" on screen is 0.85 in the file.

calamine (which reads the rows) gives the number only; openpyxl knows each cell's number
format. A workbook with no percent format at all is not walked (the usual case costs
one parse of its styles, by openpyxl); otherwise the sheet's cells of the score column
are found with their style in the sheet's XML (a scan, ~50x faster than openpyxl's
walk of every cell; openpyxl's walk when a cell has no reference), and each numeric cell
shown as a percent is turned into the text the user saw ("85%"), which the score's
reading already takes as 85 (%). Runs in the bounded child process with the rest of the
read (the workbook's extent was bounded before, ``geodata.sheets.check_workbook``).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
import zlib

import numpy as np

from geodata.sheets import column_number, sheet_member

#: a number format's sections between quotes, and escaped characters, are literal text:
#: 0.0"%" shows a percent sign without multiplying by 100
_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_percent(code: str | None) -> bool:
    """Whether an Excel number format multiplies by 100 (a bare % outside literals)."""
    return bool(code) and "%" in _LITERAL.sub("", str(code))


def shown(value: float) -> str:
    """The percent text of a cell's number as Excel shows it unrounded: 0.85 -> "85%"
    (never in exponent notation; not a finite number is left for the check to refuse)."""
    if not math.isfinite(value * 100):
        return f"{value * 100}%"
    return np.format_float_positional(round(value * 100, 9), trim="-") + "%"


def _percent_styles(book) -> set[int]:
    """The cell styles (``s`` of a cell: their place in ``cellXfs``) with a percent
    format (openpyxl's own look-up of a cell's format: built-in ids below 164, the
    workbook's own above)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    own = list(getattr(book, "_number_formats", []))
    out = set()
    for n, style in enumerate(getattr(book, "_cell_styles", [])):
        fid = style.numFmtId
        code = BUILTIN_FORMATS.get(fid) if fid < BUILTIN_FORMATS_MAX_SIZE else \
            (own[fid - BUILTIN_FORMATS_MAX_SIZE] if fid - BUILTIN_FORMATS_MAX_SIZE < len(own)
             else None)
        if is_percent(code):
            out.add(n)
    return out


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*)>")  # a cell's opening tag (not <cols>, <col>)
_CELL_REF = re.compile(rb"\sr\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?(\d{1,7})[\"']")
_CELL_STYLE = re.compile(rb"\ss\s*=\s*[\"'](\d{1,7})[\"']")


def _styled_rows(data: bytes, sheet: str, column: int, styles: set[int]) -> set[int] | None:
    """The rows (0-based) whose cell in ``column`` has one of ``styles``, from the sheet's
    XML; None when a cell has no reference (its place is then only known by a walk)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        member = sheet_member(book, sheet)
        body = book.read(member) if member else None
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, RuntimeError, ValueError,
            EOFError, NotImplementedError):
        return None
    if body is None:
        return None
    rows = set()
    for attrs in _CELL.findall(body):
        ref = _CELL_REF.search(b" " + attrs)
        if ref is None:
            return None
        style = _CELL_STYLE.search(b" " + attrs)
        if style and int(style.group(1)) in styles and \
                column_number(ref.group(1).upper()) - 1 == column:
            rows.add(int(ref.group(2)) - 1)
    return rows


def percent_scores(data: bytes, sheet: str, rows: list[list], column: int,
                   first_row: int) -> int:
    """Turn the numeric cells of ``column`` (0-based) of ``rows`` (the sheet as calamine
    read it, from A1) formatted as percent, from ``first_row`` (0-based) on, into their
    percent text, in place; how many were turned."""
    import openpyxl  # here only: the door and the CLI start without it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # calamine read it; a workbook openpyxl cannot open keeps its numbers
        return 0
    try:
        styles = _percent_styles(book)
        if not styles or sheet not in book.sheetnames:
            return 0
        found = _styled_rows(data, sheet, column, styles)
        if found is None:  # a cell without a reference: openpyxl walks the column
            cells = book[sheet].iter_rows(min_row=first_row + 1, max_row=len(rows),
                                          min_col=column + 1, max_col=column + 1)
            found = {r for r, (cell,) in enumerate(cells, start=first_row)
                     if is_percent(getattr(cell, "number_format", None))}
        turned = 0
        for r in sorted(found):
            if r < first_row or r >= len(rows) or column >= len(rows[r]):
                continue
            value = rows[r][column]
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            rows[r][column] = shown(float(value))
            turned += 1
        return turned
    finally:
        book.close()
