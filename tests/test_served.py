"""The map's files rebuilt from the database by any replica (``zones.maps.served``,
``api.served_file`` and the route of ``ui.server.served``): names that carry the view and
its data version, strict parsing, the same bytes from a second workspace on the same
database, stale names answered with what the view shows now, sign-in where the map is
not open to all."""

from __future__ import annotations

import asyncio
import gzip
import json

import pytest
from starlette.requests import Request

from tests.test_access import PASSWORD, cli
from tests.test_access import accounts as accounts  # the fixture, shared
from ui.server import served as served_route
from zones import api
from zones.maps import served

pytestmark = pytest.mark.both_stores
THO_SON = "30841"  # no declaration covers it in the demo


def names(ws, override=None):
    return {"layer": api.served_name(ws, "layer", level="commune", parent=None,
                                     outline=False),
            "timeline": api.served_name(ws, "timeline", level="commune", parent=None,
                                        override=override),
            "rates": api.served_name(ws, "rates", level="commune", parent=None,
                                     override=override, day="2021-09-15", lang="vi")}


def body(ws, name, token=None):
    got = api.served_file(ws, name, token)
    return json.loads(got.plain()), got


def test_any_workspace_on_the_database_builds_the_same_files(demo_copy):
    ws = api.open_workspace(demo_copy)
    n = names(ws)
    layer, got = body(ws, n["layer"])
    view = api.view_units(api.units(ws), "commune", None)
    assert got.current and [f["properties"]["code"] for f in layer["features"]] == list(
        view.index)
    timeline, _ = body(ws, n["timeline"])
    assert len(timeline["labels"]) == len(timeline["levels"]) > 30
    assert all(len(row) == len(view) for row in timeline["levels"])
    assert "15/09/2021" in timeline["labels"]
    rates, _ = body(ws, n["rates"])
    assert len(rates) == len(view) and any("," in r for r in rates)  # vi decimals
    # another replica: a workspace of its own, nothing in common but the database
    served._cache.clear()
    other = api.open_workspace(demo_copy)
    for name in n.values():
        assert api.served_file(other, name, None).gzipped == api.served_file(
            ws, name, None).gzipped


def test_a_stale_name_gets_what_the_view_shows_now_and_is_not_kept(demo_copy, tmp_path,
                                                                   monkeypatch):
    ws = api.open_workspace(demo_copy)
    before = names(ws)
    old, _ = body(ws, before["timeline"])
    path = tmp_path / "so-lieu.csv"
    path.write_text("Ngày,Mã xã,Ca mắc mới cộng đồng\n" + "".join(
        f"{d:02d}/11/2021,{THO_SON},400\n" for d in range(1, 16)), encoding="utf-8")
    assert cli(demo_copy, "observations", "import", str(path), monkeypatch=monkeypatch) == 0
    after = names(ws)
    assert after["timeline"] != before["timeline"] and after["layer"] == before["layer"]
    stale, got = body(ws, before["timeline"])
    fresh, now = body(ws, after["timeline"])
    assert not got.current and now.current and stale == fresh and stale != old


@pytest.mark.parametrize("name", [
    "", "x.json", "layer-.json", "layer-!!!.json", "tiles-e30.json",
    served.name_of("layer", "v", level="commune", parent=None, outline=False)[:-5],
    served.name_of("layer", "v", level="planet", parent=None, outline=False),
    served.name_of("layer", "v", level="commune", parent=None, outline="yes"),
    served.name_of("rates", "v", level="commune", parent=None, override=None,
                   day="15/09/2021", lang="vi"),
    served.name_of("rates", "v", level="commune", parent=None, override=None,
                   day="2021-09-15", lang="fr"),
    "layer-" + "A" * 700 + ".json",
    served.name_of("timeline", "v", level="commune", parent=None, override="no-such-set"),
])
def test_a_made_up_name_means_nothing(demo_copy, name):
    ws = api.open_workspace(demo_copy)
    assert api.served_file(ws, name, None) is None


def call(name: str, cookies: dict | None = None, gzip_ok: bool = True):
    headers = [(b"cookie", "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
                .encode())]
    if gzip_ok:
        headers.append((b"accept-encoding", b"gzip, deflate"))
    req = Request({"type": "http", "method": "GET", "path": f"/zones-map/{name}",
                   "headers": headers, "query_string": b"", "path_params": {"name": name}})
    return asyncio.run(served_route.map_file(req))


@pytest.fixture
def route_db(accounts, monkeypatch):
    monkeypatch.setenv("ZONES_DB", accounts)
    monkeypatch.setenv("ZONES_PUBLIC_READ", "0")
    served_route._workspace.cache_clear()
    yield api.open_workspace(accounts)
    served_route._workspace.cache_clear()


def test_the_route_serves_the_signed_in_only_gzipped_and_keeps_current_names(route_db):
    ws = route_db
    n = names(ws)
    refused = call(n["layer"])
    assert refused.status_code == 403 and "đăng nhập" in refused.body.decode().lower()
    ticket = api.start_session(ws, api.sign_in(ws, "quansat", PASSWORD))
    token = api.open_session(ws, ticket)
    ok = call(n["layer"], {"zones_session": token})
    assert ok.status_code == 200 and ok.headers["content-encoding"] == "gzip"
    assert "immutable" in ok.headers["cache-control"]
    assert json.loads(gzip.decompress(ok.body))["type"] == "FeatureCollection"
    plain = call(n["rates"], {"zones_session": token}, gzip_ok=False)
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert isinstance(json.loads(plain.body), list)
    missing = call("layer-nothing.json", {"zones_session": token})
    assert missing.status_code == 404 and "Traceback" not in missing.body.decode()
