"""Tài khoản: the administrator's page for accounts (what ``users …`` does in the CLI):
the list, a new account, disabling and enabling, a new password. Every action goes
through the core's front door, which checks the right and writes the audit trail."""

import pandas as pd
import streamlit as st

from ui import widgets
from ui.common import lang, md_text, show_error, tr, workspace
from ui.session import require_actor
from ui.widgets import fmt_day, fmt_moment
from zones import api
from zones.errors import ZonesError

Role = api.Role
st.title(tr("ui.page.accounts"))
st.caption(tr("acct.intro"))
actor = require_actor(api.Right.USERS)
ws = workspace()
units = api.units(ws)

ROLE_LEVELS = api.ROLE_LEVELS  # the core's: the unit list follows the role


def unit_text(code) -> str:
    if code is None or code != code or code == "":
        return tr("acct.everywhere")
    name = units["name"].get(code)
    return f"{name} ({code})" if name else str(code)


def option_text(code) -> str:
    """A unit to choose, with its parent (two communes may share a name)."""
    if not code:
        return tr("acct.everywhere")
    parent = units["parent_code"].get(code)
    above = units["name"].get(parent) if parent else None
    return unit_text(code) + (f" — {above}" if above else "")


def status(row) -> str:
    if row["disabled"]:
        return tr("acct.status.disabled")
    locked = row["locked_until"]
    if locked is not None and locked == locked and pd.Timestamp(locked) > pd.Timestamp.utcnow().tz_localize(None):
        return tr("acct.status.locked", until=fmt_moment(locked))
    return tr("acct.status.active")


def done(message: str) -> None:
    st.session_state["_acct_done"] = message
    st.rerun()


if "_acct_done" in st.session_state:
    st.success(st.session_state.pop("_acct_done"))

try:
    people = api.list_users(ws, actor, lang())
except ZonesError as err:
    show_error(err)
    st.stop()

st.subheader(tr("acct.list", n=len(people)))
if people.empty:
    st.info(tr("acct.none"))
else:
    widgets.table(api.safe_frame(pd.DataFrame({
        tr("acct.col.name"): people["name"],
        tr("acct.col.role"): people["role"].map(lambda r: tr(f"role.{r}")),
        tr("acct.col.unit"): people["unit_code"].map(unit_text),
        tr("acct.col.export"): people["no_export"].map(
            lambda n: tr("acct.no") if n else tr("acct.yes")),
        tr("acct.col.status"): people.apply(status, axis=1),
        tr("acct.col.created"): people["created_at"].map(fmt_day),
    })), hide_index=True, width="stretch")

st.subheader(tr("acct.add"))
c1, c2 = st.columns(2)
name = c1.text_input(tr("acct.name"), key="acct_name", help=tr("acct.name.help")).strip()
role = c2.selectbox(tr("acct.role"), [r.value for r in Role], key="acct_role",
                    index=[r.value for r in Role].index(Role.COMMUNE.value),
                    format_func=lambda r: tr(f"role.{r}"))
levels = ROLE_LEVELS.get(Role(role), ())
choices = [c for c in units.index if units.at[c, "level"] in levels]
optional = Role(role) in (Role.LEADER, Role.OBSERVER)
unit = None
if levels:
    unit = st.selectbox(
        tr("acct.unit"), ([""] if optional else []) + choices, key=f"acct_unit_{role}",
        format_func=option_text, help=tr("acct.unit.help" if optional else "acct.unit.needed"))
    unit = unit or None
no_export = (st.checkbox(tr("acct.no_export"), key="acct_no_export")
             if Role(role) is Role.OBSERVER else False)
p1, p2 = st.columns(2)
password = p1.text_input(tr("auth.password"), type="password", key="acct_password",
                         help=tr("acct.password.help"))
again = p2.text_input(tr("acct.password_again"), type="password", key="acct_again")
if st.button(tr("acct.add.submit"), type="primary", key="acct_add"):
    if password != again:
        st.error(tr("acct.password_mismatch"))
    else:
        try:
            api.add_user(ws, actor, name, password, role, unit, no_export, lang())
        except ZonesError as err:
            show_error(err)
        else:
            for key in ("acct_name", "acct_password", "acct_again"):
                st.session_state.pop(key, None)
            done(tr("users.added", name=md_text(name), role=tr(f"role.{role}")))

if not people.empty:
    st.subheader(tr("acct.change"))
    names = people["name"].tolist()
    who = st.selectbox(tr("acct.who"), names, key="acct_who")
    row = people.set_index("name").loc[who]
    left, right = st.columns(2)
    with left:
        if row["disabled"]:
            st.caption(tr("acct.enable.help"))
            if st.button(tr("acct.enable"), key="acct_enable"):
                try:
                    api.enable_user(ws, actor, who, lang())
                except ZonesError as err:
                    show_error(err)
                else:
                    done(tr("users.enabled_done", name=md_text(who)))
        else:
            st.caption(tr("acct.disable.help"))
            if st.button(tr("acct.disable"), key="acct_disable", disabled=who == actor.name,
                         help=tr("acct.disable.self") if who == actor.name else None):
                try:
                    api.disable_user(ws, actor, who, lang())
                except ZonesError as err:
                    show_error(err)
                else:
                    done(tr("users.disabled_done", name=md_text(who)))
    with right:
        new = st.text_input(tr("acct.new_password"), type="password", key="acct_new",
                            help=tr("acct.password.help"))
        new_again = st.text_input(tr("acct.password_again"), type="password",
                                  key="acct_new_again")
        if st.button(tr("acct.reset"), key="acct_reset"):
            if new != new_again:
                st.error(tr("acct.password_mismatch"))
            else:
                try:
                    api.reset_password(ws, actor, who, new, lang())
                except ZonesError as err:
                    show_error(err)
                else:
                    for key in ("acct_new", "acct_new_again"):
                        st.session_state.pop(key, None)
                    done(tr("users.reset_done", name=md_text(who)))
