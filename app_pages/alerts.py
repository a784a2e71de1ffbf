"""Thông báo: the signed-in user's alerts (unread first, each opening its unit on the
map) and, for administrators, the outbox (sent, failed, pending) with resend."""

import streamlit as st

from ui import alerts_view
from ui.common import require_units, show_error, tr, workspace
from ui.session import require_actor
from zones import api
from zones.errors import ZonesError

title = st.empty()
require_units()
actor = require_actor(api.Right.READ)
unread = api.alert_unread(workspace(), actor)
title.title(tr("alerts.ui.title") + (f" ({unread})" if unread else ""))
names = ["alerts.ui.feed", "alerts.ui.mine"] + (
    ["alerts.ui.outbox"] if actor.can(api.Right.OUTBOX) else [])
tabs = st.tabs([tr(n) for n in names])
views = [alerts_view.feed_ui, alerts_view.subscriptions_ui, alerts_view.outbox_ui]
for tab, view in zip(tabs, views, strict=False):
    with tab:
        try:
            view(actor)
        except ZonesError as err:  # a refusal or a bad value: in words, nothing stored
            show_error(err)
