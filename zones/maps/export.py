"""Standalone HTML map (``python -m zones map`` and the dashboard's download): the same
map the dashboard draws from the same day view, with Leaflet and the geometry inlined
so it opens with no internet at all."""

from __future__ import annotations

import geopandas as gpd

from geodata.display import TOLERANCE, geojson_layer
from zones.i18n import fmt_date, t
from zones.levels.dayview import DayView
from zones.levels.tables import format_rates
from zones.maps.mapview import MapSpec, Outline, level_string, marks_string, standalone_html
from zones.maps.palettes import PALETTES

OUTLINE_LEVELS = ("district", "province")


def standalone_map(view: DayView, everything: gpd.GeoDataFrame, palette: str = "default",
                   lang: str = "vi") -> str:
    """The map of ``view`` as one self-contained HTML page."""
    shown = everything.loc[view.codes]
    tol = TOLERANCE["country"] if len(shown) > 1500 else TOLERANCE["province"]
    # the country's province lines, drawn over 3,000+ wards, at twice the tolerance: 0.56 ->
    # 0.3 MB of the export (bench/bench_wards.py); at most ~600 m off, a fifth of a pixel
    # at the zoom the whole country fits
    line_tol = tol * 2 if tol >= TOLERANCE["country"] else tol
    outlines = tuple(
        Outline(geojson_layer(everything[everything["level"] == lv], line_tol,
                              properties=("code",)),
                weight=2.2 if lv == "province" else 1.2)
        for lv in OUTLINE_LEVELS if lv != view.level and (everything["level"] == lv).any())
    colours = PALETTES[palette]
    marks = marks_string(view.in_force, view.computed)
    title = view.legend_title + (f" — {view.ruleset_title}" if view.ruleset_title else "")
    spec = MapSpec(layer=geojson_layer(shown, tol), bounds=view.bounds,
                   colours=tuple(colours[i] for i in range(5)),
                   level_names=tuple(view.level_names[i] for i in range(5)),
                   legend_title=title, notices=view.notices, outlines=outlines, inline=True,
                   texts={"rate": view.rate_label, "declared": t("decl.title", lang=lang),
                          "computed": t("decl.computed", lang=lang),
                          "marked": t("decl.marked", lang=lang) if marks else ""})
    label = fmt_date(view.day)
    return standalone_html(spec, level_string(view.in_force), format_rates(view.rates, lang),
                           label, f"{t('app.title', lang=lang)} — {label}", marks)
