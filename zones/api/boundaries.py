"""Boundaries: a boundary file or attribute table planned, imported or downloaded, the
boundary set in use switched, the sets and the units' changes listed and exported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from zones import boundaries as bnd
from zones.api.action import action, log
from zones.levels.refresh import refresh
from zones.people import audit
from zones.people.access import Actor, Right
from zones.storage import store
from zones.workspace import Workspace

__all__ = ["ImportOptions", "activate_boundary_set", "already_imported",
           "boundary_file_columns", "boundary_file_layers", "boundary_preview",
           "boundary_report_lines", "boundary_sets", "discard_boundary_upload",
           "download_boundaries", "export_units", "import_boundaries", "plan_boundaries",
           "stage_boundary_upload", "unit_changes"]

# presentation helpers of the core that pages use as they are
boundary_report_lines = bnd.report_lines
boundary_file_layers = bnd.file_layers
boundary_preview = bnd.preview_layer
stage_boundary_upload = bnd.stage_upload
discard_boundary_upload = bnd.discard_upload
ImportOptions = bnd.ImportOptions


@action(Right.BOUNDARIES, "boundaries_imported", anonymous=True)
def plan_boundaries(ws: Workspace, path: str | Path, opts: bnd.ImportOptions | None = None,
                    lang: str = "vi", actor: Actor | None = None) -> bnd.ImportPlan:
    """Read and validate a boundary file or attribute table (nothing is stored). With
    ``actor``, one who may not import boundaries is refused before the file is read."""
    return bnd.plan_import(ws.engine, path, opts, ws.settings)


def boundary_file_columns(ws: Workspace, path: Path, opts: bnd.ImportOptions) -> list[str]:
    """The attribute fields of a file (for the mapping selectboxes); [] when unreadable."""
    return bnd.file_columns(path, opts, ws.settings)


def already_imported(ws: Workspace, plan: bnd.ImportPlan) -> dict | None:
    """The boundary set these very bytes were imported as (id, name, is_active), if any."""
    return bnd.same_file_set(ws.engine, plan)


@action(Right.BOUNDARIES, "boundary_set_activated", refresh=True)
def activate_boundary_set(ws: Workspace, set_id: int, actor: Actor,
                          lang: str = "vi") -> None:
    """Switch the boundary set every view uses (e.g. back to an older one), then
    recompute every level for its units."""
    before = store.active_set(ws.engine)
    bnd.activate_set(ws.engine, set_id)
    audit.record(ws.engine, actor, "boundary_set_activated", detail={
        "old": before["id"] if before else None, "new": set_id})
    log.info("boundary set %d activated", set_id)


@action(Right.BOUNDARIES, "boundaries_imported")
def import_boundaries(ws: Workspace, plan: bnd.ImportPlan, actor: Actor,
                      lang: str = "vi") -> int:
    """Store a planned import (one transaction, with its audit entry), then recompute
    every level and rate: boundaries and population change them all. Returns the
    boundary set id. The same file imported again changes nothing."""
    same = bnd.same_file_set(ws.engine, plan)
    if same is not None:
        return int(same["id"])

    def entry(conn, set_id):
        audit.record(conn, actor, "boundaries_imported", detail={
            "file": plan.report.filename, "kind": plan.report.kind, "set_id": set_id,
            "counts": plan.report.counts, "updated": plan.report.updated,
            "rejected": len(plan.report.rejected)})

    set_id = bnd.commit_import(ws.engine, plan, on_commit=entry, lang=lang)
    refresh(ws)  # the body's: only when something was stored
    log.info("boundaries imported: set %d, %d units", set_id, len(plan.units))
    return set_id


@action(Right.BOUNDARIES, "boundaries_imported")
def download_boundaries(ws: Workspace, source: str, *, level: int | None = None,
                        country: str | None = None, url: str | None = None,
                        out: str | None = None, set_name: str | None = None,
                        progress: Callable[[str], None] | None = None,
                        actor: Actor | None = None,
                        lang: str = "vi") -> tuple[bnd.Downloaded, bnd.ImportPlan, int]:
    """Fetch a public boundary file (source, licence, checksum recorded) and import it."""
    got = bnd.download_source(source, ws.downloads_dir, level=level, country=country,
                              url=url, out=out, progress=progress, settings=ws.settings,
                              lang=lang)
    opts = bnd.ImportOptions(level=got.level, structure=got.structure, source=got.source,
                             licence=got.licence, set_name=set_name)
    plan = bnd.plan_import(ws.engine, got.path, opts, ws.settings)
    return got, plan, import_boundaries(ws, plan, actor, lang)


def boundary_sets(ws: Workspace) -> pd.DataFrame:
    """The stored boundary sets with their unit counts."""
    return bnd.sets_table(ws.engine)


@action()
def unit_changes(ws: Workspace, code: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """What imports changed in units of the active boundary set (old -> new), newest
    first: attribute tables and re-imported hamlets never overwrite without a trace."""
    return bnd.unit_changes_frame(ws.engine, code, lang)


@action()
def export_units(ws: Workspace, level: str | None = None, geometry: bool = False,
                 lang: str = "vi") -> pd.DataFrame:
    """The stored hierarchy, contract columns (with geometry for GeoJSON)."""
    return bnd.export_frame(ws.engine, level, geometry=geometry)
