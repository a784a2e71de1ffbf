"""Many staff sessions on one replica stepping dates on the map: the p50/p95/max of a date
step and whether ``/zones-health`` keeps answering (issue 21, item 2).

Run: ``python bench/bench_sessions.py [--sweep 10,25,50,100 | --sessions N] [--db URL |
--url BASE] [--duration S] [--think S] [--ramp S] [--out PATH]`` (default: the KG demo at
``sqlite:////tmp/bench_kg.db``, built when missing, as ``bench_staff.py`` does).

One app server is started as ``make run`` starts it (``python -m ui.server.serve``) on a
free loopback port. Each session is a protocol-level client, not a browser: it opens
Streamlit's websocket (``/_stcore/stream``) as the browser does and speaks its protobufs
(``BackMsg`` up, ``ForwardMsg`` down, from the installed ``streamlit`` package):

1. **open**: ``rerun_script`` of the default page (the map); the time to the map's
   component message (``component_instance`` of ``zones_map``) and to ``script_finished``;
2. **date step**, every ``--think`` seconds (± 50 %, so the sessions do not march in step)
   after the previous one finished: ``rerun_script`` with the trigger of the "1 ›" button
   (its widget id read from the page's own ``button`` element; "‹ 1" once the last day is
   reached), timed from sending to the map message carrying the new day's label and to
   ``script_finished``. The last day reached (the label did not change), the session
   turns round and that step is not counted; an exception element, an error shown
   (``st.error``: a page's failure) or a lost connection is an error.

Fifty Chromium pages would need far more than this machine's 2 cores for themselves; the
protocol client costs the server exactly what a browser's session costs (the same
messages, the same script runs) and the client side almost nothing, so it measures the
server, which is what one replica's capacity is. The browser's own share of a step (the
component redrawing the map) is measured by ``bench_staff.py``.

Throughout, a separate process asks ``GET /zones-health`` every 0.5 s (timeout 10 s) and
records each answer's latency and status. The levels of ``--sweep`` run one after the
other on the same server (each with new sessions); the replica's capacity is the first
level at which the p95 of a step crosses 2 s (or health fails). The server's CPU per
script run (``/proc``, when the server runs on this machine) is what bounds a replica: its
scripts share one interpreter lock. ``--url`` measures a server already running (another
build, or a replica behind nginx). Raw numbers go to
``bench/results/sessions.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import platform
import random
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_map import APP_LAUNCH, server  # noqa: E402
from bench_staff import ensure_db, load  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "sessions.json"
NEXT, PREVIOUS = "1 ›", "‹ 1"
COMPONENT = "zones_map"
#: issue 21, item 2: p95 of a date step with 50 concurrent sessions on one replica
BUDGET_P95_S = 2.0
#: the session counts of a run: the replica's capacity is where the p95 crosses the budget
DEFAULT_SWEEP = "10,25,50,100"
HEALTH_EVERY_S = 0.5
HEALTH_TIMEOUT_S = 10.0
STEP_TIMEOUT_S = 120.0
#: ForwardMsg.ScriptFinishedStatus: FINISHED_SUCCESSFULLY, FINISHED_EARLY_FOR_RERUN
FINISHED, RERAN = 0, 2
#: Alert.Format.ERROR: what a page shows when it fails (ui.common.show_failure)
ALERT_ERROR = 1


# ---------------------------------------------------------------- one session

class Session:
    """One browser tab's worth of Streamlit protocol over one websocket."""

    def __init__(self, base: str):
        self.base = base
        self.ws = None
        self.page_hash = ""
        self.buttons: dict[str, str] = {}
        self.label: str | None = None
        self.last_status = FINISHED

    async def open(self) -> dict:
        import websockets

        ws_url = self.base.replace("http://", "ws://") + "/_stcore/stream"
        t0 = time.perf_counter()
        self.ws = await websockets.connect(
            ws_url, subprotocols=["streamlit"], origin=self.base, max_size=None,
            open_timeout=STEP_TIMEOUT_S, ping_interval=None, compression="deflate")
        return await self.run([], t0)

    async def step(self, label: str) -> dict:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        t0 = time.perf_counter()
        return await self.run([WidgetState(id=self.buttons[label], trigger_value=True)], t0)

    async def run(self, widgets, t0: float) -> dict:
        """One ``rerun_script`` and its messages until ``script_finished``."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = self.page_hash
        msg.rerun_script.widget_states.widgets.extend(widgets)
        await self.ws.send(msg.SerializeToString())
        out = {"map_s": None, "finished_s": None, "error": None, "bytes": 0,
               "label": None}
        before = self.label
        while True:
            data = await asyncio.wait_for(self.ws.recv(), STEP_TIMEOUT_S)
            out["bytes"] += len(data)
            kind = self._read(data, out, t0)
            if kind == "script_finished" and self.last_status != RERAN:
                out["finished_s"] = time.perf_counter() - t0
                break
        if out["error"] is None and out["map_s"] is None:
            out["error"] = "no map message"
        elif out["error"] is None and widgets and out["label"] == before:
            out["error"] = "label unchanged"
        return out

    def _read(self, data: bytes, out: dict, t0: float) -> str:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        fm = ForwardMsg.FromString(data)
        kind = fm.WhichOneof("type")
        if kind == "new_session" and fm.new_session.page_script_hash:
            self.page_hash = fm.new_session.page_script_hash
        elif kind == "navigation" and fm.navigation.page_script_hash:
            self.page_hash = fm.navigation.page_script_hash
        elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            what = el.WhichOneof("type")
            if what == "button":
                self.buttons[el.button.label] = el.button.id
            elif what == "exception":
                out["error"] = f"exception: {el.exception.type}: {el.exception.message}"
            elif what == "alert" and el.alert.format == ALERT_ERROR:  # a page's failure
                out["error"] = f"error shown: {el.alert.body[:120]}"
            elif what == "component_instance" and COMPONENT in el.component_instance.component_name:
                out["map_s"] = time.perf_counter() - t0
                spec = json.loads(el.component_instance.json_args or "{}").get("spec") or {}
                out["label"] = self.label = spec.get("label")
        elif kind == "script_finished":
            # a run that ended early for a rerun (st.rerun) goes on in the next one
            self.last_status = fm.script_finished
            if fm.script_finished not in (FINISHED, RERAN):
                out["error"] = out["error"] or f"script_finished {fm.script_finished}"
        return kind

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def staff(base: str, think_s: float, start_at: float, stop_at: float,
                rec: dict) -> None:
    """One member of staff: opens the map, then steps a day every few seconds."""
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    s = Session(base)
    try:
        res = await s.open()
        rec["opens"].append(res)
        direction = NEXT
        while time.perf_counter() < stop_at:
            await asyncio.sleep(think_s * random.uniform(0.5, 1.5))
            if time.perf_counter() >= stop_at:
                break
            if direction not in s.buttons:
                rec["errors"].append(f"no button {direction!r}")
                break
            started = time.perf_counter()
            res = await s.step(direction)
            res["at"] = started - rec["t0"]
            if res["error"] == "label unchanged":  # the last (or first) day: turn round
                direction = PREVIOUS if direction == NEXT else NEXT
                continue
            rec["steps"].append(res)
    except Exception as exc:  # a lost connection, a timeout: counted, never hidden
        rec["errors"].append(f"{type(exc).__name__}: {exc}")
    finally:
        with contextlib.suppress(Exception):
            await s.close()


async def level(base: str, n: int, ramp_s: float, duration_s: float,
                think_s: float) -> dict:
    """``n`` sessions started over ``ramp_s``, stepping until ``ramp_s + duration_s``."""
    t0 = time.perf_counter()
    rec = {"t0": t0, "opens": [], "steps": [], "errors": []}
    stop_at = t0 + ramp_s + duration_s
    await asyncio.gather(*(staff(base, think_s, t0 + ramp_s * i / max(1, n), stop_at, rec)
                           for i in range(n)))
    rec["wall_s"] = time.perf_counter() - t0
    del rec["t0"]
    return rec


# ---------------------------------------------------------------- health poller

def poll_health(base: str, stop, out) -> None:
    """Ask ``/zones-health`` every HEALTH_EVERY_S until ``stop`` is set (own process)."""
    t_start = time.time()
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(base + "/zones-health",
                                        timeout=HEALTH_TIMEOUT_S) as r:
                r.read()
                status = r.status
        except Exception as exc:
            status = getattr(exc, "code", None) or type(exc).__name__
        dt = time.perf_counter() - t0
        out.append((round(time.time() - t_start, 2), round(dt, 4), status))
        stop.wait(max(0.0, HEALTH_EVERY_S - dt))


# ---------------------------------------------------------------- server CPU

def server_pid(base: str) -> int | None:
    """The pid of the local process serving ``base``'s port (None: not on this machine)."""
    port = base.rsplit(":", 1)[-1].split("/")[0]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--server.port" in cmd and cmd[cmd.index(b"--server.port") + 1:][:1] == [port.encode()]:
            return int(entry.name)
    return None


def cpu_s(pid: int | None) -> float | None:
    """User + system CPU seconds of ``pid`` so far."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of ``pid`` in MB (no collection after each run: it must stay flat)."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# ---------------------------------------------------------------- figures

def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def summary(rec: dict, health: list, cpu: float | None = None) -> dict:
    steps = [s for s in rec["steps"] if s["error"] is None]
    errors = [s["error"] for s in rec["steps"] if s["error"]] + rec["errors"]
    errors += [o["error"] for o in rec["opens"] if o["error"]]
    fin = [s["finished_s"] for s in steps]
    mp_ = [s["map_s"] for s in steps]
    opens = [o["finished_s"] for o in rec["opens"] if o["finished_s"] is not None]
    lat = [h[1] for h in health]
    bad = [h for h in health if h[2] != 200]
    return {
        "steps": len(steps), "errors": len(errors), "error_kinds": sorted(set(errors))[:10],
        "step_map_p50_s": pct(mp_, 0.5), "step_map_p95_s": pct(mp_, 0.95),
        "step_p50_s": pct(fin, 0.5), "step_p95_s": pct(fin, 0.95),
        "step_max_s": max(fin) if fin else None,
        "steps_per_s": len(steps) / rec["wall_s"] if rec["wall_s"] else None,
        "open_p50_s": pct(opens, 0.5), "open_p95_s": pct(opens, 0.95),
        "open_max_s": max(opens) if opens else None,
        "step_kb_p50": pct([s["bytes"] / 1024 for s in steps], 0.5),
        "health_n": len(health), "health_p95_s": pct(lat, 0.95),
        "health_max_s": max(lat) if lat else None, "health_failures": len(bad),
        "wall_s": rec["wall_s"], "server_cpu_s": cpu,
        # the server's CPU per script run (opens and steps alike): what bounds a replica
        "server_cpu_per_run_s": (cpu / (len(rec["steps"]) + len(rec["opens"]))
                                 if cpu is not None and rec["steps"] else None),
    }


def fmt(x, digits=2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def table(rows: list[dict]) -> str:
    head = ("sessions", "steps", "err", "step p50", "step p95", "step max", "→map p95",
            "open p95", "health max", "health fail", "CPU/run", "verdict")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in rows:
        s = r["summary"]
        ok = (s["step_p95_s"] is not None and s["step_p95_s"] <= BUDGET_P95_S
              and s["health_failures"] == 0 and s["errors"] == 0)
        lines.append(" | ".join([
            str(r["sessions"]), str(s["steps"]), str(s["errors"]),
            fmt(s["step_p50_s"]), fmt(s["step_p95_s"]), fmt(s["step_max_s"]),
            fmt(s["step_map_p95_s"]), fmt(s["open_p95_s"]), fmt(s["health_max_s"]),
            str(s["health_failures"]), fmt(s["server_cpu_per_run_s"], 3),
            "PASS" if ok else "MISS"]))
    return "\n".join(lines)


def capacity(rows: list[dict]) -> str:
    for r in rows:
        s = r["summary"]
        if (s["step_p95_s"] is None or s["step_p95_s"] > BUDGET_P95_S
                or s["health_failures"] or s["errors"]):
            return f"p95 of a step crosses {BUDGET_P95_S:.0f} s (or errors) at {r['sessions']} sessions"
    return f"p95 of a step ≤ {BUDGET_P95_S:.0f} s up to {rows[-1]['sessions']} sessions"


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="database URL (default: the KG demo of bench_staff.py)")
    ap.add_argument("--sessions", type=int, help="one level of concurrent sessions, e.g. 50 "
                    "(instead of the sweep)")
    ap.add_argument("--sweep", default=DEFAULT_SWEEP, help="comma-separated session counts "
                    f"run one after the other ({DEFAULT_SWEEP})")
    ap.add_argument("--duration", type=float, default=30.0,
                    help="seconds of stepping per level after the ramp (30)")
    ap.add_argument("--ramp", type=float, default=10.0,
                    help="seconds over which the sessions open the map (10)")
    ap.add_argument("--think", type=float, default=5.0,
                    help="mean seconds between one session's steps (5)")
    ap.add_argument("--url", help="a server already running (e.g. behind nginx: "
                    "http://host/prefix) instead of starting one; --db is then ignored")
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    random.seed(args.seed)
    levels = [args.sessions] if args.sessions else [int(x) for x in args.sweep.split(",")]
    url = args.url or ensure_db(args.db)
    res = {"db": url, "budget_p95_s": BUDGET_P95_S, "think_s": args.think,
           "ramp_s": args.ramp, "duration_s": args.duration,
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
           "started": time.strftime("%Y-%m-%d %H:%M:%S"), "load_start": load(), "levels": []}
    print(f"database {url}; load average {res['load_start']}", flush=True)
    with contextlib.ExitStack() as stack:
        if args.url:
            base = args.url.rstrip("/")
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench_sessions_")))
            base = stack.enter_context(server(ROOT, APP_LAUNCH, url, tmp / "app.log"))
        pid = server_pid(base)
        # warm the server (caches, first imports) with one unmeasured session
        asyncio.run(level(base, 1, 0.0, 0.0, 0.0))
        for n in levels:
            print(f"{n} sessions (ramp {args.ramp:.0f} s, {args.duration:.0f} s of "
                  f"steps, one every ~{args.think:.0f} s each)…", flush=True)
            mgr = mp.Manager()
            health, stop = mgr.list(), mgr.Event()
            poller = mp.Process(target=poll_health, args=(base, stop, health))
            poller.start()
            la, cpu0 = load(), cpu_s(pid)
            rec = asyncio.run(level(base, n, args.ramp, args.duration, args.think))
            cpu1 = cpu_s(pid)
            stop.set()
            poller.join()
            h = list(health)
            mgr.shutdown()
            row = {"sessions": n, "load_before": la, "load_after": load(),
                   "server_rss_mb": rss_mb(pid),
                   "summary": summary(rec, h, None if cpu0 is None or cpu1 is None
                                      else cpu1 - cpu0), "steps": rec["steps"],
                   "opens": rec["opens"], "errors": rec["errors"], "health": h}
            res["levels"].append(row)
            print(f"  p50 {fmt(row['summary']['step_p50_s'])} s, p95 "
                  f"{fmt(row['summary']['step_p95_s'])} s, errors "
                  f"{row['summary']['errors']}, health max "
                  f"{fmt(row['summary']['health_max_s'])} s; server "
                  f"{fmt(row['server_rss_mb'], 0)} MB; load {row['load_after']}",
                  flush=True)
    res["load_end"] = load()
    out = table(res["levels"])
    print()
    print(out)
    print(f"\ncapacity of one replica: {capacity(res['levels'])}")
    print(f"step = rerun with the '1 ›' trigger → script_finished (→map: the map message "
          f"with the new label); {os.cpu_count()} CPUs, load average {res['load_start']} "
          f"→ {res['load_end']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=1, ensure_ascii=False))
    print(f"raw: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
