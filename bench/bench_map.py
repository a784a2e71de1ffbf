"""Browser benchmark of the map page at national commune level (~10,040 polygons).

Run: ``python bench/bench_map.py [--db URL] [--runs N]`` (default: the national demo at
``sqlite:////tmp/national.db``; when no ``--db`` is given and that file does not exist,
the demo is built into ``/tmp/national_bench.db``).

One run of headless Debian Chromium (``/usr/bin/chromium``, never a downloaded browser),
loopback only, measures for the real app (``streamlit run app.py``) and, in the same run,
for a NAIVE baseline (a throwaway Streamlit script in a temp dir that rebuilds
``folium.Map`` + ``folium.GeoJson(style_function=...)`` on every rerun):

1. first paint of the commune map: navigation start -> the frame painted after the
   commune layer holds all features and is styled; bytes for it (HTTP as encoded on the
   wire, incl. the static GeoJSON, + websocket server->browser);
2. a date change (click "1 ›"): click -> the frame painted with the new colours
   (polled inside the map iframe, then requestAnimationFrame x2); websocket bytes
   server->browser for that rerun (until the page is quiet again);
3. the same two for the naive baseline;
4. the payload: commune layer GeoJSON (raw, gzip) and the per-date update.

Method (perf.md): timestamps are taken in the browser (``performance.timeOrigin +
performance.now()``) by an init script injected into every frame; bytes come from CDP
``Network.loadingFinished`` (encodedDataLength) and ``Network.webSocketFrameReceived``;
websocket frames are decoded as Streamlit ``ForwardMsg`` to count script runs and time
them (``new_session`` -> ``script_finished``, as received by the browser).

Each measured visit uses a fresh browser context (empty HTTP cache, new session) against
a server whose caches were warmed by one unmeasured visit (reported as "cold server").
Raw numbers are saved to ``bench/results/map.json``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, stop, wait_healthy  # noqa: E402

DEFAULT_DB = "sqlite:////tmp/national.db"
FALLBACK_DB = "sqlite:////tmp/national_bench.db"
RESULTS = ROOT / "bench" / "results" / "map.json"
COMMUNE_LABEL = "Xã/phường"       # tr("ui.level.commune"), vi
NEXT_DAY = "1 ›"
TARGETS = {"first_paint_s": 1.5, "date_change_s": 0.5, "date_change_kb": 50.0,
           "payload_mb": 4.0}
# the dashboard as ``make run`` starts it (falls back to plain ``streamlit run app.py``)
APP_LAUNCH = (["ui.server.serve"] if (ROOT / "ui" / "server" / "serve.py").exists()
              else ["streamlit", "run", "app.py"])
VIEWPORT = {"width": 1400, "height": 1000}
# any host other than loopback fails to resolve: nothing can leave the machine
ARGS = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]

# Injected into every frame. The top page records click times and collects events; each
# frame polls for the map state (app: window.__zl, naive: window.__zn) and, on a change of
# (date label, level string) once the layer is built and styled, stamps the second
# animation frame (= the frame painted with the new state) into window.top.__benchEvents.
INIT_JS = r"""
(() => {
  const now = () => performance.timeOrigin + performance.now();
  if (window === window.top) {
    window.__benchEvents = [];
    window.__benchClicks = [];
    document.addEventListener('click', (e) => {
      window.__benchClicks.push({t: performance.timeOrigin + e.timeStamp,
                                 text: ((e.target && e.target.innerText) || '').slice(0, 40)});
    }, true);
    return;
  }
  let lastKey = null;
  function state() {
    const Z = window.__zl;
    if (Z && Z.layer) {
      const n = Z.layer.getLayers().length;
      return {kind: 'app', n, label: Z.label, levels: Z.levels || '',
              styled: !!Z.levels && Z.levels.length >= n};
    }
    const N = window.__zn;
    if (N && N.layer) {
      return {kind: 'naive', n: N.layer.getLayers().length, label: N.label, levels: '',
              styled: true};
    }
    return null;
  }
  function resources() {
    return performance.getEntriesByType('resource')
      .filter((e) => e.name.indexOf('/app/static/') >= 0 || e.name.indexOf('/zones-map/') >= 0)
      .map((e) => ({name: e.name.split(/\/app\/static\/|\/zones-map\//)[1],
                    start: performance.timeOrigin + e.startTime,
                    end: performance.timeOrigin + e.responseEnd,
                    transfer: e.transferSize, encoded: e.encodedBodySize,
                    decoded: e.decodedBodySize}));
  }
  setInterval(() => {
    let s;
    try { s = state(); } catch (err) { return; }
    if (!s || !s.styled || s.n === 0) return;
    const key = s.label + '|' + s.levels;
    if (key === lastKey) return;
    lastKey = key;
    const detect = now();
    requestAnimationFrame(() => requestAnimationFrame(() => {
      const ev = {kind: s.kind, n: s.n, label: s.label, nLevels: s.levels.length,
                  detect, t: now(), frameOrigin: performance.timeOrigin,
                  resources: resources()};
      try { window.top.__benchEvents.push(ev); } catch (err) { /* detached */ }
    }));
  }, 4);
})();
"""

NAIVE_APP = '''
"""Naive baseline (bench_map.py): rebuild folium.Map + GeoJson(style_function) per rerun."""
import datetime as dt
import json
import os
import sys
import time

sys.path.insert(0, {root!r})

import folium
import streamlit as st
from branca.element import MacroElement
from jinja2 import Template
from streamlit_folium import st_folium

from geodata.display import geojson_layer
from zones.maps.palettes import PALETTES
from zones import api
from zones.storage import store
from zones.storage.db import open_db

URL = os.environ["ZONES_DB"]
COLOURS = dict(PALETTES["default"])


@st.cache_resource
def geometry():
    units = store.load_units(open_db(URL), geometry=True, levels=["commune"])
    data = json.loads(geojson_layer(units, 0.001))
    b = units.total_bounds
    return data, list(units.index), [[float(b[1]), float(b[0])], [float(b[3]), float(b[2])]]


@st.cache_resource
def table():
    return api.computed_levels(api.open_workspace(URL))


class Marker(MacroElement):
    """Benchmark probe: exposes the layer and the date label to the poller."""

    _template = Template("""{{% macro script(this, kwargs) %}}
window.__zn = {{label: {{{{ this.label|tojson }}}}, layer: {{{{ this.geo.get_name() }}}}}};
{{% endmacro %}}""")

    def __init__(self, geo, label):
        super().__init__()
        self.geo, self.label = geo, label


t0 = time.perf_counter()
data, codes, bounds = geometry()
tab = table()
first, last = tab.dates[0].date(), tab.dates[-1].date()
if "day" not in st.session_state:
    demo = dt.date(2021, 9, 1)
    st.session_state.day = demo if first <= demo <= last else first


def shift(n):
    st.session_state.day = min(st.session_state.day + dt.timedelta(days=n), last)


st.title("Naive baseline")
st.button({next_day!r}, on_click=shift, args=(1,))
day = st.session_state.day
label = day.strftime("%d/%m/%Y")
lv = dict(zip(codes, tab.row(day, codes).tolist()))
m = folium.Map(location=[16.0, 106.0], zoom_start=6, tiles=None)
m.default_js = [("leaflet", "/app/static/vendor/leaflet.js")]
m.default_css = [("leaflet_css", "/app/static/vendor/leaflet.css")]
geo = folium.GeoJson(
    data,
    style_function=lambda f: {{"fillColor": COLOURS[lv[f["properties"]["code"]]],
                              "color": "#5b5b5b", "weight": 0.5, "fillOpacity": 0.8}},
    tooltip=folium.GeoJsonTooltip(["name"]))
geo.add_to(m)
m.add_child(Marker(geo, label))
m.fit_bounds(bounds)
st_folium(m, key="naive", height=640, use_container_width=True,
          returned_objects=["last_clicked"])
print("BENCH_SCRIPT", label, round(time.perf_counter() - t0, 3), flush=True)
'''


# ---------------------------------------------------------------- database

def sqlite_path(url: str) -> Path | None:
    return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None


def commune_count(url: str) -> int:
    from zones.storage import store
    from zones.storage.db import open_db

    units = store.load_units(open_db(url))
    return int((units["level"] == "commune").sum()) if len(units) else 0


def ensure_db(url: str | None) -> str:
    """The DB to use: the given one, the national demo, or a freshly built one."""
    if url:
        return url
    path = sqlite_path(DEFAULT_DB)
    if path.exists():
        return DEFAULT_DB
    fallback = sqlite_path(FALLBACK_DB)
    if not fallback.exists():
        print(f"building the national demo into {fallback} (several minutes)…", flush=True)
        subprocess.run([sys.executable, "-m", "zones", "--db", FALLBACK_DB, "demo",
                        "--national"], cwd=ROOT, check=True)
    return FALLBACK_DB


# ---------------------------------------------------------------- servers

@contextlib.contextmanager
def server(cwd: Path, launch: list[str], db_url: str, log: Path, timeout: float = 120):
    """``python -m <launch>`` on a free loopback port; output goes to ``log``."""
    port = free_port()
    env = dict(os.environ, ZONES_DB=db_url, PYTHONPATH=str(ROOT))
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", *launch, "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, timeout)
        yield base
    except BaseException:
        tail = log.read_text(errors="replace").splitlines()[-30:]
        print(f"--- last lines of {log.name}:\n" + "\n".join(tail), file=sys.stderr)
        raise
    finally:
        stop(proc)


def write_naive_app(tmp: Path) -> Path:
    """The throwaway naive app with local Leaflet (static/vendor) and static serving."""
    from ui.assets import ensure_static

    vendor = ensure_static()
    # a copy, not a symlink: Streamlit's static serving refuses paths leaving static/
    shutil.copytree(vendor, tmp / "static" / "vendor")
    (tmp / ".streamlit").mkdir()
    (tmp / ".streamlit" / "config.toml").write_text(
        "[server]\nenableStaticServing = true\nheadless = true\nfileWatcherType = \"none\"\n"
        "[browser]\ngatherUsageStats = false\n")
    (tmp / "naive.py").write_text(NAIVE_APP.format(root=str(ROOT), next_day=NEXT_DAY))
    return tmp


# ---------------------------------------------------------------- network recorder

def decode_forward(payload: bytes):
    """(type, detail) of a Streamlit ForwardMsg (detail: element type of a delta)."""
    try:
        msg = ForwardMsg.FromString(payload)
    except Exception:
        return "?", "", 0
    kind = msg.WhichOneof("type") or "?"
    detail, fg = "", 0
    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        el = msg.delta.new_element
        detail = el.WhichOneof("type") or ""
        if detail == "component_instance":
            try:
                args = json.loads(el.component_instance.json_args or "{}")
                fg = len((args.get("feature_group") or "").encode())
            except ValueError:
                pass
    return kind, detail, fg


class Recorder:
    """CDP network log of one page: HTTP bytes on the wire and websocket frames."""

    def __init__(self, cdp):
        self.http = []     # dicts: url, bytes (encodedDataLength), t (monotonic s)
        self.ws = []       # dicts: bytes, t, kind, detail, fg
        self.urls = {}
        self.wall_offset = None  # epoch ms - CDP monotonic ms
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.send("Network.enable", {"maxTotalBufferSize": 100_000_000})
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})

    def _request(self, p):
        self.urls[p["requestId"]] = p["request"]["url"]
        if self.wall_offset is None and "wallTime" in p:
            self.wall_offset = p["wallTime"] * 1000 - p["timestamp"] * 1000

    def epoch_ms(self, t: float) -> float | None:
        return None if self.wall_offset is None else t * 1000 + self.wall_offset

    def _finished(self, p):
        self.http.append({"url": self.urls.get(p["requestId"], "?"),
                          "bytes": int(p.get("encodedDataLength", 0)), "t": p["timestamp"]})

    def _frame(self, p):
        r = p["response"]
        if r.get("opcode") == 2:
            raw = base64.b64decode(r["payloadData"])
        elif r.get("opcode") == 1:
            raw = r["payloadData"].encode()
        else:
            return
        kind, detail, fg = decode_forward(raw) if r.get("opcode") == 2 else ("text", "", 0)
        self.ws.append({"bytes": len(raw), "t": p["timestamp"], "kind": kind,
                        "detail": detail, "fg": fg})

    def mark(self):
        return len(self.http), len(self.ws)

    def since(self, mark):
        h, w = mark
        return self.http[h:], self.ws[w:]


def script_runs(frames):
    """Server script runs seen in ``frames``: (count, seconds new_session -> finished)."""
    runs, start = [], None
    for f in frames:
        if f["kind"] == "new_session":
            start = f["t"]
        elif f["kind"] == "script_finished" and start is not None:
            runs.append(f["t"] - start)
            start = None
    return runs


# ---------------------------------------------------------------- one visit

def wait_quiet(page, rec, quiet_s=1.2, timeout_s=60):
    """Wait until no HTTP response or websocket frame arrived for ``quiet_s``."""
    deadline = time.time() + timeout_s
    last = rec.mark()
    still = time.time()
    while time.time() < deadline:
        page.wait_for_timeout(100)
        now = rec.mark()
        if now != last:
            last, still = now, time.time()
        elif time.time() - still >= quiet_s:
            return
    print("  warning: the page never went quiet", flush=True)


def wait_script_finished(page, rec, mark, timeout_s=120):
    """Wait until the script run started after ``mark`` has finished (ForwardMsg)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        frames = rec.since(mark)[1]
        started = [i for i, f in enumerate(frames) if f["kind"] == "new_session"]
        if started and any(f["kind"] == "script_finished" for f in frames[started[-1]:]):
            return
        page.wait_for_timeout(50)
    print("  warning: no script_finished seen", flush=True)


def wait_event(page, predicate_js, timeout_s=120):
    page.wait_for_function(f"() => (window.__benchEvents || []).some({predicate_js})",
                           timeout=timeout_s * 1000, polling=50)
    return page.evaluate(f"() => (window.__benchEvents || []).filter({predicate_js})")[-1]


def visit(browser, base: str, kind: str, external: list, min_features: int,
          timeout_s: float = 120) -> dict:
    """Fresh context: first paint of the commune map, then one date change."""
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.add_init_script(INIT_JS)
    page = ctx.new_page()
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(
        ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")) else None)
    rec = Recorder(ctx.new_cdp_session(page))
    out = {"kind": kind}
    try:
        page.goto(base, wait_until="commit")
        nav = page.evaluate("() => performance.timeOrigin")
        is_map = f"e => e.kind === '{kind}'"
        ev = wait_event(page, is_map, timeout_s)
        out["level_click"] = None
        if kind == "app" and ev["n"] < min_features:
            # the map opened on provinces/districts: pick communes in "Hiển thị cấp"
            out["opened_with_features"] = ev["n"]
            out["opened_s"] = (ev["t"] - nav) / 1000
            wait_quiet(page, rec, quiet_s=0.8)
            page.get_by_role("radio", name=COMMUNE_LABEL, exact=True).click()
            ev = wait_event(page, f"e => e.kind === 'app' && e.n >= {min_features}",
                            timeout_s)
            clicks = page.evaluate("() => window.__benchClicks")
            out["level_click"] = (ev["t"] - clicks[-1]["t"]) / 1000
        out["first_paint_s"] = (ev["t"] - nav) / 1000
        out["features"] = ev["n"]
        out["label_before"] = ev["label"]
        out["resources"] = [dict(r, start_s=(r["start"] - nav) / 1000,
                                 end_s=(r["end"] - nav) / 1000) for r in ev["resources"]]
        wait_script_finished(page, rec, (0, 0))
        wait_quiet(page, rec, quiet_s=0.8)
        http, ws = rec.since((0, 0))
        out["first_http_bytes"] = sum(h["bytes"] for h in http)
        out["first_ws_bytes"] = sum(f["bytes"] for f in ws)
        out["first_bytes"] = out["first_http_bytes"] + out["first_ws_bytes"]
        out["first_script_runs_s"] = script_runs(ws)
        out["first_largest_http"] = [{"url": h["url"].split("127.0.0.1")[-1][:120],
                                      "bytes": h["bytes"]}
                                     for h in sorted(http, key=lambda h: -h["bytes"])[:8]]
        out["first_largest_msgs"] = [{k: f[k] for k in ("bytes", "kind", "detail", "fg")}
                                     for f in sorted(ws, key=lambda f: -f["bytes"])[:5]]
        # where the first paint goes: Streamlit shell, script, map iframe, layer fetch
        rel = lambda t: None if t is None else (t - nav) / 1000  # noqa: E731
        marks = {f"{f['kind']}#{i}": rel(rec.epoch_ms(f["t"])) for i, f in enumerate(ws)
                 if f["kind"] in ("new_session", "script_finished")
                 or f["detail"] == "component_instance"}
        marks["map_iframe_created"] = rel(ev["frameOrigin"])
        marks["layer_detected"] = rel(ev["detect"])
        marks["painted"] = rel(ev["t"])
        out["first_paint_marks"] = dict(sorted(marks.items(), key=lambda kv: kv[1] or 0))
        starts = [rec.epoch_ms(f["t"]) for f in ws if f["kind"] == "new_session"]
        comps = [rec.epoch_ms(f["t"]) for f in ws if f["detail"] == "component_instance"
                 and rec.epoch_ms(f["t"]) <= ev["t"]]
        out["first_shell_s"] = rel(starts[0]) if starts else None
        out["first_map_msg_s"] = rel(comps[-1]) if comps else None
        out["layer_files"] = [{"url": h["url"], "wire_bytes": h["bytes"]} for h in http
                              if "/zones-map/layer-" in h["url"]]

        # date change
        mark = rec.mark()
        n_clicks = len(page.evaluate("() => window.__benchClicks"))
        page.get_by_role("button", name=NEXT_DAY, exact=True).click()
        label = json.dumps(ev["label"])
        ev2 = wait_event(page, f"e => e.kind === '{kind}' && e.n >= "
                               f"{min_features} && e.label !== {label}")
        click = page.evaluate("() => window.__benchClicks")[n_clicks]
        out["date_change_s"] = (ev2["t"] - click["t"]) / 1000
        out["date_change_detect_s"] = (ev2["detect"] - click["t"]) / 1000
        out["label_after"] = ev2["label"]
        out["remounted"] = ev2["frameOrigin"] != ev["frameOrigin"]
        wait_script_finished(page, rec, mark)
        wait_quiet(page, rec, quiet_s=0.8)
        http, ws = rec.since(mark)
        # where the date change goes: server until the map message, browser after it
        t_click = click["t"]
        comp = [rec.epoch_ms(f["t"]) for f in ws if f["detail"] == "component_instance"]
        starts = [rec.epoch_ms(f["t"]) for f in ws if f["kind"] == "new_session"]
        ends = [rec.epoch_ms(f["t"]) for f in ws if f["kind"] == "script_finished"]
        out["rerun_marks"] = {
            "script_started": (starts[0] - t_click) / 1000 if starts else None,
            "map_message_received": (comp[0] - t_click) / 1000 if comp else None,
            "new_colours_detected": (ev2["detect"] - t_click) / 1000,
            "painted": (ev2["t"] - t_click) / 1000,
            "script_finished": (ends[-1] - t_click) / 1000 if ends else None}
        out["rerun_ws_bytes"] = sum(f["bytes"] for f in ws)
        out["rerun_http_bytes"] = sum(h["bytes"] for h in http)
        out["rerun_script_runs_s"] = script_runs(ws)
        big = sorted(ws, key=lambda f: -f["bytes"])[:3]
        out["rerun_largest_msgs"] = [{k: f[k] for k in ("bytes", "kind", "detail", "fg")}
                                     for f in big]
        out["rerun_feature_group_bytes"] = max((f["fg"] for f in ws), default=0)
        out["heap_mb"] = None
        with contextlib.suppress(Exception):
            out["heap_mb"] = page.evaluate(
                "() => performance.memory ? performance.memory.usedJSHeapSize / 1e6 : null")
    finally:
        ctx.close()
    return out


def run_server(browser, base, kind, runs, external, min_features):
    print(f"  {kind}: warm-up visit (cold server caches)…", flush=True)
    t = time.time()
    cold = visit(browser, base, kind, external, min_features, timeout_s=600)
    print(f"    first paint {cold['first_paint_s']:.2f} s, date change "
          f"{cold['date_change_s']:.2f} s ({time.time() - t:.0f} s wall)", flush=True)
    warm = []
    for i in range(runs):
        r = visit(browser, base, kind, external, min_features)
        print(f"    run {i + 1}: first paint {r['first_paint_s']:.2f} s "
              f"({r['first_bytes'] / 1e6:.2f} MB), date change {r['date_change_s']:.3f} s "
              f"({r['rerun_ws_bytes'] / 1e3:.1f} KB ws, "
              f"{len(r['rerun_script_runs_s'])} script run(s))", flush=True)
        warm.append(r)
    return cold, warm


# ---------------------------------------------------------------- payload

def payload(app_runs, url: str) -> dict:
    """Sizes of the served commune layer file and of a per-date update."""
    from zones import api
    from zones.maps import served

    def commune_layer(address: str) -> bool:
        parsed = served.parse(address.rsplit("/", 1)[1].split("?")[0])
        return bool(parsed) and parsed[1]["level"] == "commune" and not parsed[1]["outline"]

    r = app_runs[0]
    files = [f for f in r["layer_files"] if commune_layer(f["url"])]
    out = {"all_layer_files": r["layer_files"]}
    if files:
        name = files[0]["url"].rsplit("/", 1)[1]
        raw = api.served_file(api.open_workspace(url), name, None).plain()
        out.update(layer_file=name, layer_raw_bytes=len(raw),
                   layer_gzip6_bytes=len(gzip.compress(raw, 6)),
                   layer_wire_bytes=files[0]["wire_bytes"],
                   features=json.loads(raw).get("features").__len__())
    out["update_feature_group_bytes"] = r["rerun_feature_group_bytes"]
    out["update_ws_bytes"] = r["rerun_ws_bytes"]
    return out


# ---------------------------------------------------------------- report

def fmt(values, scale=1.0, digits=2, unit=""):
    values = [v * scale for v in values if v is not None]
    if not values:
        return "–"
    m = statistics.median(values)
    if len(values) == 1:
        return f"{m:.{digits}f}{unit}"
    return f"{m:.{digits}f} [{min(values):.{digits}f}–{max(values):.{digits}f}]{unit}"


def verdict(values, limit):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    return "PASS" if statistics.median(values) <= limit else "MISS"


def remount(runs) -> str:
    return "–" if not runs else ("yes" if any(r["remounted"] for r in runs) else "no")


def report(res: dict) -> str:
    app, naive, pay = res["app"]["runs"], res["naive"]["runs"], res["payload"]
    col = lambda rs, k: [r[k] for r in rs]  # noqa: E731
    first_mb = lambda rs: [r["first_bytes"] / 1e6 for r in rs]  # noqa: E731
    rows = [
        ("first paint, commune map (s)", fmt(col(app, "first_paint_s")),
         fmt(col(naive, "first_paint_s")), f"≤ {TARGETS['first_paint_s']} s",
         verdict(col(app, "first_paint_s"), TARGETS["first_paint_s"])),
        ("  bytes for it, HTTP+WS (MB)", fmt(first_mb(app)), fmt(first_mb(naive)), "", ""),
        ("    of which HTTP (MB)", fmt(col(app, "first_http_bytes"), 1e-6),
         fmt(col(naive, "first_http_bytes"), 1e-6), "", ""),
        ("    of which websocket (MB)", fmt(col(app, "first_ws_bytes"), 1e-6),
         fmt(col(naive, "first_ws_bytes"), 1e-6), "", ""),
        ("  Streamlit shell: nav→script start (s)", fmt(col(app, "first_shell_s")),
         fmt(col(naive, "first_shell_s")), "", ""),
        ("  nav→map message received (s)", fmt(col(app, "first_map_msg_s")),
         fmt(col(naive, "first_map_msg_s")), "", ""),
        ("date change, click→painted (s)", fmt(col(app, "date_change_s"), digits=3),
         fmt(col(naive, "date_change_s"), digits=3), f"≤ {TARGETS['date_change_s']} s",
         verdict(col(app, "date_change_s"), TARGETS["date_change_s"])),
        ("  websocket bytes per rerun (KB)", fmt(col(app, "rerun_ws_bytes"), 1e-3, 1),
         fmt(col(naive, "rerun_ws_bytes"), 1e-3, 1), f"≤ {TARGETS['date_change_kb']:.0f} KB",
         verdict([b / 1e3 for b in col(app, "rerun_ws_bytes")], TARGETS["date_change_kb"])),
        ("  click→map message received (s)",
         fmt([r["rerun_marks"]["map_message_received"] for r in app], digits=3),
         fmt([r["rerun_marks"]["map_message_received"] for r in naive], digits=3), "", ""),
        ("  click→script finished (s)",
         fmt([r["rerun_marks"]["script_finished"] for r in app], digits=3),
         fmt([r["rerun_marks"]["script_finished"] for r in naive], digits=3), "", ""),
        ("  server script runs per click", fmt([len(r["rerun_script_runs_s"]) for r in app],
                                                digits=0),
         fmt([len(r["rerun_script_runs_s"]) for r in naive], digits=0), "", ""),
        ("  script time new_session→finished (s)",
         fmt([sum(r["rerun_script_runs_s"]) for r in app], digits=3),
         fmt([sum(r["rerun_script_runs_s"]) for r in naive], digits=3), "", ""),
        ("  iframe remounted", remount(app), remount(naive), "", ""),
        ("cold server: first paint (s)", fmt([res["app"]["cold"]["first_paint_s"]]),
         fmt([res["naive"]["cold"]["first_paint_s"]]), "", ""),
    ]
    if any(r.get("level_click") for r in app):
        rows.insert(1, ("  of which click Xã/phường→painted (s)",
                        fmt(col(app, "level_click")), "–", "", ""))
    raw = pay.get("layer_raw_bytes")
    rows += [
        ("payload: commune GeoJSON raw (MB)", fmt([raw], 1e-6) if raw else "–", "",
         f"≤ {TARGETS['payload_mb']:.0f} MB",
         verdict([raw / 1e6], TARGETS["payload_mb"]) if raw else "–"),
        ("payload: commune GeoJSON gzip-6 / on the wire (MB)",
         (f"{pay['layer_gzip6_bytes'] / 1e6:.2f} / {pay['layer_wire_bytes'] / 1e6:.2f}"
          if raw else "–"), "", "", ""),
        ("payload: per-date update, feature_group JS (KB)",
         f"{pay['update_feature_group_bytes'] / 1e3:.1f}", "", "", ""),
    ]
    w = [max(len(str(r[i])) for r in [*rows, HEAD]) for i in range(5)]
    lines = [" | ".join(str(c).ljust(w[i]) for i, c in enumerate(HEAD)),
             "-+-".join("-" * x for x in w)]
    lines += [" | ".join(str(c).ljust(w[i]) for i, c in enumerate(r)) for r in rows]
    return "\n".join(lines)


HEAD = ("measure (median [min–max])", "app", "naive baseline", "target", "app")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help=f"database URL (default {DEFAULT_DB})")
    ap.add_argument("--runs", type=int, default=3, help="measured visits per app (3)")
    ap.add_argument("--skip-naive", action="store_true", help="only the real app")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    url = ensure_db(args.db)
    n_communes = commune_count(url)
    print(f"database {url}: {n_communes:,} communes", flush=True)
    # the commune layer is the one with (nearly) all communes; units without geometry
    # are not drawn, and provinces/districts are far fewer
    min_features = max(1, int(0.9 * n_communes))
    from playwright.sync_api import sync_playwright

    started = time.time()
    res = {"db": url, "communes": n_communes, "runs": args.runs, "targets": TARGETS,
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
           "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    external: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench_map_") as tmp, sync_playwright() as p:
        tmp = Path(tmp)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        res["machine"]["chromium"] = browser.version
        print(f"app (python -m {' '.join(APP_LAUNCH)})…", flush=True)
        with server(ROOT, APP_LAUNCH, url, tmp / "app.log") as base:
            cold, warm = run_server(browser, base, "app", args.runs, external, min_features)
            res["app"] = {"cold": cold, "runs": warm}
        if not args.skip_naive:
            print("naive baseline (temp script)…", flush=True)
            naive_dir = write_naive_app(tmp / "naive")
            with server(naive_dir, ["streamlit", "run", "naive.py"], url,
                        tmp / "naive.log") as base:
                cold, warm = run_server(browser, base, "naive", args.runs, external,
                                         min_features)
                res["naive"] = {"cold": cold, "runs": warm}
                server_times = [line.split()[-1] for line in
                                (tmp / "naive.log").read_text().splitlines()
                                if line.startswith("BENCH_SCRIPT")]
                res["naive"]["server_script_s"] = [float(s) for s in server_times]
        else:
            res["naive"] = {"cold": {"first_paint_s": None}, "runs": []}
        browser.close()
    res["payload"] = payload(res["app"]["runs"], url)
    res["external_requests"] = external
    res["wall_s"] = round(time.time() - started, 1)
    print()
    table = report(res)
    print(table)
    if external:
        print(f"\nWARNING: requests left loopback: {external[:5]}")
    print(f"\n{n_communes:,} communes, {args.runs} runs each, headless Chromium "
          f"{res['machine']['chromium']}, wall {res['wall_s']:.0f} s")
    save(res, table, args.out)
    return 0


def save(res: dict, table: str, out: Path) -> None:
    """Write a run's raw numbers (and its printed table) as JSON; say where."""
    out.parent.mkdir(parents=True, exist_ok=True)
    res["table"] = table
    out.write_text(json.dumps(res, indent=1, ensure_ascii=False, default=str))
    print(f"raw numbers: {out}")


if __name__ == "__main__":
    sys.exit(main())
