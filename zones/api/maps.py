"""The map outside the page's own drawing: the standalone HTML map of a day, and the files
the page's map fetches (layer, timeline, a day's rates). Loads folium (``zones.maps``)."""

from __future__ import annotations

import json

import pandas as pd

from zones.api.accounts import public_read
from zones.api.action import action
from zones.api.reading import day_view
from zones.api.sites import SITE_KINDS, site_bands
from zones.i18n import msg, t
from zones.levels import dayview
from zones.maps import served
from zones.maps.export import standalone_map
from zones.people import sessions
from zones.people.access import AccessError
from zones.sites import layer as sites_layer
from zones.sites import registry as sites_registry
from zones.workspace import Workspace

__all__ = ["map_html", "served_file", "served_name"]


@action()
def map_html(ws: Workspace, day, level: str = "commune", parent: str | None = None,
             palette: str = "default", lang: str = "vi", sites: bool = False) -> str:
    """The standalone HTML map of the day view (declared levels honoured, marked); with
    ``sites``, the safety map's sites too (facilities, quarantine sites, lockdowns, each
    layer on, a toggle per kind)."""
    view = day_view(ws, day, level, parent, None, lang)
    return standalone_map(view, dayview.units(ws), palette, lang, dayview.declarations(ws),
                          export_sites(ws, view.day, lang) if sites else None)


def export_sites(ws: Workspace, day, lang: str) -> str:
    """The ``sites`` spec of the export: the layer inlined, the day, the bands in force."""
    on = pd.Timestamp(day).date()
    layer = sites_layer.text(sites_registry.current(ws.engine, geometry=True),
                             dayview.units(ws)["name"], lang)
    rest = {"day": on.isoformat(), "on": True, "bands": site_bands(ws, on, lang),
            "texts": {"title": t("sites.map.title", lang=lang),
                      "kinds": {k: t(f"sites.kind.{k}", lang=lang) for k in SITE_KINDS},
                      "score": t("sites.popup.score", lang=lang, score="{score}",
                                 band="{band}"),
                      "mustStop": t("sites.popup.must_stop", lang=lang)}}
    return '{"url":' + layer + "," + json.dumps(rest, ensure_ascii=False)[1:]


def served_file(ws: Workspace, name: str, token: str | None) -> served.Served | None:
    """A file the map fetches (layer, timeline, a day's rates), rebuilt from the database
    by whichever replica is asked; None for a name that means nothing. Only for someone
    signed in, unless the map is open to all (``public_read``)."""
    parsed = served.parse(name)
    if parsed is None:
        return None
    if not public_read(ws) and sessions.actor_of(ws.engine, token, ws.settings) is None:
        raise AccessError(msg("access.sign_in"))
    override = parsed[1].get("override")
    if override and override not in dayview.ruleset_registry(ws).rulesets:
        return None  # a rule set that is not (or no longer) there
    return served.get(ws, name)


def served_name(ws: Workspace, kind: str, **params) -> str:
    """The current name of a map file of ``kind`` (see ``served_file``)."""
    return served.name_of(kind, served.version_for(ws, kind), **params)
