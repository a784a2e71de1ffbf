/* The map's pure functions: no DOM, no Leaflet, so node's test runner checks them
   (tests/core.test.js). Loaded in the page as window.ZLcore, in node as a module. */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.ZLcore = factory();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};

  /** Text made safe for HTML: names and every other text are data. */
  function esc(s) {
    return String(s === undefined || s === null ? "" : s).replace(/[&<>"']/g, function (c) {
      return ENTITIES[c];
    });
  }

  /** The level of feature i in a string of digits (one per feature); 0 when the digit
      is missing or not a level with a colour. */
  function levelAt(levels, i, count) {
    var c = String(levels || "").charCodeAt(i) - 48;
    return (c >= 0 && c < count) ? c : 0;
  }

  /** The mark of feature i: 0, or 1 + the computed level of a declared unit. */
  function markAt(marks, i) {
    var m = marks ? String(marks).charCodeAt(i) - 48 : 0;
    return (m > 0 && m <= 5) ? m : 0;
  }

  /** Whether feature i's figures for the week shown are not approved yet. */
  function pendingAt(pending, i) {
    return !!pending && String(pending).charCodeAt(i) === 49;
  }

  var SELECTED = "#1f3fbf";
  /** The outline of a unit whose level differs between two maps side by side. */
  var DIFFER = "#8e24aa";

  /** The Leaflet style of feature i. s: {levels, marks, pending, differ, colours, sel,
      edge}. */
  function styleFor(s, i) {
    var fill = pendingAt(s.pending, i) ? 0.35 : 0.8;
    var colour = s.colours[levelAt(s.levels, i, s.colours.length)];
    if (i === s.sel) {  // the unit whose panel is open
      return {fillColor: colour, fillOpacity: fill, color: SELECTED, weight: 4, opacity: 1,
              dashArray: null};
    }
    if (pendingAt(s.differ, i)) {  // what-if side by side: the other map differs here
      return {fillColor: colour, fillOpacity: fill, color: DIFFER, weight: 3.5, opacity: 1,
              dashArray: null};
    }
    if (markAt(s.marks, i)) {  // declared at a level other than the computed one
      return {fillColor: colour, fillOpacity: fill, color: "#000", weight: 2.5, opacity: 1,
              dashArray: "5 4"};
    }
    return {fillColor: colour, fillOpacity: fill, color: "#5b5b5b", weight: s.edge,
            opacity: 0.9, dashArray: null};
  }

  /** The tooltip of feature i named `name`, as HTML in which every text is escaped.
      s: {levels, marks, pending, names, colours, texts, label, rates, notes, notesFor}. */
  function tipHtml(s, i, name) {
    var t = s.texts || {}, level = levelAt(s.levels, i, s.names.length);
    var html = "<b>" + esc(name) + "</b><br>" + esc(s.names[level]);
    // the decision in force for the day shown (not for a frame of the player)
    var note = (s.notes && s.notesFor === s.label) ? (s.notes[i] || "") : "";
    var mark = markAt(s.marks, i);
    if (mark) {
      html += " <i>(" + esc(t.declared) + ")</i><br>" + esc(t.computed) + ": " +
              esc(s.names[mark - 1]);
    } else if (note) {
      html += " <i>(" + esc(t.declared) + ")</i>";
    }
    if (note) {
      html += "<br>" + esc(note);
    }
    var r = Array.isArray(s.rates) ? s.rates[i] : undefined;
    if (r !== undefined && r !== null && r !== "") {
      html += "<br>" + esc(t.rate) + ": <b>" + esc(r) + "</b>";
    }
    if (pendingAt(s.differ, i) && t.differ) {
      html += "<br><i>" + esc(t.differ) + "</i>";
    }
    if (pendingAt(s.pending, i) && t.pending) {
      html += "<br><i>" + esc(t.pending) + "</i>";
    }
    return html + "<br><span class='zl-tip-day'>" + esc(s.label) + "</span>";
  }

  /** The app's base path ("" or e.g. "/zones") from the path of the component's page,
      which Streamlit serves at <base>/component/<name>/index.html. */
  function basePath(pathname) {
    var at = String(pathname || "").lastIndexOf("/component/");
    return at > 0 ? pathname.slice(0, at) : "";
  }

  /** A path of the app ("/zones-map/…", as the server names it) under the base path;
      anything else (a full URL) as it is. */
  function appUrl(base, path) {
    if (typeof path !== "string" || path.charAt(0) !== "/" || path.charAt(1) === "/") {
      return path;
    }
    return base + path;
  }

  /** "YYYY-MM-DD" of a day label "dd/mm/yyyy" (anything after a space ignored), or null. */
  function isoDay(label) {
    var p = String(label || "").split(" ")[0].split("/");
    if (p.length !== 3 || !/^\d{2}$/.test(p[0]) || !/^\d{2}$/.test(p[1]) ||
        !/^\d{4}$/.test(p[2])) {
      return null;
    }
    return p[2] + "-" + p[1] + "-" + p[0];
  }

  /** The messages the map sends the page, each with a sequence number: a rerun
      carries the last message again, a new event a new number. */
  function message(seq, type, fields) {
    var out = {type: type, seq: seq};
    Object.keys(fields || {}).forEach(function (k) { out[k] = fields[k]; });
    return out;
  }

  /** The next frame of the player: from frame k by step, stopping at the last. */
  function nextFrame(k, step, count) {
    return Math.min(count - 1, k + step);
  }

  /** Where play starts: the day shown, or the first day when that is the last. */
  function startFrame(labels, label) {
    var k = Math.max(0, labels.indexOf(String(label || "").split(" ")[0]));
    return k >= labels.length - 1 ? 0 : k;
  }

  /** Whether a point (container pixels) lies in a rectangle {left, top, right, bottom}. */
  function inside(pt, rect) {
    return pt.x >= rect.left && pt.x <= rect.right && pt.y >= rect.top && pt.y <= rect.bottom;
  }

  return {esc: esc, levelAt: levelAt, markAt: markAt, pendingAt: pendingAt,
          styleFor: styleFor, tipHtml: tipHtml, basePath: basePath, appUrl: appUrl,
          isoDay: isoDay, message: message, nextFrame: nextFrame, startFrame: startFrame,
          inside: inside, SELECTED: SELECTED, DIFFER: DIFFER};
});
