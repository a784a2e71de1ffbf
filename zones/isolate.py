"""Reading untrusted files in a separate process with a memory and a time bound.

A file an official sends may be built to exhaust memory (a workbook whose used range
claims a million rows by sixteen thousand columns, a tiny archive that inflates to
gigabytes) or to crash a native reader outright. ``bounded(fn, *args)`` runs ``fn`` in a
child process whose data (heap and private memory) may grow by at most ``ZONES_READ_MAX_MB`` (default
1024) and which is stopped after ``ZONES_READ_TIMEOUT_S`` seconds (default 300). The
result (or the exception it raised) comes back to the caller; a child that runs out of
memory, crashes or overruns becomes a ``ZonesError`` with a message, so the web server or
the command that asked keeps running.

A single-threaded caller (the CLI, the tests) forks, which costs milliseconds; a
multi-threaded one (the Streamlit server) uses a fork server started once with the
readers already imported, because forking a process with threads can deadlock.
``ZONES_ISOLATE=0`` runs ``fn`` in-process (debugging only).
"""

from __future__ import annotations

import faulthandler
import multiprocessing as mp
import os
import pickle
import resource
import sys
import threading
import traceback
import types
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any, TypeVar

from zones.errors import ZonesError
from zones.i18n import t

T = TypeVar("T")

#: modules the fork server imports once, so that each child starts ready to read
PRELOAD = ["zones.ingest.read", "geodata.readers"]


def max_mb() -> int:
    """How much more memory (MB) a reading child may take."""
    return int(float(os.environ.get("ZONES_READ_MAX_MB", "1024")))


def timeout_s() -> float:
    """How long (seconds) a reading child may run."""
    return float(os.environ.get("ZONES_READ_TIMEOUT_S", "300"))


def enabled() -> bool:
    return os.environ.get("ZONES_ISOLATE", "1") != "0"


def bounded(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a bounded child process (see the module docstring).
    Exceptions raised by ``fn`` are raised here; a child that dies is a ZonesError."""
    if not enabled():
        return fn(*args, **kwargs)
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, max_mb(), fn, args, kwargs),
                        daemon=True, name="zones-reader")
    if ctx.get_start_method() == "fork":
        child.start()
    else:
        with _no_main_module():
            child.start()
    send.close()
    try:
        if not receive.poll(timeout_s()):
            raise ZonesError(t("isolate.timeout", seconds=round(timeout_s()),
                               setting="ZONES_READ_TIMEOUT_S"))
        try:
            status, payload = receive.recv()
        except (EOFError, OSError, pickle.UnpicklingError):
            status, payload = "died", None
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
        raise ZonesError(t("isolate.memory", mb=max_mb(), setting="ZONES_READ_MAX_MB"))
    if status == "failed":
        raise ZonesError(t("isolate.failed", reason=payload))
    raise ZonesError(t("isolate.died", code=_exit_text(child.exitcode),
                       mb=max_mb(), setting="ZONES_READ_MAX_MB"))


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
    ``budget_mb``. Not the address space: allocators such as Arrow's reserve large
    ranges they never touch, which an address-space cap would refuse on a tiny file."""
    _plain_arrow_allocator()
    if budget_mb <= 0:
        return
    now = 0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmData:"):
                now = int(line.split()[1]) * 1024
                break
    cap = now + budget_mb * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))


def _exit_text(code: int | None) -> str:
    if code is None:
        return "?"
    return f"signal {-code}" if code < 0 else str(code)


def _one_line(err: BaseException) -> str:
    lines = traceback.format_exception_only(type(err), err)
    return (lines[-1].strip() if lines else type(err).__name__)[:200]
