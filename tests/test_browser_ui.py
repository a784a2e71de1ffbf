"""Staff's defects in a real Chromium (issue 21): Enter in a date box applies the date,
the wheel over the "Chuyển cấp" map scrolls the page, Streamlit's own uploader and list
words in Vietnamese (and back in English), the language kept across a reload."""

from __future__ import annotations

import io
import sys
import time

import pytest

from tests.browser import MAP_IFRAME, idle, map_frame, open_page, settle, streamlit_server
from tests.conftest import copy_of
from zones.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "mat-khau-quan-tri-2021"


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_url):
    url = copy_of(demo_url, tmp_path_factory.mktemp("ui") / "ui.db")
    saved, sys.stdin = sys.stdin, io.StringIO(PASSWORD + "\n")
    try:
        assert main(["--db", url, "users", "add", "quantri", "--role", "admin",
                     "--password-stdin"]) == 0
    finally:
        sys.stdin = saved
    with streamlit_server(url) as base:
        yield base


def wait_until(check, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    return check()


def search(page) -> str:
    """The page's query string as the page wrote it last."""
    return page.evaluate("() => window.location.search")


def test_enter_in_a_date_box_applies_the_date(browser, server):
    page = open_page(browser, 1366, 768)
    page.goto(f"{server}/transitions")
    field = page.locator("[data-testid='stDateInputField']").nth(1)  # "Đến ngày"
    field.wait_for()
    assert wait_until(lambda: "date=2021-09-01" in search(page))
    page.get_by_text("Luồng chuyển cấp").wait_for()
    idle(page)
    field.locator("[data-type='day']").click()  # a click opens the calendar too
    page.locator("[data-testid='stDateInputCalendar']").wait_for()
    page.keyboard.type("05", delay=100)
    time.sleep(0.5)
    page.keyboard.press("Enter")
    assert wait_until(lambda: "date=2021-09-05" in search(page)), search(page)
    assert page.locator("[data-testid='stDateInputCalendar']").count() == 0
    page.close()


MAP_JS = "() => window.__zl && window.__zl.map"


def test_the_wheel_over_the_transitions_map_scrolls_the_page(browser, server):
    page = open_page(browser, 1400, 900)
    page.goto(f"{server}/transitions")
    box = page.locator(MAP_IFRAME).first
    box.wait_for()
    box.scroll_into_view_if_needed()

    def leaflet_map():
        for f in page.frames:
            try:
                if f.evaluate(f"() => !!window.L && !!({MAP_JS})() && ({MAP_JS})().getZoom() > 0"):
                    return f
            except Exception:  # a frame navigating
                continue
        return None

    frame = wait_until(leaflet_map, 120)
    assert frame, "the map of changes never appeared"
    time.sleep(1)
    zoom = frame.evaluate(f"() => ({MAP_JS})().getZoom()")
    main_scroll = "() => document.querySelector('[data-testid=stMain]').scrollTop"
    scrolled = page.evaluate(main_scroll)
    rect = box.bounding_box()
    page.mouse.move(rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] / 2)
    for _ in range(6):
        page.mouse.wheel(0, 300)  # out, as towards the world
        time.sleep(0.2)
    time.sleep(1)
    assert frame.evaluate(f"() => ({MAP_JS})().getZoom()") == zoom
    assert frame.evaluate(f"() => ({MAP_JS})().scrollWheelZoom.enabled()") is False
    assert page.evaluate(main_scroll) > scrolled, "the wheel scrolls the page instead"
    page.close()


AFTER_JS = "(e) => getComputedStyle(e, '::after').content"


def test_uploader_and_no_results_speak_vietnamese_then_english(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = open_page(context)
    page.goto(f"{server}/upload")
    page.get_by_label("Tên tài khoản").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    zone = page.locator("[data-testid='stFileUploaderDropzone']")
    zone.wait_for(timeout=90000)
    button = zone.locator("button [data-testid='stMarkdownContainer']")
    assert button.evaluate(AFTER_JS) == '"Chọn tệp"'
    assert not button.locator("p").is_visible()  # Streamlit's "Upload"
    limits = zone.locator("[data-testid='stFileUploaderDropzoneInstructions'] > div")
    assert limits.evaluate(AFTER_JS) == '"Tối đa 20 MB một tệp • CSV, XLSX"'
    assert not limits.locator("span").is_visible()  # "20MB per file • CSV, XLSX"
    palette = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input")
    palette.first.click()
    page.keyboard.type("zzzz")
    empty = page.locator("[role='listbox'] > [role='option'][style*='contents']")
    empty.wait_for(state="attached", timeout=30000)  # display: contents (no box itself)
    assert empty.evaluate(AFTER_JS) == '"Không có kết quả"'
    assert not empty.locator("span").is_visible()  # "No results"
    assert page.get_by_role("listbox").bounding_box()["height"] > 20  # the words take room
    page.keyboard.press("Escape")
    page.get_by_text("English", exact=True).click()
    assert wait_until(lambda: button.evaluate(AFTER_JS) == "none")
    assert button.locator("p").inner_text() == "Upload"
    assert limits.locator("span").inner_text() == "20MB per file • CSV, XLSX"
    context.close()


def test_the_language_is_kept_across_a_reload(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = open_page(context)
    page.goto(server)
    english = page.get_by_role("radio", name="English")
    english.wait_for()
    page.get_by_text("English", exact=True).click()
    cookies = wait_until(lambda: {c["name"]: c for c in context.cookies()}
                         .get("zones_lang", {}).get("value") == "en")
    assert cookies, context.cookies()
    page.get_by_role("link", name="Transitions").wait_for(timeout=60000)
    page.reload()
    page.get_by_role("link", name="Transitions").wait_for(timeout=90000)
    assert english.is_checked()
    other = open_page(context)  # a new tab of this browser starts in English too
    other.goto(f"{server}/transitions")
    other.get_by_role("link", name="Transitions").wait_for(timeout=90000)
    page.get_by_text("Tiếng Việt", exact=True).click()
    assert wait_until(lambda: {c["name"]: c["value"] for c in context.cookies()}
                      .get("zones_lang") == "vi")
    context.close()


def test_the_phone_map_page_shows_the_map_and_its_legend_on_the_first_screen(browser,
                                                                             server):
    """390x844: a compact title, date row and notice; the map and its whole legend on the
    first screen (the map started at 400 px, its legend below the fold)."""
    page = open_page(browser, 390, 844)
    page.goto(server)
    frame = map_frame(page)
    settle(frame)
    box = page.locator(MAP_IFRAME).bounding_box()
    legend = frame.locator(".zl-legend").bounding_box()  # page coordinates
    title = page.get_by_role("heading", name="Bản đồ cấp độ dịch").bounding_box()
    latest = page.get_by_role("button", name="Mới nhất").bounding_box()
    assert title["y"] >= 40, title  # below Streamlit's own header bar
    assert box["y"] <= 300, box
    assert legend["y"] + legend["height"] <= 844, legend
    assert latest["y"] < 140, latest  # the date row in one line
    page.close()


def test_a_tooltip_under_the_approximate_boundaries_notice_can_be_read(browser, server):
    """Leaflet draws tooltips under its corner controls: while one is open, the notice
    ("Ranh giới gần đúng", top left) fades and lets the pointer through."""
    page = open_page(browser, 1366, 768)
    page.goto(server)
    frame = map_frame(page)
    settle(frame)
    notice = frame.locator(".zl-notice")
    opacity = "(e) => Number(getComputedStyle(e).opacity)"
    assert notice.evaluate(opacity) == 1
    point = frame.evaluate("""() => { const Z = window.__zl; let c = null;
        Z.layer.eachLayer(l => { if (!c) c = Z.map.latLngToContainerPoint(
            l.getBounds().getCenter()); });
        return c; }""")
    frame.locator(".leaflet-container").first.hover(position={"x": point["x"],
                                                              "y": point["y"]})
    frame.locator(".leaflet-tooltip").first.wait_for()
    assert wait_until(lambda: notice.evaluate(opacity) < 0.5), notice.evaluate(opacity)
    page.close()
