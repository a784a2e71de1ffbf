"""The served files of the map (the one caching seam between the core and the pages).

What a day looks like comes from the front door (``zones.api``), which caches per data
version itself. Here only what the browser fetches is made: each view's geometry as a
static GeoJSON file (simplified once), the timeline of levels in force for play, and the
per-day tooltip rates, each a URL of ``ui.server.served`` named by what it shows and the
data version, which any replica rebuilds from the database when asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from ui.assets import ensure_static
from ui.common import data_version, lang, workspace
from ui.server.names import url_of
from zones import api


@dataclass(frozen=True)
class Layer:
    """A view's geometry as served to the browser."""

    key: str
    url: str
    level: str
    parent: str | None
    codes: pd.Index
    names: np.ndarray
    population: np.ndarray
    bounds: tuple[tuple[float, float], tuple[float, float]]


def units() -> gpd.GeoDataFrame:
    """All units of the active boundary set with geometry."""
    return api.units(workspace())


def _url(kind: str, **params) -> str:
    """The path of a map file from the app's root: the map puts it under the base path
    the browser sees (``--server.baseUrlPath``, or a proxy's prefix)."""
    return url_of(api.served_name(workspace(), kind, **params))


@st.cache_resource(show_spinner=False, max_entries=64)
def _layer(url: str, version: str, level: str, parent: str | None, outline: bool) -> Layer:
    ensure_static()  # the vendored Leaflet the map page loads, once per process and view
    everything = units()
    view = api.view_units(everything, level, parent)
    b = view.total_bounds if len(view) else everything.total_bounds
    bounds = ((float(b[1]), float(b[0])), (float(b[3]), float(b[2])))
    served = _url("layer", level=level, parent=parent, outline=outline)
    return Layer(key=served, url=served, level=level, parent=parent,
                 codes=pd.Index(view.index), names=view["name"].to_numpy(),
                 population=view["population"].to_numpy(float), bounds=bounds)


def layer(level: str, parent: str | None, outline: bool = False) -> Layer:
    """The served layer of ``level`` units under ``parent``."""
    return _layer(workspace().url, _geometry_version(), level, parent, outline)


def _geometry_version() -> str:
    """Geometry changes only with a boundary import: key layers by that, not by uploads."""
    return api.boundary_version(workspace())


def timeline(lay: Layer, override: str | None) -> str:
    """URL of the whole period's levels in force for ``lay`` (played in the browser)."""
    return _url("timeline", level=lay.level, parent=lay.parent, override=override)


def unapproved(view: api.DayView) -> set[str]:
    """Units of the view whose week's figures are not approved yet (read each run: an
    approval does not change the data version)."""
    return api.unapproved_units(workspace(), view.codes, view.day)


def rates_url(view: api.DayView) -> str:
    """URL of the tooltip rates of a day view (fetched by the browser on first hover)."""
    return _url("rates", level=view.level, parent=view.parent, override=view.override,
                day=view.day.isoformat(), lang=lang())
def day_view(day, level: str, parent: str | None, override: str | None) -> api.DayView:
    """The day view (the front door caches it per data version)."""
    return _day_view(workspace().url, data_version(), pd.Timestamp(day), level, parent,
                     override, lang())


@st.cache_resource(show_spinner=False, max_entries=64)
def _day_view(url, version, day, level, parent, override, language) -> api.DayView:
    return api.day_view(workspace(), day, level, parent, override, language)


@st.cache_data(show_spinner=False, max_entries=16)
def _map_html(url: str, version: str, day, level: str, parent: str | None, palette: str,
              language: str, sites: str = "") -> bytes:
    return api.map_html(workspace(), day, level, parent, palette, language,
                        sites=bool(sites)).encode("utf-8")


def map_html(day, level: str, parent: str | None, sites: bool = False):
    """A callable building the standalone HTML map of the view on ``day`` (with the
    safety map's sites when ``sites``: keyed by their file's name, which moves with them).

    Deferred: the download button runs it only when clicked, so date changes stay cheap.
    """
    args = (workspace().url, data_version(), day, level, parent,
            st.session_state.get("palette", "default"), lang(),
            api.served_name(workspace(), "sites", lang=lang()) if sites else "")
    return lambda: _map_html(*args)


@st.cache_data(show_spinner=False, max_entries=64)
def _story(url: str, version: str, code: str, override: str | None) -> pd.DataFrame:
    return api.unit_story(workspace(), code, override)


def unit_story(code: str, override: str | None) -> pd.DataFrame:
    """Daily figures, rates and coverage of one unit (the engine's indicators)."""
    return _story(workspace().url, data_version(), code, override)


@st.cache_data(show_spinner=False, max_entries=16)
def _map_png(url: str, version: str, day, level: str, parent: str | None,
             override: str | None, palette: str, language: str) -> bytes:
    return api.map_png(workspace(), day, level, parent, override, palette, language)


def map_png(day, level: str, parent: str | None, override: str | None):
    """A callable drawing the picture of the map shown (deferred until clicked)."""
    args = (workspace().url, data_version(), day, level, parent, override,
            st.session_state.get("palette", "default"), lang())
    return lambda: _map_png(*args)
