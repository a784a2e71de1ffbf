// node --test zones/maps/frontend/tests/ : two maps in step (compare.js), with stand-in
// maps that behave as Leaflet's do for this purpose (events fired synchronously by
// setView, several event names in one on()).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const P = require("../compare.js");
const C = require("../core.js");

function fakeMap(lat, lng, zoom) {
  const handlers = {};
  const m = {
    centre: {lat, lng}, zoom, setViews: 0,
    on(names, fn) { names.split(" ").forEach((n) => { (handlers[n] = handlers[n] || []).push(fn); }); },
    off(names, fn) {
      names.split(" ").forEach((n) => { handlers[n] = (handlers[n] || []).filter((f) => f !== fn); });
    },
    fire(name) { (handlers[name] || []).slice().forEach((fn) => fn()); },
    getCenter() { return {lat: m.centre.lat, lng: m.centre.lng}; },
    getZoom() { return m.zoom; },
    setView(c, z, options) {  // as Leaflet: the view changes, then move (and zoomend)
      assert.deepEqual(options, {animate: false});
      m.setViews += 1;
      const zoomed = z !== m.zoom;
      m.centre = {lat: c.lat, lng: c.lng};
      m.zoom = z;
      m.fire("move");
      if (zoomed) { m.fire("zoomend"); }
    },
    // what a user's drag or wheel does: the view changes and the map fires its events
    pan(dlat, dlng) { m.centre = {lat: m.centre.lat + dlat, lng: m.centre.lng + dlng}; m.fire("move"); },
    zoomTo(z) { m.zoom = z; m.fire("move"); m.fire("zoomend"); },
  };
  return m;
}

test("panning the left map pans the right one, and the other way round", () => {
  const a = fakeMap(10, 105, 8), b = fakeMap(10, 105, 8);
  P.link([a, b]);
  a.pan(0.5, -0.25);
  assert.deepEqual(b.getCenter(), {lat: 10.5, lng: 104.75});
  b.pan(-1, 1);
  assert.deepEqual(a.getCenter(), {lat: 9.5, lng: 105.75});
  assert.deepEqual(a.getCenter(), b.getCenter());
});

test("zooming either map zooms the other to the same zoom and centre", () => {
  const a = fakeMap(10, 105, 8), b = fakeMap(10, 105, 8);
  P.link([a, b]);
  b.zoomTo(10.25);
  assert.equal(a.getZoom(), 10.25);
  a.zoomTo(7);
  assert.equal(b.getZoom(), 7);
});

test("a move made by the link is not passed back: no ping-pong, one setView per move", () => {
  const a = fakeMap(10, 105, 8), b = fakeMap(10, 105, 8);
  P.link([a, b]);
  for (let k = 0; k < 20; k++) { a.pan(0.01, 0.01); }  // a drag fires move many times
  assert.equal(b.setViews, 20);
  assert.equal(a.setViews, 0);
  a.zoomTo(9);  // move then zoomend: the second finds b already there
  assert.equal(b.setViews, 21);
  assert.equal(a.setViews, 0);
});

test("a map already showing the view is left alone; unlinking stops following", () => {
  const a = fakeMap(10, 105, 8), b = fakeMap(10, 105, 8);
  const unlink = P.link([a, b]);
  a.fire("move");
  assert.equal(b.setViews, 0);
  unlink();
  a.pan(1, 1);
  assert.deepEqual(b.getCenter(), {lat: 10, lng: 105});
});

test("the first map to fit its bounds sets the view of both", () => {
  const a = fakeMap(16, 106, 6), b = fakeMap(16, 106, 6);
  P.link([a, b]);
  a.setView({lat: 10.1, lng: 104.9}, 9.5, {animate: false});  // a's layer arrived first
  assert.deepEqual([b.getCenter(), b.getZoom()], [{lat: 10.1, lng: 104.9}, 9.5]);
});

test("wide frames put the maps side by side, narrow ones one above the other", () => {
  assert.equal(P.layout(1000), "row");
  assert.equal(P.layout(640), "row");
  assert.equal(P.layout(390), "column");
  assert.equal(P.frameHeight("row", 540), 540);  // stacked: each map keeps its height
  assert.equal(P.frameHeight("column", 540), 1080);
});

test("each side's keys are laid over the shared ones, the pair itself left out", () => {
  const spec = {layer: "/zones-map/l", levels: "", names: ["x"], height: 500,
                compare: {a: {levels: "12", label: "A"}, b: {levels: "21", label: "B", names: ["y"]}}};
  assert.deepEqual(P.sideSpec(spec, spec.compare.b),
                   {layer: "/zones-map/l", levels: "21", names: ["y"], height: 500, label: "B"});
  assert.equal(P.sideSpec(spec, spec.compare.a).names[0], "x");
  assert.equal("compare" in P.sideSpec(spec, spec.compare.a), false);
});

test("units that differ are outlined on both maps and say so, escaped", () => {
  const s = {levels: "123", differ: "010", colours: ["#ccc", "#0a0", "#ff0", "#f80", "#d00"],
             sel: -1, edge: 0.5, names: ["0", "1", "2", "3", "4"], label: "11/10/2021",
             texts: {differ: "<b>khác</b>"}};
  assert.equal(C.styleFor(s, 1).color, C.DIFFER);
  assert.notEqual(C.styleFor(s, 0).color, C.DIFFER);
  s.sel = 1;  // the unit whose panel is open keeps the selection's outline
  assert.equal(C.styleFor(s, 1).color, C.SELECTED);
  assert.match(C.tipHtml(s, 1, "Vĩnh Lạc"), /&lt;b&gt;khác&lt;\/b&gt;/);
  assert.doesNotMatch(C.tipHtml(s, 0, "Vĩnh Lạc"), /khác/);
});
