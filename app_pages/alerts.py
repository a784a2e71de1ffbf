"""Thông báo: the signed-in user's alerts (unread first, each opening its unit on the
map) and, for administrators, the outbox (sent, failed, pending) with resend."""

import streamlit as st

from ui import alerts_view
from ui.common import apply_lang, require_units, tr, workspace
from ui.session import require_actor
from zones import api

apply_lang()
title = st.empty()
require_units()
actor = require_actor(api.Right.READ)
unread = api.alert_unread(workspace(), actor)
title.title(tr("alerts.ui.title") + (f" ({unread})" if unread else ""))
if actor.can(api.Right.OUTBOX):
    feed_tab, outbox_tab = st.tabs([tr("alerts.ui.feed"), tr("alerts.ui.outbox")])
    with feed_tab:
        alerts_view.feed_ui(actor)
    with outbox_tab:
        alerts_view.outbox_ui(actor)
else:
    alerts_view.feed_ui(actor)
