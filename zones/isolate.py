"""Reading untrusted files in a separate process with a memory and a time bound.

A file an official sends may be built to exhaust memory (a workbook whose used range
claims a million rows by sixteen thousand columns, a tiny archive that inflates to
gigabytes) or to crash a native reader outright. ``bounded(settings, fn, *args)`` runs
``fn`` in a child process whose resident memory may grow by at most ``read_max_mb``
(``ZONES_READ_MAX_MB``, default 1024) and which is stopped after ``read_timeout_s``
(``ZONES_READ_TIMEOUT_S``, default 300 seconds); ``isolate`` off (``ZONES_ISOLATE=0``)
runs ``fn`` in-process (debugging only). The
result (or the exception it raised) comes back to the caller; a child that runs out of
memory, crashes or overruns becomes a ``ZonesError`` with a message, so the web server or
the command that asked keeps running.

What is bounded is memory *used* (the child's anonymous resident memory, watched by the
caller), not memory *reserved*: Arrow's allocator (mimalloc, behind pandas' strings, in a
child forked from a process that used it) reserves a 1 GB arena at once for a one-row
table, and a cap on reservations refused every attribute table. The child's data size
(``RLIMIT_DATA``) is still capped, above the bound by ``RESERVE_MB``, so a reader that
allocates faster than the caller looks is stopped too.

A single-threaded caller (the CLI, the tests) forks, which costs milliseconds; a
multi-threaded one (the Streamlit server) uses a fork server started once with the
readers already imported, because forking a process with threads can deadlock.
"""

from __future__ import annotations

import faulthandler
import multiprocessing as mp
import os
import pickle
import resource
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any, TypeVar

from zones.errors import ZonesError
from zones.i18n import msg
from zones.settings import Settings

T = TypeVar("T")

#: modules the fork server imports once, so that each child starts ready to read
PRELOAD = ["zones.ingest.read", "geodata.readers"]


#: room above the bound for reservations an allocator makes but never touches (MB)
RESERVE_MB = 2048
#: how often the caller looks at the child's memory (seconds)
WATCH_S = 0.02


def bounded(settings: Settings, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a child process bounded by ``settings`` (``read_max_mb``,
    ``read_timeout_s``; see the module docstring). Exceptions raised by ``fn`` are
    raised here; a child that dies is a ZonesError."""
    if not settings.isolate:
        return fn(*args, **kwargs)
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, settings.read_max_mb, fn, args, kwargs),
                        daemon=True, name="zones-reader")
    if ctx.get_start_method() == "fork":
        child.start()
    else:
        with _no_main_module():
            child.start()
    send.close()
    try:
        status, payload = _watch(receive, child, settings.read_max_mb, settings.read_timeout_s)
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(10)
    if status == "ok":
        return payload
    if status == "raised":
        raise payload
    if status == "memory":
        raise ZonesError(msg("isolate.memory", mb=settings.read_max_mb, setting="ZONES_READ_MAX_MB"))
    if status == "failed":
        raise ZonesError(msg("isolate.failed", reason=payload))
    raise ZonesError(msg("isolate.died", code=_exit_text(child.exitcode),
                       mb=settings.read_max_mb, setting="ZONES_READ_MAX_MB"))


def _watch(receive, child, budget_mb: int, timeout_s: float) -> tuple[str, Any]:
    """Wait for the child's result, stopping it when it overruns the time or grows its
    resident memory beyond ``budget_mb`` over what it had when it started."""
    deadline = time.monotonic() + timeout_s
    start_kb = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ZonesError(msg("isolate.timeout", seconds=round(timeout_s),
                               setting="ZONES_READ_TIMEOUT_S"))
        if receive.poll(min(WATCH_S, left)):
            try:
                status, payload = receive.recv()
            except (EOFError, OSError, pickle.UnpicklingError):
                return "died", None
            if status != "started":
                return status, payload
            start_kb = payload
        elif start_kb is not None and budget_mb > 0:
            used = _resident_kb(child.pid)
            if used is not None and used - start_kb > budget_mb * 1024:
                child.kill()
                return "memory", None


def _resident_kb(pid: int | None) -> int | None:
    """Anonymous resident memory of a process (kB); None where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


_STARTING = threading.Lock()


@contextmanager
def _no_main_module():
    """Start a fork-server child without naming a main module: multiprocessing would
    have the child run it again, and under Streamlit ``__main__`` is the page script
    (the child would run the page)."""
    with _STARTING:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is not None:
                sys.modules["__main__"] = main


def _context():
    if threading.active_count() == 1 and "fork" in mp.get_all_start_methods():
        return mp.get_context("fork")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _child(send, budget_mb: int, fn, args, kwargs) -> None:
    _quiet()
    _limit_memory(budget_mb)
    send.send(("started", _resident_kb(os.getpid()) or 0))
    try:
        result: tuple[str, Any] = ("ok", fn(*args, **kwargs))
    except MemoryError:
        result = ("memory", None)
    except Exception as err:  # sent back to the caller, raised there
        result = ("raised", err)
    try:
        send.send(result)
    except MemoryError:
        send.send(("memory", None))
    except Exception as err:  # an exception that cannot be pickled
        send.send(("failed", _one_line(err)))
    finally:
        send.close()


def _quiet() -> None:
    """No crash dump or native reader's chatter on the user's terminal: what went wrong
    is told by the caller's message."""
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _plain_arrow_allocator() -> None:
    """Arrow (pandas' strings) allocates with malloc in the child: mimalloc/jemalloc
    reserve whole segments up front, which a data cap refuses even for a tiny file."""
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a requirement
        return
    pa.set_memory_pool(pa.system_memory_pool())


def _limit_memory(budget_mb: int) -> None:
    """Cap the process's data (heap and private writable mappings) at what it has now plus
    ``budget_mb`` plus ``RESERVE_MB`` for reservations never touched: the backstop of the
    caller's watch on resident memory. Not the address space, which allocators reserve
    far more of."""
    _plain_arrow_allocator()
    if budget_mb <= 0:
        return
    now = 0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmData:"):
                now = int(line.split()[1]) * 1024
                break
    cap = now + (budget_mb + RESERVE_MB) * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))


def _exit_text(code: int | None) -> str:
    if code is None:
        return "?"
    return f"signal {-code}" if code < 0 else str(code)


def _one_line(err: BaseException) -> str:
    lines = traceback.format_exception_only(type(err), err)
    return (lines[-1].strip() if lines else type(err).__name__)[:200]
