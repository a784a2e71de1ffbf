"""The map of a day view on a page (the ``ui.map_component`` component), and the
messages it sends back: a unit clicked, the day the player stopped on."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from ui import loaders, map_component, mapstate, sites_view, widgets
from ui.common import lang, tr, workspace
from zones import api
from zones.maps.export import decision_notes, declared_units
from zones.maps.mapview import level_string, look, marks_string, pending_string

#: the map's height in pixels: with the compact controls above it, the map and its legend
#: fit a 1366x768 screen
MAP_HEIGHT = 540
#: one map per page, kept from run to run (a new key would mean a new frame)
MAP_KEY = "levels-map"


def outlines(units, show: str, view: str | None) -> list[dict]:
    """District and province edges above the fill (provinces only for the whole country:
    district edges there are noise, and half a second of paint)."""
    levels = [lv for lv in ("district", "province") if lv != show
              and not (view is None and lv == "district")
              and not api.view_units(units, lv, view).empty]
    out = [outline(loaders.layer(lv, view, outline=True).url,
                   2.2 if lv == "province" else 1.2) for lv in levels]
    if view is not None and units.at[view, "level"] != "province":
        out.append(outline(loaders.layer(units.at[view, "level"],
                                         units.at[view, "parent_code"], outline=True).url,
                           2.2))
    return out


def outline(url: str, weight: float, colour: str = "#303030") -> dict:
    """Boundaries drawn above the fill, not interactive."""
    return {"url": url, "weight": weight, "colour": colour}


def follow_play() -> None:
    """The day the map's player stopped on (pause, end of play) becomes the page's day,
    so the date control and the panel show what the map shows. Called before the date
    control is drawn; the message is that of the last run's map."""
    day = map_component.shown_day(map_component.new_message(MAP_KEY, "day"))
    if day is not None:
        st.session_state.day = day


def one_colouring(key: str, other: str) -> None:
    """A colouring toggle ``key`` turned on turns ``other`` off (the map shows one
    colouring at a time: levels, plan status or next week's outlook)."""
    if st.session_state.get(key):
        st.session_state[other] = False


def day_map(lay: loaders.Layer, dv: api.DayView, override: str | None, edges) -> None:
    """The map of the levels in force on the day view, with play, tooltip and marks for
    units whose declared level differs from the computed one; a click selects a unit."""
    # a click reruns the page with the component's message already in the session:
    # take it first, so this very run outlines the unit and opens its panel
    _take_click(lay)
    colours = widgets.palette()
    marks = marks_string(dv.in_force, dv.computed)
    pending = pending_string(dv.codes, loaders.unapproved(dv))
    texts = {"rate": dv.rate_label, "play": tr("ui.play"), "pause": tr("ui.pause"),
             "day": tr("ui.step_day"), "week": tr("ui.step_week"),
             "declared": tr("decl.title"), "computed": tr("decl.computed"),
             "marked": tr("decl.marked") if marks else "",
             "pending": tr("appr.pending_tip")}
    spec = look([dv.level_names[i] for i in range(5)], dv.legend_title, colours, texts,
                dv.notices) | {
        "layer": lay.url, "bounds": lay.bounds, "outlines": list(edges),
        "timeline": loaders.timeline(lay, override),
        "tiles": map_component.OSM if st.session_state.get("tiles", False) else None,
        "levels": level_string(dv.in_force), "rates": loaders.rates_url(dv),
        "label": widgets.fmt_day(dv.day), "marks": marks, "pending": pending,
        "notes": {str(i): n for i, n in _notes(dv).items()},
        "selected": st.session_state.get("selected"), "clicks": True,
        "height": MAP_HEIGHT, "sites": sites_view.map_spec(dv.day)}
    map_component.levels_map(spec, MAP_KEY)
    if pending:
        monday = dv.day - timedelta(days=dv.day.weekday())
        st.caption(tr("appr.pending_caption", n=pending.count("1"),
                      week=f"{widgets.fmt_day(monday)}–"
                           f"{widgets.fmt_day(monday + timedelta(days=6))}"))


def _notes(dv: api.DayView) -> dict[int, str]:
    """The tooltip's decision (number, signer, dates) of every unit declared that day."""
    if not dv.declared.any():
        return {}
    return decision_notes(dv, declared_units(dv, api.declarations(workspace())), lang())


def _take_click(lay: loaders.Layer) -> None:
    """Select the unit of a new click on the map (once per click)."""
    code = map_component.clicked_unit(map_component.new_message(MAP_KEY, "click"))
    if code is not None and code in lay.codes:
        mapstate.select(code)
