"""The map's side panel: overview of the view, and the selected unit's story."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import charts, loaders, mapstate, widgets
from ui.common import lang, md_text, tr, workspace
from zones import api
from zones.i18n import fmt_int


def side_ui(units, table: api.Table, dv: api.DayView, day, override) -> None:
    """Overview tab and unit tab, both from the day view shown on the map."""
    selected = st.session_state.get("selected")
    if selected is not None and selected not in units.index:
        selected = st.session_state.selected = None
    tabs = st.tabs([tr("ui.tab.unit"), tr("ui.tab.overview")])
    colours = widgets.palette()
    with tabs[0]:
        if selected is None:
            st.info(tr("ui.click_hint"))
        else:
            unit_ui(units, table, selected, day, colours, override)
    with tabs[1]:
        overview_ui(table, dv, day, colours)


def overview_ui(table: api.Table, dv: api.DayView, day, colours) -> None:
    """Units and population per level, moves since last week, data freshness."""
    names = dv.level_names
    widgets.summary_ui(api.summary(dv.in_force, dv.population), names, colours)
    week_ago = pd.Timestamp(day) - pd.Timedelta(days=7)
    before = table.row(week_ago, dv.codes)
    mv = api.moves(before, dv.in_force, dv.codes, dv.names)
    st.markdown(f"**{tr('ui.moves', date=widgets.fmt_day(week_ago))}**")
    up, down = mv[mv["direction"] == "up"], mv[mv["direction"] == "down"]
    _move_list(st, up, "⬆ " + tr("ui.moves.up", n=len(up)), names)
    _move_list(st, down, "⬇ " + tr("ui.moves.down", n=len(down)), names)
    stale = api.silent_units(dv)
    st.markdown(f"**{tr('ui.freshness', n=len(stale), days=api.STALE_DAYS)}**")
    if len(stale):
        st.dataframe(stale[["name", "last"]].rename(
            columns={"name": tr("ui.col.unit"), "last": tr("ui.col.last_report")}),
            hide_index=True, width="stretch", height=160)


def _move_list(col, frame: pd.DataFrame, title: str, names) -> None:
    col.markdown(title)
    for row in frame.head(8).itertuples():
        col.button(f"{md_text(row.name)}: {md_text(names[row.from_level])} → "
                   f"{md_text(names[row.to_level])}",
                   key=f"mv-{row.code}", on_click=_select, args=(row.code,),
                   width="stretch", type="tertiary")
    if len(frame) > 8:
        col.caption(tr("ui.and_more", n=len(frame) - 8))


def _select(code: str) -> None:
    st.session_state.selected = code


def unit_ui(units, table: api.Table, code, day, colours, override) -> None:
    """Name and hierarchy, level in force since when, declaration, reasons, path down,
    history charts."""
    own = loaders.day_view(day, units.at[code, "level"], None, override)
    pos = own.position(code)
    names = own.level_names
    chain = api.ancestors(units, code)
    # names, codes, decision numbers, level names, reasons: shown as written (md_text)
    st.markdown(f"### {md_text(units.at[code, 'name'])}")
    st.caption(" › ".join(md_text(units.at[c, "name"]) for c in chain[:-1])
               + f" · {tr('ui.code')} {md_text(code)}")
    lv = int(own.in_force[pos]) if pos is not None else 0
    since = api.entered_on(table, code, day)
    st.markdown(widgets.badge(lv, names, colours) + "&nbsp; " +
                tr("ui.since", date=widgets.fmt_day(since)), unsafe_allow_html=True)
    if pos is not None and own.declared[pos]:
        st.markdown(tr("decl.declared_here", level=md_text(names[int(own.declared[pos])]),
                       decision=md_text(own.decision[pos]), date=own.declared_from[pos]))
        if own.computed[pos] != own.in_force[pos]:
            st.caption(f"{tr('decl.computed')}: {md_text(names[int(own.computed[pos])])}")
    st.caption(f"{tr('ui.population')}: {fmt_int(units.at[code, 'population'], lang())}")
    if api.child_level(units, code):
        st.button(tr("ui.drill", name=md_text(units.at[code, "name"])),
                  on_click=mapstate.open_unit,
                  args=(code,), type="primary", key=f"drill-{code}")
    expl = api.explain(workspace(), code, day, override, lang())
    if expl is not None:
        st.markdown(f"**{tr('ui.why')}**")
        why = expl.reasons or ([f"{names[0]}: {', '.join(expl.missing)}"] if expl.missing
                               else [])
        st.markdown("\n".join(f"- {md_text(r)}" for r in why) or "–")
        st.markdown(f"**{tr('ui.path_down')}**")
        st.markdown("\n".join(f"- {md_text(r)}" for r in expl.path_down) or "–")
        if expl.missing:
            st.caption(tr("ui.missing", what=", ".join(md_text(m) for m in expl.missing)))
    charts.history_ui(loaders.unit_story(code, override),
                      table.column(code) if code in table.codes else None,
                      day, names, colours, api.band_edges(workspace(), override))
