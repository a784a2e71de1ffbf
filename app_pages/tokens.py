"""Hệ thống kết nối: the administrator's page for the tokens other systems read the API
with (what ``tokens …`` does in the CLI): the list, a new token (shown once), revoking
one. Every action goes through the core's front door (right checked, audited)."""

import pandas as pd
import streamlit as st

from ui import widgets
from ui.common import lang, md_text, show_error, tr, workspace
from ui.session import require_actor
from ui.widgets import fmt_moment
from zones import api
from zones.errors import ZonesError

st.title(tr("ui.page.tokens"))
st.caption(tr("tokp.intro"))
actor = require_actor(api.Right.USERS)
ws = workspace()
units = api.units(ws)


def unit_text(code) -> str:
    if not code or code != code:
        return tr("tok.everywhere")
    name = units["name"].get(code)
    return f"{name} ({code})" if name else str(code)


def moment(text: str) -> str:
    return fmt_moment(pd.Timestamp(text)) if text else ""


if "_tok_done" in st.session_state:
    st.success(st.session_state.pop("_tok_done"))
made = st.session_state.pop("_tok_new", None)
if made is not None:  # shown this once: the page never sees it again
    st.success(tr("tokp.made", id=made[0], name=md_text(made[1])))
    st.code(made[2], language=None)
    st.warning(tr("tokp.once"))

try:
    listed = api.list_tokens(ws, actor, lang())
except ZonesError as err:
    show_error(err)
    st.stop()

st.subheader(tr("tokp.list", n=len(listed)))
if listed.empty:
    st.info(tr("tokp.none"))
else:
    widgets.table(api.safe_frame(pd.DataFrame({
        tr("tokp.col.id"): listed["id"], tr("tokp.col.name"): listed["name"],
        tr("tokp.col.unit"): listed["unit_code"].map(unit_text),
        tr("tokp.col.status"): listed["status"].map(lambda s: tr(f"tokp.status.{s}")),
        tr("tokp.col.created"): listed["created_at"].map(moment),
        tr("tokp.col.used"): listed["last_used_at"].map(lambda t: moment(t) or tr("tokp.never")),
    })), hide_index=True, width="stretch")

st.subheader(tr("tokp.add"))
c1, c2 = st.columns(2)
name = c1.text_input(tr("tokp.name"), key="tok_name", help=tr("tokp.name.help")).strip()
choices = [c for c in units.index if units.at[c, "level"] in ("province", "district",
                                                              "commune")]
unit = c2.selectbox(tr("tokp.unit"), ["", *choices], key="tok_unit", format_func=unit_text,
                    help=tr("tokp.unit.help")) or None
if st.button(tr("tokp.add.submit"), type="primary", key="tok_add"):
    try:
        token_id, token = api.add_token(ws, actor, name, unit, lang())
    except ZonesError as err:
        show_error(err)
    else:
        st.session_state.pop("tok_name", None)
        st.session_state["_tok_new"] = (token_id, name, token)
        st.rerun()

live = listed[listed["status"] == "active"] if not listed.empty else listed
if not live.empty:
    st.subheader(tr("tokp.revoke"))
    ids = live["id"].tolist()
    names = dict(zip(live["id"], live["name"], strict=True))
    which = st.selectbox(tr("tokp.which"), ids, key="tok_which",
                         format_func=lambda i: f"{i} — {names[i]}")
    if st.button(tr("tokp.revoke.submit"), key="tok_revoke"):
        st.session_state["_tok_pending"] = which
    if st.session_state.get("_tok_pending") == which:
        st.warning(tr("tokp.revoke.confirm", id=which, name=md_text(names[which])))
        if widgets.confirm_or_cancel(tr("tokp.revoke.yes"), tr("tokp.revoke.no"), "tok_rv",
                                     "_tok_pending"):
            st.session_state.pop("_tok_pending", None)
            try:
                api.revoke_token(ws, actor, int(which), lang())
            except ZonesError as err:
                show_error(err)
            else:
                st.session_state["_tok_done"] = tr("tok.cli_revoked", id=which,
                                                   name=md_text(names[which]))
                st.rerun()
