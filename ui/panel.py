"""The map's side panel: overview of the view, and the selected unit's story."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import charts, loaders, mapstate, widgets
from ui.common import lang, tr
from zones.i18n import fmt_int
from zones.levels import tables as mapdata


def side_ui(units, table, computed, lay, levels_now, day, names, colours, override) -> None:
    """Overview tab and unit tab."""
    selected = st.session_state.get("selected")
    if selected is not None and selected not in units.index:
        selected = st.session_state.selected = None
    tabs = st.tabs([tr("ui.tab.unit"), tr("ui.tab.overview")])
    with tabs[0]:
        if selected is None:
            st.info(tr("ui.click_hint"))
        else:
            unit_ui(units, table, computed, selected, day, names, colours, override)
    with tabs[1]:
        overview_ui(table, lay, levels_now, day, names, colours)


def overview_ui(table, lay, levels_now, day, names, colours) -> None:
    """Units and population per level, moves since last week, data freshness."""
    widgets.summary_ui(mapdata.summary(levels_now, lay.population), names, colours)
    week_ago = pd.Timestamp(day) - pd.Timedelta(days=7)
    before = table.row(week_ago, lay.codes)
    mv = mapdata.moves(before, levels_now, lay.codes, lay.names)
    st.markdown(f"**{tr('ui.moves', date=widgets.fmt_day(week_ago))}**")
    up, down = mv[mv["direction"] == "up"], mv[mv["direction"] == "down"]
    _move_list(st, up, "⬆ " + tr("ui.moves.up", n=len(up)), names)
    _move_list(st, down, "⬇ " + tr("ui.moves.down", n=len(down)), names)
    stale = loaders.stale_units(day, lay.codes)
    st.markdown(f"**{tr('ui.freshness', n=len(stale), days=loaders.STALE_DAYS)}**")
    if len(stale):
        st.dataframe(stale.rename(columns={"name": tr("ui.col.unit"),
                                           "last": tr("ui.col.last_report")}),
                     hide_index=True, width="stretch", height=160)


def _move_list(col, frame: pd.DataFrame, title: str, names) -> None:
    col.markdown(title)
    for row in frame.head(8).itertuples():
        col.button(f"{row.name}: {names[row.from_level]} → {names[row.to_level]}",
                   key=f"mv-{row.code}", on_click=_select, args=(row.code,),
                   width="stretch", type="tertiary")
    if len(frame) > 8:
        col.caption(tr("ui.and_more", n=len(frame) - 8))


def _select(code: str) -> None:
    st.session_state.selected = code


def unit_ui(units, table, computed, code, day, names, colours, override) -> None:
    """Name and hierarchy, level since when, reasons, path down, history charts."""
    chain = mapdata.ancestors(units, code)
    st.markdown(f"### {units.at[code, 'name']}")
    st.caption(" › ".join(units.at[c, "name"] for c in chain[:-1]) + f" · {tr('ui.code')} {code}")
    lv = int(table.row(day, [code])[0])
    since = mapdata.entered_on(table, code, day)
    st.markdown(widgets.badge(lv, names, colours) + "&nbsp; " +
                tr("ui.since", date=widgets.fmt_day(since)), unsafe_allow_html=True)
    declared_ui(code, day, int(computed.row(day, [code])[0]), lv, names)
    pop = units.at[code, "population"]
    st.caption(f"{tr('ui.population')}: {fmt_int(pop, lang())}")
    kids = mapdata.child_level(units, code)
    if kids:
        st.button(tr("ui.drill", name=units.at[code, "name"]), on_click=mapstate.open_unit,
                  args=(code,), type="primary", key=f"drill-{code}")
    expl = loaders.explain(override, code, day)
    if expl is not None:
        st.markdown(f"**{tr('ui.why')}**")
        why = expl.reasons or ([f"{names[0]}: {', '.join(expl.missing)}"] if expl.missing
                               else [])
        st.markdown("\n".join(f"- {r}" for r in why) or "–")
        st.markdown(f"**{tr('ui.path_down')}**")
        st.markdown("\n".join(f"- {r}" for r in expl.path_down) or "–")
        if expl.missing:
            st.caption(tr("ui.missing", what=", ".join(expl.missing)))
    history = loaders.unit_history(code)
    charts.history_ui(history, table.column(code) if code in table.codes else None,
                      day, names, colours, loaders.band_edges(override, day))


def declared_ui(code: str, day, computed_level: int, level: int, names) -> None:
    """The declaration in force, and the computed level when it differs."""
    from zones.levels.declarations import covering

    decl = covering(loaders.declarations(), day)
    if code not in decl.index:
        return
    row = decl.loc[code]
    st.markdown(tr("decl.declared_here", level=names[int(row["level"])],
                   decision=row["decision_number"],
                   date=widgets.fmt_day(row["effective_from"])))
    if computed_level != level:
        st.caption(f"{tr('decl.computed')}: {names[computed_level]}")
