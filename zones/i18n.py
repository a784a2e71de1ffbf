"""Messages shown to users, Vietnamese first, English second.

``t(key, **values)`` formats the message in the current language (``set_lang``), which
defaults to Vietnamese (``ZONES_LANG=en`` switches the default). The catalogue lives in
``zones/messages*.yaml`` (one file per area) so translators edit data, not code. Dates and
numbers are formatted in one place, ``rules.text`` (the functions here hand it the current
language).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import lru_cache
from pathlib import Path

from rules import text

LANGS = ("vi", "en")


def default_lang() -> str:
    """The language when nothing chose one: Vietnamese. (The deployment's own default,
    ``ZONES_LANG``, is a setting: the CLI and the web server pass it in explicitly.)"""
    return "vi"


# Per thread (each Streamlit session runs its script in its own thread), so two users
# reading different languages never see each other's.
_lang: ContextVar[str | None] = ContextVar("zones_lang", default=None)


def set_lang(lang: str) -> None:
    """Set the language of later messages ("vi" or "en")."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {LANGS}, got {lang!r}")
    _lang.set(lang)


@contextmanager
def using_lang(lang: str | None) -> Iterator[str]:
    """Messages in ``lang`` for the duration of the block (the front door wraps every
    action in it, so the language is an explicit argument of each action)."""
    token = _lang.set(lang if lang in LANGS else get_lang())
    try:
        yield _lang.get() or default_lang()
    finally:
        _lang.reset(token)


def get_lang() -> str:
    """The current message language."""
    return _lang.get() or default_lang()


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """All messages: key -> {lang: template}."""
    paths = [text.RULES_MESSAGES, *sorted(Path(__file__).parent.rglob("messages*.yaml"))]
    return text.load_catalogue(paths)


def t(key: str, lang: str | None = None, **values) -> str:
    """The message ``key`` in ``lang`` (default: the current language), formatted."""
    entry = catalogue().get(key)
    if entry is None:
        return key
    template = entry.get(lang or get_lang()) or entry["vi"]
    return template.format(**values) if values else template


def fmt_date(d: date | None) -> str:
    """A date as users read it: dd/mm/yyyy (empty for None)."""
    return text.fmt_date(d)


def fmt_day_month(d) -> str:
    """A day on a chart's axis: dd/mm (empty for None)."""
    return text.fmt_day_month(d)


def fmt_datetime(when, seconds: bool = False) -> str:
    """A moment as users read it: dd/mm/yyyy HH:MM[:SS] (empty for None)."""
    return text.fmt_datetime(when, seconds=seconds)


def fmt_int(n: float | int | None, lang: str | None = None) -> str:
    """An integer with thousands separators: 1.240 (vi) or 1,240 (en)."""
    return text.fmt_int(n, lang or get_lang())


def fmt_num(x: float | None, digits: int = 1, lang: str | None = None) -> str:
    """A decimal number: 12,5 (vi) or 12.5 (en), with thousands separators."""
    return text.fmt_decimal(x, digits, lang or get_lang())
