"""Messages shown to users, Vietnamese first, English second.

``t(key, lang, **values)`` formats the message ``key`` in ``lang``: the language is always
passed, never read from anywhere else. The catalogue lives in ``zones/messages*.yaml``
(one file per area) so translators edit data, not code. Dates and numbers are formatted in
one place, ``rules.text``.

Where the core cannot know who will read a message (an error raised deep down, a problem
found while checking a file), it keeps the message as a value, ``Msg(key, **values)``, and
the edge that shows it renders it in its reader's language: ``msg.text(lang)``, or
``text_of(value, lang)`` for anything that may be one (``str(msg)`` is Vietnamese, for
logs). A value of a message may itself be a message, a ``Number`` or a ``Joined`` list:
it is rendered in the same language.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

from rules import text

LANGS = ("vi", "en")


def default_lang() -> str:
    """The language when nothing chose one: Vietnamese. (The deployment's own default,
    ``ZONES_LANG``, is a setting: the CLI and the web server pass it in explicitly.)"""
    return "vi"


class Localized:
    """A text whose words depend on the reader's language: ``text(lang)``; ``str()`` is
    the Vietnamese text (what logs and ``str(error)`` show)."""

    __slots__ = ()

    def text(self, lang: str) -> str:  # pragma: no cover - every subclass has its own
        raise NotImplementedError

    def __str__(self) -> str:
        return self.text("vi")


class Msg(Localized):
    """A catalogue message as a value: its key and values, rendered on demand."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, /, **values) -> None:
        self.key = key
        self.values = values

    def text(self, lang: str) -> str:
        return t(self.key, lang, **self.values)

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, **{self.values!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.key, self.values) == (other.key, other.values)

    def __hash__(self) -> int:
        return hash(self.key)


class Number(Localized):
    """A number written as the reader writes it: 1.240 / 12,5 (vi), 1,240 / 12.5 (en);
    ``digits=None`` an integer."""

    __slots__ = ("digits", "value")

    def __init__(self, value: float | int | None, digits: int | None = None) -> None:
        self.value = value
        self.digits = digits

    def text(self, lang: str) -> str:
        if self.digits is None:
            return text.fmt_int(self.value, lang)
        return text.fmt_decimal(self.value, self.digits, lang)

    def __repr__(self) -> str:
        return f"Number({self.value!r}, {self.digits!r})"


class Joined(Localized):
    """Texts (messages or plain) joined by ``sep`` once rendered."""

    __slots__ = ("parts", "sep")

    def __init__(self, parts: Iterable[object], sep: str = "\n") -> None:
        self.parts = tuple(parts)
        self.sep = sep

    def text(self, lang: str) -> str:
        return self.sep.join(text_of(p, lang) for p in self.parts)

    def __repr__(self) -> str:
        return f"Joined({self.parts!r}, {self.sep!r})"


msg = Msg


def text_of(value: object, lang: str) -> str:
    """``value`` as its reader reads it: a message rendered in ``lang``, anything else as
    its text."""
    if isinstance(value, Localized):
        return value.text(lang)
    return "" if value is None else str(value)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """All messages: key -> {lang: template}."""
    paths = [text.RULES_MESSAGES, *sorted(Path(__file__).parent.rglob("messages*.yaml"))]
    return text.load_catalogue(paths)


def t(key: str, /, lang: str, **values) -> str:
    """The message ``key`` in ``lang``, formatted (values that are messages or numbers
    rendered in the same language)."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {LANGS}, got {lang!r}")
    entry = catalogue().get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["vi"]
    if not values:
        return template
    return template.format(**{k: v.text(lang) if isinstance(v, Localized) else v
                              for k, v in values.items()})


def fmt_date(d: date | None) -> str:
    """A date as users read it: dd/mm/yyyy (empty for None)."""
    return text.fmt_date(d)


def fmt_day_month(d) -> str:
    """A day on a chart's axis: dd/mm (empty for None)."""
    return text.fmt_day_month(d)


def fmt_datetime(when, seconds: bool = False) -> str:
    """A moment as users read it: dd/mm/yyyy HH:MM[:SS] (empty for None)."""
    return text.fmt_datetime(when, seconds=seconds)


def fmt_int(n: float | int | None, lang: str) -> str:
    """An integer with thousands separators: 1.240 (vi) or 1,240 (en)."""
    return text.fmt_int(n, lang)


def fmt_num(x: float | None, digits: int, lang: str) -> str:
    """A decimal number: 12,5 (vi) or 12.5 (en), with thousands separators."""
    return text.fmt_decimal(x, digits, lang)
