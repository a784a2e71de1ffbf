"""Reading untrusted files in a bounded child process (zones.isolate)."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from geodata.fields import GeodataError
from geodata.sheets import SheetLimitError
from zones import isolate
from zones.errors import ZonesError
from zones.settings import DEFAULTS, Settings


def _rows(n):
    return list(range(n))


def _hog():
    return len(bytearray(3 * 2**30))  # 3 GB, over the 1 GB default bound


def _raise_geodata():
    raise GeodataError("too_large", path="a.zip", size_mb=3.5, limit_mb=1)


def _raise_limit():
    raise SheetLimitError("xlsx_cells", cells=10, limit=1)


def _abort():
    os.kill(os.getpid(), signal.SIGABRT)  # what a native reader does when it gives up


def _sleep():
    import time

    time.sleep(30)


def test_result_comes_back():
    assert isolate.bounded(DEFAULTS, _rows, 5) == [0, 1, 2, 3, 4]


def test_memory_hog_is_a_message_and_the_caller_lives():
    with pytest.raises(ZonesError, match="ZONES_READ_MAX_MB"):
        isolate.bounded(DEFAULTS, _hog)
    assert isolate.bounded(DEFAULTS, _rows, 2) == [0, 1]


def test_exceptions_keep_their_key_and_details():
    with pytest.raises(GeodataError) as err:
        isolate.bounded(DEFAULTS, _raise_geodata)
    assert err.value.key == "too_large" and err.value.params["size_mb"] == 3.5
    with pytest.raises(SheetLimitError) as err2:
        isolate.bounded(DEFAULTS, _raise_limit)
    assert err2.value.params == {"cells": 10, "limit": 1}


def test_a_crashing_reader_is_a_message():
    with pytest.raises(ZonesError, match="signal 6"):
        isolate.bounded(DEFAULTS, _abort)


def test_a_reader_that_runs_too_long_is_stopped():
    with pytest.raises(ZonesError, match="ZONES_READ_TIMEOUT_S"):
        isolate.bounded(Settings(read_timeout_s=1), _sleep)


def test_with_threads_running_a_fork_server_reads(monkeypatch):
    """The Streamlit server has threads: forking it could deadlock, so a fork server is
    used; it bounds memory the same way."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert isolate._context().get_start_method() == "forkserver"
        assert isolate.bounded(DEFAULTS, _rows, 3) == [0, 1, 2]
        with pytest.raises(ZonesError, match="ZONES_READ_MAX_MB"):
            isolate.bounded(DEFAULTS, _hog)
    finally:
        stop.set()


def test_a_fork_server_child_never_runs_the_main_script(tmp_path, monkeypatch):
    """Under Streamlit, ``__main__`` is the page script: a child must not run it again."""
    import sys
    import types

    script = tmp_path / "page.py"
    marker = tmp_path / "ran"
    script.write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    fake = types.ModuleType("__main__")
    fake.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert isolate.bounded(DEFAULTS, _rows, 2) == [0, 1]
    finally:
        stop.set()
    assert not marker.exists()
