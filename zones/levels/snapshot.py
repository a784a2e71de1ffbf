"""The snapshot: what every visit reads, saved once per assessment run.

Levels, headline rates (as the engine computed them) and last reports per unit and day,
in one ``.npz`` file under the workspace's ``cache/``. A disposable cache keyed by the
run: the database stays the source of truth, and a missing or stale file is rebuilt
from it.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from zones.levels.tables import Table, rates_table, reports_from, result_table
from zones.storage import store
from zones.workspace import Workspace

log = logging.getLogger(__name__)


def path_of(ws: Workspace, version: str) -> Path:
    """Where the snapshot of assessment run ``version`` lives."""
    name = hashlib.sha1(f"{ws.url}|{version}".encode()).hexdigest()[:20]
    return ws.cache_dir / f"levels-{name}.npz"


def write(ws: Workspace, result, obs: pd.DataFrame, version: str) -> None:
    """Save levels, rates and last reports of assessment run ``version``."""
    levels, rates, reports = result_table(result), rates_table(result), reports_from(obs)
    path = path_of(ws, version)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, dates=levels.dates.to_numpy(), codes=levels.codes.to_numpy(dtype=str),
                 levels=levels.values, rulesets=levels.rulesets.to_numpy(dtype=str),
                 rate_dates=rates.dates.to_numpy(), rate_codes=rates.codes.to_numpy(dtype=str),
                 rates=rates.values, last_dates=reports.dates.to_numpy(),
                 last_codes=reports.codes.to_numpy(dtype=str), last=reports.values)
        tmp.replace(path)
    except OSError as err:  # a read-only cache folder only costs speed
        log.warning("snapshot not written to %s: %s", path.parent, err.strerror)


def read(ws: Workspace) -> dict[str, Table] | None:
    """The snapshot of the current assessment run, or None (then read the database)."""
    version = store.get_meta(ws.engine, store.Meta.LEVELS_VERSION)
    path = path_of(ws, version) if version else None
    if path is None or not path.is_file():
        return None
    try:
        z = np.load(path, allow_pickle=False)
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
        return None
