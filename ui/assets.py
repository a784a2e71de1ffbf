"""Leaflet, served by us: no CDN is ever contacted when a map is viewed.

The JS and CSS come from the PyPI package ``folium-offline`` (which embeds Leaflet
1.9.3, BSD-2-Clause) and are written once into ``static/vendor/`` for Streamlit's
static serving, or inlined into standalone HTML exports.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
VENDOR = STATIC / "vendor"
LEAFLET_VERSION = "1.9.3"
_KEYS = {
    "leaflet.js": f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.js",
    "leaflet.css": f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.css",
}


@lru_cache(maxsize=2)
def asset_text(name: str) -> str:
    """The text of a vendored asset ("leaflet.js" or "leaflet.css")."""
    path = VENDOR / name
    if path.is_file():
        return path.read_text(encoding="utf-8")
    from offlinefolium import elements  # heavy import: only when the file is missing

    return elements._res[_KEYS[name]]


def ensure_static() -> Path:
    """Write the vendored Leaflet files under ``static/vendor`` if missing."""
    VENDOR.mkdir(parents=True, exist_ok=True)
    for name in _KEYS:
        path = VENDOR / name
        if not path.is_file() or path.stat().st_size == 0:
            path.write_text(asset_text(name), encoding="utf-8")
    return VENDOR
