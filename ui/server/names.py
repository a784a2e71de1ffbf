"""What the pages and the web server share: the cookies' names and the routes' paths.

The only module of ``ui.server`` a page helper of ``ui`` may import (it imports nothing:
no Starlette on the page side)."""

from __future__ import annotations

#: the session cookie (HttpOnly: page scripts cannot read it)
COOKIE = "zones_session"
#: Streamlit's XSRF cookie: a ticket only works in the browser it was made for
XSRF_COOKIE = "_streamlit_xsrf"
#: the language chosen (vi or en), kept a year
LANG_COOKIE, LANGS = "zones_lang", ("vi", "en")
#: the routes of the cookies and of the map's files, under any base path the proxy puts
#: in front (server.baseUrlPath)
AUTH_PREFIX, MAP_PREFIX = "zones-auth", "zones-map"
#: the read-only API for other systems (ui/server/interop.py)
API_PREFIX = "zones-api/v1"
#: the deployment's health as JSON (``ui.server.health``)
HEALTH_PATH = "zones-health"


def url_of(name: str, base: str = "") -> str:
    """The path a page gives the browser for the map file ``name``."""
    base = base.strip("/")
    return f"/{base}/{MAP_PREFIX}/{name}" if base else f"/{MAP_PREFIX}/{name}"
