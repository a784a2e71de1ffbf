"""The one refresh step every write ends in: recompute the stored levels from the
earliest day the write changed, save the snapshot, move the data version on."""

from __future__ import annotations

import logging
import time
from datetime import date

import pandas as pd

import rules
from zones.levels import snapshot
from zones.levels.assessment import date_span, load_inputs, registry, result_rows
from zones.storage import store
from zones.workspace import Workspace

log = logging.getLogger(__name__)


def refresh(ws: Workspace, start: date | None = None, *, levels: bool = True,
            observations: pd.DataFrame | None = None) -> int:
    """After a write: with ``levels``, recompute and store the levels in force from
    ``start`` (None: every day) and write the snapshot; always bump the data version.

    The whole period is assessed (holds and hysteresis look back), then the stored rows
    from ``start`` on are replaced. ``observations`` may hand over the current values
    already in memory (the demo build). Returns the number of level rows written.
    """
    engine = ws.engine
    owed = store.levels_owed(engine)
    if levels and owed is not None and start is not None:  # an earlier write's debt too
        start = None if owed == store.ALL_DAYS else min(start, date.fromisoformat(owed))
    if not levels:
        with engine.begin() as conn:
            store.bump_version(conn)
        return 0
    dates = date_span(engine)
    if len(dates) == 0 or store.active_set(engine) is None:
        with engine.begin() as conn:
            store.settle_levels(conn, owed)
            store.bump_version(conn)
        return 0
    started = time.perf_counter()
    inputs = load_inputs(engine, observations=observations)
    result = rules.assess_in_force(inputs, registry(ws), dates)
    frame = result_rows(result, start)
    with engine.begin() as conn:
        n = store.replace_assessments(conn, frame)
        store.settle_levels(conn, owed)
        store.bump_version(conn)
        store.set_meta(conn, store.Meta.LEVELS_VERSION, store.now().isoformat())
    snapshot.write(ws, result, inputs.observations)
    log.info("levels recomputed from %s: %d rows, %d units, %.2f s",
             start or "the first day", n, len(inputs.units), time.perf_counter() - started)
    return n


def pay_debts(ws: Workspace) -> bool:
    """Finish a recomputation a crash or kill left owed (on every start, command and page
    load); True when one was due."""
    if store.levels_owed(ws.engine) is None:
        return False
    log.warning("levels owed since %s: recomputing now", store.levels_owed(ws.engine))
    refresh(ws)
    return True
