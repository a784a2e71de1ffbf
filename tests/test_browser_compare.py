"""What-if side by side in a real browser: the two maps of the page "So sánh" outline the
units whose levels differ between QĐ 2686 and QĐ 4800 on 11/10/2021 (the last day of QĐ
2686 in the Kiên Giang demo), and a user's drag of one map moves the other with it."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

from tests.browser import idle, open_page
from zones import api

DAY = date(2021, 10, 11)
#: core.js's DIFFER: the outline of a unit that differs between the two maps
DIFFER = "#8e24aa"

SIDES_JS = """() => {
    const P = window.__zlc;
    if (!P || !P.sides.every(z => z.layer)) return null;
    return P.sides.map(z => {
        const out = {centre: z.map.getCenter(), zoom: z.map.getZoom(), outlined: [],
                     fills: {}};
        z.layer.eachLayer(l => {
            const code = l.feature.properties.code;
            out.fills[code] = l.options.fillColor;
            if (l.options.color === 'DIFFER') out.outlined.push(code);
        });
        out.outlined.sort();
        return out;
    });
}""".replace("DIFFER", DIFFER)


def pair(page, timeout_s: float = 120):
    """The component's frame and both sides once both maps have their layer and levels."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in page.frames:
            try:
                sides = frame.evaluate(SIDES_JS)
            except Exception:  # frame navigating or detached
                continue
            if sides and all(s["outlined"] for s in sides):
                return frame, sides
        time.sleep(0.25)
    raise AssertionError("the two maps never showed their outlined units")


def settled(frame, timeout_s: float = 15):
    """Both sides once their views stop changing (a drag's inertia, a zoom's animation)."""
    last, stable, deadline = None, 0, time.time() + timeout_s
    while time.time() < deadline and stable < 3:
        time.sleep(0.2)
        now = frame.evaluate(SIDES_JS)
        views = [(s["centre"], s["zoom"]) for s in now]
        stable = stable + 1 if views == last else 0
        last = views
    return now


def same_view(a: dict, b: dict) -> None:
    """The same zoom, and centres within a pixel (Leaflet rounds a view to whole pixels)."""
    assert a["zoom"] == b["zoom"]
    pixel = 360 / (256 * 2 ** a["zoom"])  # degrees of longitude per pixel at this zoom
    assert abs(a["centre"]["lng"] - b["centre"]["lng"]) <= pixel, (a["centre"], b["centre"])
    assert abs(a["centre"]["lat"] - b["centre"]["lat"]) <= pixel, (a["centre"], b["centre"])


def test_two_maps_outline_what_differs_and_pan_together(browser, demo_url, demo_server):
    ws = api.open_workspace(demo_url)
    want = api.compare_levels(ws, api.Side(DAY, "qd2686"), api.Side(DAY, "qd4800"),
                              "commune", "91")
    differ = sorted(want.table["unit_code"])
    assert 10 < len(differ) < len(want.codes)  # some communes differ, not all
    page = open_page(browser)
    page.goto(f"{demo_server}/compare?date={DAY.isoformat()}&a=qd2686&b=qd4800&level=commune")
    frame, sides = pair(page)
    # the same units outlined on both maps, exactly those the core finds
    assert sides[0]["outlined"] == sides[1]["outlined"] == differ
    first = differ[0]
    assert sides[0]["fills"][first] != sides[1]["fills"][first]
    idle(page)
    body = page.locator("body").inner_text()
    assert f"{len(differ)} đơn vị khác cấp độ" in body
    assert "11/10/2021" in body
    grid = page.locator("[data-testid=stDataFrame]")
    assert grid.count() == 1
    # a user drags the left map: the right one follows to the same view
    before = sides[1]["centre"]
    frame.locator("#map-a").scroll_into_view_if_needed()
    box = frame.locator("#map-a").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for k in range(1, 11):
        page.mouse.move(x - 12 * k, y - 6 * k)
    page.mouse.up()
    a, b = settled(frame)  # the drag's inertia over
    assert a["centre"] != before, "the left map did not move"
    assert b["centre"] != before, "the right map did not follow"
    same_view(a, b)
    # and the other way round: the wheel over the right map zooms both
    box = frame.locator("#map-b").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    zoomed = a["zoom"]
    deadline = time.time() + 15
    while time.time() < deadline and frame.evaluate(SIDES_JS)[1]["zoom"] == zoomed:
        time.sleep(0.1)
    a, b = settled(frame)
    assert b["zoom"] > zoomed
    same_view(a, b)
    if os.environ.get("ZONES_SHOTS"):  # a picture for people (not an assertion)
        page.screenshot(path=str(Path(os.environ["ZONES_SHOTS"]) / "compare.png"),
                        full_page=True)
