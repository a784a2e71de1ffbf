// node --test zones/maps/frontend/tests/ : the sites layer's pure functions (sites.js)
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const S = require("../sites.js");

const BANDS = [{key: "green", from: 80, colour: "#2e7d32", name: "Xanh", stop: false},
               {key: "gold", from: 50, colour: "#f9a825", name: "Vàng", stop: false},
               {key: "red", from: 0, colour: "#c62828", name: "Đỏ", stop: true}];

test("a site shows from its first day to its last, open-ended without one", () => {
  assert.equal(S.validOn("2021-08-24", "2021-09-14", "2021-08-24"), true);
  assert.equal(S.validOn("2021-08-24", "2021-09-14", "2021-09-14"), true);
  assert.equal(S.validOn("2021-08-24", "2021-09-14", "2021-09-15"), false);
  assert.equal(S.validOn("2021-08-24", "", "2030-01-01"), true);
  assert.equal(S.validOn("2021-08-24", "", "2021-08-23"), false);
});

test("bands at both ends and on their edges; no score, no band", () => {
  assert.deepEqual([0, 49.99, 50, 79.99, 80, 100].map((s) => S.bandOf(BANDS, s).key),
                   ["red", "red", "gold", "gold", "green", "green"]);
  assert.equal(S.bandOf(BANDS, null), null);
  assert.equal(S.bandOf([], 50), null);
});

test("popup lines keep names as data and add the score, band and must-stop", () => {
  const hostile = `<img src=x onerror="window.__pwned=1">`;
  const data = {kind: [0, 1], score: [40, null],
                lines: [[hostile, "Cơ sở", "Hiệu lực"], ["Khu 1", "Khu cách ly", "8/10"]]};
  const texts = {score: "Điểm: {score} % – {band}", mustStop: "Phải dừng hoạt động"};
  assert.deepEqual(S.popupLines(data, 0, BANDS, texts),
                   [hostile, "Cơ sở", "Điểm: 40 % – Đỏ", "Phải dừng hoạt động", "Hiệu lực"]);
  assert.deepEqual(S.popupLines(data, 1, BANDS, texts), ["Khu 1", "Khu cách ly", "8/10"]);
  assert.equal(S.fill("{a} {b} {c}", {a: "<x>", b: "{c}"}), "<x> {c} {c}");
});

test("grid clusters group the points of one cell at their mean", () => {
  const pts = [{x: 1, y: 1, i: 0}, {x: 3, y: 5, i: 1}, {x: 50, y: 1, i: 2}];
  const got = S.grid(pts, 44);
  assert.equal(got.length, 2);
  assert.deepEqual(got[0], {x: 2, y: 3, items: [0, 1]});
  assert.deepEqual(got[1].items, [2]);
});

test("only sites valid on the day and of a kind switched on show", () => {
  const data = {kind: [0, 0, 1, 2], from: ["2021-08-01", "2021-08-01", "2021-08-20", "2021-08-24"],
                to: ["", "2021-08-10", "", "2021-09-14"]};
  assert.deepEqual(S.visible(data, "2021-09-01", [true, true, true]), [0, 2, 3]);
  assert.deepEqual(S.visible(data, "2021-09-01", [false, true, true]), [2, 3]);
});
