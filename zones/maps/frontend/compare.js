/* What-if side by side: ONE component instance draws two levels maps (ZLmap) next to
   each other and keeps them in step in the browser: a pan or a zoom of either map moves
   the other to the same view. The geometry is fetched once for both (ZLmap's file cache
   is the page's), each side gets its own day, levels and level names, and the units that
   differ are outlined on both (spec key "differ", see ZLcore.styleFor).

   The spec is the levels map's, plus "compare": {a: {...}, b: {...}}, each side's keys
   laid over the shared ones (levels, label, names, legendTitle, differ…).
   Loaded in the page as window.ZLcompare; in node its pure part (link, layout) is tested
   with stand-in maps (tests/compare.test.js). */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory(root);
  } else {
    root.ZLcompare = factory(root);
  }
})(typeof self !== "undefined" ? self : this, function (root) {
  "use strict";

  /** Whether map m already shows centre c at zoom z (to the nearest 1e-9 degree). */
  function showing(m, c, z) {
    var here = m.getCenter();
    return m.getZoom() === z && Math.abs(here.lat - c.lat) < 1e-9 &&
           Math.abs(here.lng - c.lng) < 1e-9;
  }

  /** Keep maps in step: when one moves (pan, zoom, fit), the others take its centre and
      zoom at once, without animation. A move made by the link itself is not passed on
      again, so two maps never chase each other. Each map needs on(events, fn),
      off(events, fn), getCenter(), getZoom() and setView(centre, zoom, options), as
      Leaflet's maps have. Returns a function that undoes the link. */
  function link(maps) {
    var busy = false, handlers = [];
    maps.forEach(function (m) {
      function follow() {
        if (busy) { return; }
        busy = true;
        try {
          var c = m.getCenter(), z = m.getZoom();
          maps.forEach(function (other) {
            if (other !== m && !showing(other, c, z)) {
              other.setView(c, z, {animate: false});
            }
          });
        } finally {
          busy = false;
        }
      }
      m.on("move moveend zoomend", follow);
      handlers.push([m, follow]);
    });
    return function unlink() {
      handlers.forEach(function (h) { h[0].off("move moveend zoomend", h[1]); });
      handlers = [];
    };
  }

  /** Side by side ("row") on a frame wide enough for two maps, else one above the other. */
  function layout(width) {
    return width >= 640 ? "row" : "column";
  }

  /** The frame's height: each map keeps the page's height, side by side or stacked. */
  function frameHeight(way, height) {
    return way === "row" ? height : 2 * height;
  }

  /** The spec of one side: the shared keys with the side's own laid over them. */
  function sideSpec(spec, side) {
    var out = {};
    Object.keys(spec).forEach(function (k) { if (k !== "compare") { out[k] = spec[k]; } });
    Object.keys(side || {}).forEach(function (k) { out[k] = side[k]; });
    return out;
  }

  /** Two ZLmaps inside `el`, linked; its render(spec) draws each side. Messages from
      either map are numbered in one sequence (the page tells new ones by it). */
  function create(el, options) {
    var send = options.send || function () {};
    var P = {seq: 0, sides: []};
    function post(msg) {
      P.seq += 1;
      msg.seq = P.seq;
      send(msg);
    }
    el.className += " zl-pair";
    ["a", "b"].forEach(function (name) {
      var box = document.createElement("div");
      box.className = "zl-side";
      box.id = "map-" + name;
      el.appendChild(box);
      P.sides.push(root.ZLmap.create(box, {base: options.base, send: post}));
    });
    P.map = P.sides[0].map;
    P.unlink = link(P.sides.map(function (z) { return z.map; }));
    P.invalidateSize = function () {
      P.sides.forEach(function (z) { z.map.invalidateSize(); });
    };
    P.render = function (spec) {
      var way = layout(el.clientWidth), size = frameHeight(way, spec.height);
      if (el.style.flexDirection !== way || el.style.height !== size + "px") {
        el.style.flexDirection = way;  // one above the other: each map keeps its height
        el.style.height = size + "px";
        (options.setHeight || function () {})(size);
        P.invalidateSize();
      }
      var pair = spec.compare || {};
      P.sides[0].render(sideSpec(spec, pair.a));
      P.sides[1].render(sideSpec(spec, pair.b));
    };
    root.__zlc = P;  // the browser tests read both maps here
    return P;
  }

  return {link: link, layout: layout, frameHeight: frameHeight, sideSpec: sideSpec,
          showing: showing, create: create};
});
