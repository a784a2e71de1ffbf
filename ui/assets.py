"""Static files the dashboard serves itself (Streamlit serves ``static/`` at
``/app/static``): the vendored Leaflet and the display layers."""

from __future__ import annotations

from pathlib import Path

from zones.maps.assets import FILES, asset_text

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
VENDOR = STATIC / "vendor"


def ensure_static() -> Path:
    """Copy the vendored Leaflet files under ``static/vendor`` when missing or changed."""
    VENDOR.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        path = VENDOR / name
        text = asset_text(name)
        if not path.is_file() or path.stat().st_size != len(text.encode("utf-8")):
            path.write_text(text, encoding="utf-8")
    return VENDOR
