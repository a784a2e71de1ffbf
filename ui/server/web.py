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

``make run`` serves this module's ``app`` (``streamlit run ui/server/web.py``).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from ui.server.auth import ROUTES
from ui.server.compress import CompressedBundles
from ui.server.interop import ROUTES as API_ROUTES
from ui.server.served import ROUTES as MAP_ROUTES

APP = Path(__file__).resolve().parents[2] / "app.py"

app = st.App(APP, routes=[*ROUTES, *MAP_ROUTES, *API_ROUTES],
             middleware=[Middleware(CompressedBundles)])
