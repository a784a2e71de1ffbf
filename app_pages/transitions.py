"""Chuyển cấp: which units moved between which levels (in force) from one date to another."""

import pandas as pd
import streamlit as st

from ui import briefing_view, links, mapstate, transitions_view, widgets
from ui.common import assessed_page, lang, show_error, tr
from ui.session import may_export
from zones import api
from zones.errors import ZonesError

ws, units, table = assessed_page("tr.title")

links.read("transitions", units, {})
first, last = table.dates[0].date(), table.dates[-1].date()
default_end = api.default_day(ws)
default_start = max(first, (pd.Timestamp(default_end) - pd.Timedelta(days=14)).date())
c1, c2, c3 = st.columns([1, 1, 2])
start = c1.date_input(tr("tr.from"), value=default_start, min_value=first, max_value=last,
                      format="DD/MM/YYYY", key="tr_start")
end = c2.date_input(tr("tr.to"), value=default_end, min_value=first, max_value=last,
                    format="DD/MM/YYYY", key="tr_end")
view = mapstate.initial_view(units)
levels = mapstate.levels_inside(units, view)
level = c3.segmented_control(tr("ui.show_level"), levels, default=mapstate.default_level(levels),
                             key="tr_level", format_func=lambda lv: tr(f"ui.level.{lv}"))
level = level or mapstate.default_level(levels)
links.write(**{"from": start, "date": end, "level": level})
try:
    moved = api.transitions(ws, start, end, level, view, lang=lang())
except ZonesError as err:
    show_error(err)
    st.stop()
frame, names = moved.frame, moved.level_names
colours = widgets.palette()
if frame.empty:
    st.success(tr("tr.none"))
    st.stop()
known = frame["to_level"].notna() & frame["from_level"].notna()
up = int((known & (frame["to_level"] > frame["from_level"])).sum())
data = int((~known).sum())
st.markdown(tr("tr.summary", n=len(frame), up=up, down=len(frame) - up - data, data=data))
note = transitions_view.ruleset_note(moved)
if note:
    st.info(note, icon=":material/rule:")
st.subheader(tr("tr.flow"))
st.html(transitions_view.flow_chart(frame, names, colours, lang()))
st.subheader(tr("tr.map"))
transitions_view.change_map(frame, level, view, names, colours,
                            f"{widgets.fmt_day(start)} → {widgets.fmt_day(end)}")
transitions_view.table_ui(frame, names,
                          moved.ruleset_change.on if moved.ruleset_change else None)
c1, c2 = st.columns(2)
if may_export():
    c1.download_button(tr("tr.download"), transitions_view.csv_bytes(frame),
                       file_name=f"chuyen-cap_{start:%Y%m%d}_{end:%Y%m%d}.csv",
                       mime="text/csv", icon=":material/download:")
with c2:
    briefing_view.download_for(end, view, level, max(1, -(-(end - start).days // 7)))
