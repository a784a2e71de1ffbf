"""Names are data, never markup or script: a hostile unit name shows as text in the
exported map (opened in Chromium), in the dashboard's tooltip, in the boundaries preview,
and a formula in a name is neutralised in every CSV export."""

from __future__ import annotations

import csv
import io
import sys
from datetime import date

import pytest
import sqlalchemy as sa

from tests.browser import idle, map_frame, open_page, streamlit_server
from tests.conftest import copy_of
from zones import api
from zones.cli import main
from zones.levels.refresh import refresh
from zones.storage.schema import units as units_table

HOSTILE = '</script><img src=x onerror="window.__pwned=1"><b>Ấp "Xóm Mới"</b>'
FORMULA = '=HYPERLINK("http://example.invalid","bấm vào đây")'
VINH_LAC, PHAO_DAI = "30745", "30775"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory, demo_url):
    path = tmp_path_factory.mktemp("hostile") / "h.db"
    url = copy_of(demo_url, path)
    ws = api.open_workspace(url)
    with ws.engine.begin() as conn:
        conn.execute(sa.update(units_table).where(units_table.c.code == VINH_LAC)
                     .values(name=HOSTILE))
        conn.execute(sa.update(units_table).where(units_table.c.code == PHAO_DAI)
                     .values(name=FORMULA))
    refresh(ws)  # a write: new data version, the names above are what every view reads
    return url


@pytest.fixture(scope="module")
def pages_server(hostile_db, tmp_path_factory):
    """The dashboard on a copy of the hostile database with an administrator (quantri)
    and a declaration whose decision number is the hostile name; one server for the
    module's browser tests."""
    url = copy_of(hostile_db, tmp_path_factory.mktemp("pages") / "pages.db")
    saved, sys.stdin = sys.stdin, io.StringIO("mat-khau-quan-tri\n")
    try:
        assert main(["--db", url, "users", "add", "quantri", "--role", "admin",
                     "--password-stdin"]) == 0
    finally:
        sys.stdin = saved
    ws = api.open_workspace(url)
    api.declare(ws, actor=api.LOCAL_ADMIN, unit_code=VINH_LAC, level=3,
                effective_from=date(2021, 9, 2), decision_number=HOSTILE[:90])
    with streamlit_server(url) as base:
        yield base


def test_export_keeps_the_name_inside_its_script(hostile_db, tmp_path):
    out = tmp_path / "m.html"
    assert main(["--db", hostile_db, "map", "--date", "2021-09-01", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert HOSTILE not in html and "<img src=x" not in html
    assert html.count("</script>") == html.count("<script")  # nothing closes a script early
    assert 'http-equiv="Content-Security-Policy"' in html


@pytest.mark.parametrize("command", [["units", "export"], ["assess", "--date", "2021-09-01"],
                                     ["transitions", "--from", "2021-08-20", "--to",
                                      "2021-09-01"]])
def test_csv_exports_neutralise_formulas(capsys, hostile_db, command):
    assert main(["--db", hostile_db, *command]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    cells = [c for r in rows for c in r]
    assert FORMULA not in cells
    if any("HYPERLINK" in c for c in cells):
        assert "'" + FORMULA in cells


def test_boundaries_preview_shows_names_as_text(hostile_db):
    from zones.boundaries.imports import ImportPlan, ImportReport, preview_layer

    ws = api.open_workspace(hostile_db)
    everything = api.units(ws)
    shapes = everything[everything["level"] == "commune"].reset_index(drop=True)
    plan = ImportPlan(shapes, ImportReport(filename="x.geojson"), shapes.iloc[:0], "2021")
    shown = preview_layer(plan)
    assert HOSTILE not in set(shown["name"]) and "&lt;/script&gt;" in " ".join(shown["name"])


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_hostile_name_runs_nothing_in_the_export_or_the_dashboard(hostile_db, tmp_path,
                                                                  browser, pages_server):
    out = tmp_path / "m.html"
    assert main(["--db", hostile_db, "map", "--date", "2021-09-01", "--out", str(out)]) == 0
    page = open_page(browser, 1200, 900)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(out.as_uri())
    page.wait_for_function("() => window.__zl && window.__zl.layer", timeout=60000)
    inside = inner_point(hostile_db, VINH_LAC)
    tip = hover_tooltip(page, page, VINH_LAC, inside)
    assert "&lt;/script&gt;&lt;img" in tip and "<img" not in tip
    assert page.evaluate("() => window.__pwned") is None and dialogs == []

    page = open_page(browser, 1400, 1200)
    page.goto(pages_server)
    frame = map_frame(page)
    tip = hover_tooltip(page, frame, VINH_LAC, inside)
    assert "&lt;/script&gt;&lt;img" in tip and "<img" not in tip
    assert frame.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => window.__pwned") is None


def inner_point(url: str, code: str) -> tuple[float, float]:
    """A point surely inside the unit (its shape may be concave): (lat, lng)."""
    point = api.units(api.open_workspace(url)).geometry[code].representative_point()
    return point.y, point.x


def hover_tooltip(page, frame, code: str, inside, attempts: int = 6) -> str:
    """Move the mouse over the middle of unit ``code`` as a user would; the tooltip's HTML.
    Retried: on a loaded machine the map may still be settling when the mouse arrives."""
    last = None
    for _ in range(attempts):
        try:
            tip = _hover_once(page, frame, code, inside)
            if "Xóm Mới" in tip:  # the unit's own tooltip, not a neighbour's
                return tip
            last = AssertionError(f"hovered another unit: {tip[:80]}")
        except Exception as err:  # the frame was still loading or being replaced
            last = err
            page.wait_for_timeout(2000)
            if frame is not page:
                frame = map_frame(page)
    raise AssertionError(f"no tooltip for {code}: {last}")


def _hover_once(page, frame, code: str, inside) -> str:
    point = frame.evaluate("""([code, lat, lng]) => { const Z = window.__zl; let c = null;
        Z.layer.eachLayer(l => { if (l.feature.properties.code === code) {
            Z.map.fitBounds(l.getBounds(), {animate: false});
            const p = Z.map.latLngToContainerPoint([lat, lng]);
            const r = Z.map.getContainer().getBoundingClientRect();
            c = {x: p.x + r.left, y: p.y + r.top}; } });
        return c; }""", [code, *inside])
    offset = {"x": 0, "y": 0}
    if frame is not page:  # the map is in an iframe: add its position on the page
        box = frame.frame_element().bounding_box()
        offset = {"x": box["x"], "y": box["y"]}
    x, y = point["x"] + offset["x"], point["y"] + offset["y"]
    for dx in range(8):  # a canvas layer sees the pointer on mouse moves
        page.mouse.move(x + dx % 2, y + dx % 2, steps=3)
        if frame.evaluate("() => !!document.querySelector('.leaflet-tooltip')"):
            break
        page.wait_for_timeout(400)
    frame.wait_for_selector(".leaflet-tooltip", timeout=15000)
    return frame.evaluate("() => document.querySelector('.leaflet-tooltip').innerHTML")


def test_briefings_print_hostile_names_as_text(hostile_db):
    """Names reach reportlab (markup), python-pptx and matplotlib (a "$" would start its
    math notation): every format builds, and the PDF shows the name as written."""
    from pypdf import PdfReader

    ws = api.open_workspace(hostile_db)
    with ws.engine.begin() as conn:
        conn.execute(sa.update(units_table).where(units_table.c.code == "91")
                     .values(name='Tỉnh $\\frac{1}{$ <b>"KG"</b>'))
    refresh(ws)
    made = {fmt: api.briefing(ws, "2021-09-01", fmt=fmt) for fmt in ("png", "pptx", "pdf")}
    assert all(made.values())
    pdf = made["pdf"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert 'Tỉnh $\\frac{1}{$ <b>"KG"</b>' in text


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_hostile_names_run_nothing_on_any_page(pages_server, browser):
    """Signed in as an administrator, every page is opened with a unit whose name is
    markup and script: nothing runs, no dialog opens."""
    page = open_page(browser, 1400, 1000)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{pages_server}/upload")
    page.get_by_label("Mật khẩu").wait_for(timeout=90000)
    page.get_by_label("Tên tài khoản").fill("quantri")
    page.get_by_label("Mật khẩu").fill("mat-khau-quan-tri")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("Đăng nhập: quantri").wait_for(timeout=60000)
    for title in ("Bản đồ", "Chuyển cấp", "Báo cáo giao ban", "Tiêu chí",
                  "Công bố cấp độ", "Nhập số liệu", "Địa giới hành chính", "Nhật ký"):
        page.get_by_role("link", name=title).first.click()
        page.get_by_role("heading").first.wait_for(timeout=90000)
        idle(page)  # the page's run is over: whatever it shows is on the page
        assert page.evaluate("() => window.__pwned") is None, title
        for frame in page.frames:
            try:
                assert frame.evaluate("() => window.__pwned") is None, title
            except AssertionError:
                raise
            except Exception:  # a frame being replaced
                continue
    assert dialogs == []
    page.close()
