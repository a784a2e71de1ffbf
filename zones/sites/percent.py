"""Score cells an Excel user formatted as percent: "85%" on screen is 0.85 in the file.

calamine (which reads the rows) gives the number only; openpyxl knows each cell's number
format. A workbook with no percent format at all is not walked (the usual case costs
one parse of its styles); otherwise the score column is, and each numeric cell shown as
a percent is turned into the text the user saw ("85%"), which the score's reading
already takes as 85 (%). Runs in the bounded child process with the rest of the read.
"""

from __future__ import annotations

import io
import math
import re

import numpy as np

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


def _any_percent(book) -> bool:
    """Whether any cell style of the workbook has a percent format (openpyxl's own
    look-up of a cell's format: built-in ids below 164, the workbook's own above)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    own = list(getattr(book, "_number_formats", []))
    for style in getattr(book, "_cell_styles", []):
        fid = style.numFmtId
        code = BUILTIN_FORMATS.get(fid) if fid < BUILTIN_FORMATS_MAX_SIZE else \
            (own[fid - BUILTIN_FORMATS_MAX_SIZE] if fid - BUILTIN_FORMATS_MAX_SIZE < len(own)
             else None)
        if is_percent(code):
            return True
    return False


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
        if not _any_percent(book) or sheet not in book.sheetnames:
            return 0
        turned = 0
        cells = book[sheet].iter_rows(min_row=first_row + 1, max_row=len(rows),
                                      min_col=column + 1, max_col=column + 1)
        for r, (cell,) in enumerate(cells, start=first_row):
            value = rows[r][column] if column < len(rows[r]) else None
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if is_percent(getattr(cell, "number_format", None)):
                rows[r][column] = shown(float(value))
                turned += 1
        return turned
    finally:
        book.close()
