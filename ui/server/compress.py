"""Streamlit's own JavaScript and CSS, sent gzipped.

Streamlit serves its frontend bundles (``/static/…``, about 2.7 MB for a bare page and
4.7 MB more for the first chart) uncompressed on purpose: it expects a reverse proxy or a
CDN to compress them. A command centre's intranet often has neither, and officials open
the dashboard on slow links. The bundles are content-hashed and immutable, so each one is
compressed once, on its first request, and kept in memory (all of them together: about
6 MB); a browser that does not accept gzip, a range request or anything outside the
bundle folder goes on to Streamlit untouched.
"""

from __future__ import annotations

import gzip
import mimetypes
import threading
from pathlib import Path

import streamlit
from starlette.types import ASGIApp, Receive, Scope, Send
from streamlit import config as st_config

#: Streamlit's frontend build: ``/static/js/x.js`` is ``<this>/static/js/x.js``
BUNDLES = Path(streamlit.__file__).resolve().parent / "static"
COMPRESSIBLE = frozenset({".js", ".mjs", ".css", ".json", ".svg", ".map", ".txt", ".html"})
MAX_AGE = 365 * 24 * 3600


class CompressedBundles:
    """ASGI middleware: ``GET /static/<bundle>`` answered with the bundle gzipped."""

    def __init__(self, app: ASGIApp, root: Path = BUNDLES) -> None:
        self.app, self.root = app, root.resolve()
        self._cache: dict[Path, bytes] = {}
        self._lock = threading.Lock()

    def _file(self, scope: Scope) -> Path | None:
        """The bundle a request asks for, when it may be sent gzipped."""
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return None
        headers = dict(scope.get("headers") or [])
        if b"gzip" not in headers.get(b"accept-encoding", b"") or b"range" in headers:
            return None
        path = scope.get("path", "")
        base = (st_config.get_option("server.baseUrlPath") or "").strip("/")
        if base and path.startswith(f"/{base}/"):
            path = path[len(base) + 1:]
        if not path.startswith("/static/"):
            return None
        file = (self.root / path.lstrip("/")).resolve()
        if (not file.is_relative_to(self.root) or file.suffix not in COMPRESSIBLE
                or not file.is_file()):
            return None
        return file

    def _gzipped(self, file: Path) -> bytes:
        with self._lock:
            body = self._cache.get(file)
        if body is None:
            body = gzip.compress(file.read_bytes(), compresslevel=6, mtime=0)
            with self._lock:
                self._cache[file] = body
        return body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        file = self._file(scope)
        if file is None:
            await self.app(scope, receive, send)
            return
        body = self._gzipped(file)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", kind.encode()), (b"content-encoding", b"gzip"),
            (b"content-length", str(len(body)).encode()), (b"vary", b"Accept-Encoding"),
            (b"cache-control", f"public, immutable, max-age={MAX_AGE}".encode())]})
        await send({"type": "http.response.body",
                    "body": b"" if scope["method"] == "HEAD" else body})
