"""The dashboard as an ASGI app: Streamlit's own server (``st.App``) plus two small
routes for the session cookie of the built-in accounts.

A Streamlit page talks to the server over a websocket and cannot set a cookie, let
alone an HttpOnly one. So a successful sign-in on the page sends the browser, once, to
``/zones-auth/session?t=TICKET``: the route trades the one-time ticket for a session
token, sets it as an HttpOnly, SameSite=Lax cookie (Secure behind HTTPS) and sends the
browser back to its page. ``/zones-auth/signout`` clears the cookie after the page has
ended the session in the database. Both answer only with a redirect to a page of this
site, never with an error page.

The map's files (its layers, the player's timeline, a day's tooltip rates) come from
``/zones-map/<name>`` (``ui.server.served``), rebuilt from the database by whichever
replica is asked.

Streamlit's own JavaScript goes out gzipped (``ui.server.compress``): it is most of a first
visit's bytes, and an intranet often has no proxy to compress it.

The log is set up here, once for the server (``zones.ops.logs``: ``ZONES_LOG_LEVEL``,
``ZONES_LOG_JSON``), each request's lines carrying its id (``ui.server.context``);
``/zones-health`` answers the deployment's health as JSON (``ui.server.health``).

``make run`` serves this module's ``app`` (``streamlit run ui/server/web.py``).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from ui.server.auth import ROUTES
from ui.server.compress import CompressedBundles
from ui.server.context import RequestContext
from ui.server.health import ROUTES as HEALTH_ROUTES
from ui.server.interop import ROUTES as API_ROUTES
from ui.server.served import ROUTES as MAP_ROUTES
from zones import api
from zones.errors import ZonesError

APP = Path(__file__).resolve().parents[2] / "app.py"


def _log_setup() -> None:
    """The log of the server, once, from the settings (a setting not allowed: the
    defaults, and the reason logged; the pages say it too)."""
    try:
        settings = api.Settings.from_env(os.environ)
    except ZonesError as err:
        api.configure_logging(api.Settings())
        logging.getLogger(__name__).error("settings not allowed: %s", err)
        return
    api.configure_logging(settings, "INFO")


_log_setup()
app = st.App(APP, routes=[*ROUTES, *MAP_ROUTES, *HEALTH_ROUTES, *API_ROUTES],
             middleware=[Middleware(RequestContext), Middleware(CompressedBundles)])
