"""Công bố cấp độ: levels declared by the authority, beside the computed ones.

A decision is one-shot. The form starts with no unit chosen: the unit last opened on the
map is named and offered by a button, never pre-filled. The unit is found by the core's
search (a name without diacritics, a code, "name, district") and chosen by a click in the
list of matches. "Lưu công bố" checks everything and repeats what would be stored (the
unit with its district and province, the level, the dates, the decision and its signer);
only "Xác nhận công bố" stores it, and changing any field cancels that step. Revoking asks
the same way; a revoked declaration stays listed, marked with who revoked it and when.
"""

import pandas as pd
import streamlit as st

from ui import widgets
from ui.common import lang, md_text, require_units, show_error, tr, workspace
from ui.session import current_actor, sign_in_form
from zones import api
from zones.errors import ZonesError

#: matches of the unit search listed at once
MATCHES = 12
#: the form's fields (session-state keys) and their empty values, set again once a
#: declaration is stored (set, not deleted: the browser would send its values back)
EMPTY = {"decl_query": "", "decl_level": None, "decl_from": None, "decl_to": None,
         "decl_decision": "", "decl_signed_by": "", "decl_note": ""}
st.title(tr("decl.title"))
st.caption(tr("decl.intro"))
require_units()
actor = current_actor()
may_declare = actor is not None and actor.can(api.Right.DECLARE)
ws = workspace()
units = api.units(ws)
names = api.level_names(ws, lang=lang())

# a stored declaration or revocation empties its form before any widget is drawn
if st.session_state.pop("decl_reset", False):
    st.session_state.update(EMPTY)
    st.session_state.pop("decl_unit", None)  # not drawn while the search is empty
if st.session_state.pop("decl_revoke_reset", False):
    st.session_state["decl_victim"] = None


def unit_words(code: str) -> str:
    """A unit as the page names it: its name, its kind and code, the units above it."""
    chain, parent = [], units.at[code, "parent_code"]
    while isinstance(parent, str) and parent in units.index and len(chain) < 6:
        chain.append(md_text(units.at[parent, "name"]))
        parent = units.at[parent, "parent_code"]
    values = {"name": md_text(units.at[code, "name"]), "code": md_text(code),
              "kind": tr("decl.kind." + units.at[code, "level"])}
    if not chain:
        return tr("decl.option", **values)
    return tr("decl.option_in", parents=", ".join(chain), **values)


def new_search() -> None:
    """A new search: the unit chosen in the previous list is chosen no more."""
    st.session_state.pop("decl_unit", None)


def use_map_unit(code: str) -> None:
    st.session_state["decl_query"] = code
    st.session_state["decl_unit"] = code


def fmt_dates(start, end) -> str:
    if end is None or pd.isna(end):
        return tr("decl.dates_open", start=widgets.fmt_day(start))
    return tr("decl.dates", start=widgets.fmt_day(start), end=widgets.fmt_day(end))


def chosen_unit() -> str | None:
    """The search box and its list of matches; the unit clicked (None until then)."""
    selected = st.session_state.get("selected")
    if isinstance(selected, str) and selected in units.index and \
            st.session_state.get("decl_unit") != selected:
        st.info(tr("decl.map_unit", unit=unit_words(selected)))
        st.button(tr("decl.use_map_unit", unit=md_text(units.at[selected, "name"])),
                  key="decl_use_map", on_click=use_map_unit, args=(selected,))
    query = st.text_input(tr("decl.search"), key="decl_query", on_change=new_search,
                          placeholder=tr("decl.search_hint"))
    if not query.strip():
        st.caption(tr("decl.not_chosen"))
        return None
    codes = api.find_units(ws, query, MATCHES + 1)
    if not codes:
        st.warning(tr("decl.search_none", query=md_text(query)))
        return None
    code = st.radio(tr("decl.pick", n=min(len(codes), MATCHES)), codes[:MATCHES], index=None,
                    key="decl_unit", format_func=unit_words)
    if len(codes) > MATCHES:
        st.caption(tr("decl.pick_more", n=MATCHES))
    if code is None:
        st.caption(tr("decl.not_chosen"))
    else:
        st.success(tr("decl.chosen", unit=unit_words(code)))
    return code


def confirmation(p) -> None:
    """What ``Lưu công bố`` checked, repeated before anything is stored."""
    with st.container(border=True):
        st.subheader(tr("decl.confirm_title"))
        values = {"name": md_text(p.unit_name), "code": md_text(p.unit_code),
                  "kind": tr("decl.kind." + p.unit_level)}
        if p.parents:
            st.markdown(tr("decl.confirm_unit", parents=", ".join(md_text(n) for n in p.parents),
                           **values))
        else:
            st.markdown(tr("decl.confirm_unit_top", **values))
        st.markdown(tr("decl.confirm_level", level=md_text(names.get(p.level, p.level))))
        if p.effective_to is None:
            st.markdown(tr("decl.confirm_open", start=widgets.fmt_day(p.effective_from)))
        else:
            st.markdown(tr("decl.confirm_dates", start=widgets.fmt_day(p.effective_from),
                           end=widgets.fmt_day(p.effective_to)))
        st.markdown(tr("decl.confirm_decision", decision=md_text(p.decision_number),
                       signer=md_text(p.signed_by) if p.signed_by else tr("decl.no_signer")))
        if p.note:
            st.markdown(tr("decl.confirm_note", note=md_text(p.note)))
        for warning in p.warnings:
            st.warning(md_text(warning))
        st.caption(tr("decl.confirm_hint"))
        if widgets.confirm_or_cancel(tr("decl.confirm"), tr("decl.cancel"), "decl",
                                     "decl_pending"):
            try:
                done = api.declare(ws, actor=actor, unit_code=p.unit_code, level=p.level,
                                   effective_from=p.effective_from,
                                   effective_to=p.effective_to,
                                   decision_number=p.decision_number, note=p.note,
                                   lang=lang(), signed_by=p.signed_by)
            except ZonesError as err:
                show_error(err)
                return
            st.session_state.pop("decl_pending", None)
            st.session_state["decl_done"] = (done.id, p, tuple(done.warnings))
            st.session_state["decl_reset"] = True
            st.rerun()


def declare_ui() -> None:
    st.subheader(tr("decl.new"))
    done = st.session_state.pop("decl_done", None)
    if done:
        new_id, p, warnings = done
        st.success(tr("decl.saved_for", id=new_id, unit=md_text(p.unit_name),
                      level=md_text(names.get(p.level, p.level)),
                      decision=md_text(p.decision_number)))
        for warning in warnings:
            st.warning(md_text(warning))
    code = chosen_unit()
    c1, c2, c3 = st.columns(3)
    level = c1.selectbox(tr("decl.level"), [1, 2, 3, 4], index=None, key="decl_level",
                         placeholder=tr("decl.level_placeholder"),
                         format_func=lambda v: names[v])
    start = c2.date_input(tr("decl.from"), value=None, format="DD/MM/YYYY", key="decl_from")
    end = c3.date_input(tr("decl.to"), value=None, format="DD/MM/YYYY", key="decl_to")
    c4, c5 = st.columns(2)
    decision = c4.text_input(tr("decl.decision"), placeholder="2875/QĐ-UBND",
                             key="decl_decision")
    signed_by = c5.text_input(tr("decl.signed_by"), max_chars=200, key="decl_signed_by")
    note = st.text_input(tr("decl.note"), key="decl_note")
    fields = (code, level, start, end, decision.strip(), signed_by.strip(), note.strip())
    pending = st.session_state.get("decl_pending")
    if pending is not None and pending[0] != fields:
        st.session_state.pop("decl_pending")
        pending = None
        st.info(tr("decl.changed"))
    if st.button(tr("decl.save"), key="decl_save", type="secondary" if pending else "primary"):
        try:
            proposal = api.check_declaration(
                ws, actor=actor, unit_code=code, level=level, effective_from=start,
                effective_to=end, decision_number=decision, note=note.strip() or None,
                lang=lang(), signed_by=signed_by or None)
        except ZonesError as err:
            st.session_state.pop("decl_pending", None)
            pending = None
            show_error(err)
        else:
            pending = (fields, proposal)
            st.session_state["decl_pending"] = pending
    if pending is not None:
        confirmation(pending[1])


def status_of(row) -> str:
    if pd.isna(row.revoked_at):
        return tr("decl.status_active")
    return tr("decl.status_revoked", by=row.revoked_by or "",
              at=widgets.fmt_moment(row.revoked_at))


def revoke_ui(decl: pd.DataFrame) -> None:
    st.subheader(tr("decl.delete"))
    done = st.session_state.pop("decl_revoked", None)
    if done:
        st.success(tr("decl.revoked_ok", id=done[0], decision=md_text(done[1])))
    live = decl[decl["revoked_at"].isna()].set_index("id")
    if live.empty:
        st.caption(tr("decl.revoke_none"))
        return

    def unit_name(c: str) -> str:
        return str(units.at[c, "name"]) if c in units.index else c

    def label(i: int) -> str:  # a select box's options are plain text
        row = live.loc[i]
        return (f"{row['decision_number']} — {unit_name(row['unit_code'])}, "
                f"{names.get(int(row['level']), '')}, "
                f"{fmt_dates(row['effective_from'], row['effective_to'])}")

    pending = widgets.pick_to_confirm(tr("decl.revoke_pick"), live.index.tolist(), "decl_victim",
                                      tr("decl.revoke"), "decl_revoke",
                                      tr("decl.revoke_placeholder"), label)
    if pending is None:
        return
    row = live.loc[pending]
    with st.container(border=True):
        st.subheader(tr("decl.revoke_title"))
        st.markdown(tr("decl.revoke_what", decision=md_text(row["decision_number"]),
                       id=pending, unit=md_text(unit_name(row["unit_code"])),
                       code=md_text(row["unit_code"]),
                       level=md_text(names.get(int(row["level"]), row["level"])),
                       dates=fmt_dates(row["effective_from"], row["effective_to"])))
        st.caption(tr("decl.revoke_effect"))
        if widgets.confirm_or_cancel(tr("decl.revoke_confirm"), tr("decl.revoke_cancel"),
                                     "decl_revoke", "decl_revoke_pending"):
            try:
                api.revoke(ws, int(pending), actor, lang())
            except ZonesError as err:
                show_error(err)
                return
            st.session_state.pop("decl_revoke_pending", None)
            st.session_state["decl_revoked"] = (int(pending), str(row["decision_number"]))
            st.session_state["decl_revoke_reset"] = True
            st.rerun()


if actor is None:
    with st.expander(tr("decl.sign_in_to_declare")):
        sign_in_form()
elif not may_declare:
    st.info(tr("decl.leaders_only"))
else:
    declare_ui()

st.subheader(tr("decl.list"))
decl = api.declarations(ws)
if decl.empty:
    st.info(tr("decl.none"))
    st.stop()
shown = pd.DataFrame({
    "id": decl["id"].astype(int),
    tr("decl.status"): [status_of(r) for r in decl.itertuples()],
    tr("decl.unit"): [units.at[c, "name"] if c in units.index else c for c in decl["unit_code"]],
    tr("decl.level"): [names.get(int(v), str(v)) for v in decl["level"]],
    tr("decl.from"): [widgets.fmt_day(d) for d in decl["effective_from"]],
    tr("decl.col.to"): [widgets.fmt_day(d) if pd.notna(d) else ""
                         for d in decl["effective_to"]],
    tr("decl.decision"): decl["decision_number"],
    tr("decl.signed_by"): decl["signed_by"].fillna(""), tr("decl.by"): decl["entered_by"],
    tr("decl.note"): decl["note"].fillna("")})
# at 1366 px most columns show whole: "revoked (who, when)" runs on in its cell
widgets.table(shown, hide_index=True, width="stretch", column_config={
    "id": st.column_config.NumberColumn(tr("decl.col.id"), width=45),
    tr("decl.status"): st.column_config.TextColumn(width=170)})
if may_declare:
    revoke_ui(decl)
