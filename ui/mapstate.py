"""Drill-down state of the map: which parent is open, which level is shown, what is selected.

``view`` is the code of the open unit (None = the whole country), ``show`` the level of
units drawn inside it, ``selected`` the unit whose panel is open.
"""

from __future__ import annotations

import weakref

import pandas as pd
import streamlit as st

from ui.common import md_text, tr
from zones import api

LEVELS_BELOW = {None: ("province", "district", "commune", "hamlet"),
                "province": ("district", "commune", "hamlet"),
                "district": ("commune", "hamlet"), "commune": ("hamlet",), "hamlet": ()}


def initial_view(units: pd.DataFrame) -> str | None:
    """Open the single province directly when there is only one."""
    provinces = units.index[units["level"] == "province"]
    return provinces[0] if len(provinces) == 1 else None


#: (the units frame, view) -> its levels: a page asks three or four times a run, each a
#: scan of every unit (units are one frame per boundary version, kept by the loaders)
_INSIDE: dict[tuple[int, str | None], tuple[weakref.ref, tuple[str, ...]]] = {}


def levels_inside(units: pd.DataFrame, view: str | None) -> list[str]:
    """Levels that have units under ``view``."""
    key = (id(units), view)
    held = _INSIDE.get(key)
    if held is not None and held[0]() is units:
        return list(held[1])
    own = None if view is None else units.at[view, "level"]
    present = tuple(lv for lv in LEVELS_BELOW[own]
                    if not api.view_units(units, lv, view).empty)
    if len(_INSIDE) > 256:  # frames of older boundary versions
        _INSIDE.clear()
    _INSIDE[key] = (weakref.ref(units), present)
    return list(present)


def default_level(choices: list[str], view: str | None = "") -> str:
    """Provinces for the whole country (light, and a click away from their communes);
    inside a unit, communes when available (the level the command centre watches)."""
    if view is None and "province" in choices:
        return "province"
    return "commune" if "commune" in choices else choices[0]


def current(units: pd.DataFrame) -> tuple[str | None, str]:
    """(open unit, level shown), initialised and kept valid."""
    if "view" not in st.session_state or (st.session_state.view is not None
                                          and st.session_state.view not in units.index):
        st.session_state.view = initial_view(units)
    view = st.session_state.view
    choices = levels_inside(units, view)
    if not choices:  # a leaf: show it among its siblings
        view = units.at[view, "parent_code"]
        st.session_state.view = view
        choices = levels_inside(units, view)
    if st.session_state.get("show") not in choices:
        st.session_state.show = default_level(choices, view)
    return view, st.session_state.show


def open_unit(code: str | None) -> None:
    """Drill into ``code`` (None = the country)."""
    st.session_state.view = code
    st.session_state.pop("show", None)


def breadcrumb_ui(units: pd.DataFrame, view: str | None) -> None:
    """Country › province › district › commune, each a button back up."""
    chain = [] if view is None else api.ancestors(units, view)
    several = (units["level"] == "province").sum() > 1
    items = ([(None, tr("ui.country"))] if several else []) + [
        (c, md_text(units.at[c, "name"])) for c in chain]  # a button label is Markdown
    row = st.container(horizontal=True, gap="small")
    for i, (code, name) in enumerate(items):
        last = i == len(items) - 1
        row.button(name, key=f"crumb-{code}", disabled=last, on_click=open_unit,
                   args=(code,), icon=":material/location_on:" if last else
                   ":material/arrow_upward:", width="content")


def level_ui(units: pd.DataFrame, view: str | None) -> str:
    """The level shown inside the open unit."""
    choices = levels_inside(units, view)
    st.segmented_control(tr("ui.show_level"), choices, key="show",
                         format_func=lambda lv: tr(f"ui.level.{lv}"),
                         label_visibility="collapsed")
    if st.session_state.get("show") not in choices:
        st.session_state.show = default_level(choices, view)
    return st.session_state.show


#: the side panel's tabs (their state: the label of the tab shown)
PANEL_TABS = "side_tab"


def select(code: str) -> None:
    """Open the panel of ``code`` (outlined on the map), whichever tab was showing."""
    st.session_state.selected = code
    st.session_state[PANEL_TABS] = tr("ui.tab.unit")


def go_to(units: pd.DataFrame, code: str) -> None:
    """Select ``code`` and open its parent so that it is on the map."""
    select(code)
    parent = units.at[code, "parent_code"]
    st.session_state.view = parent if isinstance(parent, str) else None
    st.session_state.show = units.at[code, "level"]


def search_ui(ws: api.Workspace, units: pd.DataFrame, limit: int = 8) -> None:
    """Find a unit by code, by name (without diacritics is fine) or by "name, parent"
    (the core's search) and jump to it."""
    query = st.text_input(tr("ui.search"), key="search", placeholder=tr("ui.search_hint"))
    if not query.strip():
        return
    hits = units.loc[api.find_units(ws, query, limit)]
    if hits.empty:
        st.caption(tr("ui.search_none"))
    for code, row in hits.iterrows():
        parent = units["name"].get(row["parent_code"], "") if row["parent_code"] else ""
        st.button(md_text(row["name"]) + (f" — {md_text(parent)}" if parent else ""),
                  key=f"find-{code}",
                  on_click=go_to, args=(units, code), width="stretch")
