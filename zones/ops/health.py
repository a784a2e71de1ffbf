"""The deployment's health, as an IT department reads it (``python -m zones check`` and
the web server's ``/zones-health``).

Checks, each ``ok``, ``degraded`` or ``down``: the database reachable and at the
revision this version ships (never migrated or created by a check: a missing SQLite file
is *down*, a database behind is *degraded*, one made by a newer version *down*); whether
a boundary set is stored (told, not counted); no recomputation of levels owed; the last recomputation and the
last upload of figures (information); the SMTP server answering when ``ZONES_SMTP_HOST``
is set. The whole is the worst of its checks: exit code 0 healthy, 1 degraded, 2 down.

A check's ``message`` is safe to publish (no address, path or password); its
``detail`` (a driver's reason, masked) is for the person at the terminal only.
"""

from __future__ import annotations

import smtplib
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import exc as sa_exc

from zones.i18n import Number, fmt_date, fmt_datetime, t
from zones.masking import masked
from zones.storage import ops_sql
from zones.workspace import Workspace

OK, DEGRADED, DOWN = "ok", "degraded", "down"
RANK = {OK: 0, DEGRADED: 1, DOWN: 2}
#: the whole's name by its rank (what the JSON's ``status`` says)
OVERALL = {0: "healthy", 1: "degraded", 2: "down"}
SMTP_TIMEOUT_S = 3
#: seconds a mail server's answer is reused (a monitor may ask every second)
SMTP_EVERY_S = 30.0
_smtp_lock = threading.Lock()
_smtp_seen: dict[tuple[str, int], tuple[float, Check]] = {}


@dataclass(frozen=True)
class Check:
    """One check: its ``name``, ``status``, the message key and values (publishable),
    and a ``detail`` for the terminal only."""

    name: str
    status: str
    key: str
    values: dict = field(default_factory=dict)
    detail: str = ""

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.values)


@dataclass(frozen=True)
class Health:
    """The checks and what they add up to."""

    checks: tuple[Check, ...]
    at: datetime
    facts: dict = field(default_factory=dict)  # machine-readable: revision, times, counts

    @property
    def exit_code(self) -> int:
        return max((RANK[c.status] for c in self.checks), default=0)

    @property
    def status(self) -> str:
        return OVERALL[self.exit_code]

    def lines(self, lang: str, details: bool = True) -> list[str]:
        """What a person reads: the verdict, then one line per check (with its detail)."""
        out = [t(f"health.status.{self.status}", lang)]
        for c in self.checks:
            out.append(f"{t(f'health.mark.{c.status}', lang)} {c.message(lang)}")
            if details and c.detail:
                out.append(f"    {c.detail}")
        return out

    def as_json(self, lang: str) -> dict:
        """What a monitor reads (no detail: it may name a server or a path)."""
        return {"status": self.status, "checked_at": _iso(self.at),
                "checks": [{"name": c.name, "status": c.status, "message": c.message(lang)}
                           for c in self.checks],
                **{k: _iso(v) if isinstance(v, datetime) else v
                   for k, v in self.facts.items()}}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.replace(microsecond=0).isoformat() + "Z"


def _when(value: datetime) -> str:
    return f"{fmt_datetime(value)} UTC"


def check(ws: Workspace, smtp: bool = True) -> Health:
    """Every check of the deployment of ``ws`` (``smtp``: connect to the mail server when
    one is set)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    facts: dict = {"revision": None, "head": ops_sql.head_revision()}
    checks = list(_database(ws, facts))
    if smtp:
        checks += _smtp(ws)
    return Health(tuple(checks), now, facts)


def _database(ws: Workspace, facts: dict):
    """The database's checks (only the first when it cannot be read)."""
    head = facts["head"]
    try:
        missing = ops_sql.sqlite_missing(ws.url)
        if missing:
            yield Check("database", DOWN, "health.db.missing", detail=masked(missing))
            return
        engine = ops_sql.probe_engine(ws.url)
        with engine.connect() as conn:
            revision = ops_sql.revision(conn)
            facts["revision"] = revision
            if revision is None:
                yield Check("database", DEGRADED, "health.db.blank")
                return
            if revision not in ops_sql.known_revisions():
                yield Check("database", DOWN, "health.db.newer", {"revision": revision})
                return
            if revision != head:
                yield Check("database", DEGRADED, "health.db.behind",
                            {"revision": revision, "head": head})
                return
            state = ops_sql.state(conn)
    except (sa_exc.ArgumentError, ValueError, ImportError) as err:
        yield Check("database", DOWN, "health.db.bad_url", detail=masked(str(err)))
        return
    except sa_exc.DBAPIError as err:
        reason = masked(str(getattr(err, "orig", err)).splitlines()[0] if str(err) else "")
        yield Check("database", DOWN, "health.db.unreachable", detail=reason)
        return
    yield Check("database", OK, "health.db.ok", {"revision": revision})
    # an empty database is a deployment that works (the contract's checks all pass):
    # told, with what to do, never counted against it
    yield Check("units", OK, "health.units.ok" if state["has_units"] else "health.units.none")
    owed = state["owed"]
    facts["levels_owed_since"] = owed
    if owed is None:
        yield Check("levels", OK, "health.levels.ok")
    elif owed == "all":
        yield Check("levels", DEGRADED, "health.levels.owed_all")
    else:
        yield Check("levels", DEGRADED, "health.levels.owed",
                    {"day": fmt_date(datetime.fromisoformat(owed).date())})
    run = state["last_run"]
    facts["last_recomputation"] = run
    yield (Check("recomputation", OK, "health.run.last", {"at": _when(run)}) if run
           else Check("recomputation", OK, "health.run.never"))
    upload = state["last_upload"]
    facts["last_upload"] = upload
    if upload is None:
        yield Check("upload", OK, "health.upload.never")
    else:
        key = "health.upload.demo" if state["last_upload_kind"] == "demo" else \
            "health.upload.last"
        yield Check("upload", OK, key, {"at": _when(upload),
                                        "rows": Number(state["last_upload_rows"])})


def _smtp(ws: Workspace):
    """The mail server, when one is set: it answers with its greeting (dialled at most
    once per ``SMTP_EVERY_S`` by a process, however often it is checked)."""
    host = ws.settings.smtp_host
    port = ws.settings.smtp_port
    if not host:
        yield Check("smtp", OK, "health.smtp.off")
        return
    with _smtp_lock:
        at, check = _smtp_seen.get((host, port), (0.0, None))
        if check is None or time.monotonic() - at > SMTP_EVERY_S:
            check = _dial(host, port)
            _smtp_seen[(host, port)] = (time.monotonic(), check)
    yield check


def _dial(host: str, port: int) -> Check:
    try:
        with smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_S) as server:
            server.noop()
    except (OSError, smtplib.SMTPException) as err:  # a timeout is an OSError
        return Check("smtp", DEGRADED, "health.smtp.down", {"port": port},
                     detail=f"{host}:{port}: {masked(str(err) or type(err).__name__)}")
    return Check("smtp", OK, "health.smtp.ok", {"port": port})
