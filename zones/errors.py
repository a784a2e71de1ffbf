"""User-facing errors of the application core.

Each carries a message already phrased for the user (Vietnamese by default). The CLI
turns them into exit code 2 without a traceback.
"""

from __future__ import annotations


class ZonesError(Exception):
    """A problem the user can fix: bad input, missing file, unusable database."""

    exit_code = 2


class DatabaseError(ZonesError):
    """The database URL is malformed, unreachable, or the file cannot be opened."""


class NoDataError(ZonesError):
    """The database holds no units (run ``python -m zones demo`` first)."""
