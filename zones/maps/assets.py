"""Leaflet, vendored from its own npm release (``leaflet@1.9.4``, BSD-2-Clause, the
LICENSE file beside it) so that no map ever contacts a CDN: inlined into standalone
HTML exports, and copied into ``static/vendor/`` for the dashboard (``ui.assets``).
Refresh with ``make vendor``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "vendor"
LEAFLET_VERSION = "1.9.4"
FILES = ("leaflet.js", "leaflet.css")


@lru_cache(maxsize=2)
def asset_text(name: str) -> str:
    """The text of a vendored asset ("leaflet.js" or "leaflet.css")."""
    if name not in FILES:
        raise KeyError(name)
    return (VENDOR / name).read_text(encoding="utf-8")

#: the map's own page, script and style (plain files, no build step): the dashboard's
#: map component (``ui.map_component``)
FRONTEND = Path(__file__).resolve().parent / "frontend"
