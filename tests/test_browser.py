"""The dashboard in a real headless Chromium (Debian's), served by `streamlit run`."""

import re
import time

import pytest

from tests.browser import (
    FILLS_JS,
    MAP_IFRAME,
    click_unit,
    map_frame,
    open_page,
    settle,
    streamlit_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
LEVEL_COLOURS = {"#2E9E44", "#F2C81D", "#F28C1D", "#D7263D"}


@pytest.fixture(scope="module")
def server(demo_server):
    return demo_server


def wait_for_change(frame, before, timeout_s=30):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        now = frame.evaluate(FILLS_JS)
        if now != before:
            return now
        time.sleep(0.2)
    return before


def test_map_shows_coloured_communes_and_date_recolours(browser, server):
    page = open_page(browser, 1400, 1000)
    external = []
    page.on("request", lambda r: external.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")) else None)
    page.goto(server)
    frame = map_frame(page)
    fills = frame.evaluate(FILLS_JS)
    coloured = [f for f in fills if f in LEVEL_COLOURS]
    assert len(coloured) >= 100, f"{len(coloured)} coloured polygons"
    assert len(set(coloured)) >= 3  # 01/09/2021: the outbreak shows several levels
    page.get_by_role("button", name="7 »").click()
    after = wait_for_change(frame, fills)
    assert after != fills, "changing the date must recolour the map"
    assert external == [], f"the page reached outside: {external[:5]}"
    page.close()


@pytest.mark.parametrize("size", [(1366, 768), (1400, 1100), (390, 844)])
def test_click_a_commune_opens_its_panel(browser, server, size):
    """The first click, at any window size (the phone's map is scrolled into view
    first), opens the unit under the pointer and outlines it."""
    page = open_page(browser, size[0], size[1])
    page.goto(server)
    frame = map_frame(page)
    click_unit(page, frame, "30745")  # Phường Vĩnh Lạc, small and among many
    page.get_by_role("heading", name="Phường Vĩnh Lạc").wait_for(timeout=30000)
    page.get_by_text("Vì sao ở cấp này").wait_for(timeout=30000)
    page.get_by_text("Để hạ một cấp").wait_for(timeout=30000)
    assert wait_for_outline(frame, "30745") == "30745"
    page.close()


OUTLINED_JS = """() => { const Z = window.__zl; let c = null;
    Z.layer.eachLayer(l => { if (l.options.color === "#1f3fbf") c = l.feature.properties.code; });
    return c; }"""


OUTLINED_NAME_JS = OUTLINED_JS.replace("properties.code", "properties.name")


def wait_for_outline(frame, code, timeout_s=40):
    deadline = time.time() + timeout_s
    while time.time() < deadline and frame.evaluate(OUTLINED_JS) != code:
        time.sleep(0.3)
    return frame.evaluate(OUTLINED_JS)


CHART_CODE_JS = ("() => performance.getEntriesByType('resource')"
                 ".some(e => e.name.includes('/static/js/PlotlyChart.'))")
#: the panel's chart pictures shown, loaded and decoded, and their widths on the page
CHART_IMAGES_JS = """() => [...document.querySelectorAll('img.zones-chart')]
    .filter(i => i.complete && i.naturalWidth > 0).map(i => i.getBoundingClientRect().width)"""


def test_the_panel_charts_are_pictures_without_chart_code(browser, server):
    """Issue 21: a click on a unit paints its four charts, SVG pictures drawn on the
    server, as wide as the panel's column; the page never loads plotly's chart code."""
    page = open_page(browser, 1400, 1000)
    page.goto(server)
    click_unit(page, map_frame(page), "30745")
    page.wait_for_function(f"() => ({CHART_IMAGES_JS})().length === 4", timeout=30000)
    widths = page.evaluate(CHART_IMAGES_JS)
    assert min(widths) > 250 and max(widths) - min(widths) < 1
    assert not page.evaluate(CHART_CODE_JS)
    assert page.locator(".js-plotly-plot").count() == 0
    page.close()


@pytest.mark.parametrize("size", [(1366, 768), (1400, 900), (390, 844)])
def test_the_map_and_its_legend_are_on_the_first_screen(browser, server, size):
    """At 1366x768 and 1400x900 the whole map, its date control and its legend are visible
    without scrolling; on a phone the map starts on the first screen."""
    width, height = size
    page = open_page(browser, width, height)
    page.goto(server)
    frame = map_frame(page)
    box = page.locator(MAP_IFRAME).bounding_box()
    date = page.get_by_role("button", name="Mới nhất").bounding_box()
    legend = frame.locator(".zl-legend").bounding_box()
    if width > 640:
        assert box["y"] + box["height"] <= height, (box, height)
        assert legend["y"] + legend["height"] <= height  # (page coordinates)
        assert date["y"] + date["height"] <= box["y"]
    else:
        assert box["y"] < height * 0.6, box
    page.close()


def test_a_click_on_the_map_outlines_the_unit_and_a_row_of_a_list_opens_it(browser, server):
    page = open_page(browser, 1400, 900)
    page.goto(server)
    frame = map_frame(page)
    click_unit(page, frame, "30745")
    assert wait_for_outline(frame, "30745") == "30745"
    pick_first_row(page)
    page.get_by_text("Vì sao ở cấp này").wait_for(timeout=30000)
    # the panel shows the list's first unit, and the map outlines that same unit
    name = page.get_by_role("heading", level=3).first.inner_text(timeout=30000)
    deadline = time.time() + 40
    while time.time() < deadline and frame.evaluate(OUTLINED_NAME_JS) != name:
        time.sleep(0.3)
    assert frame.evaluate(OUTLINED_NAME_JS) == name
    page.close()


def pick_first_row(page) -> None:
    """Open the overview tab and select the first row of its first list."""
    page.get_by_role("tab", name="Tổng quan").click()
    unit_tab = page.get_by_role("tab", name="Đơn vị đã chọn", selected=True)
    # the tab switch reruns the page, which may redraw the list under the pointer: click
    # the first row's selector again until the unit's tab opens (a loaded machine)
    deadline = time.time() + 90
    while time.time() < deadline:
        grid = page.locator("[data-testid='stDataFrame']").first
        grid.wait_for(timeout=30000)
        grid.scroll_into_view_if_needed()
        first = grid.bounding_box()
        page.mouse.click(first["x"] + 12, first["y"] + 35 + 17)
        try:
            unit_tab.wait_for(timeout=8000)
            break
        except Exception:  # not yet: the list was being redrawn
            continue
    unit_tab.wait_for(timeout=30000)


def wait_for_codes(page, predicate, timeout_s=40):
    """Wait until the map layer's feature codes satisfy ``predicate``; return them."""
    deadline = time.time() + timeout_s
    codes = []
    while time.time() < deadline:
        try:
            frame = map_frame(page, timeout_s=5)
            codes = frame.evaluate(
                "() => window.__zl.layer.getLayers().map(l => l.feature.properties.code)")
            if predicate(codes):
                return frame, codes
        except Exception:  # the map iframe is being replaced; try again
            pass
        time.sleep(0.3)
    raise AssertionError(f"map never showed the expected units: {codes[:8]}")


def test_drill_down_to_a_hamlet_and_back_up(browser, server):
    page = open_page(browser, 1400, 1400)
    page.goto(server)
    frame = map_frame(page)
    click_unit(page, frame, "30745")
    page.get_by_role("button", name="Xem bên trong Phường Vĩnh Lạc ›").click()
    frame, codes = wait_for_codes(page, lambda c: c and all(x.startswith("30745-") for x in c))
    assert len(codes) == 6  # the six khu phố of the demo
    click_unit(page, frame, "30745-03")
    page.get_by_role("heading", name="Khu phố 3").wait_for(timeout=30000)
    page.get_by_text("Vì sao ở cấp này").wait_for(timeout=30000)
    page.get_by_role("button", name="Tỉnh Kiên Giang").click()
    _, codes = wait_for_codes(page, lambda c: len(c) == 143)
    page.close()


def test_the_map_works_under_a_base_path(browser, demo_url):
    """Behind a proxy prefix (``--server.baseUrlPath /zones``) the map loads Leaflet, its
    layer and its files under the prefix, is coloured, and a click opens the unit."""
    with streamlit_server(demo_url, base_path="/zones") as base:
        page = open_page(browser, 1366, 768)
        failed, files = [], []
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        page.on("request", lambda r: files.append(r.url) if "zones-map/" in r.url
                or "leaflet" in r.url else None)
        page.goto(f"{base}/")
        frame = map_frame(page)
        assert frame.url.startswith(f"{base}/component/"), frame.url
        fills = frame.evaluate(FILLS_JS)
        assert len([f for f in fills if f in LEVEL_COLOURS]) >= 100
        click_unit(page, frame, "30745")
        page.get_by_role("heading", name="Phường Vĩnh Lạc").wait_for(timeout=30000)
        assert wait_for_outline(frame, "30745") == "30745"
        assert failed == [], failed[:5]
        assert files and all(f.startswith((f"{base}/zones-map/", f"{base}/app/static/"))
                             for f in files), files
        page.close()


def test_a_level_switch_and_a_date_step_keep_the_same_map_frame(browser, server):
    """The map's document is made once: a date step recolours it and a level switch swaps
    its layer in place (no new iframe, no Leaflet loaded again)."""
    page = open_page(browser, 1400, 1000)
    page.goto(server)
    frame = map_frame(page)
    frame.evaluate("() => { window.__same = true; }")
    fills = frame.evaluate(FILLS_JS)
    page.get_by_role("button", name="1 ›").click()
    assert wait_for_change(frame, fills) != fills
    page.get_by_text("Huyện/quận", exact=True).click()
    frame, _ = wait_for_codes(page, lambda c: len(c) == 15)  # the 15 districts
    assert frame.evaluate("() => window.__same === true")
    page.close()


UNDER_LEGEND_JS = """(code) => { const Z = window.__zl; let c = null;
    Z.layer.eachLayer(l => { if (l.feature.properties.code === code)
        c = Z.map.latLngToContainerPoint(l.getBounds().getCenter()); });
    const box = document.querySelector('.zl-legend').getBoundingClientRect();
    const o = Z.map.getContainer().getBoundingClientRect();
    return c.x + o.left >= box.left && c.x + o.left <= box.right
        && c.y + o.top >= box.top && c.y + o.top <= box.bottom; }"""


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)])
def test_a_unit_selected_under_the_legend_is_brought_into_view(browser, server, size):
    """A unit chosen in a list while the legend hides it on the map is moved clear of the
    legend, so its outline shows."""
    page = open_page(browser, *size)
    page.goto(server)
    frame = map_frame(page)
    pick_first_row(page)  # which unit heads the list
    name = page.get_by_role("heading", level=3).first.inner_text(timeout=30000)
    code = frame.evaluate("""(name) => { let c = null; window.__zl.layer.eachLayer(l => {
        if (l.feature.properties.name === name) c = l.feature.properties.code; });
        return c; }""", name)
    other = "30745" if code != "30745" else "30841"
    click_unit(page, frame, other)
    assert wait_for_outline(frame, other) == other
    frame.evaluate("""(code) => { const Z = window.__zl; let c = null;
        Z.layer.eachLayer(l => { if (l.feature.properties.code === code)
            c = Z.map.latLngToContainerPoint(l.getBounds().getCenter()); });
        const box = document.querySelector('.zl-legend').getBoundingClientRect();
        const o = Z.map.getContainer().getBoundingClientRect();
        Z.map.panBy([c.x + o.left - (box.left + box.right) / 2,
                     c.y + o.top - (box.top + box.bottom) / 2], {animate: false}); }""", code)
    assert frame.evaluate(UNDER_LEGEND_JS, code)
    pick_first_row(page)
    assert wait_for_outline(frame, code) == code
    deadline = time.time() + 10
    while time.time() < deadline and frame.evaluate(UNDER_LEGEND_JS, code):
        time.sleep(0.2)
    assert not frame.evaluate(UNDER_LEGEND_JS, code)
    page.close()


def test_transitions_page_shows_flows(browser, server):
    page = open_page(browser, 1400, 1400)
    page.goto(server)
    page.get_by_role("link", name="Chuyển cấp").click()
    page.get_by_text(re.compile(r"^\d+ đơn vị chuyển cấp:")).wait_for(timeout=30000)
    flows = page.locator("img.zones-flows")  # the flow chart, drawn on the server
    flows.wait_for(timeout=30000)
    assert flows.evaluate("i => i.complete && i.naturalWidth > 0 && i.alt.includes('→')")
    page.get_by_role("button", name="Tải bảng (CSV)").wait_for(timeout=30000)
    page.close()


def test_first_visit_straight_to_a_page_keeps_the_app_navigation(browser, demo_url):
    """A bookmarked page opened first after a restart must still get app.py's sidebar."""
    with streamlit_server(demo_url) as base:
        page = open_page(browser, 1400, 1000)
        page.goto(f"{base}/criteria")
        page.get_by_role("heading", name="Tiêu chí đánh giá cấp độ dịch").wait_for(
            timeout=30000)
        links = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
        assert any("Bản đồ" in t for t in links), links
        page.get_by_text("Ngôn ngữ / Language").wait_for(timeout=30000)
        page.close()


def test_play_steps_through_dates_in_the_browser(browser, server):
    """▶ recolours day after day from the timeline file, with no Streamlit rerun."""
    page = open_page(browser, 1400, 1400)
    reruns = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: reruns.append(f)))
    page.goto(server)
    frame = map_frame(page)
    settle(frame)
    sent_before = len(reruns)
    start = frame.evaluate("() => window.__zl.label")
    frame.locator("button.zl-play").click()
    deadline, labels = time.time() + 20, set()
    while time.time() < deadline and len(labels) < 4:
        labels.add(frame.evaluate("() => window.__zl.label"))
        time.sleep(0.2)
    assert len(labels - {start}) >= 3, labels
    assert all(lbl.endswith("▶") for lbl in labels - {start})
    assert len(reruns) == sent_before, "playing must not ask the server for anything"
    frame.locator("button.zl-play").click()  # pause: the frame shown stays ...
    shown = frame.evaluate("() => window.__zl.label").split(" ")[0]
    assert shown != start.split(" ")[0]
    # ... and the page's date control (its input holds yyyy-mm-dd) and the map's own
    # date label move to that day
    d, m, y = shown.split("/")
    date_input = page.locator("[data-testid='stDateInput'] input")
    deadline = time.time() + 40
    while time.time() < deadline:
        if (date_input.input_value() == f"{y}-{m}-{d}"
                and frame.evaluate("() => window.__zl.label") == shown):
            break
        time.sleep(0.3)
    assert date_input.input_value() == f"{y}-{m}-{d}"
    assert frame.evaluate("() => window.__zl.label") == shown
    page.close()
