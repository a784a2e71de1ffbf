// node --test zones/maps/frontend/tests/ : the map's pure functions, without a browser
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const C = require("../core.js");

const COLOURS = ["#ccc", "#2E9E44", "#F2C81D", "#F28C1D", "#D7263D"];
const NAMES = ["Chưa đủ dữ liệu", "Cấp 1", "Cấp 2", "Cấp 3", "Cấp 4"];

test("a feature's colour is that of its level digit, grey for anything else", () => {
  const s = {levels: "0142x", colours: COLOURS, sel: -1, edge: 0.5};
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => C.styleFor(s, i).fillColor),
                   ["#ccc", "#2E9E44", "#D7263D", "#F2C81D", "#ccc", "#ccc"]);
  assert.equal(C.levelAt("9", 0, 5), 0);  // a digit with no colour
});

test("the selected unit is outlined, a declared one dashed, a pending one paler", () => {
  const s = {levels: "1234", colours: COLOURS, sel: 2, marks: "0300", pending: "0001",
             edge: 0.12};
  assert.equal(C.styleFor(s, 2).color, C.SELECTED);
  assert.equal(C.styleFor(s, 2).weight, 4);
  assert.equal(C.styleFor(s, 1).dashArray, "5 4");
  assert.equal(C.styleFor(s, 0).weight, 0.12);
  assert.equal(C.styleFor(s, 3).fillOpacity, 0.35);
  assert.equal(C.styleFor(s, 0).fillOpacity, 0.8);
});

test("every text of a tooltip is escaped", () => {
  const hostile = `<img src=x onerror="alert(1)">&'`;
  const s = {levels: "3", marks: "2", names: NAMES, colours: COLOURS, label: "01/09/2021",
             texts: {declared: "công bố <b>", computed: "tính", rate: "Tỷ lệ"},
             rates: ["<i>12,5</i>"], notes: {0: hostile}, notesFor: "01/09/2021"};
  const html = C.tipHtml(s, 0, hostile);
  assert.ok(!html.includes("<img"), html);
  assert.ok(!html.includes("<i>12"), html);
  assert.ok(html.includes("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;"));
  assert.ok(html.includes("công bố &lt;b&gt;"));
  assert.ok(html.includes("tính: Cấp 1"));  // the mark: 1 + the computed level
  assert.equal(C.esc(null), "");
});

test("a decision note shows only for the day it was sent for, not a player frame", () => {
  const s = {levels: "4", names: NAMES, colours: COLOURS, texts: {declared: "công bố"},
             notes: {0: "QĐ 1"}, notesFor: "01/09/2021", label: "02/09/2021 ▶"};
  assert.ok(!C.tipHtml(s, 0, "A").includes("QĐ 1"));
  s.label = "01/09/2021";
  assert.ok(C.tipHtml(s, 0, "A").includes("QĐ 1"));
  assert.ok(!C.tipHtml({...s, rates: "/zones-map/rates-x.json"}, 0, "A").includes("undefined"));
});

test("the base path comes from the component's own address", () => {
  assert.equal(C.basePath("/component/ui.map_component.zones_map/index.html"), "");
  assert.equal(C.basePath("/zones/component/ui.map_component.zones_map/index.html"),
               "/zones");
  assert.equal(C.basePath("/a/b/component/x/index.html"), "/a/b");
  assert.equal(C.basePath("/tmp/m.html"), "");  // an exported file
});

test("the app's paths go under the base path; full URLs stay as they are", () => {
  assert.equal(C.appUrl("/zones", "/zones-map/layer-x.json"), "/zones/zones-map/layer-x.json");
  assert.equal(C.appUrl("", "/zones-map/layer-x.json"), "/zones-map/layer-x.json");
  assert.equal(C.appUrl("/zones", "https://tile.example/{z}.png"), "https://tile.example/{z}.png");
  assert.equal(C.appUrl("/zones", "//host/x"), "//host/x");
  const inline = {type: "FeatureCollection"};
  assert.equal(C.appUrl("/zones", inline), inline);
});

test("a day label becomes an ISO day; anything else is no day", () => {
  assert.equal(C.isoDay("05/09/2021 ▶"), "2021-09-05");
  assert.equal(C.isoDay("31/12/2021"), "2021-12-31");
  assert.equal(C.isoDay("2021-09-05"), null);
  assert.equal(C.isoDay(""), null);
  assert.equal(C.isoDay("1/9/2021"), null);
});

test("messages carry their type, their fields and a sequence number, never a point", () => {
  assert.deepEqual(C.message(3, "click", {unit: "30745"}),
                   {type: "click", seq: 3, unit: "30745"});
  assert.deepEqual(C.message(4, "day", {day: "2021-09-05"}),
                   {type: "day", seq: 4, day: "2021-09-05"});
  assert.deepEqual(JSON.parse(JSON.stringify(C.message(1, "click", {unit: "a\"<"}))),
                   {type: "click", seq: 1, unit: "a\"<"});
});

test("the player starts at the day shown, restarts from the first, stops at the last", () => {
  const labels = ["01/09/2021", "02/09/2021", "03/09/2021"];
  assert.equal(C.startFrame(labels, "02/09/2021"), 1);
  assert.equal(C.startFrame(labels, "03/09/2021 ▶"), 0);
  assert.equal(C.startFrame(labels, "09/09/2099"), 0);
  assert.equal(C.nextFrame(0, 7, 3), 2);
  assert.equal(C.nextFrame(0, 1, 3), 1);
});

test("a point is under a box when inside its edges", () => {
  const box = {left: 10, top: 10, right: 20, bottom: 20};
  assert.ok(C.inside({x: 15, y: 20}, box));
  assert.ok(!C.inside({x: 9, y: 15}, box));
});
