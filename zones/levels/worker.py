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
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from zones.i18n import Msg, fmt_date, msg
from zones.levels.refresh import refresh
from zones.storage import store
from zones.storage.db import advisory_lock, advisory_unlock, file_lock, try_advisory_lock
from zones.workspace import Workspace

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


_running: set[str] = set()  # database URLs this process is recomputing
_guard = threading.Lock()
_local_locks: dict[str, threading.Lock] = {}


def progress(ws: Workspace) -> Progress:
    with _guard:
        here = ws.url in _running
    return Progress(store.levels_owed(ws.engine), here)


def pay_owed(ws: Workspace, wait: bool,
             report: Callable[[Msg], None] | None = None) -> int:
    """Recompute what is owed (see the module's text); the number of recomputations
    this call ran. ``report`` gets a message per step (the CLI prints them, rendered in
    its language)."""
    runs = 0
    say = report or (lambda _line: None)
    while store.levels_owed(ws.engine) is not None and runs < MAX_RUNS:
        with _lock(ws, wait, lambda: say(msg("levels.waiting"))) as held:
            if not held:
                return runs  # the holder looks again after it lets go
            with _guard:
                _running.add(ws.url)
            try:
                while (owed := store.levels_owed(ws.engine)) is not None and runs < MAX_RUNS:
                    start = None if owed == store.ALL_DAYS else date.fromisoformat(owed)
                    say(msg("levels.recomputing", first=fmt_date(start) if start
                          else msg("levels.every_day")))
                    refresh(ws, start)
                    runs += 1
            finally:
                with _guard:
                    _running.discard(ws.url)
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
def _lock(ws: Workspace, wait: bool, on_busy: Callable[[], None]):
    """The recomputation's lock for the database: tried at once; when it is taken and
    ``wait``, ``on_busy()`` then wait for it. Yields whether it is held."""
    engine = ws.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            held = try_advisory_lock(conn, RECOMPUTE_LOCK)
            if not held and wait:
                on_busy()
                advisory_lock(conn, RECOMPUTE_LOCK)
                held = True
            conn.commit()
            try:
                yield held
            finally:
                if held:
                    advisory_unlock(conn, RECOMPUTE_LOCK)
                    conn.commit()
        return
    with file_lock(engine, "recompute-lock", wait=False) as held:
        if held is False and wait:
            on_busy()
            with file_lock(engine, "recompute-lock", wait=True) as held:
                yield held
            return
        if held is not None:
            yield held
            return
    # no file to lock beside (an in-memory or read-only database): this process only
    with _guard:
        lock = _local_locks.setdefault(ws.url, threading.Lock())
    held = lock.acquire(blocking=False)
    if not held and wait:
        on_busy()
        held = lock.acquire()
    try:
        yield held
    finally:
        if held:
            lock.release()
