"""Công bố cấp độ: levels declared by the authority, beside the computed ones."""

from datetime import date

import pandas as pd
import streamlit as st

from ui import widgets
from ui.common import apply_lang, lang, require_units, show_error, tr, workspace
from ui.session import current_actor, sign_in_form
from zones import api
from zones.errors import ZonesError

apply_lang()
st.title(tr("decl.title"))
st.caption(tr("decl.intro"))
require_units()
actor = current_actor()
may_declare = actor is not None and actor.can(api.Right.DECLARE)
ws = workspace()
units = api.units(ws)
names = api.level_names(ws, lang=lang())
choices = units.sort_values(["level", "name"]).index.tolist()

if actor is None:
    with st.expander(tr("decl.sign_in_to_declare")):
        sign_in_form()
elif not may_declare:
    st.info(tr("decl.leaders_only"))

submitted = False
if may_declare:
    with st.form("declare", clear_on_submit=False):
        c1, c2 = st.columns(2)
        code = c1.selectbox(tr("decl.unit"), choices, format_func=lambda c: (
            f"{units.at[c, 'name']} — {tr('ui.level.' + units.at[c, 'level'])} ({c})"))
        level = c2.selectbox(tr("decl.level"), [1, 2, 3, 4], format_func=lambda v: names[v])
        c3, c4, c5 = st.columns([2, 1, 2])
        start = c3.date_input(tr("decl.from"), value=date.today(), format="DD/MM/YYYY")
        has_end = c4.checkbox(tr("decl.has_end"))
        end = c5.date_input(tr("decl.to"), value=date.today(), format="DD/MM/YYYY")
        c6, c7 = st.columns(2)
        decision = c6.text_input(tr("decl.decision"), placeholder="2875/QĐ-UBND")
        signed_by = c7.text_input(tr("decl.signed_by"), max_chars=200)
        note = st.text_input(tr("decl.note"))
        submitted = st.form_submit_button(tr("decl.save"), type="primary")

if submitted:
    try:
        done = api.declare(ws, actor=actor, unit_code=code, level=level,
                           effective_from=start, effective_to=end if has_end else None,
                           decision_number=decision, note=note or None, lang=lang(),
                           signed_by=signed_by or None)
    except ZonesError as err:
        show_error(err)
    else:
        st.success(tr("decl.saved"))
        for w in done.warnings:
            st.warning(w)

st.subheader(tr("decl.list"))
decl = api.declarations(ws)
if decl.empty:
    st.info(tr("decl.none"))
    st.stop()
shown = pd.DataFrame({
    tr("decl.unit"): [units.at[c, "name"] if c in units.index else c for c in decl["unit_code"]],
    tr("decl.level"): [names.get(int(v), str(v)) for v in decl["level"]],
    tr("decl.from"): [widgets.fmt_day(d) for d in decl["effective_from"]],
    tr("decl.to"): [widgets.fmt_day(d) if pd.notna(d) else "" for d in decl["effective_to"]],
    tr("decl.decision"): decl["decision_number"],
    tr("decl.signed_by"): decl["signed_by"].fillna(""), tr("decl.by"): decl["entered_by"],
    tr("decl.note"): decl["note"].fillna("")})
widgets.table(shown, hide_index=True, width="stretch")
if not may_declare:
    st.stop()
with st.expander(tr("decl.delete")):
    victim = st.selectbox(tr("decl.decision"), decl["id"].tolist(), format_func=lambda i: (
        f"{decl.set_index('id').at[i, 'decision_number']} — "
        f"{units.at[decl.set_index('id').at[i, 'unit_code'], 'name']}"), key="decl_victim")
    if st.button(tr("decl.delete"), key="decl_delete"):
        try:
            api.revoke(ws, victim, actor, lang())
        except ZonesError as err:
            show_error(err)
        else:
            st.rerun()
