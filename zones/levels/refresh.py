"""The one refresh step every write ends in: recompute the stored levels from the
earliest day the write changed, save the snapshot, move the data version on."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date

import pandas as pd

import rules
from zones.levels import snapshot
from zones.levels.assessment import date_span, load_inputs, registry, result_rows
from zones.storage import interop_sql, store
from zones.workspace import Workspace

log = logging.getLogger(__name__)


ATTEMPTS = 4  # a recomputation overtaken by another write is redone, this many times
#: what runs after every refresh (e.g. the alerts, ``zones.alerts.run.after_refresh``),
#: given the workspace; a failure there is logged, never the write's
AFTER: list[Callable[[Workspace], None]] = []


def refresh(ws: Workspace, start: date | None = None, *, levels: bool = True,
            observations: pd.DataFrame | None = None) -> int:
    """``_refresh`` (below), then what runs after every refresh (``AFTER``)."""
    written = _refresh(ws, start, levels=levels, observations=observations)
    for hook in AFTER:
        try:
            hook(ws)
        except Exception:  # the write and its levels are stored: only the hook failed
            log.exception("a step after the refresh failed")
    return written


def _refresh(ws: Workspace, start: date | None = None, *, levels: bool = True,
             observations: pd.DataFrame | None = None) -> int:
    """After a write: with ``levels``, recompute and store the levels in force from
    ``start`` (None: every day) and write the snapshot; always bump the data version.

    The whole period is assessed (holds and hysteresis look back), then the stored rows
    from ``start`` on are replaced. ``observations`` may hand over the current values
    already in memory (the demo build). Several writers at once: a recomputation stores
    its levels only if no write came between its reading and its storing (else it reads
    again), so a slower, older computation never overwrites a newer one. Returns the
    number of level rows written.
    """
    engine = ws.engine
    if not levels:
        with engine.begin() as conn:
            store.take_write_lock(conn)
            store.bump_version(conn)
        return 0
    for _attempt in range(ATTEMPTS):
        written = _recompute_once(ws, start, observations)
        if written is not None:
            return written
        observations = None  # what was handed over is stale too
    log.warning("levels still owed after %d attempts (busy writers): the next start, "
                "command or page load finishes them", ATTEMPTS)
    return 0


def _recompute_once(ws: Workspace, start: date | None, observations) -> int | None:
    """One recomputation; None when another write overtook it (nothing stored)."""
    engine = ws.engine
    version = store.data_version(engine)
    owed = store.levels_owed(engine)
    if owed is not None and start is not None:  # an earlier write's debt too
        start = None if owed == store.ALL_DAYS else min(start, date.fromisoformat(owed))
    dates = date_span(engine)
    if len(dates) == 0 or store.active_set(engine) is None:
        with engine.begin() as conn:
            store.take_write_lock(conn)
            store.settle_levels(conn, owed)
            store.bump_version(conn)
        return 0
    started = time.perf_counter()
    inputs = load_inputs(engine, observations=observations)
    reg = registry(ws)
    result = rules.assess_in_force(inputs, reg, dates)
    frame = result_rows(result, start)
    snap = snapshot.encode(result, inputs.observations)
    with engine.begin() as conn:
        store.take_write_lock(conn)  # from here no other write can come between
        if store.data_version_in(conn) != version:
            return None  # another write came after our reading: read again
        n = store.replace_assessments(conn, frame)
        store.settle_levels(conn, owed)
        store.bump_version(conn)
        run = store.now().isoformat()
        store.set_meta(conn, store.Meta.LEVELS_VERSION, run)
        store.save_snapshot(conn, run, snap)  # with its levels: never one without the other
        interop_sql.replace_level_names(conn, level_name_rows(reg))  # for SQL readers
    log.info("levels recomputed from %s: %d rows, %d units, %.2f s",
             start or "the first day", n, len(inputs.units), time.perf_counter() - started)
    return n


def level_name_rows(reg: rules.RuleSetRegistry) -> list[dict]:
    """The level names (0-4, Vietnamese and English) of every rule set of ``reg``, as
    rows of ``level_names`` (the PostGIS views name levels with them)."""
    return [{"ruleset_id": rid, "level": level, "lang": lang, "name": name[:200]}
            for rid, rs in reg.rulesets.items() if len(rid) <= 64 for lang in ("vi", "en")
            for level, name in rs.level_names(lang).items()]
