"""Output safety, in one place: text that came from users (unit names, uploaded cells,
decision numbers) is data, never markup, script or a spreadsheet formula."""

from __future__ import annotations

import html

import pandas as pd

#: a cell starting with one of these is read by Excel/LibreOffice as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A cell value that a spreadsheet will not read as a formula ("=cmd|…" -> "'=cmd|…")."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and headers) cannot run as formulas."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def text(value: object) -> str:
    """Text for HTML: ``<img onerror=…>`` shows as those characters."""
    return html.escape("" if value is None else str(value), quote=True)


def script_json(text_json: str) -> str:
    """JSON text to embed inside ``<script>``: ``</script>`` and comment openers in the
    data can no longer close or confuse the script (``<`` becomes ``\\u003c``; still JSON)."""
    return (text_json.replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
