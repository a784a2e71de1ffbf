"""The recomputation after an upload: once, merged, and off the web request.

A write records what it owes (``store.owe_levels``, in its own transaction). Then
``pay_owed`` recomputes it under one lock for the whole database (a PostgreSQL advisory
lock held by a session, or a lock file beside a SQLite file), so however many officials
send figures at once, one process recomputes at a time and each recomputation pays
every debt written before it read the data: twenty uploads need two or three
recomputations, not twenty, and none of them fails for a lock.

``wait=False`` (the page): a debt another process is already paying is left to it (it
looks again before it lets the lock go, so nothing is missed) and the call returns at
once; the page runs it in a thread and shows progress with ``progress()``. ``wait=True``
(the CLI): wait for the lock, so the command ends with the levels current.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from zones.i18n import fmt_date, t
from zones.levels.refresh import refresh
from zones.storage import store
from zones.workspace import Workspace

try:
    import fcntl
except ImportError:  # not on Windows: the lock is then the database's own
    fcntl = None

log = logging.getLogger(__name__)
#: the PostgreSQL advisory lock of the recomputation (shared by all replicas)
RECOMPUTE_LOCK = 0x7A6F6E6572  # "zoner"
#: recomputations one call runs at most (writers that never stop): then the debt is left
#: to the next upload, command or page load
MAX_RUNS = 8


@dataclass(frozen=True)
class Progress:
    """What the page shows while levels are recomputed."""

    owed: str | None          # an ISO day, "all", or None: nothing owed
    running_here: bool        # this process is recomputing
    started: float | None     # time.time() when this process started, if it is


_running: dict[str, float] = {}  # url -> when this process started paying
_guard = threading.Lock()


def progress(ws: Workspace) -> Progress:
    with _guard:
        started = _running.get(ws.url)
    return Progress(store.levels_owed(ws.engine), started is not None, started)


def pay_owed(ws: Workspace, wait: bool,
             report: Callable[[str], None] | None = None) -> int:
    """Recompute what is owed (see the module's text); the number of recomputations
    this call ran. ``report`` gets a line per step (the CLI prints them)."""
    runs = 0
    say = report or (lambda _line: None)
    while store.levels_owed(ws.engine) is not None and runs < MAX_RUNS:
        with _lock(ws, False) as held:
            if not held and wait:
                say(t("levels.waiting"))
        if not held and not wait:
            return runs  # the holder looks again before it lets go
        with _lock(ws, wait) as held:
            if not held:
                return runs
            with _guard:
                _running[ws.url] = time.time()
            try:
                while (owed := store.levels_owed(ws.engine)) is not None and runs < MAX_RUNS:
                    start = None if owed == store.ALL_DAYS else date.fromisoformat(owed)
                    say(t("levels.recomputing", first=fmt_date(start) if start
                          else t("levels.every_day")))
                    refresh(ws, start)
                    runs += 1
            finally:
                with _guard:
                    _running.pop(ws.url, None)
        # a debt written after our last look but while we held the lock: look again
    if runs >= MAX_RUNS:
        log.warning("levels still owed after %d recomputations: left to the next one", runs)
    return runs


def start_paying(ws: Workspace) -> threading.Thread:
    """``pay_owed`` in a thread of this process (the page returns at once)."""
    def run():
        try:
            pay_owed(ws, wait=False)
        except Exception:  # the debt stays: the next command or page load pays it
            log.exception("levels not recomputed in the background")
    thread = threading.Thread(target=run, name="zones-recompute", daemon=True)
    thread.start()
    return thread


@contextmanager
def _lock(ws: Workspace, wait: bool):
    engine = ws.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            if wait:
                conn.exec_driver_sql(f"SELECT pg_advisory_lock({RECOMPUTE_LOCK})")
                held = True
            else:
                held = bool(conn.exec_driver_sql(
                    f"SELECT pg_try_advisory_lock({RECOMPUTE_LOCK})").scalar())
            conn.commit()
            try:
                yield held
            finally:
                if held:
                    conn.exec_driver_sql(f"SELECT pg_advisory_unlock({RECOMPUTE_LOCK})")
                    conn.commit()
        return
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or fcntl is None:
        with _guard_for(ws.url, wait) as held:
            yield held
        return
    file = Path(path).expanduser().resolve()
    try:
        handle = open(file.with_name(file.name + ".recompute-lock"), "a+b")  # noqa: SIM115
    except OSError:  # a read-only folder: this process's own lock only
        with _guard_for(ws.url, wait) as held:
            yield held
        return
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


_local_locks: dict[str, threading.Lock] = {}


@contextmanager
def _guard_for(url: str, wait: bool):
    with _guard:
        lock = _local_locks.setdefault(url, threading.Lock())
    held = lock.acquire(blocking=wait)
    try:
        yield held
    finally:
        if held:
            lock.release()

