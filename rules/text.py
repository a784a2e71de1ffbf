"""The one home of date and number formatting for Vietnamese and English output.

Everything a person reads (pages, CLI messages, briefings, e-mails, map tooltips) formats
dates and numbers here; ``zones.i18n`` re-exports these for the rest of the core.

Dates: ``dd/mm/yyyy`` in both languages (what people here write), times ``HH:MM`` after
the date. Numbers, Vietnamese style: ``1.240`` (dot groups thousands), ``0,75`` (comma
decimal); English: ``1,240`` and ``0.75``.

The catalogue of messages is read here too (``load_catalogue``): the engine's own file,
``rules/messages.yaml``, and, through ``zones.i18n``, every ``zones/messages*.yaml``; one
reader, one set of keys (the engine's start with ``rules.``), one way to fill them in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .operators import SYMBOLS

#: the engine's messages (merged into ``zones.i18n``'s catalogue)
RULES_MESSAGES = Path(__file__).with_name("messages.yaml")


#: libyaml's safe loader when PyYAML has it (the catalogue is the project's own files; the
#: pure-Python reader took ~0.3 s of every command's start, issue 21's ``--help`` budget)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_catalogue(paths: Iterable[Path]) -> dict[str, dict[str, str]]:
    """Messages of the YAML files ``paths``: key -> {lang: template}."""
    merged: dict[str, dict[str, str]] = {}
    for path in paths:
        merged.update(yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER) or {})
    return merged


@lru_cache(maxsize=1)
def _engine_catalogue() -> dict[str, dict[str, str]]:
    return load_catalogue([RULES_MESSAGES])


def message(key: str, lang: str, **values: Any) -> str:
    """The engine's message ``key`` (``rules.…``) in ``lang``, filled in with ``values``."""
    entry = _engine_catalogue()[key]
    template = entry.get(lang) or entry["vi"]
    return template.format(**values) if values else template


#: the date as people here write it, in both languages
DATE_FORMAT = "%d/%m/%Y"
#: a day of the year on a chart's axis: dd/mm (both languages)
DAY_MONTH_FORMAT = "%d/%m"


def _timestamp(value: Any) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    stamp = pd.Timestamp(value)
    return None if pd.isna(stamp) else stamp


def fmt_date(date: Any, lang: str = "vi") -> str:
    """A date as people here write it, in both languages: dd/mm/yyyy (empty for none)."""
    stamp = _timestamp(date)
    return stamp.strftime(DATE_FORMAT) if stamp is not None else ""


def fmt_day_month(date: Any, lang: str = "vi") -> str:
    """A day on a chart's axis: dd/mm, in both languages (empty for none)."""
    stamp = _timestamp(date)
    return stamp.strftime(DAY_MONTH_FORMAT) if stamp is not None else ""


def fmt_datetime(when: Any, lang: str = "vi", seconds: bool = False) -> str:
    """A moment: ``dd/mm/yyyy HH:MM`` (``:SS`` with ``seconds``); empty for none."""
    stamp = _timestamp(when)
    if stamp is None:
        return ""
    return stamp.strftime(DATE_FORMAT + (" %H:%M:%S" if seconds else " %H:%M"))


def fmt_int(n: Any, lang: str = "vi") -> str:
    """An integer with thousands separators: 1.240 (vi) or 1,240 (en); "–" for none."""
    if n is None or n != n:  # None or NaN
        return "–"
    text = f"{round(n):,}"
    return text.replace(",", ".") if lang == "vi" else text


def fmt_decimal(x: Any, digits: int = 1, lang: str = "vi") -> str:
    """A number with exactly ``digits`` decimals: 12,5 (vi) or 12.5 (en); "–" for none."""
    if x is None or x != x:
        return "–"
    text = f"{float(x):,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


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
