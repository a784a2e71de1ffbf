"""The files the dashboard's map fetches, derived from the database alone.

A map view needs three kinds of file besides its page: a layer's geometry (GeoJSON,
simplified once), the timeline of levels in force that the player animates, and one
day's tooltip rates. Each is named by what it shows and by the version of the data it
was made from, so any replica can rebuild a file it has never made, from the shared
database, the first time a browser asks (nothing lives on the app's disk), and a
browser may keep a file as long as its name is current.

Names are ``<kind>-<params>.json``, ``params`` the view's arguments as compact JSON in
URL-safe base64. A name is parsed strictly (known kind, known keys, bounded values) before
anything is built, so a made-up name costs nothing.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

import numpy as np

from geodata.display import TOLERANCE, geojson_layer
from zones.errors import ZonesError
from zones.i18n import fmt_date
from zones.levels import dayview
from zones.levels.tables import format_rates, view_units
from zones.maps.mapview import level_string
from zones.sites import layer as sites_layer
from zones.sites import registry as sites_registry
from zones.storage import sites_sql, store
from zones.workspace import Workspace

log = logging.getLogger(__name__)

#: what a name may hold, beside its version: the map's arguments
PARAMS = {
    "layer": ("level", "parent", "outline"),
    "timeline": ("level", "parent", "override"),
    "rates": ("level", "parent", "override", "day", "lang"),
    "sites": ("lang",),  # the safety map's sites (zones.sites.layer)
}
LEVELS = ("province", "district", "commune", "hamlet")
MAX_NAME = 600
#: built files kept in memory per process (a national layer is about 4 MB)
MAX_BYTES = 256 * 2**20


@dataclass(frozen=True)
class Served:
    """A built file: its text gzipped once, and whether its name's version is current."""

    gzipped: bytes
    plain_size: int
    current: bool

    def plain(self) -> bytes:
        return gzip.decompress(self.gzipped)


def name_of(kind: str, version: str, **params) -> str:
    """The file name of ``kind`` for ``params`` made from data ``version``."""
    body = {k: params.get(k) for k in PARAMS[kind]} | {"v": version}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return f"{kind}-{base64.urlsafe_b64encode(text.encode()).decode().rstrip('=')}.json"


def parse(name: str) -> tuple[str, dict] | None:
    """``(kind, params)`` of a well-formed name, else None."""
    if len(name) > MAX_NAME or not name.endswith(".json") or "-" not in name:
        return None
    kind, _, encoded = name[:-5].partition("-")
    if kind not in PARAMS:
        return None
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        body = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict) or set(body) != {*PARAMS[kind], "v"}:
        return None
    if not _valid(kind, body):
        return None
    return kind, body


def _valid(kind: str, p: dict) -> bool:
    def text_or_none(v, n=120):
        return v is None or (isinstance(v, str) and 0 < len(v) <= n)

    if kind == "sites":
        return p["lang"] in ("vi", "en") and isinstance(p["v"], str) and len(p["v"]) <= 120
    if p["level"] not in LEVELS or not text_or_none(p["parent"]) or not isinstance(
            p["v"], str) or len(p["v"]) > 120:
        return False
    if kind == "layer":
        return isinstance(p["outline"], bool)
    if not text_or_none(p["override"]):
        return False
    if kind == "rates":
        if p["lang"] not in ("vi", "en") or not isinstance(p["day"], str):
            return False
        try:
            date.fromisoformat(p["day"])
        except ValueError:
            return False
    return True


def version_for(ws: Workspace, kind: str) -> str:
    """The version a file of ``kind`` is made from: geometry for layers (uploads do not
    move them), the data version for the rest."""
    if kind == "layer":
        return store.boundary_version(ws.engine)
    if kind == "sites":  # sites do not move the levels' data version
        return f"{store.boundary_version(ws.engine)}.{sites_sql.version(ws.engine)}"
    return store.data_version(ws.engine)


def tolerance(level: str, parent: str | None) -> float:
    """About one screen pixel at the deepest zoom the view is looked at (perf.md)."""
    if level == "hamlet":
        return TOLERANCE["hamlet"]
    return TOLERANCE["country"] if parent is None else TOLERANCE["province"]


def _build(ws: Workspace, kind: str, p: dict) -> str:
    if kind == "sites":
        units = dayview.units(ws)
        return sites_layer.text(sites_registry.current(ws.engine, geometry=True),
                                units["name"], p["lang"])
    if kind == "rates":  # in the day view's order, which is the layer's
        dv = dayview.day_view(ws, date.fromisoformat(p["day"]), p["level"], p["parent"],
                              p["override"], p["lang"])
        return json.dumps(format_rates(dv.rates, p["lang"]), ensure_ascii=False,
                          separators=(",", ":"))
    view = view_units(dayview.units(ws), p["level"], p["parent"])
    if kind == "layer":
        props = ("code",) if p["outline"] else ("code", "name")
        return geojson_layer(view, tolerance(p["level"], p["parent"]), properties=props)
    table = dayview.levels_in_force(ws, p["override"])  # the timeline
    cols = table.codes.get_indexer(view.index)
    body = {"labels": [fmt_date(d) for d in table.dates],
            "levels": [level_string(np.where(cols >= 0, row[np.clip(cols, 0, None)], 0))
                       for row in table.values]}
    return json.dumps(body, separators=(",", ":"))


_cache: OrderedDict[tuple, Served] = OrderedDict()
_size = 0
_lock = threading.Lock()
_building: dict[tuple, threading.Lock] = {}


def get(ws: Workspace, name: str) -> Served | None:
    """The file ``name`` (None for a malformed one, or one the data cannot make: a day
    outside it). A name whose version is no longer current gets what its view shows now,
    marked not current (not to be kept)."""
    parsed = parse(name)
    if parsed is None:
        return None
    kind, params = parsed
    now = version_for(ws, kind)
    current = params["v"] == now
    key = (ws.url, kind, json.dumps({**params, "v": now}, sort_keys=True))
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
        gate = _building.setdefault(key, threading.Lock())
    if hit is None:
        try:
            with gate:  # two browsers asking at once build it once
                with _lock:
                    hit = _cache.get(key)
                if hit is None:
                    text = _build(ws, kind, params).encode()
                    hit = Served(gzip.compress(text, compresslevel=6, mtime=0), len(text),
                                 True)
                    _remember(key, hit)
        except ZonesError as err:  # e.g. a day outside the data: there is no such file
            log.info("map file %s not found: %s", kind, err)
            return None
        finally:
            with _lock:
                _building.pop(key, None)
    return hit if current else Served(hit.gzipped, hit.plain_size, False)


def _remember(key: tuple, value: Served) -> None:
    global _size
    with _lock:
        if key in _cache:
            return
        _cache[key] = value
        _size += len(value.gzipped)
        while _size > MAX_BYTES and len(_cache) > 1:
            _, old = _cache.popitem(last=False)
            _size -= len(old.gzipped)

