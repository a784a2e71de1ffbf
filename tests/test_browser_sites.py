"""The safety map's sites in a real headless Chromium (issue 25): the facility layer
toggles, a popup shows a name with markup as text, the unit's panel lists its sites."""

import time
from datetime import date

import pytest

from tests.browser import click_unit, map_frame, open_page, settle, streamlit_server
from zones import api
from zones.levels import dayview

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
HOSTILE = '<img src=x onerror="window.__pwned=1">Cơ sở & "Ấp 3"'
COUNT_JS = "(cls) => document.querySelectorAll('path.' + cls).length"
#: facilities, quarantine sites, lockdowns shown (alone or in a cluster)
DRAWN_JS = "() => window.__zl.sites.state.drawn || null"


def wait_until(fn, timeout_s=60):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        got = fn()
        if got:
            return got
        time.sleep(0.25)
    return fn()


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_url):
    from tests.conftest import copy_of

    folder = tmp_path_factory.mktemp("sites")
    url = copy_of(demo_url, folder / "z.db")
    ws = api.open_workspace(url)
    shape = dayview.units(ws).geometry["30745"]  # Phường Vĩnh Lạc
    inner = shape.buffer(-0.001)
    inner = max(getattr(inner, "geoms", [inner]), key=lambda g: g.area)
    corner = inner.exterior.interpolate(0.3, normalized=True)
    checked, stored = api.add_site(ws, api.LOCAL_ADMIN, "facility", {
        "site_id": "X-1", "name": HOSTILE, "unit_code": "30745", "lat": f"{corner.y:.6f}",
        "lon": f"{corner.x:.6f}", "from": "01/08/2021", "score": "35", "sector": "chợ"})
    assert stored is not None and stored.new == 1, checked.problems.to_dict("records")
    export = folder / "ban-do.html"  # the HTML export with its sites (``map --sites``)
    export.write_text(api.map_html(ws, date(2021, 9, 1), sites=True), encoding="utf-8")
    with streamlit_server(url) as base:
        yield base, export


def test_facility_layer_toggles_popup_is_text_and_panel_lists_sites(browser, server):
    server, export = server
    page = open_page(browser, 1400, 1000)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server)
    frame = map_frame(page)
    assert wait_until(lambda: frame.evaluate(DRAWN_JS)) == [0, 0, 0]  # layers start off
    assert frame.evaluate("() => window.__zl.sites.state.counts") == [89, 3, 2]
    for kind in ("facility", "quarantine", "lockdown"):
        frame.locator(f".zl-toggle-{kind} input").check()
    assert wait_until(lambda: frame.evaluate(DRAWN_JS) == [89, 3, 2])  # on 01/09/2021
    assert frame.evaluate(COUNT_JS, "zl-site-facility") + frame.locator(
        ".zl-cluster").count() > 0
    assert frame.evaluate("() => window.__zl.sites.state.areas.getLayers().length") == 1
    toggle = frame.locator(".zl-toggle-facility input")
    toggle.uncheck()
    assert wait_until(lambda: frame.evaluate(DRAWN_JS)[0] == 0)
    assert frame.evaluate(COUNT_JS, "zl-site-facility") == 0
    assert frame.evaluate(DRAWN_JS)[1:] == [3, 2]  # the other layers stay
    toggle.check()
    assert wait_until(lambda: frame.evaluate(DRAWN_JS)[0] == 89)
    settle(frame)
    # the hostile facility's marker, clicked as a user would: its popup, as text
    centred = frame.evaluate("""(name) => { const Z = window.__zl, st = Z.sites.state;
        const i = st.data.lines.findIndex(l => l[0] === name);
        if (i < 0) return false;
        Z.map.setView([st.data.lat[i], st.data.lon[i]], 16, {animate: false});
        return true; }""", HOSTILE)
    assert centred
    settle(frame)
    point = frame.evaluate("""(name) => { const Z = window.__zl, st = Z.sites.state;
        let at = null;
        st.points.eachLayer(l => { if (l.zlSite !== undefined && st.data.lines[l.zlSite][0]
            === name) at = Z.map.latLngToContainerPoint(l.getLatLng()); });
        return at; }""", HOSTILE)
    assert point is not None
    frame.locator(".leaflet-container").first.click(position={"x": point["x"], "y": point["y"]})
    popup = frame.locator(".zl-site-popup")
    popup.wait_for(timeout=30000)
    assert popup.locator(".zl-site-name").text_content() == HOSTILE
    text = popup.text_content()
    assert "Đỏ" in text and "Phải dừng hoạt động" in text and "local-admin" in text
    assert popup.locator("img").count() == 0
    assert frame.evaluate("() => window.__pwned") is None and dialogs == []
    # the unit's panel lists its sites and counts
    frame.evaluate("() => { window.__zl.map.closePopup(); }")
    page.goto(server)
    frame = map_frame(page)
    click_unit(page, frame, "30745")
    page.get_by_role("heading", name="Phường Vĩnh Lạc").wait_for(timeout=30000)
    panel = page.locator(".st-key-unit-sites")
    panel.wait_for(timeout=30000)
    panel.get_by_text(HOSTILE, exact=True).wait_for(timeout=30000)
    assert "Khu vực phong tỏa đang có hiệu lực: 1" in panel.text_content()
    assert page.evaluate("() => window.__pwned") is None
    # the HTML export asked with its sites: every layer on, the same data, no script run
    page.goto(export.as_uri())
    assert wait_until(lambda: page.evaluate(DRAWN_JS)) == [89, 3, 2]  # the same sites
    assert page.evaluate("() => window.__pwned") is None and dialogs == []
    page.close()
