"""Streamlit's bundles sent gzipped by ui.server.compress (an intranet has no proxy to do it),
everything else passed on untouched."""

from __future__ import annotations

import asyncio
import gzip

import pytest

from ui.server.compress import BUNDLES, CompressedBundles


def call(middleware, path, *, method="GET", encoding="gzip, deflate", extra=()):
    sent, passed = [], []

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    headers = [(b"accept-encoding", encoding.encode())] if encoding else []
    scope = {"type": "http", "method": method, "path": path,
             "headers": headers + list(extra)}
    middleware.app = lambda s, r, snd: _passed(passed, s)
    asyncio.run(middleware(scope, receive, send))
    return sent, passed


async def _passed(passed, scope):
    passed.append(scope["path"])


@pytest.fixture
def bundle():
    files = sorted((BUNDLES / "static" / "js").glob("*.js"), key=lambda f: f.stat().st_size)
    return files[-1]  # the largest: the one that matters most


def test_a_bundle_goes_out_gzipped_and_identical(bundle):
    mw = CompressedBundles(None)
    sent, passed = call(mw, f"/static/js/{bundle.name}")
    assert not passed
    head = dict(sent[0]["headers"])
    assert head[b"content-encoding"] == b"gzip" and head[b"vary"] == b"Accept-Encoding"
    assert b"javascript" in head[b"content-type"]
    assert b"immutable" in head[b"cache-control"]
    body = sent[1]["body"]
    assert gzip.decompress(body) == bundle.read_bytes()
    assert len(body) < bundle.stat().st_size / 2
    assert int(head[b"content-length"]) == len(body)
    again, _ = call(mw, f"/static/js/{bundle.name}")
    assert again[1]["body"] is body  # compressed once, then kept


def test_head_sends_headers_only(bundle):
    sent, _ = call(CompressedBundles(None), f"/static/js/{bundle.name}", method="HEAD")
    assert sent[1]["body"] == b""


@pytest.mark.parametrize("path, kwargs", [
    ("/static/js/{name}", {"encoding": ""}),                      # no gzip accepted
    ("/static/js/{name}", {"extra": [(b"range", b"bytes=0-10")]}),  # a range request
    ("/static/js/{name}", {"method": "POST"}),
    ("/static/../../config.py", {}),                               # out of the folder
    ("/static/js/missing.js", {}),
    ("/", {}), ("/_stcore/health", {}), ("/app/static/layers/x.json", {}),
    ("/zones-auth/session", {}),
])
def test_anything_else_goes_on_to_streamlit(bundle, path, kwargs):
    sent, passed = call(CompressedBundles(None), path.format(name=bundle.name), **kwargs)
    assert passed and not sent
