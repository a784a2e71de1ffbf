"""Shareable views: the map page and "Chuyển cấp" keep the date, the unit, the level and
the rule set in the address (``?date=2021-10-20&unit=91&level=commune``), so a link in a
briefing note opens exactly that view."""

from __future__ import annotations

from datetime import date

import streamlit as st


def read(prefix: str, units, rulesets) -> None:
    """On a session's first run of the page, take the view from the address (values that
    do not exist are ignored: the page then opens as usual)."""
    done = f"links-read-{prefix}"
    if st.session_state.get(done):
        return
    st.session_state[done] = True
    q = st.query_params
    day = _date(q.get("date"))
    if prefix == "map":
        if day:
            st.session_state["day"] = day
        if q.get("unit") in units.index:
            st.session_state["view"] = q["unit"]
            st.session_state["selected"] = q["unit"]  # its panel open (an alert's link)
        if q.get("level") in ("province", "district", "commune", "hamlet"):
            st.session_state["show"] = q["level"]
        if q.get("ruleset") in rulesets:
            st.session_state["override"] = q["ruleset"]
    else:
        if day:
            st.session_state["tr_end"] = day
        start = _date(q.get("from"))
        if start:
            st.session_state["tr_start"] = start
        if q.get("level") in ("province", "district", "commune", "hamlet"):
            st.session_state["tr_level"] = q["level"]


def write(**values) -> None:
    """Put the view shown into the address (dates as yyyy-mm-dd)."""
    wanted = {k: (v.isoformat() if isinstance(v, date) else str(v))
              for k, v in values.items() if v is not None}
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
