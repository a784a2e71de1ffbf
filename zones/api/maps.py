"""The map outside the page's own drawing: the standalone HTML map of a day, and the files
the page's map fetches (layer, timeline, a day's rates). Loads folium (``zones.maps``)."""

from __future__ import annotations

from zones.api.accounts import public_read
from zones.api.action import action
from zones.api.reading import day_view
from zones.i18n import t
from zones.levels import dayview
from zones.maps import served
from zones.maps.export import standalone_map
from zones.people import sessions
from zones.people.access import AccessError
from zones.workspace import Workspace

__all__ = ["map_html", "served_file", "served_name"]


@action()
def map_html(ws: Workspace, day, level: str = "commune", parent: str | None = None,
             palette: str = "default", lang: str = "vi") -> str:
    """The standalone HTML map of the day view (declared levels honoured, marked)."""
    view = day_view(ws, day, level, parent, None, lang)
    return standalone_map(view, dayview.units(ws), palette, lang, dayview.declarations(ws))


def served_file(ws: Workspace, name: str, token: str | None) -> served.Served | None:
    """A file the map fetches (layer, timeline, a day's rates), rebuilt from the database
    by whichever replica is asked; None for a name that means nothing. Only for someone
    signed in, unless the map is open to all (``public_read``)."""
    parsed = served.parse(name)
    if parsed is None:
        return None
    if not public_read(ws) and sessions.actor_of(ws.engine, token, ws.settings) is None:
        raise AccessError(t("access.sign_in"))
    override = parsed[1].get("override")
    if override and override not in dayview.ruleset_registry(ws).rulesets:
        return None  # a rule set that is not (or no longer) there
    return served.get(ws, name)


def served_name(ws: Workspace, kind: str, **params) -> str:
    """The current name of a map file of ``kind`` (see ``served_file``)."""
    return served.name_of(kind, served.version_for(ws, kind), **params)
