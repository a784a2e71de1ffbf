/* The levels map in the browser: the geometry of a view fetched once and kept, a day
   (levels, marks, tooltip rates), the selection and the player applied in place.
   ZLmap.create(element, options) returns the map's state (also window.__zl, which the
   browser tests and bench/ read); state.render(spec) takes what the page sends.
   Every text comes from the page; names are escaped (ZLcore.tipHtml) or set as text. */
(function (root) {
  "use strict";
  var C = root.ZLcore;
  var SVG = "http://www.w3.org/2000/svg";
  // the player's glyphs drawn, not typed: a font without U+23F8 showed an empty box
  var GLYPHS = {play: [["path", {d: "M4 2 L14 8 L4 14 Z"}]],
                pause: [["rect", {x: 3, y: 2, width: 4, height: 12}],
                        ["rect", {x: 9, y: 2, width: 4, height: 12}]]};

  function glyph(button, name, title) {
    while (button.firstChild) { button.removeChild(button.firstChild); }
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "14");
    svg.setAttribute("height", "14");
    svg.setAttribute("aria-hidden", "true");
    GLYPHS[name].forEach(function (part) {
      var el = document.createElementNS(SVG, part[0]);
      Object.keys(part[1]).forEach(function (k) { el.setAttribute(k, part[1][k]); });
      svg.appendChild(el);
    });
    button.appendChild(svg);
    button.title = title || "";
    button.setAttribute("aria-label", title || "");
    button.dataset.state = name;
  }

  function div(cls, parent, text) {
    var d = L.DomUtil.create("div", cls, parent);
    if (text !== undefined) { d.textContent = text; }
    return d;
  }

  var files = {};  // URL -> promise of its JSON, kept for the life of the page (and
                  // shared by the maps of one page: two maps side by side fetch once)

  function create(el, options) {
    var base = options.base || "", send = options.send || function () {};
    function getJson(src) {
      if (typeof src !== "string") { return Promise.resolve(src); }  // inline (export)
      if (!files[src]) {
        files[src] = fetch(C.appUrl(base, src), {credentials: "same-origin"})
          .then(function (r) {
            if (!r.ok) { throw new Error("HTTP " + r.status); }
            return r.json();
          });
        files[src].catch(function () { delete files[src]; });  // asked again next time
      }
      return files[src];
    }

    var map = L.map(el, {preferCanvas: true, zoomSnap: 0.25, center: [16.0, 106.0],
                         zoom: 6});
    L.control.scale().addTo(map);
    var Z = root.__zl = {map: map, layer: null, levels: "", rates: [], label: "",
                         marks: "", pending: "", differ: "", sel: -1, colours: [], names: [],
                         texts: {}, notes: null, notesFor: null, edge: 0.5, seq: 0,
                         timer: null};  // timer: the player's, while it plays
    var wanted = {}, shown = {}, outlineLayers = [], tiles = null;
    // the safety map's sites (sites.js, when loaded): spec.sites
    var sites = root.ZLsites ? root.ZLsites.attach(map, getJson) : null;
    Z.sites = sites;

    function post(type, fields) {
      Z.seq += 1;
      send(C.message(Z.seq, type, fields));
    }

    // the controls: legend (bottom right), notices (top left), day and player (top right)
    var legend = L.control({position: "bottomright"});
    legend.onAdd = function () {
      var d = div("zl-legend");
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      return d;
    };
    legend.addTo(map);
    var notice = L.control({position: "topleft"});
    notice.onAdd = function () { return div("zl-notice"); };
    notice.addTo(map);
    var dayBox = L.control({position: "topright"});
    var play, step, dayLabel;
    dayBox.onAdd = function () {
      var d = div("zl-date");
      play = L.DomUtil.create("button", "zl-play", d);
      play.type = "button";
      step = L.DomUtil.create("select", "zl-step", d);
      dayLabel = L.DomUtil.create("span", "zl-date-label", d);
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.on(play, "click", toggle);
      return d;
    };
    dayBox.addTo(map);

    function drawLegend(spec) {
      var box = legend.getContainer();
      box.textContent = "";
      div("zl-title", box, spec.legendTitle || "");
      var order = [4, 3, 2, 1, 0];
      for (var i = 5; i < spec.colours.length; i++) { order.push(i); }
      order.forEach(function (i) {
        var row = div("zl-row", box);
        L.DomUtil.create("span", "sw", row).style.background = spec.colours[i];
        row.appendChild(document.createTextNode(spec.names[i] || ""));
      });
      if (spec.texts.differLegend) {  // what-if side by side (compare.js)
        var diff = div("zl-row", box);
        L.DomUtil.create("span", "sw sw-differ", diff);
        diff.appendChild(document.createTextNode(spec.texts.differLegend));
      }
      if (spec.texts.marked) {
        var row = div("zl-row", box);
        L.DomUtil.create("span", "sw sw-marked", row);
        row.appendChild(document.createTextNode(spec.texts.marked));
      }
      if (spec.declarations && spec.declarations.length) {
        var decl = div("zl-decl", box);
        div("zl-title", decl, spec.texts.decisions || "");
        spec.declarations.forEach(function (line) { div("", decl, line); });
      }
      var note = notice.getContainer();
      note.textContent = (spec.notices || []).join(" · ");
      note.style.display = note.textContent ? "" : "none";
      step.textContent = "";
      [["1", spec.texts.day], ["7", spec.texts.week]].forEach(function (o) {
        var opt = L.DomUtil.create("option", "", step);
        opt.value = o[0];
        opt.textContent = o[1] || o[0];
      });
      play.parentNode.style.display = "";
      play.style.display = step.style.display = spec.timeline ? "" : "none";
      glyph(play, Z.timer ? "pause" : "play", Z.timer ? spec.texts.pause : spec.texts.play);
    }

    // the day shown: levels, tooltip rates (a list, or the URL of one fetched on the
    // first hover), label, marks, pending weeks, the unit outlined (feature number)
    Z.apply = function (levels, rates, label, marks, pending, selected) {
      Z.levels = levels || ""; Z.rates = rates || []; Z.label = label || "";
      Z.marks = marks || ""; Z.pending = pending || "";
      if (selected !== undefined) { Z.sel = selected; }
      if (Z.layer) {
        Z.layer.eachLayer(function (l) {
          var i = l.feature.properties._i;
          l.setStyle(C.styleFor(Z, i));
          if (i === Z.sel && l.bringToFront) { l.bringToFront(); }
        });
      }
      if (dayLabel) { dayLabel.textContent = Z.label; }
    };

    function wantRates() {
      if (typeof Z.rates !== "string") { return; }
      var url = Z.rates;
      Z.rates = [];
      getJson(url).then(function (list) {
        if (wanted.rates !== url) { return; }
        Z.rates = list;
        var tip = Z.layer && Z.layer.getTooltip();
        if (tip && Z.layer.isTooltipOpen()) { tip.update(); }
      }, function () { /* the tooltip goes without rates */ });
    }

    function codeIndex(code) {
      var at = -1;
      if (Z.layer && code !== null && code !== undefined) {
        Z.layer.eachLayer(function (l) {
          if (l.feature.properties.code === code) { at = l.feature.properties._i; }
        });
      }
      return at;
    }

    // the selected unit kept clear of the legend and inside the map
    function reveal() {
      var hit = null;
      Z.layer.eachLayer(function (l) { if (l.feature.properties._i === Z.sel) { hit = l; } });
      if (!hit) { return; }
      var centre = hit.getBounds().getCenter(), pt = map.latLngToContainerPoint(centre);
      var size = map.getSize(), box = legend.getContainer().getBoundingClientRect();
      var origin = map.getContainer().getBoundingClientRect(), margin = 24;
      var rect = {left: box.left - origin.left, top: box.top - origin.top,
                  right: box.right - origin.left, bottom: box.bottom - origin.top};
      if (pt.x < 0 || pt.y < 0 || pt.x > size.x || pt.y > size.y) {
        map.panInside(centre, {paddingTopLeft: [margin, margin],
                               paddingBottomRight: [rect.right - rect.left + margin,
                                                    rect.bottom - rect.top + margin]});
      } else if (C.inside(pt, rect)) {
        var dx = pt.x - rect.left + margin, dy = pt.y - rect.top + margin;
        map.panBy(dx <= pt.x - margin || dy > pt.y - margin ? [dx, 0] : [0, dy]);
      }
    }

    function applyDay(spec) {
      var before = Z.sel;
      Z.notes = spec.notes || null;
      Z.notesFor = spec.label;
      Z.differ = spec.differ || "";  // units outlined as differing from another map
      Z.apply(spec.levels, spec.rates, spec.label, spec.marks, spec.pending,
              codeIndex(spec.selected));
      if (Z.sel >= 0 && Z.sel !== before) { reveal(); }
    }

    function daySignature(spec) {
      return JSON.stringify([spec.layer, spec.levels, spec.rates, spec.label, spec.marks,
                             spec.pending, spec.selected, spec.notes, spec.differ]);
    }

    function showLayer(spec, data) {
      data.features.forEach(function (f, k) { f.properties._i = k; });
      // thousands of units at country zoom: hairline edges, or the fill drowns in them
      Z.edge = data.features.length > 2000 ? 0.12 : 0.5;
      var layer = L.geoJson(data, {style: function (f) {
        return C.styleFor(Z, f.properties._i);
      }});
      layer.bindTooltip(function (l) {
        wantRates();
        return C.tipHtml(Z, l.feature.properties._i, l.feature.properties.name);
      }, {sticky: true});
      layer.on("tooltipopen", function () { L.DomUtil.addClass(map.getContainer(), "zl-tipping"); });
      layer.on("tooltipclose", function () { L.DomUtil.removeClass(map.getContainer(), "zl-tipping"); });
      layer.on("click", function (e) {
        L.DomEvent.stopPropagation(e);
        if (wanted.clicks) { post("click", {unit: e.layer.feature.properties.code}); }
      });
      if (Z.layer) { map.removeLayer(Z.layer); }
      Z.layer = layer.addTo(map);
      Z.sel = -1;
      outlineLayers.forEach(function (o) { o.bringToFront(); });
      map.setMinZoom(0);
      map.fitBounds(spec.bounds, {padding: [8, 8], animate: false});
      // the wheel zooms out no further than a step beyond the view, never to the world
      map.setMinZoom(Math.max(0, map.getZoom() - 1));
    }

    function showOutlines(list) {
      var key = JSON.stringify(list);
      if (shown.outlines === key) { return; }
      shown.outlines = key;
      Promise.all(list.map(function (o) { return getJson(o.url); })).then(function (all) {
        if (shown.outlines !== key) { return; }
        outlineLayers.forEach(function (o) { map.removeLayer(o); });
        outlineLayers = all.map(function (data, k) {
          return L.geoJson(data, {interactive: false,
            style: {fill: false, color: list[k].colour, weight: list[k].weight,
                    opacity: 0.9}}).addTo(map);
        });
      }, function () { shown.outlines = null; });
    }

    function showTiles(t) {
      var key = t ? t.url : null;
      if (shown.tiles === key) { return; }
      shown.tiles = key;
      if (tiles) { map.removeLayer(tiles); tiles = null; }
      if (t) {
        tiles = L.tileLayer(t.url, {attribution: t.attribution, maxZoom: 19}).addTo(map);
        tiles.bringToBack();
      }
    }

    /* What the page sends at each run; only what changed is redone. */
    Z.render = function (spec) {
      wanted = spec;
      Z.colours = spec.colours; Z.names = spec.names; Z.texts = spec.texts || {};
      var look = JSON.stringify([spec.legendTitle, spec.colours, spec.names, spec.texts,
                                 spec.notices, spec.declarations, !!spec.timeline]);
      if (shown.look !== look) { shown.look = look; drawLegend(spec); }
      map.getContainer().style.background = spec.background || "";
      // on a page of charts and tables the wheel scrolls the page, not the map
      if (spec.wheel === false) { map.scrollWheelZoom.disable(); }
      else { map.scrollWheelZoom.enable(); }
      showTiles(spec.tiles);
      showOutlines(spec.outlines || []);
      if (sites) { sites.render(spec.sites || null); }
      if (shown.layer !== spec.layer) {
        shown.layer = spec.layer;
        shown.day = null;
        stop();
        getJson(spec.layer).then(function (data) {
          if (wanted.layer !== spec.layer) { return; }  // another view asked since
          showLayer(wanted, data);
          shown.day = daySignature(wanted);
          applyDay(wanted);
        }, function () { shown.layer = null; });
        return;
      }
      if (!Z.layer || Z.timer) { return; }  // loading, or playing: the player's frame stays
      var day = daySignature(spec);
      if (shown.day !== day) { shown.day = day; applyDay(spec); }
    };

    // the player: frames from the timeline file, in the browser; a pause (or the end)
    // tells the page which day is shown, so its date control and panel follow
    function stop() {
      if (!Z.timer) { return false; }
      clearInterval(Z.timer);
      Z.timer = null;
      glyph(play, "play", Z.texts.play);
      return true;
    }

    function follow(label) {
      var day = C.isoDay(label);
      Z.apply(Z.levels, null, String(label).split(" ")[0], Z.marks);
      shown.day = null;  // the page's next day is applied even if it was the last one
      if (day) { post("day", {day: day}); }
    }

    function toggle() {
      if (stop()) { follow(Z.label); return; }
      var url = wanted.timeline;
      if (!url) { return; }
      getJson(url).then(function (T) {
        if (Z.timer || wanted.timeline !== url) { return; }
        var k = C.startFrame(T.labels, Z.label), ms = wanted.playMs || 200;
        glyph(play, "pause", Z.texts.pause);
        Z.timer = setInterval(function () {
          k = C.nextFrame(k, parseInt(step.value, 10) || 1, T.labels.length);
          Z.apply(T.levels[k], null, T.labels[k] + " ▶", T.marks ? T.marks[k] : "");
          if (k >= T.labels.length - 1) { stop(); follow(T.labels[k]); }
        }, ms);
      });
    }

    return Z;
  }

  root.ZLmap = {create: create};
})(typeof self !== "undefined" ? self : this);
