"""The levels map as a Streamlit component: plain files in ``zones/maps/frontend``.

The page sends a *spec* at every run (the view's layer URL, the day's level digits,
palette, texts, the selected unit, the player's timeline); the browser keeps the
geometry and the Leaflet map, and redoes only what changed (a date step or a level
switch recolours or swaps layers in the same frame). The map answers with messages
of a declared form, each with a sequence number:

* ``{"type": "click", "unit": CODE, "seq": n}``: a unit was clicked;
* ``{"type": "day", "day": "YYYY-MM-DD", "seq": n}``: the player paused (or ended) on
  that day.

The component keeps the last message as its value, so a rerun sees it again:
:func:`new_message` tells a new one from one already handled.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
import streamlit.components.v1 as components

from zones.maps.assets import FRONTEND

_component = components.declare_component("zones_map", path=str(FRONTEND))

#: the player's frame interval: 5 frames a second (bench/bench_staff.py measures what
#: the browser keeps up with on the national commune layer)
PLAY_MS = 200
#: the basemap the tiles toggle adds (the only thing the map may load from the internet,
#: and only when a user asks for it)
OSM = {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
       "attribution": "© OpenStreetMap"}


def levels_map(spec: dict, key: str) -> dict | None:
    """Draw the map of ``spec``; its last message (or None)."""
    value = _component(spec={"playMs": PLAY_MS, **spec},
                       key=key, default=None)
    return value if isinstance(value, dict) else None


def new_message(key: str, kind: str) -> dict | None:
    """The map ``key``'s last message when it is a ``kind`` ("click" or "day") message
    not handled yet (once per message: a rerun carries the same one again)."""
    value = st.session_state.get(key)
    if not isinstance(value, dict) or not isinstance(value.get("seq"), int):
        return None
    if value.get("type") != kind:
        return None
    seen = st.session_state.setdefault("_map_seen", {})
    if seen.get(key) == value:
        return None
    seen[key] = dict(value)
    return value


def clicked_unit(message: dict | None) -> str | None:
    """The code of the unit a click message names."""
    if message and message.get("type") == "click" and isinstance(message.get("unit"), str):
        return message["unit"]
    return None


def shown_day(message: dict | None) -> date | None:
    """The day a player message names."""
    if not message or message.get("type") != "day":
        return None
    try:
        return date.fromisoformat(str(message.get("day")))
    except ValueError:
        return None
