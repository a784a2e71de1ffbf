"""The folium map, shared by the dashboard and the CLI's standalone HTML export.

Pattern (perf.md): the geometry of a layer is sent once (a static GeoJSON file fetched by
the page, or inlined in an export) and features are styled from a string of level digits,
one per feature in layer order. A date change only sends that string (plus the week's
rates for the tooltip); playing through dates runs in the browser from a timeline file.

This module does not import streamlit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import folium
import numpy as np
from branca.element import Element, MacroElement
from jinja2 import Template

from zones.maps.assets import asset_text
from zones.safe import script_json, text

BACKGROUND = "#dfe7ec"  # sea/background when there are no basemap tiles


@dataclass(frozen=True)
class Outline:
    """Boundaries drawn above the fill (district / province edges), not interactive."""

    source: str  # URL of a GeoJSON file, or the GeoJSON text itself when inline
    weight: float = 1.5
    colour: str = "#303030"


@dataclass(frozen=True)
class MapSpec:
    """What the base map needs; identical specs give byte-identical map scripts."""

    layer: str                      # URL of the GeoJSON layer, or its text when inline
    bounds: tuple[tuple[float, float], tuple[float, float]]  # ((south, west), (north, east))
    colours: tuple[str, ...]        # fill per level 0..4 (0 = not enough data)
    level_names: tuple[str, ...]    # name per level 0..4
    legend_title: str
    notices: tuple[str, ...] = ()
    outlines: tuple[Outline, ...] = ()
    timeline: str | None = None     # URL of the timeline JSON (levels per date) for play
    inline: bool = False
    tiles: bool = False
    texts: dict = field(default_factory=dict)  # UI words for the JS (rate, play, pause…)
    declarations: tuple[str, ...] = ()  # the legend's lines on the decisions in force


_LAYER_JS = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var Z = window.__zl = {map: map, levels: "", rates: [], label: "", sel: -1,
                         colours: {{ this.spec.colours|list|tojson }},
                         names: {{ this.spec.level_names|list|tojson }},
                         texts: {{ this.spec.texts|tojson }}};
  function load(src) {
    {% if this.spec.inline %}return src;{% else %}
    var xhr = new XMLHttpRequest();
    xhr.open("GET", src, false); xhr.send(null);
    return JSON.parse(xhr.responseText);{% endif %}
  }
  Z.level = function (i) {
    var c = Z.levels.charCodeAt(i) - 48;
    return (c >= 0 && c < Z.colours.length) ? c : 0;
  };
  Z.mark = function (i) {
    var m = Z.marks ? Z.marks.charCodeAt(i) - 48 : 0;
    return (m > 0 && m <= 5) ? m : 0;
  };
  // a unit whose figures for the week shown are not approved yet is drawn paler
  Z.pend = function (i) { return !!Z.pending && Z.pending.charCodeAt(i) === 49; };
  Z.style = function (i) {
    var fill = Z.pend(i) ? 0.35 : 0.8;
    if (i === Z.sel) {  // the unit whose panel is open
      return {fillColor: Z.colours[Z.level(i)], fillOpacity: fill, color: "#1f3fbf",
              weight: 4, opacity: 1, dashArray: null};
    }
    if (Z.mark(i)) {
      return {fillColor: Z.colours[Z.level(i)], fillOpacity: fill, color: "#000",
              weight: 2.5, opacity: 1, dashArray: "5 4"};
    }
    return {fillColor: Z.colours[Z.level(i)], fillOpacity: fill, color: "#5b5b5b",
            weight: Z.edge, opacity: 0.9, dashArray: null};
  };
  Z.rate = function (i) {
    if (typeof Z.rates === "string") {  // a URL: fetch the day's rates on first hover
      var xhr = new XMLHttpRequest();
      xhr.open("GET", Z.rates, false); xhr.send(null);
      Z.rates = xhr.status === 200 ? JSON.parse(xhr.responseText) : [];
    }
    return Z.rates[i];
  };
  // names and every other text are data: escaped before they meet HTML
  var esc = Z.esc = function (s) {
    return String(s === undefined || s === null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  };
  Z.tip = function (i, name) {
    var r = Z.rate(i), t = Z.texts;
    var html = "<b>" + esc(name) + "</b><br>" + esc(Z.names[Z.level(i)]);
    // the decision in force for the day shown (not for a frame of the player)
    var note = (Z.notes && Z.notesFor === Z.label) ? Z.notes[i] : "";
    if (Z.mark(i)) {
      html += " <i>(" + esc(t.declared) + ")</i><br>" + esc(t.computed) + ": " +
              esc(Z.names[Z.mark(i) - 1]);
    } else if (note) {
      html += " <i>(" + esc(t.declared) + ")</i>";
    }
    if (note) {
      html += "<br>" + esc(note);
    }
    if (r !== undefined && r !== null && r !== "") {
      html += "<br>" + esc(t.rate) + ": <b>" + esc(r) + "</b>";
    }
    if (Z.pend(i) && t.pending) {
      html += "<br><i>" + esc(t.pending) + "</i>";
    }
    return html + "<br><span style='color:#666'>" + esc(Z.label) + "</span>";
  };
  Z.apply = function (levels, rates, label, marks, pending, selected) {
    Z.levels = levels; Z.rates = rates || []; Z.label = label || "";
    Z.marks = marks || ""; Z.pending = pending || "";
    if (selected !== undefined) { Z.sel = selected; }
    Z.layer.eachLayer(function (l) {
      var i = l.feature.properties._i;
      l.setStyle(Z.style(i));
      if (i === Z.sel && l.bringToFront) { l.bringToFront(); }
    });
    if (Z.dateBox) { Z.dateBox.textContent = Z.label; }
  };
  var data = load({{ this.source }});
  data.features.forEach(function (f, k) { f.properties._i = k; });
  // thousands of units at country zoom: hairline edges, or the fill drowns in them
  Z.edge = data.features.length > 2000 ? 0.12 : 0.5;
  Z.layer = L.geoJson(data, {
    style: function (f) { return Z.style(f.properties._i); }
  }).addTo(map);
  // one tooltip for the whole layer: cheaper than one per feature at 10,000 communes
  Z.layer.bindTooltip(function (l) {
    return Z.tip(l.feature.properties._i, l.feature.properties.name);
  }, {sticky: true});
  {% for o in this.outlines %}
  L.geoJson(load({{ o.src }}), {interactive: false,
    style: {fill: false, color: {{ o.colour|tojson }}, weight: {{ o.weight }}, opacity: 0.9}}
  ).addTo(map);
  {% endfor %}
  map.fitBounds({{ this.spec.bounds|tojson }});
  map.getContainer().style.background = {{ this.background|tojson }};
})();
{% endmacro %}
""")


class StaticLayer(MacroElement):
    """The choropleth layer: geometry loaded once, styled from ``window.__zl.levels``."""

    _template = _LAYER_JS

    def __init__(self, spec: MapSpec):
        super().__init__()
        self._name = "StaticLayer"
        self.spec = spec
        self.background = BACKGROUND
        # inline GeoJSON holds unit names: made safe for <script> (no "</script>" escape)
        quote = script_json if spec.inline else json.dumps
        self.source = quote(spec.layer)
        self.outlines = [{"src": quote(o.source), "weight": o.weight, "colour": o.colour}
                         for o in spec.outlines]


_LEGEND_JS = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var box = L.control({position: "bottomright"});
  box.onAdd = function () {
    var d = L.DomUtil.create("div", "zl-legend");
    d.innerHTML = {{ this.html_json }};
    L.DomEvent.disableClickPropagation(d);
    return d;
  };
  box.addTo(map);
  var note = L.control({position: "topleft"});
  note.onAdd = function () {
    var d = L.DomUtil.create("div", "zl-notice");
    d.innerHTML = {{ this.notice|tojson }};
    return d;
  };
  {% if this.notice %}note.addTo(map);{% endif %}
  var date = L.control({position: "topright"});
  date.onAdd = function () {
    var d = L.DomUtil.create("div", "zl-date");
      var lab = L.DomUtil.create("span", "zl-date-label", d);
    window.__zl.dateBox = lab;
    return d;
  };
  date.addTo(map);
})();
{% endmacro %}
""")

_CSS = """
<style>
.zl-legend, .zl-notice, .zl-date {background: rgba(255,255,255,0.93); padding: 6px 9px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 13px/1.35 system-ui,
  "Segoe UI", Roboto, Arial, sans-serif; color: #222;}
.zl-legend .sw {display: inline-block; width: 14px; height: 14px; margin-right: 6px;
  vertical-align: -2px; border: 1px solid #777;}
.zl-legend b {display: block; margin-bottom: 3px;}
.zl-legend .zl-decl {max-width: 320px; max-height: 10em; overflow-y: auto; margin-top: 4px;
  font-size: 12px;}
.zl-legend .zl-decl div {margin-bottom: 2px;}
.zl-notice {font-size: 12px; color: #6b4e00; background: rgba(255,248,225,0.95);}
.zl-date {font-weight: 600; font-size: 14px;}
.zl-date button {font-size: 14px; margin-right: 6px; cursor: pointer; min-width: 30px;}
.zl-date select {margin-right: 6px; font-size: 12px;}
.leaflet-container {font-family: system-ui, "Segoe UI", Roboto, Arial, sans-serif;}
/* a phone's map is narrow: the tooltip wraps instead of running off the map */
.leaflet-tooltip {white-space: normal; width: max-content; max-width: min(260px, 70vw);}
</style>
"""


class Legend(MacroElement):
    """Legend (level names with their colours, grey for no data), notices, date and play."""

    _template = _LEGEND_JS

    def __init__(self, spec: MapSpec):
        super().__init__()
        self._name = "Legend"
        rows = [f"<b>{text(spec.legend_title)}</b>"]
        order = [4, 3, 2, 1, 0, *list(range(5, len(spec.colours)))]
        rows += [f"<div><span class='sw' style='background:{text(spec.colours[i])}'></span>"
                 f"{text(spec.level_names[i])}</div>" for i in order]
        if spec.texts.get("marked"):
            rows.append("<div><span class='sw' style='border:2px dashed #000;background:#fff'>"
                        f"</span>{text(spec.texts['marked'])}</div>")
        if spec.declarations:
            rows.append(f"<div class='zl-decl'><b>{text(spec.texts.get('decisions', ''))}</b>"
                        + "".join(f"<div>{text(line)}</div>" for line in spec.declarations)
                        + "</div>")
        self.html = "".join(rows)
        # decision numbers and names kept as written (still inert inside the script)
        self.html_json = script_json(json.dumps(self.html, ensure_ascii=False))
        self.notice = text(" · ".join(spec.notices))


def base_map(spec: MapSpec) -> folium.Map:
    """The map without per-date state: identical specs give identical scripts."""
    m = folium.Map(location=[16.0, 106.0], zoom_start=6, tiles=None, prefer_canvas=True,
                   control_scale=True, zoom_snap=0.25)
    if spec.inline:
        m.default_js, m.default_css = [], []
        m.get_root().header.add_child(Element(f"<style>{asset_text('leaflet.css')}</style>"))
        m.get_root().header.add_child(Element(f"<script>{asset_text('leaflet.js')}</script>"))
    else:
        m.default_js = [("leaflet", "/app/static/vendor/leaflet.js")]
        m.default_css = [("leaflet_css", "/app/static/vendor/leaflet.css")]
    if spec.tiles:
        folium.TileLayer("OpenStreetMap", attribution="© OpenStreetMap").add_to(m)
    m.get_root().header.add_child(Element(_CSS))
    m.add_child(StaticLayer(spec))
    m.add_child(Legend(spec))
    return m


_APPLY_JS = Template("""
{% macro script(this, kwargs) %}
window.__zl && (window.__zl.notes = {{ this.notes_json }},
                window.__zl.notesFor = {{ this.label|tojson }});
window.__zl && window.__zl.apply({{ this.levels|tojson }}, {{ this.rates|tojson }},
                                 {{ this.label|tojson }}, {{ this.marks|tojson }},
                                 {{ this.pending|tojson }}, {{ this.selected|tojson }});
{% endmacro %}
""")


class Restyle(MacroElement):
    """Per-date state: the level digits, the tooltip rates, the date label and the
    tooltip's decision notes."""

    _template = _APPLY_JS

    def __init__(self, levels: str, rates: str | list[str], label: str, marks: str = "",
                 pending: str = "", selected: int = -1, notes: dict[int, str] | None = None):
        super().__init__()
        self._name = "Restyle"
        self.levels, self.rates, self.label, self.marks = levels, rates, label, marks
        self.pending, self.selected = pending, int(selected)
        self.notes_json = script_json(json.dumps({str(i): str(n) for i, n in
                                                  (notes or {}).items()}, ensure_ascii=False))


def standalone_html(spec: MapSpec, levels: str, rates: list[str], label: str, title: str,
                    marks: str = "", notes: dict[int, str] | None = None) -> str:
    """A self-contained HTML page (Leaflet and geometry inlined): works offline."""
    m = base_map(spec)
    m.add_child(Restyle(levels, rates, label, marks, notes=notes))
    root = m.get_root()
    root.title = text(title)
    policy = Element(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">')
    root.header.add_child(policy, name="csp")
    root.header._children.move_to_end("csp", last=False)  # before any script runs
    return root.render()


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
