"""Cached loaders: the single caching seam between the core and the pages.

Geometry and tables are held with ``st.cache_resource`` (no copy per rerun, perf.md §3)
and keyed by the database URL and its data version, so an upload invalidates them.
Static files (layer GeoJSON, timelines) are written under ``static/`` with a content key
in their name, so browsers cache them safely.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

import rules
from geodata.display import TOLERANCE, geojson_layer
from ui.assets import STATIC, ensure_static
from ui.common import data_version, engine
from zones.i18n import fmt_date
from zones.levels import tables as mapdata
from zones.storage import store
from zones.storage.db import default_url

LAYERS = STATIC / "layers"


@dataclass(frozen=True)
class Layer:
    """A view's geometry as served to the browser."""

    key: str
    url: str
    codes: pd.Index
    names: np.ndarray
    population: np.ndarray
    bounds: tuple[tuple[float, float], tuple[float, float]]
    units: gpd.GeoDataFrame  # the view's units with full geometry, for click lookup


def _set_key() -> str:
    current = store.active_set(engine())
    return f"{current['id']}-{current['created_at']}" if current else "none"


@st.cache_resource(show_spinner=False, max_entries=4)
def _units(url: str, set_key: str) -> gpd.GeoDataFrame:
    return store.load_units(engine(), geometry=True)


def units() -> gpd.GeoDataFrame:
    """All units of the active boundary set with geometry (cached per set)."""
    return _units(default_url(), _set_key())


MAX_STATIC_FILES = 3000


def _write_static(name: str, text: str) -> str:
    LAYERS.mkdir(parents=True, exist_ok=True)
    path = LAYERS / name
    if not path.is_file():
        _prune(LAYERS)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return f"/app/static/layers/{name}"


def _prune(folder) -> None:
    """Keep the served folder bounded: per-day rate files accumulate as users browse."""
    files = list(folder.glob("rates-*.json"))  # layers and timelines stay: few, and cached
    if len(files) <= MAX_STATIC_FILES:
        return
    files.sort(key=lambda p: p.stat().st_mtime)
    for old in files[: len(files) // 2]:
        old.unlink(missing_ok=True)


@st.cache_resource(show_spinner=False, max_entries=64)
def _layer(url: str, set_key: str, level: str, parent: str | None, outline: bool) -> Layer:
    ensure_static()
    everything = _units(url, set_key)
    view = mapdata.view_units(everything, level, parent)
    # about one screen pixel at the deepest zoom the view is looked at (perf.md)
    tol = TOLERANCE["hamlet"] if level == "hamlet" else (
        TOLERANCE["country"] if parent is None else TOLERANCE["province"])
    text = geojson_layer(view, tol) if not outline else geojson_layer(
        view, tol, properties=("code",))
    digest = hashlib.sha1(f"{set_key}|{level}|{parent}|{tol}|{outline}".encode()).hexdigest()
    served = _write_static(f"{level}-{digest[:16]}.json", text)
    b = view.total_bounds if len(view) else everything.total_bounds
    bounds = ((float(b[1]), float(b[0])), (float(b[3]), float(b[2])))
    return Layer(key=digest[:16], url=served, codes=pd.Index(view.index),
                 names=view["name"].to_numpy(), population=view["population"].to_numpy(float),
                 bounds=bounds, units=view)


def layer(level: str, parent: str | None, outline: bool = False) -> Layer:
    """The served layer of ``level`` units under ``parent``."""
    return _layer(default_url(), _set_key(), level, parent, outline)


@st.cache_resource(show_spinner="Đang tính cấp độ…", max_entries=8)
def _levels(url: str, version: str, override: str | None) -> mapdata.Table:
    return mapdata.level_table(engine(), override)


def levels(override: str | None = None) -> mapdata.Table:
    """Levels per date and unit (stored, or recomputed with another rule set)."""
    return _levels(default_url(), data_version(), override)


@st.cache_resource(show_spinner=False, max_entries=4)
def _rates(url: str, version: str, set_key: str) -> mapdata.Table:
    return mapdata.weekly_rates(engine(), _units(url, set_key))


def rates() -> mapdata.Table:
    """7-day community cases per 100,000 per date and unit."""
    return _rates(default_url(), data_version(), _set_key())


@st.cache_resource(show_spinner=False, max_entries=32)
def _timeline(url: str, version: str, override: str | None, layer_key: str) -> str:
    from zones.maps.mapview import level_string

    table = _levels(url, version, override)
    lay = _LAYER_BY_KEY[layer_key]
    cols = table.codes.get_indexer(lay.codes)
    body = {"labels": [fmt_date(d) for d in table.dates],
            "levels": [level_string(np.where(cols >= 0, row[np.clip(cols, 0, None)], 0))
                       for row in table.values]}
    text = json.dumps(body, separators=(",", ":"))
    name = "timeline-" + hashlib.sha1(f"{version}|{override}|{layer_key}".encode()
                                      ).hexdigest()[:16] + ".json"
    return _write_static(name, text)


_LAYER_BY_KEY: dict[str, Layer] = {}


def timeline(lay: Layer, override: str | None) -> str:
    """URL of the whole period's levels for ``lay`` (played in the browser)."""
    _LAYER_BY_KEY[lay.key] = lay
    return _timeline(default_url(), data_version(), override, lay.key)


@st.cache_resource(show_spinner=False)
def _registry(url: str):
    from zones.levels.assessment import registry

    return registry(engine())


def ruleset_registry() -> rules.RuleSetRegistry:
    """Loaded rule sets (shipped + custom) and their load errors."""
    return _registry(default_url())


STALE_DAYS = 3


@st.cache_resource(show_spinner=False, max_entries=4)
def _last_reported(url: str, version: str) -> mapdata.Table:
    return mapdata.last_reported(engine())


def stale_units(day, codes) -> pd.DataFrame:
    """Units of ``codes`` (reporting units only) silent for STALE_DAYS days before ``day``."""
    reports = _last_reported(default_url(), data_version())
    everything = units()
    levels = everything["level"].reindex(pd.Index(codes))
    reporting = levels.index[levels.isin(["commune", "hamlet"])]
    today = reports.dates.get_indexer([pd.Timestamp(day)])[0]
    if today < 0:
        return pd.DataFrame({"name": [], "last": []})
    last = np.asarray(reports.row(day, reporting), dtype=int)
    last[reports.codes.get_indexer(reporting) < 0] = -1  # never seen at all
    silent = (last < 0) | (today - last >= STALE_DAYS)
    return pd.DataFrame({"name": everything.loc[reporting[silent], "name"].to_numpy(),
                         "last": [fmt_date(reports.dates[k].date()) if k >= 0 else "–"
                                  for k in last[silent]]})


@st.cache_resource(show_spinner="Đang tính lý do…", max_entries=4)
def _result(url: str, version: str, override: str | None):
    from zones.levels.assessment import compute

    return compute(engine(), override=override)


def explain(override: str | None, code: str, day):
    """Why ``code`` has its level on ``day`` (None when the date was not assessed)."""
    result = _result(default_url(), data_version(), override)
    if pd.Timestamp(day) not in result.dates or code not in result.codes:
        return None
    from ui.common import lang

    return result.explain(code, pd.Timestamp(day), lang=lang())


@st.cache_data(show_spinner=False, max_entries=64)
def _history(url: str, version: str, set_key: str, code: str) -> pd.DataFrame:
    return mapdata.unit_history(engine(), _units(url, set_key), code)


def unit_history(code: str) -> pd.DataFrame:
    """Daily figures and derived rates of one unit."""
    return _history(default_url(), data_version(), _set_key(), code)


def band_edges(override: str | None, day) -> list[float] | None:
    """The rate thresholds (per 100,000 in 7 days) of the rule set used on ``day``."""
    reg = ruleset_registry()
    rs = reg.rulesets.get(override) if override else None
    if rs is None:
        try:
            rs = reg.in_force(pd.Timestamp(day).date())
        except LookupError:
            return None
    value = rs.parameters.get("band_starts_per_100k")
    if value is None:  # e.g. QĐ 2686 has no rate bands: show those of a scheme that does
        value = next((r.parameters["band_starts_per_100k"] for r in reg.rulesets.values()
                      if "band_starts_per_100k" in r.parameters), None)
    return list(value) if value is not None else None


def custom_rulesets_folder():
    """Where a province puts its own rule-set files."""
    from zones.levels.assessment import custom_rulesets_dir

    return custom_rulesets_dir(engine())


@st.cache_resource(show_spinner=False, max_entries=8)
def _effective(url: str, version: str, override: str | None) -> mapdata.Table:
    from zones.levels.declarations import effective as overlay

    computed = _levels(url, version, override)
    if override:  # another rule set: a what-if, declarations do not apply
        return computed
    return overlay(computed, store.load_declarations(engine()))


def effective_levels(override: str | None = None) -> mapdata.Table:
    """Levels in force: declared where a declaration covers the date, else computed."""
    return _effective(default_url(), data_version(), override)


@st.cache_data(show_spinner=False, max_entries=4)
def _declarations(url: str, version: str) -> pd.DataFrame:
    return store.load_declarations(engine())


def declarations() -> pd.DataFrame:
    """All declarations (adding or deleting one bumps the data version)."""
    return _declarations(default_url(), data_version())


@st.cache_data(show_spinner=False, max_entries=8)
def _notices(url: str, version: str, set_key: str, lang: str) -> tuple[str, ...]:
    return mapdata.notices(engine(), _units(url, set_key), lang)


def notices() -> tuple[str, ...]:
    """The data notices every map shows (approximate shapes, simulated figures)."""
    from ui.common import lang

    return _notices(default_url(), data_version(), _set_key(), lang())


def default_day(dates: pd.DatetimeIndex):
    """The day the pages open on (see ``zones.mapdata.default_day``)."""
    return mapdata.default_day(engine(), dates)


@st.cache_data(show_spinner=False, max_entries=16)
def _map_html(url: str, version: str, day, level: str, palette: str, lang: str) -> bytes:
    from zones.i18n import set_lang
    from zones.maps.export import map_html

    set_lang(lang)
    return map_html(engine(), day, level, palette).encode("utf-8")


def map_html(day, level: str):
    """A callable building the standalone HTML map of ``level`` units on ``day``.

    Deferred: the download button runs it only when clicked, so date changes stay cheap.
    """
    from ui.common import lang

    args = (default_url(), data_version(), day, level,
            st.session_state.get("palette", "default"), lang())
    return lambda: _map_html(*args)


@st.cache_resource(show_spinner=False, max_entries=256)
def _rates_file(url: str, version: str, layer_key: str, day, lang: str) -> str:
    lay = _LAYER_BY_KEY[layer_key]
    values = _rates(url, version, _set_key()).row(day, lay.codes)
    text = json.dumps(mapdata.format_rates(values, lang), ensure_ascii=False,
                      separators=(",", ":"))
    name = "rates-" + hashlib.sha1(f"{version}|{layer_key}|{day}|{lang}".encode()
                                   ).hexdigest()[:16] + ".json"
    return _write_static(name, text)


def rates_url(lay: Layer, day) -> str:
    """URL of the tooltip rates of ``lay`` on ``day`` (fetched by the browser on hover)."""
    from ui.common import lang

    _LAYER_BY_KEY[lay.key] = lay
    return _rates_file(default_url(), data_version(), lay.key, pd.Timestamp(day), lang())
