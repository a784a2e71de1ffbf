"""User-facing errors of the application core.

Each carries its message as a value (``zones.i18n.Msg``: a catalogue key and its values),
so the edge that tells the user renders it in the user's language: ``err.text(lang)``.
``str(err)`` is the Vietnamese text (for logs). The CLI turns them into exit code 2
without a traceback.
"""

from __future__ import annotations

from zones.i18n import text_of


class ZonesError(Exception):
    """A problem the user can fix: bad input, missing file, unusable database."""

    exit_code = 2

    def text(self, lang: str) -> str:
        """The message in ``lang``."""
        return message_of(self, lang)


def message_of(err: BaseException, lang: str) -> str:
    """The message of any error in ``lang``: its first argument when that is a message
    value (rendered), else its text."""
    if err.args and len(err.args) == 1:
        return text_of(err.args[0], lang)
    return str(err)


class DatabaseError(ZonesError):
    """The database URL is malformed, unreachable, or the file cannot be opened."""


class NoDataError(ZonesError):
    """The database holds no units (run ``python -m zones demo`` first)."""
