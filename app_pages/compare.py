"""So sánh: two maps in step, one day under two rule sets or two days under one (a
province's draft rule set opened from a file included), the units that differ outlined on
both and listed, with a CSV download."""

import streamlit as st

from ui import compare_view, loaders, maps, mapstate
from ui.common import assessed_page, lang, show_error, tr
from ui.session import may_export
from zones import api
from zones.errors import ZonesError

ws, units, table = assessed_page("cmp.title", "cmp.intro")
registry = api.rulesets(ws)
compare_view.read_link(registry.rulesets)
compare_view.apply_new_draft()
compare_view.take_click(units)  # a unit clicked on either map opens it
view, _ = mapstate.current(units)
with st.container(horizontal=True, gap="medium", vertical_alignment="bottom"):  # wraps
    mapstate.breadcrumb_ui(units, view)
    level = compare_view.level_ui(units, view)
    compare_view.mode_ui()
a, b = compare_view.sides_ui(table.dates, api.default_day(ws), registry.rulesets,
                             compare_view.held_draft())
compare_view.write_link(a, b, level)
if a == b:
    st.info(tr("cmp.same_sides"))
try:
    with st.spinner(tr("cmp.computing")):
        cmp = api.compare_levels(ws, a, b, level, view, lang())
except ZonesError as err:
    show_error(err)
    compare_view.draft_ui(ws)  # a draft that cannot be compared can be replaced
    st.stop()
if a != b:  # the same sides: said above, not also "the two maps agree"
    compare_view.summary_ui(cmp)
compare_view.pair_map(cmp, loaders.layer(level, view).url, maps.outlines(units, level, view))
compare_view.list_ui(cmp)
if may_export() and not cmp.table.empty:
    st.download_button(tr("cmp.download"), compare_view.csv_bytes(cmp),
                       file_name=f"so-sanh_{a.day:%Y%m%d}_{b.day:%Y%m%d}.csv",
                       mime="text/csv", icon=":material/download:")
compare_view.draft_ui(ws)  # below the list: opening a draft puts it on map B
