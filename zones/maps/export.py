"""Standalone HTML map (``python -m zones map`` and the dashboard's download): the same
map the dashboard draws from the same day view, with Leaflet and the geometry inlined
so it opens with no internet at all."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geodata.display import TOLERANCE, geojson_layer
from zones.i18n import fmt_date, t
from zones.levels import declarations as decl_mod
from zones.levels.dayview import DayView
from zones.levels.tables import format_rates
from zones.maps.mapview import MapSpec, Outline, level_string, marks_string, standalone_html
from zones.maps.palettes import PALETTES

OUTLINE_LEVELS = ("district", "province")
#: units named per decision in the legend (the tooltip of each names its decision)
LEGEND_UNITS = 3


def declared_units(view: DayView, decl: pd.DataFrame | None) -> list[tuple[int, str, str]]:
    """(feature number, decision number, signer or '') of every unit declared on the day
    of ``view``. ``decl``: the declarations stored, for their signers (revoked ones never
    count)."""
    signers = {}
    if decl is not None and not decl.empty and not view.override:
        on = decl_mod.covering(decl, view.day)
        if "signed_by" in on.columns:
            signers = {c: s for c, s in on["signed_by"].items() if isinstance(s, str) and s}
    return [(i, str(view.decision[i]), signers.get(code, ""))
            for i, code in enumerate(view.codes) if view.declared[i]]


def decision_notes(view: DayView, declared: list[tuple[int, str, str]], lang: str = "vi"
                   ) -> dict[int, str]:
    """Per feature number of a declared unit, its decision as the tooltip says it: the
    number, the signer where there is one, the dates."""
    notes = {}
    for i, decision, signer in declared:
        parts = [t("map.decision", lang=lang, decision=decision)]
        if signer:
            parts.append(t("map.signed", lang=lang, signer=signer))
        start, end = view.declared_from[i], view.declared_to[i]
        parts.append(t("map.between", lang=lang, start=start, end=end) if end else
                     t("map.since", lang=lang, start=start))
        notes[i] = " · ".join(parts)
    return notes


def legend_lines(view: DayView, declared: list[tuple[int, str, str]], lang: str = "vi"
                 ) -> tuple[str, ...]:
    """One line per decision in force on the day: its number (and signer) and the units
    it declares, the first few named."""
    groups: dict[tuple[str, str], list[str]] = {}
    for i, decision, signer in declared:
        groups.setdefault((decision, signer), []).append(str(view.names[i]))
    lines = []
    for (decision, signer), names in sorted(groups.items()):
        head = t("map.decision", lang=lang, decision=decision)
        if signer:
            head += " · " + t("map.signed", lang=lang, signer=signer)
        shown = ", ".join(sorted(names)[:LEGEND_UNITS])
        if len(names) > LEGEND_UNITS:
            shown += " " + t("map.units_more", lang=lang, n=len(names) - LEGEND_UNITS)
        lines.append(f"{head} — {shown}")
    return tuple(lines)


def standalone_map(view: DayView, everything: gpd.GeoDataFrame, palette: str = "default",
                   lang: str = "vi", decl: pd.DataFrame | None = None,
                   sites: str | None = None) -> str:
    """The map of ``view`` as one self-contained HTML page; a declared unit's tooltip and
    the legend name the decisions in force (``decl``: the declarations stored, for
    their signers)."""
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
    declared = declared_units(view, decl)
    decisions = legend_lines(view, declared, lang)
    title = view.legend_title + (f" — {view.ruleset_title}" if view.ruleset_title else "")
    spec = MapSpec(layer=geojson_layer(shown, tol), bounds=view.bounds,
                   colours=tuple(colours[i] for i in range(5)),
                   level_names=tuple(view.level_names[i] for i in range(5)),
                   legend_title=title, notices=view.notices, outlines=outlines,
                   texts={"rate": view.rate_label, "declared": t("decl.title", lang=lang),
                          "computed": t("decl.computed", lang=lang),
                          "marked": t("decl.marked", lang=lang) if marks else "",
                          "decisions": t("map.decisions", lang=lang, n=len(decisions))},
                   declarations=decisions)
    label = fmt_date(view.day)
    return standalone_html(spec, level_string(view.in_force), format_rates(view.rates, lang),
                           label, f"{t('app.title', lang=lang)} — {label}", marks,
                           decision_notes(view, declared, lang), sites)
