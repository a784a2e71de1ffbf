"""The settings, for the edges (the CLI, the web server) to read once from the environment,
and the log they set up with them (a light area: ``python -m zones --help`` imports
nothing heavier than the catalogue)."""

from __future__ import annotations

from typing import IO

from zones.ops import logs
from zones.settings import Settings

__all__ = ["Settings", "configure_logging", "log_context"]

#: add to the log's context for a block (``request``, ``user``, ``action``, ``page``)
log_context = logs.context


def configure_logging(settings: Settings, default_level: str = "INFO",
                      stream: IO[str] | None = None) -> None:
    """The log of this process at ``ZONES_LOG_LEVEL``, else ``default_level`` (the web
    server: INFO; the CLI: WARNING), DEBUG whenever ``ZONES_DEBUG`` is on (it promises
    the details of a failure); JSON lines with ``ZONES_LOG_JSON``."""
    level = "DEBUG" if settings.debug else settings.log_level or default_level
    logs.configure(level, settings.log_json, stream)
