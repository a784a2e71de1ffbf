"""The feed "Thông báo" and the outbox: how an alert is shown, and opening its unit on
the map (the day of the alert, the unit's panel open)."""

from __future__ import annotations

import streamlit as st

from ui import mapstate
from ui.common import lang, md_text, tr, workspace
from ui.widgets import fmt_day
from zones import api

MAP_PAGE = "app_pages/map.py"


def _level(value) -> str:
    return "–" if value is None or value != value or int(value) == 0 else str(int(value))


def line(row) -> str:
    """One alert in words (Markdown-safe: names and reasons are data)."""
    what = tr(f"alerts.what.{row['kind']}.{row['event']}")
    if row["kind"] == "plan":  # a status, not a level: the reason says the target
        change = tr("alerts.ui.since", what=what, since=fmt_day(row["effective_day"]))
    else:
        change = tr("alerts.change", what=what, old=_level(row["from_level"]),
                    new=_level(row["level"]), since=fmt_day(row["effective_day"]))
    parts = [f"**{md_text(row['unit_name'])}** — {md_text(change)}"]
    if row["reason"]:
        parts.append(md_text(tr("alerts.reason", reason=row["reason"])))
    if row["decision"]:
        parts.append(md_text(tr("alerts.decision", decision=row["decision"])))
    parts.append(md_text(tr("alerts.code", code=row["alert_code"])) + " · "
                 + md_text(tr("alerts.ui.day", day=fmt_day(row["day"]))))
    return "  \n".join(parts)


def open_on_map(actor: api.Actor, row: dict) -> None:
    """Mark the alert read and open its unit, on its day, on the map (a button's
    callback: the page switch follows in the page's run)."""
    api.mark_alert_read(workspace(), actor, int(row["id"]), lang())
    units = api.units(workspace())
    if row["unit_code"] in units.index:
        mapstate.go_to(units, row["unit_code"])
    st.session_state["day"] = row["day"]
    st.session_state["alerts-open"] = True


def feed_ui(actor: api.Actor) -> None:
    """The user's alerts, unread first, each with a button to its unit on the map."""
    feed = api.alert_feed(workspace(), actor, lang())
    if st.session_state.pop("alerts-open", False):
        st.switch_page(MAP_PAGE)
    unread = int((~feed["read"]).sum()) if len(feed) else 0
    st.caption(tr("alerts.ui.count", n=len(feed), unread=unread))
    if feed.empty:
        st.info(tr("alerts.ui.none"))
        return
    for row in feed.to_dict("records"):
        box = st.container(border=True, key=f"alert-{row['id']}")
        icon = ":material/notifications_active:" if not row["read"] else ":material/drafts:"
        box.markdown(f"{icon} " + (f"**{tr('alerts.ui.new')}** · " if not row["read"] else "")
                     + line(row))
        box.button(tr("alerts.ui.open"), key=f"open-{row['id']}", icon=":material/map:",
                   on_click=open_on_map, args=(actor, row))


def outbox_ui(actor: api.Actor) -> None:
    """Every message (sent, failed, pending, in the app only), a message's text, resend."""
    statuses = [None, "pending", "sending", "sent", "failed", "app"]
    status = st.selectbox(tr("alerts.ui.status"), statuses, key="outbox-status",
                          format_func=lambda s: tr(f"alerts.status.{s or 'all'}"))
    messages = api.alert_outbox(workspace(), actor, status, lang())
    if messages.empty:
        st.info(tr("alerts.ui.outbox_empty"))
        return
    shown = messages.assign(status=messages["status"].map(lambda s: tr(f"alerts.status.{s}")))
    shown = shown.rename(columns={c: tr(f"alerts.col.{c}") for c in shown.columns})
    picked = st.dataframe(api.safe_frame(shown), hide_index=True, width="stretch",
                          key="outbox-grid", on_select="rerun", selection_mode="single-row")
    rows = picked.selection.rows if picked is not None else []
    if not rows:
        st.caption(tr("alerts.ui.pick"))
        return
    chosen = messages.iloc[rows[0]]
    if chosen["last_error"]:
        st.error(md_text(chosen["last_error"]))
    if chosen["status"] in ("sent", "failed") and st.button(
            tr("alerts.ui.resend"), key="outbox-resend", icon=":material/send:"):
        api.resend_alert(workspace(), actor, int(chosen["id"]), lang())
        sent, failed = api.send_owed_alerts(workspace(), actor, lang())
        for text in failed:
            st.error(md_text(text))
        if sent:
            st.success(tr("alerts.ui.resent", id=int(chosen["id"])))


def subscriptions_ui(actor: api.Actor) -> None:
    """The signed-in user's own subscriptions: the list, a new one (their subtree, kinds,
    an address; digests in the page's language), and ending one."""
    ws = workspace()
    mine = api.alert_subscriptions(ws, actor, lang())
    mine = mine[mine["user"] == actor.name]
    for row in mine.to_dict("records"):
        box = st.container(border=True, key=f"sub-{row['id']}")
        box.markdown(md_text(tr("alerts.ui.sub_line", id=row["id"], unit=row["unit_name"],
                                kinds=row["kinds"], email=row["email"] or "–",
                                language=row["lang"])))
        if box.button(tr("alerts.ui.unsubscribe"), key=f"unsub-{row['id']}"):
            api.unsubscribe_alerts(ws, actor, int(row["id"]), lang())
            st.rerun()
    with st.form("alerts-subscribe"):
        unit = st.text_input(tr("alerts.ui.unit"), value=actor.unit or "",
                             help=tr("alerts.ui.unit_help"))
        email = st.text_input(tr("alerts.ui.email"))
        kinds = st.multiselect(tr("alerts.ui.kinds"), api.alert_kinds(),
                               default=api.alert_kinds(),
                               format_func=lambda k: tr(f"alerts.kind.{k}"))
        if st.form_submit_button(tr("alerts.ui.subscribe")):
            new_id = api.subscribe_alerts(ws, actor, actor.name, unit.strip() or None,
                                          email, ",".join(kinds) or None, lang=lang())
            st.success(tr("alerts.cli.subscribed", id=new_id))
