"""The map's side panel: overview of the view, and the selected unit's story."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import charts, loaders, mapstate, outlook_view, plans_view, sites_view, widgets
from ui.common import lang, md_text, tr, workspace
from zones import api
from zones.i18n import fmt_int


def side_ui(units, table: api.Table, dv: api.DayView, day, override) -> None:
    """Overview tab and unit tab, both from the day view shown on the map."""
    selected = st.session_state.get("selected")
    if selected is not None and selected not in units.index:
        selected = st.session_state.selected = None
    labels = [tr("ui.tab.unit"), tr("ui.tab.overview")]
    if st.session_state.get(mapstate.PANEL_TABS) not in labels:  # e.g. another language
        st.session_state.pop(mapstate.PANEL_TABS, None)
    tabs = st.tabs(labels, key=mapstate.PANEL_TABS, on_change="rerun")
    # only the open tab is built: a date step then sends only what is seen (the overview's
    # lists of 10,040 communes are about 1 MB; a tab switch reruns the page)
    showing = st.session_state.get(mapstate.PANEL_TABS) or labels[0]
    colours = widgets.palette()
    with tabs[0]:
        if showing == labels[0]:
            if selected is None:
                st.info(tr("ui.click_hint"))
            else:
                unit_ui(units, table, selected, day, colours, override)
    with tabs[1]:
        if showing == labels[1]:
            overview_ui(units, table, dv, day, colours)


def _pick(key: str, codes: list[str]) -> None:
    """A row chosen in one of the overview's lists: that unit's panel, outlined."""
    rows = st.session_state[key].selection.rows
    if rows:
        mapstate.select(codes[rows[0]])


#: rows sent to the browser in one overview list (a national commune list is 10,040 rows,
#: about 0.5 MB a date step); the rest is a province away (the list follows the view)
LIST_ROWS = 500
#: the overview lists' column widths in pixels (a move's two days: 78)
LIST_WIDTHS = {"level": 78, "name": 105, "parent": 75, "population": 58}


def _unit_list(key: str, frame: pd.DataFrame, columns: dict[str, str], height: int) -> None:
    """A sortable list of units; choosing a row opens that unit's panel."""
    if frame.empty:
        return
    if len(frame) > LIST_ROWS:
        st.caption(tr("ui.list.capped", shown=fmt_int(LIST_ROWS, lang()),
                      n=fmt_int(len(frame), lang())))
        frame = frame.head(LIST_ROWS)
    # the grid's own CSV download: names that a spreadsheet would read as a formula
    # widths that keep every header whole in the side column at 1366 px (a name runs on
    # in its cell; the grid scrolls sideways for the rest)
    widths = {columns[c]: st.column_config.NumberColumn(
        format=widgets.INT_FORMATS[lang()], width=LIST_WIDTHS[c]) if c == "population"
        else st.column_config.Column(width=LIST_WIDTHS.get(c, 78)) for c in columns}
    widgets.table(api.safe_frame(frame[list(columns)]).rename(columns=columns), hide_index=True,
                 width="stretch", height=min(height, 38 + 35 * len(frame)), key=key,
                 column_config=widths,
                 on_select=lambda: _pick(key, frame["code"].tolist()),
                 selection_mode="single-row")


def overview_ui(units, table: api.Table, dv: api.DayView, day, colours) -> None:
    """Units and population per level, the units at each level, every move since last
    week, data freshness."""
    names = dv.level_names
    widgets.summary_ui(api.summary(dv.in_force, dv.population), names, colours)
    parents = units["parent_code"].reindex(dv.codes)
    frame = pd.DataFrame({
        "code": list(dv.codes), "name": dv.names, "rank": dv.in_force,
        "level": [names[int(v)] for v in dv.in_force],
        "parent": [units["name"].get(p, "") if isinstance(p, str) else "" for p in parents],
        "population": dv.population})
    present = sorted({int(v) for v in dv.in_force}, reverse=True)
    st.markdown(f"**{tr('ui.by_level')}**")
    chosen = st.pills(tr("ui.by_level.filter"), present, selection_mode="multi",
                      default=[v for v in present if v > 0] or present,
                      format_func=lambda v: names[v], key=f"by-level-{dv.level}",
                      label_visibility="collapsed")
    shown = frame[frame["rank"].isin(chosen or present)].sort_values(
        ["rank", "population"], ascending=[False, False])
    _unit_list(f"list-level-{dv.level}", shown, {
        "level": tr("ui.col.level"), "name": tr("ui.col.unit"), "parent": tr("ui.col.parent"),
        "population": tr("ui.population")}, height=250)
    week_ago = pd.Timestamp(day) - pd.Timedelta(days=7)
    before = table.row(week_ago, dv.codes)
    mv = api.moves(before, dv.in_force, dv.codes, dv.names)
    st.markdown(f"**{tr('ui.moves', date=widgets.fmt_day(week_ago))}**")
    parent_of = dict(zip(frame["code"], frame["parent"], strict=True))
    mv = mv.assign(
        parent=[parent_of.get(c, "") for c in mv["code"]],
        before=[names[int(v)] for v in mv["from_level"]],
        after=[names[int(v)] for v in mv["to_level"]])
    for direction, arrow in (("up", "⬆ "), ("down", "⬇ ")):
        part = mv[mv["direction"] == direction]
        st.markdown(arrow + tr(f"ui.moves.{direction}", n=len(part)))
        _unit_list(f"list-{direction}-{dv.level}", part, {
            "name": tr("ui.col.unit"), "parent": tr("ui.col.parent"),
            "before": widgets.fmt_day(week_ago), "after": widgets.fmt_day(day)}, height=210)
    stale = api.silent_units(dv)
    st.markdown(f"**{tr('ui.freshness', n=len(stale), days=api.STALE_DAYS)}**")
    if len(stale):
        widgets.table(stale[["name", "last"]].rename(
            columns={"name": tr("ui.col.unit"), "last": tr("ui.col.last_report")}),
            hide_index=True, width="stretch", height=160)


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
    if override is None:
        plans_view.unit_block(code, day)  # issue 22: the unit's targets and green streak
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
        if override is None and st.session_state.get(outlook_view.LAYER_KEY):
            outlook_view.unit_ui(code, units.at[code, "level"], day)  # issue 23
        up = api.path_up(workspace(), code, day, lang()) if override is None else None
        if up is not None:  # issue 23: the mirror of the path down
            st.markdown(f"**{tr('out.panel.up_title')}**")
            st.markdown("\n".join(f"- {md_text(r)}" for r in up) or "–")
        if expl.missing:
            st.caption(tr("ui.missing", what=", ".join(md_text(m) for m in expl.missing)))
    sites_view.unit_ui(code, day)  # the safety map's sites of the unit (issue 25)
    charts.history_ui(loaders.unit_story(code, override),
                      table.column(code) if code in table.codes else None,
                      day, names, colours, api.band_edges(workspace(), override))
