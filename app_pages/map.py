"""Bản đồ: the level of every unit on a date, drill-down, and the panel of a unit."""

import numpy as np
import streamlit as st
from streamlit_folium import st_folium

from ui import loaders, mapstate, panel, widgets
from ui.common import apply_lang, lang, require_units, tr
from zones.levels import tables as mapdata
from zones.maps.mapview import MapSpec, Outline, base_map, level_string, restyle_group

apply_lang()
st.title(tr("app.title"))
require_units()
units = loaders.units()
registry = loaders.ruleset_registry()
if tr("ui.notice.simulated") in loaders.notices():
    st.warning(tr("ui.notice.banner"), icon="⚠️")

choices = [None, *sorted(registry.rulesets)]
previous = st.session_state.get("override")
override = st.session_state.override = st.sidebar.selectbox(
    tr("ui.ruleset"), choices, key=f"override-{lang()}",
    index=choices.index(previous) if previous in choices else 0,
    format_func=lambda r: tr("ui.ruleset.in_force") if r is None
    else registry.rulesets[r].title.get(lang()))
computed = loaders.levels(override)
table = loaders.effective_levels(override)
with st.sidebar:
    mapstate.search_ui(units)
if len(table.dates) == 0:
    st.info(tr("ui.no_assessments"))
    st.stop()

day = widgets.date_ui(table.dates, loaders.default_day(table.dates))
view, _ = mapstate.current(units)
mapstate.breadcrumb_ui(units, view)
show = mapstate.level_ui(units, view)

lay = loaders.layer(show, view)
# at country level district edges are noise (and 0.5 s of paint): provinces only
outline_levels = [lv for lv in ("district", "province") if lv != show
                  and not (view is None and lv == "district")
                  and not mapdata.view_units(units, lv, view).empty]
outlines = tuple(Outline(loaders.layer(lv, view, outline=True).url,
                         weight=2.2 if lv == "province" else 1.2) for lv in outline_levels)
if view is not None and units.at[view, "level"] != "province":
    outlines += (Outline(loaders.layer(units.at[view, "level"], units.at[view, "parent_code"],
                                       outline=True).url, weight=2.2),)
ruleset_id = table.rulesets.get(day) if table.rulesets is not None else None
names = widgets.level_names(registry, ruleset_id)
colours = widgets.palette()
spec = MapSpec(
    layer=lay.url, bounds=lay.bounds, colours=tuple(colours[i] for i in range(5)),
    level_names=tuple(names[i] for i in range(5)), legend_title=tr("ui.legend_title"),
    notices=loaders.notices(), outlines=outlines, timeline=loaders.timeline(lay, override),
    tiles=st.session_state.get("tiles", False),
    texts={"rate": tr("ui.rate"), "play": tr("ui.play"), "pause": tr("ui.pause"),
           "day": tr("ui.step_day"), "week": tr("ui.step_week"),
           "declared": tr("decl.title"), "computed": tr("decl.computed"),
           "marked": tr("decl.marked") if not loaders.declarations().empty else ""})
levels_now = table.row(day, lay.codes)
computed_now = computed.row(day, lay.codes)
differs = levels_now != computed_now
marks = level_string(np.where(differs, computed_now + 1, 0)) if differs.any() else ""
label = widgets.fmt_day(day)
if ruleset_id in registry.rulesets:
    st.caption(tr("ui.ruleset.used", name=registry.rulesets[ruleset_id].title.get(lang())))

map_col, side_col = st.columns([3, 2])
with map_col:
    clicked = st_folium(
        base_map(spec), key=f"map-{lay.key}-{st.session_state.get('palette')}-{lang()}",
        feature_group_to_add=restyle_group(level_string(levels_now),
                                           loaders.rates_url(lay, day), label, marks),
        returned_objects=["last_clicked"], height=640, use_container_width=True)
    hit = mapstate.unit_at(lay.units, (clicked or {}).get("last_clicked"))
    if hit is not None and hit != st.session_state.get("last_hit"):
        st.session_state.selected = hit
    st.session_state.last_hit = hit
    c1, c2 = st.columns(2)
    c1.toggle(tr("ui.tiles"), key="tiles")
    c2.download_button(tr("ui.download_html"), loaders.map_html(day, show),
                       file_name=f"ban-do-cap-do_{day:%Y%m%d}.html", mime="text/html",
                       icon=":material/download:")
with side_col:
    panel.side_ui(units, table, computed, lay, levels_now, day, names, colours, override)
