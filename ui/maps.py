"""The map of a day view on a page (folium through streamlit-folium), and the click
that selects a unit."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st
from streamlit_folium import st_folium

from ui import loaders, mapstate, widgets
from ui.common import lang, tr, workspace
from zones import api
from zones.maps.export import decision_notes, declared_units
from zones.maps.mapview import (
    MapSpec,
    Outline,
    base_map,
    followed_day,
    level_string,
    marks_string,
    pending_string,
    picked_feature,
    restyle_group,
)

#: the map's height in pixels: with the compact controls above it, the map and its legend
#: fit a 1366x768 screen
MAP_HEIGHT = 540


def outlines(units, show: str, view: str | None) -> tuple[Outline, ...]:
    """District and province edges above the fill (provinces only for the whole country:
    district edges there are noise, and half a second of paint)."""
    levels = [lv for lv in ("district", "province") if lv != show
              and not (view is None and lv == "district")
              and not api.view_units(units, lv, view).empty]
    out = tuple(Outline(loaders.layer(lv, view, outline=True).url,
                        weight=2.2 if lv == "province" else 1.2) for lv in levels)
    if view is not None and units.at[view, "level"] != "province":
        out += (Outline(loaders.layer(units.at[view, "level"], units.at[view, "parent_code"],
                                      outline=True).url, weight=2.2),)
    return out


def follow_play() -> None:
    """The day the map's player stopped on (pause, end of play) becomes the page's day,
    so the date control and the panel show what the map shows. Called before the date
    control is drawn; the map's value is that of the last run's map."""
    key = st.session_state.get("_map_key")
    value = st.session_state.get(key) if key else None
    clicked = value.get("last_clicked") if isinstance(value, dict) else None
    day = followed_day(clicked)
    if day is not None and clicked != st.session_state.get("_followed"):
        st.session_state["_followed"] = clicked
        st.session_state.day = day


def _selected_index(dv: api.DayView) -> int:
    """The selected unit's feature number in the layer drawn (-1 when it is not in it)."""
    pos = dv.position(st.session_state.get("selected"))
    return -1 if pos is None else int(pos)


def day_map(lay: loaders.Layer, dv: api.DayView, override: str | None, edges) -> None:
    """The map of the levels in force on the day view, with play, tooltip and marks for
    units whose declared level differs from the computed one; a click selects a unit."""
    colours = widgets.palette()
    marks = marks_string(dv.in_force, dv.computed)
    pending = pending_string(dv.codes, loaders.unapproved(dv))
    spec = MapSpec(
        layer=lay.url, bounds=lay.bounds, colours=tuple(colours[i] for i in range(5)),
        level_names=tuple(dv.level_names[i] for i in range(5)),
        legend_title=dv.legend_title, notices=dv.notices, outlines=edges,
        timeline=loaders.timeline(lay, override), tiles=st.session_state.get("tiles", False),
        texts={"rate": dv.rate_label, "play": tr("ui.play"), "pause": tr("ui.pause"),
               "day": tr("ui.step_day"), "week": tr("ui.step_week"),
               "declared": tr("decl.title"), "computed": tr("decl.computed"),
               "marked": tr("decl.marked") if marks else "",
               "pending": tr("appr.pending_tip")})
    key = st.session_state["_map_key"] = (
        f"map-{lay.key}-{st.session_state.get('palette')}-{lang()}")
    # a click reruns the page with the component's new value already in the session:
    # take it first, so this very run outlines the unit and opens its panel
    _take_click(lay, st.session_state.get(key))
    clicked = st_folium(
        base_map(spec), key=key,
        feature_group_to_add=restyle_group(level_string(dv.in_force), loaders.rates_url(dv),
                                           widgets.fmt_day(dv.day), marks, pending,
                                           _selected_index(dv), _notes(dv)),
        returned_objects=["last_clicked"], height=MAP_HEIGHT, use_container_width=True)
    if pending:
        monday = dv.day - timedelta(days=dv.day.weekday())
        st.caption(tr("appr.pending_caption", n=pending.count("1"),
                      week=f"{widgets.fmt_day(monday)}–"
                           f"{widgets.fmt_day(monday + timedelta(days=6))}"))
    _take_click(lay, clicked)


def _notes(dv: api.DayView) -> dict[int, str]:
    """The tooltip's decision (number, signer, dates) of every unit declared that day."""
    if not dv.declared.any():
        return {}
    return decision_notes(dv, declared_units(dv, api.declarations(workspace())), lang())


def _take_click(lay: loaders.Layer, value) -> None:
    """Select the unit under a new click on the map (once per click)."""
    if not isinstance(value, dict):
        return
    clicked = value.get("last_clicked")
    feature = picked_feature(clicked)
    if feature is not None:  # the unit Leaflet hit
        hit = lay.codes[feature] if 0 <= feature < len(lay.codes) else None
    else:  # a point (e.g. beside every unit): the unit under it, or a near one
        hit = mapstate.unit_at(lay.units, clicked)
    if hit is not None and hit != st.session_state.get("last_hit"):
        mapstate.select(hit)
    st.session_state.last_hit = hit
