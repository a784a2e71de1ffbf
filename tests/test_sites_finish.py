"""Closing issue 25's gaps: a score cell formatted as percent in Excel, a lockdown
polygon checked against its unit's shape by area, the briefing's maps with the sites."""

from __future__ import annotations

import csv
import io

from tests.test_boundaries_fixtures import imported_fixture, run  # noqa: F401
from zones import api
from zones.sites.percent import is_percent, shown


def _list(tmp, capsys, *extra) -> dict[str, dict]:
    capsys.readouterr()
    assert run(tmp, "sites", "list", *extra) == 0
    return {r["site_id"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}


def test_percent_formats_and_their_text():
    assert is_percent("0%") and is_percent("0.00%") and is_percent('#,##0.0"x"%')
    assert not is_percent('0.0"%"') and not is_percent("0.0\\%") and not is_percent(None)
    assert not is_percent("General") and not is_percent("[Red]0.00")
    assert (shown(0.85), shown(0.29), shown(0.4999), shown(1.0), shown(0.0)) == \
        ("85%", "29%", "49.99%", "100%", "0%")
    assert shown(1e20) == "10000000000000000000000%"  # no exponent: refused as out of range
    assert shown(float("inf")) == "inf%"


def test_an_xlsx_score_formatted_as_percent_reads_as_percent(imported, capsys):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Danh sách cơ sở"])  # a title row: the header is the second row
    sheet.append(["site_id", "name", "unit_code", "lat", "lon", "from", "to", "sector",
                  "score"])
    cells = [("P85", 0.85, "0%"), ("P4999", 0.4999, "0.00%"), ("LIT", 0.5, '0.0"%"'),
             ("PLAIN", 79.5, "General"), ("TEXT", "85%", "General"),
             ("OVER", 1.5, "0%"), ("NEG", -0.1, "0%")]
    for site, value, fmt in cells:
        sheet.append([site, f"Cơ sở {site}", "30733", 10.05, 105.05, "01/08/2021", None,
                      "chợ", value])
        sheet.cell(sheet.max_row, 9).number_format = fmt
    buf = io.BytesIO()
    book.save(buf)
    path = imported / "p.xlsx"
    path.write_bytes(buf.getvalue())
    capsys.readouterr()
    assert run(imported, "sites", "import", str(path), "--kind", "facility") == 1
    report = capsys.readouterr().out
    assert "«150%»" in report and "«-10%»" in report  # refused, shown as the user saw it
    got = _list(imported, capsys, "--date", "2021-08-20")
    assert {s: (r["score"], r["band"], r["must_stop"]) for s, r in got.items()} == {
        "P85": ("85", "green", "0"), "P4999": ("49.99", "red", "1"),
        "LIT": ("0.5", "red", "1"), "PLAIN": ("79.5", "gold", "0"),
        "TEXT": ("85", "green", "0")}


def _box(x0, y0, x1, y1):
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


#: unit 30733 is [105.0, 105.1] x [10.0, 10.1]; 30736 east, 30800 north, 30801 north-east
POLYGONS = [  # site, polygon for unit 30733 -> stored?, what the refusal names
    ("INSIDE", _box(105.02, 10.02, 105.04, 10.04), True, ()),
    ("UNDER", _box(105.0, 10.05, 105.1009, 10.06), True, ()),  # 0.89 % over the border
    ("OVER", _box(105.0, 10.05, 105.1011, 10.06), False,  # 1.09 %: the other side
     ("1,09 % diện tích nằm ngoài Phường Vĩnh Thanh", "cho phép tối đa 1 %), gồm 1,09 % "
      "trong Phường Vĩnh Quang")),
    ("SPILL", _box(105.05, 10.05, 105.15, 10.15), False,
     ("75,0 % diện tích", "25,0 % trong Phường Vĩnh Quang", "25,0 % trong Xã Bình Giang",
      "25,0 % trong Xã Bình Sơn")),
    ("SEA", _box(104.95, 10.02, 105.05, 10.04), False,
     ("50,0 % diện tích", "50,0 % ngoài mọi đơn vị đã lưu")),
]


def test_a_lockdown_polygon_mostly_outside_its_unit_is_refused(imported, capsys):
    import json

    from zones.sites.limits import checks

    assert checks()["lockdown_outside_max_percent"] == 1.0  # the tests' edges sit on it
    feats = [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": c},
              "properties": {"site_id": s, "name": f"Phong tỏa {s}", "unit_code": "30733",
                             "from": "24/08/2021", "to": "14/09/2021"}}
             for s, c, _ok, _why in POLYGONS]
    path = imported / "l.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}),
                    encoding="utf-8")
    capsys.readouterr()
    assert run(imported, "sites", "import", str(path), "--kind", "lockdown") == 1
    report = capsys.readouterr().out
    for n, (site, _c, ok, why) in enumerate(POLYGONS, start=1):
        line = [x for x in report.splitlines() if x.startswith(f"Dòng {n},")]
        assert bool(line) != ok, (site, line)
        for words in why:
            assert words in line[0], (words, line[0])
        if line:
            assert "cột «geometry»" in line[0] and "tách thành một dòng" in line[0]
    assert set(_list(imported, capsys, "--date", "2021-09-01")) == {"INSIDE", "UNDER"}
    capsys.readouterr()
    assert run(imported, "--lang", "en", "sites", "import", str(path), "--kind",
               "lockdown") == 1
    english = capsys.readouterr().out
    assert "75.0 % of its area lies outside Phường Vĩnh Thanh" in english
    assert "split it into one row per unit" in english


def test_the_polygon_tolerance_is_checked_as_strictly_as_a_rule_set():
    import pytest

    from rules.errors import ProblemsError
    from zones.sites.limits import parse_checks

    assert parse_checks("lockdown_outside_max_percent: 2.5") == \
        {"lockdown_outside_max_percent": 2.5}
    for text, words in (("lockdown_outside_max_percent: .nan", "finite"),
                        ("lockdown_outside_max_percent: 60", "from 0 to 50"),
                        ("lockdown_outside_max_percent: 1\nother: 2", "other"),
                        ("other: 2", "required"), ("[1]", "mapping")):
        with pytest.raises(ProblemsError) as err:
            parse_checks(text)
        assert words in str(err.value), (text, str(err.value))


# --- the briefing's maps with the sites -------------------------------------------------

def _pixels(png: bytes, colour: str) -> int:
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    want = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return int((rgb == want).all(axis=2).sum())


def test_briefing_maps_draw_the_sites_of_their_day_on_request(demo_url, tmp_path):
    from datetime import date

    from zones.api.sites import briefing_site_marks
    from zones.briefing import pictures
    from zones.cli import main
    from zones.sites.marks import QUARANTINE_COLOUR

    ws = api.open_workspace(demo_url)
    # the late-August outbreak: the Vĩnh Lạc lockdown (24/08-14/09) is in force on 01/09
    now = briefing_site_marks(ws, date(2021, 9, 1), "899", "vi")
    assert (len(now.facilities), len(now.quarantine), len(now.polygons),
            len(now.lockdown_points)) == (88, 2, 1, 0)  # Kiên Lương's are not Rạch Giá's
    assert now.heading == "Điểm an toàn ngày 01/09/2021"
    stops = int(now.facilities["stop"].sum())
    assert stops == (now.facilities["colour"] == "#c62828").sum() > 0  # red must stop
    lines = [x.label for x in now.legend]
    assert lines[3] == f"Cơ sở phải dừng hoạt động ({stops})"
    assert "Khu cách ly (2; 1 đã đầy)" in lines and "Vùng phong tỏa (1)" in lines
    before = briefing_site_marks(ws, date(2021, 8, 15), None, "en")  # the whole province
    assert (len(before.facilities), len(before.quarantine), len(before.polygons)) == \
        (88, 0, 0)
    everywhere = briefing_site_marks(ws, date(2021, 9, 1), None, "en")
    assert (len(everywhere.quarantine), len(everywhere.lockdown_points)) == (3, 1)
    assert "Lockdown points (1)" in [x.label for x in everywhere.legend]
    # drawn: markers only, no site's name (names are data; none is written on a map)
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    pictures.draw_sites(ax, now)
    assert len(ax.texts) == 0 and len(ax.collections) >= 4
    plt.close(fig)
    # the CLI's switch: the same briefing with and without the sites
    plain, with_sites = tmp_path / "a.png", tmp_path / "b.png"
    args = ["--db", demo_url, "briefing", "--date", "2021-09-01", "--unit", "899",
            "--format", "png"]
    assert main([*args, "--out", str(plain)]) == 0
    assert main([*args, "--sites", "--out", str(with_sites)]) == 0
    assert _pixels(plain.read_bytes(), QUARANTINE_COLOUR) == 0
    assert _pixels(with_sites.read_bytes(), QUARANTINE_COLOUR) > 20
    assert _pixels(with_sites.read_bytes(), pictures._LOCKDOWN_EDGE) > 5
    # the slides' and the report's two maps (before and at the end of the period)
    from zones.briefing.sections import _maps
    from zones.levels import dayview

    b = api.prepare_briefing(ws, date(2021, 9, 1), "899", None, 1, "vi")
    marks = tuple(briefing_site_marks(ws, v.day, "899", "vi") for v in (b.earlier, b.now))
    both = _maps(b, dayview.units(ws), "default", None, marks).pictures
    assert [_pixels(png, QUARANTINE_COLOUR) > 20 for _title, png in both] == [True, True]


def test_percent_cells_found_in_the_xml_or_by_a_walk_when_cells_have_no_reference():
    import re
    import zipfile

    from openpyxl import Workbook

    from zones.ingest.read import xlsx_rows
    from zones.sites.percent import percent_scores

    book = Workbook()
    sheet = book.active
    sheet.append(["site_id", "score", "other"])
    for i, (value, fmt) in enumerate([(0.85, "0%"), (0.5, "General"), (0.25, "0.0%")]):
        sheet.append([f"S{i}", value, 0.75])
        sheet.cell(i + 2, 2).number_format = fmt
        sheet.cell(i + 2, 3).number_format = "0%"  # another column: left alone
    buf = io.BytesIO()
    book.save(buf)
    data = buf.getvalue()
    # the same workbook with no cell reference (allowed: cells then follow in order)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                body = re.sub(rb'(<c\b[^>]*?)\sr="[A-Z]+\d+"', rb"\1", body)
                assert b' r="B2"' not in body
            dst.writestr(item, body)
    for workbook in (data, out.getvalue()):
        rows, name = xlsx_rows(workbook, None, "vi")
        assert percent_scores(workbook, name, rows, 1, 1) == 2
        assert [r[1] for r in rows[1:]] == ["85%", 0.5, "25%"]
        assert [r[2] for r in rows[1:]] == [0.75] * 3
