"""Helpers for browser tests: a live Streamlit server and the Debian Chromium.

Chromium is Debian's (``/usr/bin/chromium``), never a downloaded browser; nothing is
intercepted, so a page that needed a CDN would fail here as it would on an intranet.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def require_chromium() -> None:
    """Skip on a developer machine without Chromium; fail in CI (it must be installed)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (see .ci/run)")
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")


#: a loaded 2-core machine can take well over Playwright's 30 s default to serve a page
PAGE_TIMEOUT_MS = 120_000


def open_page(owner, width: int = 1400, height: int = 1000):
    """A new tab of ``owner`` (a browser or a context) with generous waits."""
    if hasattr(owner, "contexts"):
        page = owner.new_page(viewport={"width": width, "height": height})
    else:
        page = owner.new_page()
        page.set_viewport_size({"width": width, "height": height})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    return page


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float) -> None:
    """Return once Streamlit at ``base`` answers its health check; fail fast if it died."""
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit did not start at {base}") from None
            time.sleep(0.3)


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server process, killing it if it does not stop."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.contextmanager
def streamlit_server(db_url: str, timeout: float = 90, base_path: str = "",
                     output: Path | None = None, **settings: str):
    """Run the dashboard as ``make run`` does, on a free loopback port; yield its URL.
    ``base_path``: the prefix a proxy would put in front (``--server.baseUrlPath``);
    ``output``: a file that receives the server's stdout and stderr (its log);
    ``settings``: environment variables of the server (e.g. ZONES_PUBLIC_READ="0")."""
    port = free_port()
    env = dict(os.environ, ZONES_DB=db_url, **settings)
    # output discarded or to a file: an unread pipe would fill up and block the server
    sink = open(output, "wb") if output else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.server.serve", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         *(["--server.baseUrlPath", base_path] if base_path else [])],
        cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT if output else sink)
    base = f"http://127.0.0.1:{port}" + (f"/{base_path.strip('/')}" if base_path else "")
    try:
        wait_healthy(base, proc, timeout)
        yield base
    finally:
        stop(proc)
        if output:
            sink.close()


def idle(page) -> None:
    """The page's run is over (Streamlit's "running" widget gone)."""
    time.sleep(1)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')")


#: the map component's frame (``ui.map_component``)
MAP_IFRAME = "iframe[title='ui.map_component.zones_map']"


def map_frame(page, timeout_s: float = 120):
    """The map's frame once its layer has loaded (``window.__zl.layer``)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in page.frames:
            try:
                if frame.evaluate("() => !!(window.__zl && window.__zl.layer)"):
                    return frame
            except Exception:  # frame navigating or detached
                continue
        time.sleep(0.25)
    raise AssertionError("the map layer never appeared")


FILLS_JS = """() => window.__zl.layer.getLayers().map(l => l.options.fillColor)"""


def settle(frame, timeout_s: float = 15) -> None:
    """Wait until the map's size and view stop changing (the iframe resizes once)."""
    last, stable, deadline = None, 0, time.time() + timeout_s
    while time.time() < deadline and stable < 4:
        now = frame.evaluate("() => JSON.stringify([window.__zl.map.getSize(),"
                             " window.__zl.map.getCenter(), window.__zl.map.getZoom()])")
        stable = stable + 1 if now == last else 0
        last = now
        time.sleep(0.25)



def click_unit(page, frame, code: str) -> None:
    """Click, as a user would, the middle of the unit ``code`` on the map of ``frame``."""
    container = frame.locator(".leaflet-container").first
    container.scroll_into_view_if_needed()
    settle(frame)
    point = frame.evaluate("""(code) => {
        const Z = window.__zl; let c = null;
        Z.layer.eachLayer(l => { if (l.feature.properties.code === code)
            c = Z.map.latLngToContainerPoint(l.getBounds().getCenter()); });
        return c; }""", code)
    container.click(position={"x": point["x"], "y": point["y"]})


def fill_of(frame, code: str) -> str | None:
    """The fill colour of the unit ``code`` on the map of ``frame``."""
    return frame.evaluate("""(code) => { let c = null;
        window.__zl.layer.eachLayer(l => { if (l.feature.properties.code === code)
            c = l.options.fillColor; });
        return c; }""", code)
