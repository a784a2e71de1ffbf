"""The map's spec, and the standalone HTML export built from the same map code.

The map itself is plain files in ``zones/maps/frontend`` (``core.js``, ``map.js``,
``map.css``, tested with node's test runner): the dashboard runs them as a Streamlit
component (``ui.map_component``), the export inlines them with Leaflet and the geometry.
Both give the map a *spec*: the geometry of a layer (a URL fetched once, or inline
GeoJSON), the palette and texts, and the day (one level digit per feature in layer
order, marks, tooltip rates, label, decision notes).

This module does not import streamlit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from zones.maps.assets import FRONTEND, asset_text
from zones.safe import script_json, text

BACKGROUND = "#dfe7ec"  # sea/background when there are no basemap tiles


@dataclass(frozen=True)
class Outline:
    """Boundaries drawn above the fill (district / province edges), not interactive."""

    source: str  # GeoJSON text
    weight: float = 1.5
    colour: str = "#303030"


@dataclass(frozen=True)
class MapSpec:
    """What an exported map shows that does not change with the day."""

    layer: str                      # the GeoJSON layer's text
    bounds: tuple[tuple[float, float], tuple[float, float]]  # ((south, west), (north, east))
    colours: tuple[str, ...]        # fill per level 0..4 (0 = not enough data)
    level_names: tuple[str, ...]    # name per level 0..4
    legend_title: str
    notices: tuple[str, ...] = ()
    outlines: tuple[Outline, ...] = ()
    texts: dict = field(default_factory=dict)  # the map's words (rate, declared…)
    declarations: tuple[str, ...] = ()  # the legend's lines on the decisions in force


def look(names, title: str, colours, texts: dict, notices=(), declarations=()) -> dict:
    """The parts of a map's spec that do not change with the day: palette, legend and
    every word the map shows (in the page's language; the JavaScript has none)."""
    return {"colours": [colours[i] for i in range(len(names))], "names": list(names),
            "legendTitle": title, "texts": texts, "notices": list(notices),
            "declarations": list(declarations), "background": BACKGROUND}


#: where an exported page keeps its spec (JSON, read by its own script)
SPEC_ID = "zl-spec"


def standalone_html(spec: MapSpec, levels: str, rates: list[str], label: str, title: str,
                    marks: str = "", notes: dict[int, str] | None = None,
                    sites: str | None = None) -> str:
    """A self-contained HTML page (Leaflet, the map's code and the geometry inlined):
    works offline, and requests nothing."""
    body = look(spec.level_names, spec.legend_title, spec.colours, spec.texts,
                spec.notices, spec.declarations) | {
        "bounds": spec.bounds, "timeline": None, "tiles": None, "clicks": False,
        "levels": levels, "rates": list(rates), "label": label, "marks": marks,
        "pending": "", "selected": None,
        "notes": {str(i): str(n) for i, n in (notes or {}).items()}}
    # the GeoJSON goes in as it is (a national layer is megabytes: not parsed again)
    head = json.dumps(body, ensure_ascii=False, separators=(",", ":"))[:-1]
    lines = ",".join(f'{{"url":{o.source},"weight":{o.weight},"colour":{json.dumps(o.colour)}}}'
                     for o in spec.outlines)
    # ``sites``: the safety map's sites as the map's spec takes them, their file inlined
    extra = f',"sites":{sites}' if sites else ""
    data = f'{head},"layer":{spec.layer},"outlines":[{lines}]{extra}}}'
    code = "\n".join((FRONTEND / name).read_text(encoding="utf-8")
                     for name in ("core.js", *(("sites.js",) if sites else ()), "map.js"))
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{text(title)}</title>
<style>{asset_text("leaflet.css")}</style>
<style>{(FRONTEND / "map.css").read_text(encoding="utf-8")}</style>
</head>
<body class="zl-export">
<div id="map"></div>
<script type="application/json" id="{SPEC_ID}">{script_json(data)}</script>
<script>{asset_text("leaflet.js")}</script>
<script>{code}</script>
<script>
ZLmap.create(document.getElementById("map"), {{}})
  .render(JSON.parse(document.getElementById("{SPEC_ID}").textContent));
</script>
</body>
</html>
"""


#: the export talks to nothing: no request leaves it, only its own inline code runs
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; "
       "base-uri 'none'")


def level_string(levels) -> str:
    """The digits of an integer array of levels 0..9 (one character per feature)."""
    arr = np.asarray(levels, dtype="int64").clip(0, 9)
    return (arr + 48).astype("uint8").tobytes().decode("ascii")


def pending_string(codes, unapproved: set[str]) -> str:
    """"1" per feature in ``unapproved``, else "0" ('' when none is)."""
    flags = [c in unapproved for c in codes]
    return "".join("1" if f else "0" for f in flags) if any(flags) else ""


def marks_string(in_force, computed) -> str:
    """Per feature 0, or 1 + the computed level where the level in force (declared)
    differs from it; '' when no unit differs (the map then draws no marks)."""
    in_force, computed = np.asarray(in_force), np.asarray(computed)
    differs = in_force != computed
    return level_string(np.where(differs, computed + 1, 0)) if differs.any() else ""
