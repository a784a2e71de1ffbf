"""Operations: the deployment's health, the migrations as a deploy step, the levels in
force exported with their shapes for GIS tools (the log's set-up is in the light
``settings`` area: every command starts with it)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from zones.api.action import action, log
from zones.boundaries.imports import export_frame
from zones.levels import dayview, worker
from zones.ops import export, upgrade
from zones.ops import health as _health
from zones.people import audit
from zones.people.access import Actor, Right
from zones.workspace import Workspace

__all__ = ["export_levels", "health", "upgrade_database"]

@action()
def health(ws: Workspace, lang: str = "vi", smtp: bool = True) -> _health.Health:
    """The deployment's health (``check``, ``/zones-health``): database reachable and at
    the current revision, boundaries stored, levels owed, the last recomputation and
    upload, the mail server when set. Opens nothing for writing, migrates nothing."""
    return _health.check(ws, smtp=smtp)


@action()
def upgrade_database(ws: Workspace, actor: Actor, lang: str = "vi") -> upgrade.Upgrade:
    """Run the migrations up to the newest revision (a deploy step; every start does it
    too, under the same lock); audited when it changed the database."""
    done = upgrade.upgrade(ws.url)
    if done.changed:
        audit.record(ws.engine, actor, "db_upgrade",
                     detail={"from": done.before, "to": done.after})
        log.info("database upgraded from %s to %s", done.before, done.after)
        # what a migration marked owed (0017: the level names of the GIS views) is paid
        # now, so the deployment is healthy when the step ends
        worker.pay_owed(ws, wait=True)
    return done


@action(Right.EXPORT, "export_levels")
def export_levels(ws: Workspace, actor: Actor, day: date, level: str = "commune",
                  fmt: str = "gpkg", lang: str = "vi") -> bytes | pd.DataFrame:
    """The levels in force on ``day`` of every ``level`` unit with its shape: a
    GeoPackage (layer ``levels``) or GeoJSON as bytes, or for ``csv`` a frame with the
    shape as WKT. Needs the export right (refusals audited)."""
    view = dayview.day_view(ws, day, level, lang=lang)
    levels = view.frame()
    levels["ruleset"] = view.ruleset_id or ""
    frame = export.with_shapes(levels, export_frame(ws.engine, level, geometry=True))
    out = export.encode(frame, fmt)
    audit.record(ws.engine, actor, "export_levels",
                 detail={"day": day.isoformat(), "level": level, "format": fmt,
                         "units": len(frame)})
    return out
