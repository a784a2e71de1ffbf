"""Number formatting and small phrase builders for Vietnamese and English output.

Vietnamese style: ``1.240`` (dot groups thousands), ``0,75`` (comma decimal).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from .operators import SYMBOLS


def fmt_date(date: Any, lang: str = "vi") -> str:
    """A date as people here write it, in both languages: dd/mm/yyyy."""
    return pd.Timestamp(date).strftime("%d/%m/%Y")


def fmt_number(x: Any, lang: str = "vi", decimals: int | None = None) -> str:
    """Format a number for people: integers without decimals, others with up to 2."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–" if lang == "vi" else "n/a"
    x = float(x)
    if decimals is None:
        decimals = 0 if x == round(x) else (1 if abs(x) >= 100 else 2)
    text = f"{x:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_percent(x: Any, lang: str = "vi") -> str:
    """0.7 -> "70%", 0.755 -> "75,5%" (vi) / "75.5%" (en)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return fmt_number(x, lang)
    return fmt_number(round(float(x) * 100, 1), lang) + "%"


def fmt_value(x: Any, unit: str | None, lang: str = "vi") -> str:
    """Format with the indicator's unit: ``share`` -> percent, else plain number."""
    if unit in ("share", "ratio"):
        return fmt_percent(x, lang)
    return fmt_number(x, lang)


def fmt_threshold(op: str, value: Any, unit: str | None, lang: str = "vi") -> str:
    """"≥ 50", "< 70%", "∈ [20; 50)" for a condition's threshold."""
    if isinstance(value, list | tuple):
        sep = "; " if lang == "vi" else ", "
        lo, hi = (fmt_value(v, unit, lang) for v in value)
        return f"{SYMBOLS[op]} [{lo}{sep}{hi})"
    if isinstance(value, bool) or unit == "flag":
        return f"{SYMBOLS[op]} {int(value)}"
    return f"{SYMBOLS[op]} {fmt_value(value, unit, lang)}"


def join(parts: list[str], lang: str = "vi", word: str = "and") -> str:
    """Join phrases with commas and a final "và"/"and" (or "hoặc"/"or")."""
    words = {"and": {"vi": "và", "en": "and"}, "or": {"vi": "hoặc", "en": "or"}}
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {words[word][lang]} " + parts[-1]
