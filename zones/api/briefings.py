"""The leaders' weekly briefing (PPTX, PDF, PNG) and the picture of a day's map. Loads
matplotlib, reportlab and python-pptx (``zones.briefing``).

A prepared briefing and each file made of it are kept once per data version (and per
day made, which the signature block prints): the briefing page of a second visitor, or
a second visit, shows what the first one built without building it again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import geopandas as gpd
import pandas as pd

from zones import briefing as briefs
from zones.api import plans
from zones.api.action import action
from zones.api.reading import day_view
from zones.api.sites import briefing_site_marks
from zones.errors import ZonesError
from zones.i18n import msg, t
from zones.levels import dayview
from zones.levels.memo import cached
from zones.levels.tables import view_units
from zones.outlook import slide as outlook_slide
from zones.plans import model as plan_model
from zones.workspace import Workspace

__all__ = ["BRIEFING_FORMATS", "BRIEFING_MIME", "Briefing", "briefing",
           "default_briefing_level", "default_briefing_unit", "map_png", "prepare_briefing",
           "render_briefing"]

BRIEFING_FORMATS = briefs.FORMATS
BRIEFING_MIME = briefs.MIME
Briefing = briefs.Briefing
default_briefing_unit = briefs.default_unit
#: briefings kept in memory (and twice as many files): the last ones asked for
KEEP = 6


@action()
def prepare_briefing(ws: Workspace, day, unit: str | None = None, level: str | None = None,
                     weeks: int = 1, lang: str = "vi",
                     progress: Callable[[str], None] | None = None,
                     opened_at: str = "") -> Briefing:
    """What the briefing of the ``weeks`` weeks ending on ``day`` says (for a preview).
    The map link starts with ``ZONES_PUBLIC_URL``, else with ``opened_at`` (the address
    the page was opened at), and is left out when neither could be opened elsewhere."""
    base = ws.settings.public_url or opened_at
    try:
        key = str(pd.Timestamp(day).date())
    except (TypeError, ValueError):  # not a date: the build says so in the user's words
        key = repr(day)
    return cached(ws, "briefing", lambda: briefs.build(
        ws, day, unit, level, weeks, lang, base, progress,
        plans=lambda code, start, end: _plan_facts(ws, code, start, end, lang)),
        key, unit, level, weeks, lang, base, date.today(), keep=KEEP)


def default_briefing_level(ws: Workspace, unit: str | None) -> str:
    """The level a briefing of ``unit`` shows by default (once per data version)."""
    return cached(ws, "briefing_level", lambda: briefs.default_level(ws, unit), unit,
                  keep=KEEP)


def _identity(b: Briefing) -> tuple:
    """What tells prepared briefings apart within one data version."""
    return (b.lang, b.unit, b.level, b.start, b.end, b.made_on, b.preparer, b.link)


def _plan_facts(ws: Workspace, unit: str | None, start: date, end: date,
                lang: str) -> briefs.PlanFacts:
    """The targets in force during the period (their progress on its last day), the
    protected communes that slipped during it, and the emulation table of the unit's
    children over it (empty for the whole country or a unit without children)."""
    progress = plans.plan_progress(ws, end, unit, lang)
    if len(progress):
        starts, ends = pd.to_datetime(progress["from"]), pd.to_datetime(progress["by"])
        progress = progress[(starts <= pd.Timestamp(end)) & (ends >= pd.Timestamp(start))]
    holds = plans.list_plans(ws, unit, lang).set_index("id")["hold"]
    progress = progress.assign(hold=progress["plan_id"].map(holds).fillna(
        plan_model.config()["default_hold_days"]).astype(int))
    breaches = plans.protect_breaches(ws, end, unit, lang)
    breaches = breaches[pd.to_datetime(breaches["day"]) >= pd.Timestamp(start)]
    table = pd.DataFrame()
    if unit is not None:
        try:
            table = plans.emulation(ws, unit, start, end, lang)
        except ZonesError:  # no units below it to rank
            table = pd.DataFrame()
    return briefs.PlanFacts(progress.reset_index(drop=True), breaches.reset_index(drop=True),
                            table, t("plan.cli_rule", lang=lang),
                            tuple(plans.streak_callouts()))


@action()
def render_briefing(ws: Workspace, prepared: Briefing, fmt: str,
                    palette: str = "default", sites: bool = False) -> bytes:
    """A prepared briefing as PPTX, PDF or PNG (the map at the end of the period); with
    ``sites``, its maps draw the safety map's sites valid on each map's day in the
    briefing's unit (issue 25)."""
    if fmt not in briefs.FORMATS:
        raise ZonesError(msg("brief.bad_format", value=fmt))
    everything = dayview.units(ws)
    extra = (_outlook_section(ws, prepared),) if fmt != "png" else ()  # issue 23
    marks = None
    if sites:
        marks = tuple(briefing_site_marks(ws, view.day, prepared.unit, prepared.lang)
                      for view in (prepared.earlier, prepared.now))
    return cached(ws, "briefing_file", lambda: briefs.render(
        prepared, everything, fmt, palette, _outlines(everything, prepared.level,
                                                      prepared.unit), extra, marks),
        _identity(prepared), fmt, palette, bool(sites), keep=2 * KEEP)


def _outlook_section(ws: Workspace, prepared: Briefing):
    """The outlook slide (its backtest scores 14 days: the slowest part of a file), once
    for the PPTX and the PDF of a briefing."""
    return cached(ws, "briefing_outlook", lambda: outlook_slide.section(ws, prepared),
                  prepared.end, prepared.level, prepared.unit, prepared.lang, keep=KEEP)


@action()
def briefing(ws: Workspace, day, unit: str | None = None, level: str | None = None,
             weeks: int = 1, fmt: str = "pdf", palette: str = "default", lang: str = "vi",
             progress: Callable[[str], None] | None = None, sites: bool = False) -> bytes:
    """The leaders' weekly briefing in one call (the CLI's ``briefing``; ``sites``: its
    maps with the safety map's sites)."""
    prepared = prepare_briefing(ws, day, unit, level, weeks, lang, progress)
    if progress is not None:
        progress(t("brief.step.render", lang, fmt=fmt.upper()))
    return render_briefing(ws, prepared, fmt, palette, sites)


@action()
def map_png(ws: Workspace, day, level: str = "commune", parent: str | None = None,
            override: str | None = None, palette: str = "default", lang: str = "vi") -> bytes:
    """A picture of the map of the day view (title, legend, date, scale, notices)."""
    view = day_view(ws, day, level, parent, override, lang)
    everything = dayview.units(ws)
    where = t("ui.country", lang) if parent is None else str(everything.at[parent, "name"])
    title = t("brief.map_title", lang, level=t(f"ui.level.{level}", lang), unit=where)
    return briefs.pictures.map_picture(view, everything, title, palette, lang,
                                       outlines=_outlines(everything, level, parent))


def _outlines(everything: gpd.GeoDataFrame, level: str, parent: str | None):
    """The boundaries of the level above the one drawn (districts around communes)."""
    above = {"hamlet": "commune", "commune": "district", "district": "province"}.get(level)
    if above is None:
        return None
    shapes = view_units(everything, above, parent)
    return shapes if len(shapes) else None
