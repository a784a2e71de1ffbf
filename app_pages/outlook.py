"""Tuần tới: next week's outlook per unit (probability of a higher, lower or the same
level on D+7), the units at risk of a higher level on a map and in a list, and the
backtest of a province (Brier beside persistence, recall and precision of changes)."""

import pandas as pd
import streamlit as st

from ui import mapstate, outlook_view, widgets
from ui.common import assessed_page, lang, md_text, show_error, tr
from ui.session import may_export
from zones import api
from zones.errors import ZonesError

ws, units, table = assessed_page("out.page.title", "out.page.intro")
first, last = table.dates[0].date(), table.dates[-1].date()
c1, c2 = st.columns([1, 2])
day = c1.date_input(tr("out.day"), value=api.default_day(ws), min_value=first,
                    max_value=last, format="DD/MM/YYYY", key="out_day")
view = mapstate.initial_view(units)
levels = mapstate.levels_inside(units, view)
level = c2.segmented_control(tr("ui.show_level"), levels,
                             default=mapstate.default_level(levels, view), key="out_level",
                             format_func=lambda lv: tr(f"ui.level.{lv}"))
level = level or mapstate.default_level(levels, view)
names = api.level_names(ws, day, lang())
try:
    with st.spinner(tr("out.computing")):
        frame = api.outlook(ws, day, level, view, lang())
except ZonesError as err:
    show_error(err)
    st.stop()
if tr("ui.notice.simulated") in api.notices(ws, lang()):
    st.caption(f":material/warning: {tr('ui.notice.banner')}")
target = pd.Timestamp(day) + pd.Timedelta(days=7)
st.subheader(tr("out.map_title", day=widgets.fmt_day(day), target=widgets.fmt_day(target)))
outlook_view.outlook_map(frame, level, view, outlook_view.OUTLOOK_COLOURS,
                         f"{widgets.fmt_day(day)} → {widgets.fmt_day(target)}")
st.markdown(tr("out.summary", n=int((frame["p_up"] >= 0.5).sum()), total=len(frame),
               near=int(frame["near_threshold"].sum())))
shown = outlook_view.at_risk(frame, names)
if shown.empty:
    st.success(tr("out.none_up"))
else:
    widgets.table(api.safe_frame(shown), hide_index=True, width="stretch",
                  height=min(420, 38 + 35 * len(shown)))
if may_export():
    st.download_button(tr("out.download"), frame[api.OUTLOOK_COLUMNS].to_csv(
        index=False).encode("utf-8-sig"), file_name=f"tuan-toi_{day:%Y%m%d}.csv",
        mime="text/csv", icon=":material/download:")

st.subheader(tr("out.bt.section"))
st.caption(tr("out.bt.intro"))
provinces = units.index[units["level"] == "province"].tolist()
b1, b2, b3 = st.columns([2, 1, 1])
province = b1.selectbox(tr("out.bt.province"), provinces, key="out_bt_province",
                        format_func=lambda c: units.at[c, "name"])
end_default = max(first, (table.dates[-1] - pd.Timedelta(days=7)).date())
start_default = max(first, (pd.Timestamp(end_default) - pd.Timedelta(days=29)).date())
bt_start = b2.date_input(tr("tr.from"), value=start_default, min_value=first,
                         max_value=last, format="DD/MM/YYYY", key="out_bt_start")
bt_end = b3.date_input(tr("tr.to"), value=end_default, min_value=first, max_value=last,
                       format="DD/MM/YYYY", key="out_bt_end")
if st.button(tr("out.bt.run"), type="primary", key="out_bt_run"):
    try:
        with st.spinner(tr("out.computing")):
            st.session_state.out_bt = (province, api.outlook_backtest(
                ws, bt_start, bt_end, "commune", province, lang=lang()))
    except ZonesError as err:
        show_error(err)
done = st.session_state.get("out_bt")
if done is not None and done[0] in units.index:
    st.markdown(f"**{md_text(units.at[done[0], 'name'])}**")
    st.markdown("\n".join(f"- {md_text(line)}" for line in api.backtest_lines(done[1], lang())))
    outlook_view.bins_table(done[1].bins)
