"""The settings: one frozen object, built from the environment once at the edges.

The CLI (``zones.cli``) and the web server (``ui``) call ``Settings.from_env(os.environ)``
once and hand the result to ``Workspace``; everything below takes its limits from
``ws.settings`` or as plain arguments (``geodata`` and ``rules`` never import ``zones``).
Each field carries its environment variable, its allowed range and a one-line
description in its metadata: a value out of range is a ``SettingsError`` naming the
variable, the value and the range, and README's settings table is generated from the
fields (``python -m zones.settings``; a test keeps README equal to it). Secret values
(the database URL's password) are never shown: not in ``repr``, not in the table.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

from geodata.sheets import SheetLimits
from zones.errors import ZonesError
from zones.i18n import msg

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


class SettingsError(ZonesError):
    """A setting's value is not allowed (names the variable, the value and the range)."""


def _setting(env: str, default: Any, what: str, *, low: float | None = None,
             high: float | None = None, choices: tuple = (), shown: str | None = None,
             secret: bool = False) -> Any:
    """A field of ``Settings`` with its environment variable and what it allows."""
    meta = {"env": env, "what": what, "low": low, "high": high, "choices": choices,
            "shown": shown, "secret": secret}
    return field(default=default, metadata=meta, repr=not secret)


@dataclass(frozen=True)
class Settings:
    """Every setting of the system (defaults as documented in README)."""

    db: str = _setting("ZONES_DB", "", "the database: any SQLAlchemy URL (e.g. PostgreSQL); "
                       "`--db` overrides it", shown="`data/zones.db` (SQLite)", secret=True)
    debug: bool = _setting("ZONES_DEBUG", False, "an unexpected failure prints its details "
                           "(never to a page)", choices=(True, False))
    lang: str = _setting("ZONES_LANG", "vi", "the language of messages when none is chosen: "
                         "the CLI without `--lang`, a browser's first visit",
                         choices=("vi", "en"))
    public_read: bool | None = _setting(
        "ZONES_PUBLIC_READ", None, "the map and the read-only pages open without signing in",
        choices=(True, False), shown="on for the embedded demo, off otherwise")
    public_url: str = _setting("ZONES_PUBLIC_URL", "", "the address people open the "
                               "dashboard at, `http(s)://host[:port][/path]` (the map link in "
                               "briefings; empty: the address the page was opened at; a link "
                               "to `localhost` is never printed)", shown="empty")
    upload_max_rows: int = _setting("ZONES_UPLOAD_MAX_ROWS", 500_000,
                                    "rows of figures in one upload (checked while the CSV "
                                    "is read)", low=1, high=10**9)
    upload_max_columns: int = _setting("ZONES_UPLOAD_MAX_COLUMNS", 500,
                                       "cells in one row of an upload", low=1, high=100_000)
    duplicates: str = _setting("ZONES_DUPLICATES", "last",
                               "two rows for one unit and day in a file: `last` wins with a "
                               "warning naming both rows; `refuse` refuses both",
                               choices=("last", "refuse"))
    xlsx_max_cells: int = _setting("ZONES_XLSX_MAX_CELLS", 5_000_000,
                                   "a sheet's extent, declared or real, checked before any "
                                   "reader allocates it (a 5 KB workbook claiming cell "
                                   "XFD1048576 is refused, not read)", low=1, high=10**10)
    xlsx_max_columns: int = _setting("ZONES_XLSX_MAX_COLUMNS", 500, "columns of a sheet",
                                     low=1, high=16_384)
    xlsx_max_members: int = _setting("ZONES_XLSX_MAX_MEMBERS", 2000, "parts of a workbook",
                                     low=1, high=10**6)
    xlsx_max_expanded_mb: float = _setting("ZONES_XLSX_MAX_EXPANDED_MB", 300.0,
                                           "the expanded size of a workbook's parts (MB)",
                                           low=0, high=100_000)
    geodata_max_mb: float = _setting("GEODATA_MAX_MB", 200.0,
                                     "size of a boundary file (MB; a file of figures: 20 MB)",
                                     low=0, high=100_000)
    geodata_max_features: int = _setting("GEODATA_MAX_FEATURES", 200_000,
                                         "features of a boundary file (from its header or "
                                         "Parquet footer, before reading)", low=1, high=10**9)
    geodata_max_columns: int = _setting("GEODATA_MAX_COLUMNS", 500,
                                        "fields of a boundary file", low=1, high=100_000)
    geodata_max_vertices: int = _setting("GEODATA_MAX_VERTICES", 20_000_000,
                                         "vertices of all the shapes of a boundary file",
                                         low=1, high=10**11)
    geodata_max_zip_members: int = _setting(
        "GEODATA_MAX_ZIP_MEMBERS", 200, "files inside a zipped boundary file; "
        "password-protected, Deflate64, AES or other members it cannot inflate are refused "
        "by name", low=1, high=10**6)
    read_max_mb: int = _setting("ZONES_READ_MAX_MB", 1024,
                                "every untrusted file is read in a child process that may use "
                                "this much more memory (MB, resident); a file that needs more, "
                                "or crashes its reader, is a message and the server keeps "
                                "running", low=16, high=10**7)
    read_timeout_s: float = _setting("ZONES_READ_TIMEOUT_S", 300.0,
                                     "how long (seconds) that child process may run",
                                     low=0.1, high=86_400)
    isolate: bool = _setting("ZONES_ISOLATE", True, "read untrusted files in a bounded child "
                             "process (`0`: in the server's own, for debugging only)",
                             choices=(True, False))
    max_failed_sign_ins: int = _setting("ZONES_MAX_FAILED_SIGN_INS", 5,
                                        "checked wrong passwords from one address that lock "
                                        "it out of the account", low=1, high=1000)
    lock_minutes: int = _setting("ZONES_LOCK_MINUTES", 15, "the first lock (minutes), twice "
                                 "as long after each new lock", low=1, high=10**6)
    lock_max_minutes: int = _setting("ZONES_LOCK_MAX_MINUTES", 1440,
                                     "the longest lock (minutes)", low=1, high=10**7)
    max_failed_sign_ins_all: int | None = _setting(
        "ZONES_MAX_FAILED_SIGN_INS_ALL", None, "checked wrong passwords from all addresses "
        "together that lock the account for everyone", low=1, high=10**6,
        shown="4 × `ZONES_MAX_FAILED_SIGN_INS`")
    session_minutes: float = _setting("ZONES_SESSION_MINUTES", 480.0,
                                      "a session ends after this many minutes without "
                                      "activity", low=1, high=10**6)
    session_max_hours: float = _setting("ZONES_SESSION_MAX_HOURS", 24.0,
                                        "a session ends after this many hours in all",
                                        low=0.1, high=10**5)
    api_rate_per_minute: int = _setting("ZONES_API_RATE_PER_MINUTE", 120,
                                        "requests one token of another system may make per "
                                        "minute to `/zones-api/v1/…` (more are answered 429)",
                                        low=1, high=10**6)
    log_level: str | None = _setting(
        "ZONES_LOG_LEVEL", None, "the least serious log lines written (to stderr)",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        shown="`INFO` for the web server, `WARNING` for the command line (`DEBUG` with "
              "`ZONES_DEBUG`)")
    log_json: bool = _setting("ZONES_LOG_JSON", False, "log lines as JSON objects, one per "
                              "line (time, level, source, message, request, user, action)",
                              choices=(True, False))
    smtp_host: str = _setting("ZONES_SMTP_HOST", "", "the mail relay alerts are sent "
                              "through (empty: alerts only in the app's feed); `check` tells "
                              "whether it answers",
                              shown="none")
    smtp_port: int = _setting("ZONES_SMTP_PORT", 25, "its port (STARTTLS is used whenever "
                              "the relay offers it)", low=1, high=65_535)
    smtp_from: str = _setting("ZONES_SMTP_FROM", "canh-bao@localhost",
                              "the sender address of alerts")
    smtp_user: str = _setting("ZONES_SMTP_USER", "", "the relay's user name, when it "
                              "asks for one", shown="none")
    smtp_password: str = _setting("ZONES_SMTP_PASSWORD", "", "its password (never shown)",
                                  shown="none", secret=True)
    smtp_timeout_s: float = _setting("ZONES_SMTP_TIMEOUT_S", 10.0, "how long (seconds) "
                                     "to wait for the relay", low=0.1, high=600)
    alerts_auto: bool = _setting("ZONES_ALERTS_AUTO", False, "run the alerts (`alerts run`) "
                                 "after every recomputation of the levels, when someone is "
                                 "subscribed (else by cron or on demand)",
                                 choices=(True, False))
    smtp_attempts: int = _setting("ZONES_SMTP_ATTEMPTS", 3, "tries per message within a "
                                  "run, waiting 2 s, then 4 s…; a message still failing is "
                                  "kept, shown and tried again by the next run",
                                  low=1, high=10)

    def __post_init__(self) -> None:
        if self.max_failed_sign_ins_all is None:
            object.__setattr__(self, "max_failed_sign_ins_all", 4 * self.max_failed_sign_ins)
        for f in dataclasses.fields(self):
            _check(f, getattr(self, f.name))
        if self.public_url and not public_address(self.public_url):
            raise SettingsError(msg("settings.public_url", value=self.public_url))
        if self.lock_max_minutes < self.lock_minutes:  # else an address's count is forgotten
            raise SettingsError(msg("settings.lock_order", low=self.lock_minutes,  # too soon
                                  high=self.lock_max_minutes))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """The settings of ``environ`` (e.g. ``os.environ``): unset or empty variables keep
        their default; a value that is not allowed is a ``SettingsError``."""
        values = {}
        for f in dataclasses.fields(cls):
            text = (environ.get(f.metadata["env"]) or "").strip()
            if text:
                values[f.name] = _parse(f, text)
                _check(f, values[f.name], text)  # the value named as it was written
        return cls(**values)

    @property
    def geodata_max_bytes(self) -> int:
        """``GEODATA_MAX_MB`` in bytes."""
        return int(self.geodata_max_mb * 2**20)

    def sheet_limits(self) -> SheetLimits:
        """The bounds of an untrusted workbook, as ``geodata.sheets`` takes them."""
        return SheetLimits(members=self.xlsx_max_members, expanded_mb=self.xlsx_max_expanded_mb,
                           cells=self.xlsx_max_cells, columns=self.xlsx_max_columns)


LOOPBACK = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def public_address(url: str | None) -> str:
    """``url`` (without a trailing "/") when people elsewhere could open it: http or https,
    a host that is not this machine (not ``localhost``, 127.x, ::1 or 0.0.0.0), no spaces,
    no query; else ""."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not host or host in LOOPBACK or \
            any(c.isspace() for c in text) or parts.query or parts.fragment:
        return ""
    try:
        address = ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is not None and (address.is_loopback or address.is_unspecified):
        return ""
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def _allowed(f: dataclasses.Field) -> str:
    """What a field allows, as the error and the table say it."""
    m = f.metadata
    if m["choices"]:
        return " / ".join("1" if c is True else "0" if c is False else str(c)
                          for c in m["choices"])
    if m["low"] is not None:
        return f"{_number(m['low'])}–{_number(m['high'])}"
    return ""


def _refuse(f: dataclasses.Field, value: object) -> SettingsError:
    shown = "***" if f.metadata["secret"] else value
    return SettingsError(msg("settings.bad_value", setting=f.metadata["env"], value=shown,
                           allowed=_allowed(f)))


def _parse(f: dataclasses.Field, text: str) -> Any:
    """The typed value of an environment variable's text."""
    choices = f.metadata["choices"]
    kind = type(f.default) if f.default is not None else (
        (bool if True in choices else str) if choices else int)
    if kind is str and choices:  # a word among choices: written in any case
        return text.upper() if text.upper() in choices else text
    if kind is bool:
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise _refuse(f, text)
    if kind in (int, float):
        try:
            number = float(text)
        except ValueError:
            raise _refuse(f, text) from None
        if kind is int and not number.is_integer():
            raise _refuse(f, text)
        return int(number) if kind is int else number
    return text


def _check(f: dataclasses.Field, value: Any, text: str | None = None) -> None:
    """Refuse a value outside the field's choices or range."""
    m = f.metadata
    if m["choices"] and value is not None and value not in m["choices"]:
        raise _refuse(f, value if text is None else text)
    if m["low"] is not None and not (m["low"] <= value <= m["high"]):
        raise _refuse(f, value if text is None else text)


def _number(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,}"


def _default(f: dataclasses.Field) -> str:
    if f.metadata["shown"]:
        return f.metadata["shown"]
    value = f.default
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return _number(value)
    return f"`{value}`"


def markdown_table() -> str:
    """README's table of settings, one row per field."""
    rows = ["| setting | default | allowed | what |", "|---|---|---|---|"]
    for f in dataclasses.fields(Settings):
        rows.append(f"| `{f.metadata['env']}` | {_default(f)} | {_allowed(f)} "
                    f"| {f.metadata['what']} |")
    return "\n".join(rows) + "\n"


#: the documented defaults (for callers given no settings: tests, benchmarks)
DEFAULTS = Settings()

if __name__ == "__main__":
    sys.stdout.write(markdown_table())
