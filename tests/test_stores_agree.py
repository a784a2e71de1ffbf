"""SQLite and PostgreSQL give the same answers: every command of the CLI contract, run on
the same demo in both stores, has the same exit code and byte-identical CSV, GeoJSON and
HTML (once folium's random element ids are set aside), before and after the same writes."""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import PG_ADMIN, copy_of, drop_pg, pg_database
from zones.cli import main

pytestmark = pytest.mark.slow

DAY, WEEK_AGO = "2021-09-01", "2021-08-25"


@pytest.fixture
def stores(demo_url, tmp_path, request) -> dict[str, str]:
    """The demo in a SQLite file and in a PostgreSQL database (copies: tests write)."""
    if not PG_ADMIN:
        if os.environ.get("CI"):
            pytest.fail("ZONES_TEST_PG is not set: .ci/run starts PostgreSQL for this test")
        pytest.skip("needs ZONES_TEST_PG (eval \"$(.ci/pg start)\")")
    pg = pg_database(template=request.getfixturevalue("pg_demo"))
    yield {"sqlite": copy_of(demo_url, tmp_path / "s.db"), "postgresql": pg}
    drop_pg(pg)


def run_both(stores, tmp_path, capsys, *argv) -> dict[str, tuple]:
    """``argv`` on each store; ``{OUT}`` in it becomes a file of that store's folder.
    Returns per store (exit code, printed text with the URL set aside, the file's bytes)."""
    got = {}
    for name, url in stores.items():
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        out = None
        args = []
        for a in argv:
            if "{OUT}" in a:
                out = folder / a.replace("{OUT}", "out")
                a = str(out)
            args.append(a)
        code = main(["--db", url, *args])
        printed = capsys.readouterr()
        text = (printed.out + printed.err).replace(url, "<db>")
        if out is not None:
            text = text.replace(str(out), "<out>")
        got[name] = (code, text, out.read_bytes() if out is not None and out.exists() else None)
    return got


def same(got: dict[str, tuple], html: bool = False) -> tuple:
    a, b = got["sqlite"], got["postgresql"]
    assert a[0] == b[0], (a[1][-500:], b[1][-500:])
    assert a[1] == b[1]
    if html:  # folium names its elements at random
        a = (*a[:2], re.sub(rb"_[0-9a-f]{32}", b"_id", a[2]))
        b = (*b[:2], re.sub(rb"_[0-9a-f]{32}", b"_id", b[2]))
    assert a[2] == b[2]
    return a


READS = [
    ("assess", "--date", DAY, "--out", "{OUT}.csv"),
    ("assess", "--date", DAY, "--level", "district", "--out", "{OUT}.csv"),
    ("assess", "--date", "2021-11-20", "--ruleset", "qd2686", "--out", "{OUT}.csv"),
    ("transitions", "--from", WEEK_AGO, "--to", DAY, "--out", "{OUT}.csv"),
    ("transitions", "--from", "2021-07-01", "--to", "2021-12-31", "--level", "district",
     "--out", "{OUT}.csv"),
    ("units", "export", "--out", "{OUT}.csv"),
    ("units", "export", "--level", "commune", "--out", "{OUT}.geojson"),
    ("observations", "export", "--from", "2021-08-01", "--to", DAY, "--out", "{OUT}.csv"),
    ("declarations", "list", "--out", "{OUT}.csv"),
]


def test_every_read_command_agrees(stores, tmp_path, capsys):
    for argv in READS:
        code, _text, body = same(run_both(stores, tmp_path, capsys, *argv))
        assert code == 0 and body, argv
    code, _text, body = same(run_both(stores, tmp_path, capsys, "map", "--date", DAY,
                                      "--level", "commune", "--out", "{OUT}.html"), html=True)
    assert code == 0 and b"Leaflet" in body


def test_the_same_writes_leave_the_same_data(stores, tmp_path, capsys):
    upload = tmp_path / "so-lieu.csv"
    upload.write_text("Ngày,Mã xã,Ca mắc mới cộng đồng,Số mẫu PCR\n"
                      "02/09/2021,30745,12,300\n"
                      "02/09/2021,30733,-4,200\n"          # refused: negative
                      "02/09/2021,Xã Không Có,1,1\n"       # refused: no such unit
                      "03/09/2021,30775,,150\n", encoding="utf-8")
    code, text, _ = same(run_both(stores, tmp_path, capsys, "observations", "import",
                                  str(upload)))
    assert code == 1 and "Traceback" not in text
    table = tmp_path / "dan-so.csv"  # an empty name cell keeps the stored name
    table.write_text("Mã xã;Tên xã;Dân số\n30733;Phường Vĩnh Thanh (mới);12.345\n"
                     "30736;;777\n99999;Xã Lạ;5\n", encoding="utf-8")
    code, text, _ = same(run_both(stores, tmp_path, capsys, "units", "import", str(table)))
    assert code == 1 and "Traceback" not in text
    code, text, _ = same(run_both(
        stores, tmp_path, capsys, "declarations", "add", "--unit", "30745", "--level", "3",
        "--from", "2021-09-02", "--decision", "12/QĐ-UBND", "--by", "Chủ tịch UBND"))
    assert code == 0
    for argv in (*READS[:5], ("units", "export", "--out", "{OUT}.csv"),
                 ("observations", "export", "--from", DAY, "--to", "2021-09-03",
                  "--out", "{OUT}.csv")):
        code, _text, body = same(run_both(stores, tmp_path, capsys, *argv))
        assert code == 0 and body, argv
