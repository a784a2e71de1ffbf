"""The snapshot: what every visit reads, saved once per assessment run.

Levels, headline rates (as the engine computed them) and last reports per unit and day,
as one ``.npz`` kept in the database (table ``snapshots``) in the same transaction as the
levels it belongs to, so every replica reads the same one and a replica that starts
empty pays one read, not a recomputation. It stays a cache: the levels table is the
source of truth, and a missing snapshot is read from it.
"""

from __future__ import annotations

import io
import logging
import threading

import numpy as np
import pandas as pd

from zones.levels.tables import Table, rates_table, reports_from, result_table
from zones.storage import store
from zones.workspace import Workspace

log = logging.getLogger(__name__)
_last: dict[str, tuple[str, dict[str, Table]]] = {}  # per database URL: its newest run
_lock = threading.Lock()


def encode(result, obs: pd.DataFrame) -> bytes:
    """The snapshot of an assessment ``result`` and the observations it read."""
    levels, rates, reports = result_table(result), rates_table(result), reports_from(obs)
    out = io.BytesIO()
    np.savez(out, dates=levels.dates.to_numpy(), codes=levels.codes.to_numpy(dtype=str),
             levels=levels.values, rulesets=levels.rulesets.to_numpy(dtype=str),
             rate_dates=rates.dates.to_numpy(), rate_codes=rates.codes.to_numpy(dtype=str),
             rates=rates.values, last_dates=reports.dates.to_numpy(),
             last_codes=reports.codes.to_numpy(dtype=str), last=reports.values)
    return out.getvalue()


def decode(body: bytes) -> dict[str, Table] | None:
    try:
        z = np.load(io.BytesIO(body), allow_pickle=False)
        dates = pd.DatetimeIndex(z["dates"])
        return {
            "levels": Table(dates, pd.Index(z["codes"].astype(object)), z["levels"],
                            pd.Series(z["rulesets"].astype(object), index=dates)),
            "rates": Table(pd.DatetimeIndex(z["rate_dates"]),
                           pd.Index(z["rate_codes"].astype(object)), z["rates"]),
            "last": Table(pd.DatetimeIndex(z["last_dates"]),
                          pd.Index(z["last_codes"].astype(object)), z["last"]),
        }
    except (OSError, ValueError, KeyError):
        log.warning("snapshot unreadable: the levels are read from the database")
        return None


def read(ws: Workspace) -> dict[str, Table] | None:
    """The snapshot of the current assessment run, or None (then read the database)."""
    version = store.get_meta(ws.engine, store.Meta.LEVELS_VERSION)
    if not version:
        return None
    with _lock:
        hit = _last.get(ws.url)
    if hit is not None and hit[0] == version:
        return hit[1]
    body = store.load_snapshot(ws.engine, version)
    snap = decode(body) if body is not None else None
    if snap is not None:
        with _lock:
            _last[ws.url] = (version, snap)
    return snap
