"""A small in-process cache of what is derived from the stored data, keyed by the
workspace, the data version and the arguments: every write moves the data version on,
so nothing stale is ever served, and the pages and the CLI share one copy."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from zones.storage import store
from zones.workspace import Workspace

MAX_ENTRIES = 48
_entries: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()
_building: dict[tuple, threading.Lock] = {}


def cached(ws: Workspace, name: str, build: Callable[[], Any], *args: Any,
           keep: int | None = None) -> Any:
    """``build()`` once per (workspace, data version, name, args). ``keep``: at most that
    many entries of ``name`` (the least recently used go first), so that a family with
    many variants (a briefing per unit, day and language) does not push the others out."""
    key = (ws.url, store.data_version(ws.engine), name, args)
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]
        gate = _building.setdefault(key, threading.Lock())
    with gate:  # two sessions asking at once build it once
        with _lock:
            if key in _entries:
                return _entries[key]
        value = build()
        with _lock:
            _entries[key] = value
            if keep is not None:
                same = [k for k in _entries if k[2] == name]
                for old in same[:max(len(same) - keep, 0)]:
                    del _entries[old]
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
            _building.pop(key, None)
    return value

