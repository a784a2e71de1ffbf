"""Báo cáo giao ban: the leaders' weekly briefing (PPTX, PDF, PNG) with a preview."""

import pandas as pd
import streamlit as st

from ui import briefing_view, widgets
from ui.common import assessed_page, lang, md_text, tr
from ui.session import may_export
from zones import api

ws, units, table = assessed_page("ui.page.briefing", "brief.ui.intro")

first, last = table.dates[0].date(), table.dates[-1].date()
c1, c2, c3, c4 = st.columns([1.2, 2.5, 1.3, 1])
day = c1.date_input(tr("brief.ui.date"), value=api.default_day(ws), min_value=first,
                    max_value=last, format="DD/MM/YYYY", key="brief_day")
choices = units[units["level"].isin(["province", "district", "commune"])].sort_values(
    ["level", "name"], key=lambda s: s.map({"province": 0, "district": 1, "commune": 2})
    if s.name == "level" else s)
default = api.default_briefing_unit(ws)
options = ([None] if default is None else []) + choices.index.tolist()
labels = {code: f"{name} ({tr('ui.level.' + lv)})"
          for code, name, lv in zip(choices.index, choices["name"], choices["level"],
                                    strict=True)}
unit = c2.selectbox(tr("brief.ui.unit"), options,
                    index=options.index(default) if default in options else 0,
                    format_func=lambda c: tr("ui.country") if c is None else labels[c],
                    key="brief_unit")
tree = pd.DataFrame(units[["level", "parent_code"]])  # without the shapes: a quick look
below = [lv for lv in ("province", "district", "commune", "hamlet")
         if not api.view_units(tree, lv, unit).empty]
level = c3.selectbox(tr("brief.ui.level"), below,
                     index=below.index(api.default_briefing_level(ws, unit)),
                     format_func=lambda lv: tr(f"ui.level.{lv}"), key="brief_level")
weeks = c4.number_input(tr("brief.ui.weeks"), min_value=1, max_value=26, value=1,
                        key="brief_weeks")

sites = st.checkbox(tr("sites.brief.option"), value=False, key="brief_sites",
                    help=tr("sites.brief.option_help"))

prepared = briefing_view.prepare(day, unit, level, int(weeks))
if prepared is None:
    st.stop()
if may_export():
    briefing_view.downloads(prepared, sites)
    briefing_view.moves_download(prepared)
briefing_view.at_a_glance(prepared)
st.markdown(f"**{tr('brief.title.period', period=prepared.period)}** · "
            f"{tr('brief.title.ruleset', name=md_text(prepared.ruleset_title))}")
st.caption(" · ".join([tr("brief.title.as_of", date=widgets.fmt_day(prepared.data_as_of)),
                       *prepared.notices]))
st.markdown(f"[{tr('brief.ui.open_map')}](./?{prepared.map_query})")
# halves: the tables beside the map keep every column on 1366 px (at 3:2 the last one
# was cut); a table as high as its rows, up to five, then it scrolls
left, right = st.columns(2)
left.image(briefing_view.preview(briefing_view.picture(prepared, sites)), width="stretch")


def rows_high(n: int) -> int:
    return 38 + min(n, 5) * 35


with right:
    names = prepared.names
    counts = prepared.counts
    on = [widgets.fmt_day(prepared.before), widgets.fmt_day(prepared.end)]
    widgets.table(pd.DataFrame({
        tr("brief.col.level"): counts["name"],
        tr("brief.ui.col.on", date=on[0]): counts["units_before"],
        tr("brief.ui.col.on", date=on[1]): counts["units"]}),
        hide_index=True, width="stretch", column_config={
            tr("brief.ui.col.on", date=d): st.column_config.NumberColumn(
                help=tr("brief.col.units_on", date=d), format=widgets.INT_FORMATS[lang()])
            for d in on})
    for key, frame in (("up", prepared.up), ("down", prepared.down)):
        st.markdown(f"**{tr(f'brief.{key}', n=len(frame), period=prepared.period)}**")
        if len(frame):
            widgets.table(pd.DataFrame({
                tr("brief.col.unit"): frame["name"],
                tr("brief.col.from_to"): [f"{names[a]} → {names[b]}" for a, b in
                                          zip(frame["from_level"], frame["to_level"],
                                              strict=True)],
                tr("brief.col.since"): [widgets.fmt_day(d) for d in frame["since"]]}),
                hide_index=True, width="stretch", height=rows_high(len(frame)))
    st.markdown(f"**{tr('brief.declared', n=len(prepared.declared), date=widgets.fmt_day(prepared.end))}**")
    if len(prepared.declared):
        widgets.table(pd.DataFrame({
            tr("brief.col.unit"): prepared.declared["name"],
            tr("brief.col.decision"): prepared.declared["decision"],
            tr("brief.col.effective"): [widgets.fmt_day(d) for d in
                                        prepared.declared["start"]]}),
            hide_index=True, width="stretch", height=rows_high(len(prepared.declared)))
    st.markdown(f"**{tr('brief.silent', n=len(prepared.silent), days=api.STALE_DAYS, date=widgets.fmt_day(prepared.end))}**")
