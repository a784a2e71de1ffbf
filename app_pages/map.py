"""Bản đồ: the level in force of every unit on a date, drill-down, and a unit's panel."""

import streamlit as st

from ui import links, loaders, maps, mapstate, outlook_view, panel, plans_view, widgets
from ui.common import lang, md_text, require_units, tr, workspace
from ui.session import may_export
from zones import api

widgets.compact_page()
title_col, date_col = st.columns([2, 3], vertical_alignment="bottom")
title_col.title(tr("app.title"))
require_units()
ws = workspace()
units = loaders.units()
registry = api.rulesets(ws)

links.read("map", units, registry.rulesets)
choices = [None, *sorted(registry.rulesets)]
previous = st.session_state.get("override")
override = st.session_state.override = st.sidebar.selectbox(
    tr("ui.ruleset"), choices, key=f"override-{lang()}",
    index=choices.index(previous) if previous in choices else 0,
    format_func=lambda r: tr("ui.ruleset.in_force") if r is None
    else registry.rulesets[r].title.get(lang()))
table = api.levels_in_force(ws, override)
with st.sidebar:
    mapstate.search_ui(ws, units)
if len(table.dates) == 0:
    st.info(tr("ui.no_assessments"))
    st.stop()

maps.follow_play()  # the player paused or ended on a day: the date control follows
with date_col:
    day = widgets.date_ui(table.dates, api.default_day(ws))
if tr("ui.notice.simulated") in api.notices(ws, lang()):
    st.container(key="map-notice").caption(f":material/warning: {tr('ui.notice.banner')}")
view, _ = mapstate.current(units)
crumb_col, level_col = st.columns([3, 2], vertical_alignment="center")
with crumb_col:
    mapstate.breadcrumb_ui(units, view)
with level_col:
    show = mapstate.level_ui(units, view)
lay = loaders.layer(show, view)
dv = loaders.day_view(day, show, view, override)
links.write(date=day, unit=view, level=show, ruleset=override)

map_col, side_col = st.columns([3, 2])
if override is not None:  # the outlook forecasts the level in force, not a what-if
    st.session_state[outlook_view.LAYER_KEY] = False
with map_col:
    edges = maps.outlines(units, show, view)
    if st.session_state.get("plan_colours") and override is None:  # issue 22: plan status
        plans_view.plan_map(lay, dv, edges, maps.MAP_HEIGHT, maps.MAP_KEY)
    elif not (st.session_state.get(outlook_view.LAYER_KEY)  # issue 23: next week
              and outlook_view.layer_ui(lay, dv, edges, maps.MAP_HEIGHT, maps.MAP_KEY)):
        maps.day_map(lay, dv, override, edges)
    # one row that wraps: each label whole at 1366 px and on a phone
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    row.toggle(tr("ui.tiles"), key="tiles", width="content")
    # one colouring at a time: turning one on turns the other off
    row.toggle(tr("plan.map.toggle"), key="plan_colours", width="content",
               on_change=maps.one_colouring, args=("plan_colours", outlook_view.LAYER_KEY))
    row.toggle(tr("out.layer"), key=outlook_view.LAYER_KEY, width="content",
               disabled=override is not None, on_change=maps.one_colouring,
               args=(outlook_view.LAYER_KEY, "plan_colours"))
    if may_export():
        row.toggle(tr("sites.export_toggle"), key="export_sites", width="content")
        row.download_button(tr("ui.download_html"), loaders.map_html(
                                day, show, view, st.session_state.get("export_sites", False)),
                            file_name=f"ban-do-cap-do_{day:%Y%m%d}.html", mime="text/html",
                            icon=":material/download:", width="content")
        row.download_button(tr("ui.download_png"), loaders.map_png(day, show, view, override),
                            file_name=f"ban-do-cap-do_{day:%Y%m%d}.png", mime="image/png",
                            icon=":material/image:", width="content")
    if override is not None:
        st.caption(tr("out.map.what_if"))
    if dv.ruleset_title:
        st.caption(tr("ui.ruleset.used" if override is None else "ui.ruleset.what_if",
                      name=md_text(dv.ruleset_title)))
with side_col:
    panel.side_ui(units, table, dv, day, override)
