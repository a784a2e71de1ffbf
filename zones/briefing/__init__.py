"""The leaders' weekly briefing: a slide deck (PPTX), a printable report (PDF) and map
pictures (PNG), all built from the day view and drawn without a browser."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd

from zones.briefing import deck, model, pictures, report
from zones.briefing.glance import glance
from zones.briefing.model import Briefing, PlanFacts, default_level, default_unit, share_link
from zones.briefing.sections import sections
from zones.i18n import t
from zones.maps.palettes import PALETTES

FORMATS = ("pptx", "pdf", "png")
MIME = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pdf": "application/pdf", "png": "image/png"}

__all__ = ["FORMATS", "MIME", "Briefing", "PlanFacts", "build", "default_level",
           "default_unit", "render", "share_link"]


def build(*args, **kwargs) -> Briefing:
    """``model.build``, with the week at a glance ready for a preview (``summary``)."""
    b = model.build(*args, **kwargs)
    return replace(b, summary=glance(b, PALETTES["default"]))


def render(b: Briefing, geometry: gpd.GeoDataFrame, fmt: str, palette: str = "default",
           outlines: gpd.GeoDataFrame | None = None, extra: tuple = (),
           sites: tuple | None = None) -> bytes:
    """The briefing in ``fmt`` ("pptx", "pdf", or "png": the map at the end of the week);
    ``sites``: the sites drawn on the maps before and at the end of the period (two
    ``zones.sites.marks.SiteMarks``), None for none."""
    lang = b.lang
    title = t("brief.title", lang=lang, unit=b.unit_name)
    if fmt == "png":
        return pictures.map_picture(
            b.now, geometry, t("brief.map_title", lang=lang, level=t(f"ui.level.{b.level}",
                                                                    lang=lang),
                               unit=b.unit_name), palette, lang, outlines=outlines,
            sites=sites[1] if sites is not None else None)
    footer = f"{title} · {b.period}"
    parts = sections(b, geometry, palette, outlines, extra, sites)
    if fmt == "pptx":
        return deck.deck(parts, footer)
    return report.report(parts, title, footer, t("brief.page", lang=lang))
