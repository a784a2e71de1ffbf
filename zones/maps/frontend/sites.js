/* The safety map's sites (issue 25) on the levels map: facilities, quarantine sites and
   lockdowns as point layers over the levels, lockdown areas as polygons, a toggle per
   kind, grid clusters when many points show, popups whose every line is set as text.
   The sites file is fetched once per view (its URL changes only with the data); a date
   step only filters what is valid on the day shown and recolours facilities by the
   bands of the scheme in force the page sends.
   ZLsites.attach(map, getJson) -> {render(spec.sites)}; the pure helpers are node-tested. */
(function (root, factory) {
  "use strict";
  var S = factory();
  if (typeof module === "object" && module.exports) { module.exports = S; }
  else { root.ZLsites = S; }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  //: more points showing than this: grid clusters of CELL pixels
  var CLUSTER_AT = 60, CELL = 36;
  var KIND_COLOURS = ["#1565c0", "#6a1b9a", "#b71c1c"];
  var AREA_STYLE = {color: "#b71c1c", weight: 2, dashArray: "6 4", fillColor: "#b71c1c",
                    fillOpacity: 0.22};

  function validOn(from, to, day) {
    if (!day) { return true; }
    return from <= day && (!to || day <= to);
  }

  // the band of a score under the scheme's bands (safest first), null without a score
  function bandOf(bands, score) {
    if (score === null || score === undefined || !bands || !bands.length) { return null; }
    for (var i = 0; i < bands.length; i++) {
      if (score >= bands[i].from) { return bands[i]; }
    }
    return bands[bands.length - 1];
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(values, k) ? String(values[k]) : m;
    });
  }

  function scoreText(score) {
    return (Math.round(score * 100) / 100).toString();
  }

  // the popup's lines of point i: name, kind, score and band (must stop), the file's lines
  function popupLines(data, i, bands, texts) {
    var out = (data.lines[i] || []).slice();
    var score = data.score ? data.score[i] : null;
    var band = bandOf(bands, score);
    if (band) {
      var extra = [fill(texts.score, {score: scoreText(score), band: band.name})];
      if (band.stop) { extra.push(texts.mustStop || ""); }
      out.splice.apply(out, [2, 0].concat(extra));
    }
    return out;
  }

  function colourOf(data, i, bands) {
    var band = bandOf(bands, data.score ? data.score[i] : null);
    return band ? band.colour : KIND_COLOURS[data.kind[i]] || "#444";
  }

  // points [{x, y, i}] in pixels -> groups of one grid cell [{x, y, items}] (the mean)
  function grid(points, cell) {
    var cells = {}, order = [];
    points.forEach(function (p) {
      var key = Math.floor(p.x / cell) + ":" + Math.floor(p.y / cell);
      var c = cells[key];
      if (!c) { c = cells[key] = {x: 0, y: 0, items: []}; order.push(key); }
      c.x += p.x; c.y += p.y; c.items.push(p.i);
    });
    return order.map(function (key) {
      var c = cells[key];
      return {x: c.x / c.items.length, y: c.y / c.items.length, items: c.items};
    });
  }

  // which points show: valid on the day and of a kind switched on
  function visible(data, day, shown) {
    var out = [];
    for (var i = 0; i < data.kind.length; i++) {
      if (shown[data.kind[i]] && validOn(data.from[i], data.to[i], day)) { out.push(i); }
    }
    return out;
  }

  function popupBox(lines) {
    var box = document.createElement("div");
    box.className = "zl-site-popup";
    lines.forEach(function (line, k) {
      var d = document.createElement("div");
      if (k === 0) { d.className = "zl-site-name"; }
      d.textContent = line;  // names are data: never HTML
      box.appendChild(d);
    });
    return box;
  }

  function attach(map, getJson) {
    var L = window.L;
    map.createPane("zlSitesArea").style.zIndex = 420;
    map.createPane("zlSites").style.zIndex = 610;
    var renderer = L.svg({pane: "zlSites"});
    var st = {url: null, data: null, spec: null, shown: null, points: null, areas: null,
              control: null, boxes: [], counts: null};

    function drawControl(spec, data) {
      if (!st.control) {
        st.control = L.control({position: "topleft"});
        st.control.onAdd = function () {
          var d = L.DomUtil.create("div", "zl-sites-toggles");
          L.DomEvent.disableClickPropagation(d);
          L.DomEvent.disableScrollPropagation(d);
          return d;
        };
        st.control.addTo(map);
      }
      var box = st.control.getContainer();
      box.textContent = "";
      st.boxes = [];
      var title = L.DomUtil.create("div", "zl-title", box);
      title.textContent = spec.texts.title || "";
      data.kinds.forEach(function (kind, k) {
        var label = L.DomUtil.create("label", "zl-site-toggle zl-toggle-" + kind, box);
        var input = L.DomUtil.create("input", "", label);
        input.type = "checkbox";
        input.checked = st.shown[k];
        input.dataset.kind = kind;
        var sw = L.DomUtil.create("span", "zl-site-sw", label);
        sw.style.background = KIND_COLOURS[k];
        var text = L.DomUtil.create("span", "zl-site-label", label);
        text.textContent = (spec.texts.kinds || {})[kind] || kind;
        L.DomEvent.on(input, "change", function () { st.shown[k] = input.checked; redraw(); });
        st.boxes.push(text);
      });
    }

    function clear() {
      if (st.points) { map.removeLayer(st.points); st.points = null; }
      if (st.areas) { map.removeLayer(st.areas); st.areas = null; }
    }

    function redraw() {
      var spec = st.spec, data = st.data;
      if (!spec || !data) { return; }
      var bands = spec.bands || [], day = spec.day;
      var idx = visible(data, day, st.shown);
      var counts = [0, 0, 0];
      for (var i = 0; i < data.kind.length; i++) {
        if (validOn(data.from[i], data.to[i], day)) { counts[data.kind[i]] += 1; }
      }
      st.counts = counts;
      st.boxes.forEach(function (el, k) {
        el.textContent = ((spec.texts.kinds || {})[data.kinds[k]] || data.kinds[k]) +
          " (" + counts[k] + ")";
      });
      clear();
      var drawn = [0, 0, 0];
      idx.forEach(function (i) { drawn[data.kind[i]] += 1; });
      st.drawn = drawn;  // sites shown, singly or in clusters, by kind (tests read it)
      var group = L.layerGroup();
      var many = idx.length > CLUSTER_AT;
      if (many) {
        var bounds = map.getBounds().pad(0.25);
        var pts = [];
        idx.forEach(function (i) {
          if (!bounds.contains([data.lat[i], data.lon[i]])) { return; }  // off screen
          var p = map.latLngToLayerPoint([data.lat[i], data.lon[i]]);
          pts.push({x: p.x, y: p.y, i: i});
        });
        grid(pts, CELL).forEach(function (c) {
          if (c.items.length === 1) { group.addLayer(point(c.items[0], bands)); return; }
          group.addLayer(clusterMarker(c));
        });
      } else {
        idx.forEach(function (i) { group.addLayer(point(i, bands)); });
      }
      st.points = group.addTo(map);
      st.clustered = many;
      var features = (data.polygons.features || []).filter(function (f) {
        return st.shown[2] && validOn(f.properties.from, f.properties.to, day);
      });
      st.areas = L.geoJson({type: "FeatureCollection", features: features},
                           {pane: "zlSitesArea", style: AREA_STYLE, interactive: false});
      // the area's popup is its point's: clicks inside it still reach the unit below
      st.areas.addTo(map);
    }

    function point(i, bands) {
      var kind = st.data.kinds[st.data.kind[i]];
      var m = L.circleMarker([st.data.lat[i], st.data.lon[i]], {
        renderer: renderer, pane: "zlSites", radius: kind === "facility" ? 6 : 8,
        color: "#fff", weight: 1.5, fillColor: colourOf(st.data, i, bands), fillOpacity: 0.95,
        className: "zl-site zl-site-" + kind});
      m.zlSite = i;
      m.bindPopup(function () {
        return popupBox(popupLines(st.data, i, bands, st.spec.texts || {}));
      });
      return m;
    }

    function clusterMarker(c) {
      var el = document.createElement("div");
      el.className = "zl-cluster";
      el.textContent = String(c.items.length);
      var size = c.items.length > 999 ? 46 : c.items.length > 99 ? 38 : 30;
      var at = map.layerPointToLatLng([c.x, c.y]);
      var m = L.marker(at, {pane: "zlSites", icon: L.divIcon({
        html: el, className: "zl-cluster-icon", iconSize: [size, size]})});
      m.on("click", function () { map.setView(at, Math.min(map.getZoom() + 2, 18)); });
      return m;
    }

    map.on("zoomend moveend", function () { if (st.clustered) { redraw(); } });

    function render(spec) {
      if (!spec || !spec.url) {
        st.spec = null; clear();
        if (st.control) { map.removeControl(st.control); st.control = null; }
        return;
      }
      var before = st.spec;
      st.spec = spec;
      if (st.url !== spec.url) {
        var url = spec.url;
        st.url = url;
        getJson(url).then(function (data) {
          if (st.url !== url) { return; }
          st.data = data;
          // layers start off (the levels map stays as it was, a unit's click reaches it)
          // unless the spec says "on" (the HTML export asked for them); a toggle turns
          // each on or off, and stays as set while the page lives
          if (!st.shown) { st.shown = data.kinds.map(function () { return !!st.spec.on; }); }
          drawControl(st.spec, data);
          redraw();
        }, function () { st.url = null; });
        return;
      }
      if (!st.data) { return; }
      if (!before || JSON.stringify(before.texts) !== JSON.stringify(spec.texts)) {
        drawControl(spec, st.data);
      }
      if (!before || before.day !== spec.day ||
          JSON.stringify(before.bands) !== JSON.stringify(spec.bands) ||
          JSON.stringify(before.texts) !== JSON.stringify(spec.texts)) {
        redraw();
      }
    }

    return {render: render, state: st};
  }

  return {validOn: validOn, bandOf: bandOf, grid: grid, popupLines: popupLines,
          visible: visible, fill: fill, attach: attach, CLUSTER_AT: CLUSTER_AT};
});
