"""The log, set up once for the web server and the command line.

``configure`` puts one handler on the root logger: lines with the time (UTC, ISO 8601),
the level, the source (the logger's name) and the context of the request (``request``:
a short id per HTTP request), of the person (``user``: the account's name) and of the
action of the front door (``action``), as text or as JSON lines (``ZONES_LOG_JSON``), at
``ZONES_LOG_LEVEL``. ``context`` adds to the context for a block; the front door's
``@action`` and the web server's middleware use it, so no call site repeats it.

Log lines carry counts, ids and names of actions, never figures, file contents or
secrets: every line (exceptions too) goes through ``masked`` (a database URL's password,
any ``password=…``), and control characters are escaped, so a name or a path given by a
visitor cannot forge a line.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO

from zones.masking import masked

CONTEXT_KEYS = ("request", "user", "action", "page")
#: libraries whose INFO lines are left out (their warnings are kept)
QUIET = ("alembic", "fontTools", "matplotlib", "PIL")
_context: ContextVar[Mapping[str, str] | None] = ContextVar("zones_log_context", default=None)
#: the handler ``configure`` installed (one per process)
_handler: logging.Handler | None = None
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(32), 127)} | {10: "\\n", 13: "\\r", 9: "\\t"}


@contextmanager
def context(**values: object) -> Iterator[None]:
    """Add ``values`` (None ones left out) to the log context for the block."""
    token = _context.set({**(_context.get() or {}),
                          **{k: str(v) for k, v in values.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def current() -> dict[str, str]:
    """The log context in force (for tests and the server's access lines)."""
    return dict(_context.get() or {})


def clean(text: str) -> str:
    """A log message without secrets and with control characters escaped."""
    return masked(text).translate(_CONTROL)


def _time(record: logging.LogRecord) -> str:
    stamp = datetime.fromtimestamp(record.created, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _exception(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    return masked(formatter.formatException(record.exc_info)) if record.exc_info else ""


class TextFormatter(logging.Formatter):
    """``2026-12-07T11:40:00.123Z INFO zones.api.uploads [user=x action=y] message``."""

    def format(self, record: logging.LogRecord) -> str:
        ctx = getattr(record, "zones_context", None) or {}
        tags = " ".join(f"{k}={clean(ctx[k])}" for k in CONTEXT_KEYS if k in ctx)
        line = (f"{_time(record)} {record.levelname} {record.name}"
                f"{f' [{tags}]' if tags else ''} {clean(record.getMessage())}")
        trace = _exception(self, record)
        return f"{line}\n{trace}" if trace else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, source, message, the context, and the
    exception's text when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        ctx = getattr(record, "zones_context", None) or {}
        entry = {"time": _time(record), "level": record.levelname, "source": record.name,
                 "message": masked(record.getMessage()),
                 **{k: ctx[k] for k in CONTEXT_KEYS if k in ctx}}
        trace = _exception(self, record)
        if trace:
            entry["exception"] = trace
        return json.dumps(entry, ensure_ascii=False)


class _ContextFilter(logging.Filter):
    """Stamp each record with the context of the code that logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.zones_context = _context.get() or {}
        return True


def level_of(name: str | None, default: str) -> int:
    """The numeric level of ``name`` (DEBUG, INFO, WARNING, ERROR), else of ``default``."""
    return logging.getLevelNamesMapping().get((name or default).upper(), logging.INFO)


def configure(level: str, as_json: bool = False, stream: IO[str] | None = None) -> None:
    """Send the log of this process to ``stream`` (default: stderr) at ``level``, as
    text or JSON lines; called again, it replaces its own handler (never another's)."""
    global _handler
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if as_json else TextFormatter())
    handler.addFilter(_ContextFilter())
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    root.addHandler(handler)
    root.setLevel(level_of(level, "INFO"))
    for name in QUIET:  # their INFO lines say nothing an operator needs
        logging.getLogger(name).setLevel(max(root.level, logging.WARNING))
    _handler = handler
