"""Sites on the safety map (issue 25) through the CLI and the door: a hold-out of points
inside, outside and on the border of their unit with scores at both ends, stored and
refused exactly as the contract says; bands and must_stop; re-imports keep the history;
lockdown polygons; the sender's subtree; the scoring scheme as strictly checked data."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.test_boundaries_fixtures import db_url, imported_fixture, run  # noqa: F401
from zones import api
from zones.maps import served
from zones.sites import scheme as schemes
from zones.sites.registry import LIST_COLUMNS

HEADER = "site_id,name,unit_code,lat,lon,from,to,sector,score\n"
#: the grid: 30733 [105.0,105.1]x[10.0,10.1], 30736 east of it, 30800 and 30801 north
HOLDOUT = [  # site, lat, lon, unit, score -> stored?, refused naming
    ("IN-0", "10.05", "105.05", "30733", "0", True, None),
    ("IN-100", "10.05", "105.05", "30733", "100", True, None),
    ("EDGE-E", "10.05", "105.1", "30733", "50", True, None),  # on the shared border
    ("EDGE-E2", "10.05", "105.1", "30736", "49.99", True, None),  # same point, neighbour
    ("CORNER", "10.0", "105.0", "30733", "80", True, None),  # the outer corner
    ("VERTEX", "10,1", "105,1", "30801", "79,99", True, None),  # decimal commas
    ("OUT-N", "10.15", "105.05", "30733", "90", False, "30800"),  # in Bình Sơn
    ("OUT-E", "10.05", "105.1001", "30733", "90", False, "30736"),  # just across
    ("OUT-ALL", "9.5", "104.5", "30733", "90", False, "ngoài mọi đơn vị"),
]


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return str(path)


def _list(tmp, capsys, *extra) -> list[dict]:
    capsys.readouterr()
    assert run(tmp, "sites", "list", *extra) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_holdout_stored_and_refused_per_contract(imported, capsys):
    rows = "".join(f"{s},Cơ sở {s},{u},{lat},{lon},01/08/2021,,may mặc,{sc}\n"
                   for s, lat, lon, u, sc, _ok, _why in HOLDOUT)
    path = _write(imported / "f.csv", HEADER.replace("to,", "to,") + rows.replace(
        "10,1,105,1", '"10,1","105,1"').replace(",79,99", ',"79,99"'))
    assert run(imported, "sites", "import", path, "--kind", "facility") == 1
    report = capsys.readouterr().out
    for n, (site, *_rest, ok, why) in enumerate(HOLDOUT, start=2):
        line = [x for x in report.splitlines() if x.startswith(f"Dòng {n},")]
        assert bool(line) != ok, (site, line)
        if why:
            assert why in line[0], line
    got = {r["site_id"]: r for r in _list(imported, capsys, "--date", "2021-08-20")}
    assert set(got) == {s for s, *_r, ok, _w in HOLDOUT if ok}
    assert list(next(iter(got.values()))) == LIST_COLUMNS
    bands = {s: (r["score"], r["band"], r["must_stop"]) for s, r in got.items()}
    assert bands == {"IN-0": ("0", "red", "1"), "IN-100": ("100", "green", "0"),
                     "EDGE-E": ("50", "gold", "0"), "EDGE-E2": ("49.99", "red", "1"),
                     "CORNER": ("80", "green", "0"), "VERTEX": ("79.99", "gold", "0")}
    assert got["EDGE-E"]["lat"] == "10.050000" and got["EDGE-E"]["from"] == "2021-08-01"
    assert got["EDGE-E"]["to"] == "" and got["EDGE-E"]["unit_code"] == "30733"


def test_reimport_updates_keeps_history_and_dry_run_stores_nothing(imported, capsys):
    first = _write(imported / "a.csv", HEADER + "F1,Cơ sở A,30733,10.05,105.05,"
                   "01/08/2021,,chợ,90\nF2,Cơ sở B,30736,10.05,105.15,01/08/2021,,,60\n")
    assert run(imported, "sites", "import", first, "--kind", "facility") == 0
    second = _write(imported / "b.csv", HEADER + "F1,Cơ sở A,30733,10.05,105.05,"
                    "01/08/2021,15/08/2021,chợ,30\nF2,Cơ sở B,30736,10.05,105.15,"
                    "01/08/2021,,,60\n")
    capsys.readouterr()
    assert run(imported, "sites", "import", second, "--kind", "facility", "--dry-run") == 0
    assert "Chạy thử" in capsys.readouterr().out
    assert _list(imported, capsys)[0]["score"] == "90"
    assert run(imported, "--lang", "en", "sites", "import", second, "--kind", "facility") == 0
    assert "1 updated" in capsys.readouterr().out
    now = {r["site_id"]: r for r in _list(imported, capsys)}
    assert (now["F1"]["score"], now["F1"]["must_stop"], now["F1"]["to"]) == \
        ("30", "1", "2021-08-15")
    ws = api.open_workspace(db_url(imported))
    from zones.sites import registry
    history = registry.history(ws.engine, "facility", "F1")
    assert list(history["score"]) == [90.0, 30.0]
    assert history["superseded_at"].notna().tolist() == [True, False]
    assert {r["site_id"] for r in _list(imported, capsys, "--date", "20/08/2021")} == {"F2"}
    entries = api.audit_entries(ws, api.LOCAL_ADMIN, action="sites_import")
    assert len(entries) == 2  # the dry run is no write


def test_quarantine_lockdown_polygons_filters_and_unusable_files(imported, capsys):
    q = _write(imported / "q.csv", "site_id,name,unit_code,lat,lon,from,to,capacity,occupied\n"
               "Q1,Khu cách ly 1,30800,10.15,105.05,2021-08-20,,100,100\n"
               "Q2,Khu cách ly 2,30801,10.15,105.15,2021-08-20,,1000000000000,5\n"
               "Q3,Khu cách ly 3,30801,10.15,105.15,2021-08-20,,50,80\n")
    assert run(imported, "sites", "import", q, "--kind", "quarantine") == 1
    out = capsys.readouterr().out
    assert "Dòng 3, cột «capacity»" in out and "vượt sức chứa" in out  # Q3 warned, stored
    square = [[[105.02, 10.02], [105.04, 10.02], [105.04, 10.04], [105.02, 10.04],
               [105.02, 10.02]]]
    far = [[[106.0, 11.0], [106.1, 11.0], [106.1, 11.1], [106.0, 11.0]]]
    bow = [[[105.02, 10.02], [105.04, 10.04], [105.04, 10.02], [105.02, 10.04],
            [105.02, 10.02]]]
    feats = [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": c},
              "properties": {"site_id": s, "name": f"Phong tỏa {s}", "unit_code": "30733",
                             "from": "24/08/2021", "to": "14/09/2021"}}
             for s, c in (("L1", square), ("L2", far), ("L3", bow))]
    feats.append({"type": "Feature", "geometry": {"type": "Point",
                                                  "coordinates": [105.15, 10.05]},
                  "properties": {"site_id": "L4", "name": "Chốt", "unit_code": "30736",
                                 "from": "2021-08-24", "to": None}})
    path = _write(imported / "l.geojson", json.dumps({"type": "FeatureCollection",
                                                      "features": feats}))
    assert run(imported, "sites", "import", path, "--kind", "lockdown") == 1
    out = capsys.readouterr().out
    assert "Dòng 2," in out and "ngoài mọi đơn vị" in out and "Dòng 3," in out
    rows = _list(imported, capsys, "--date", "2021-09-01")
    assert {(r["site_id"], r["kind"]) for r in rows} == {
        ("L1", "lockdown"), ("L4", "lockdown"), ("Q1", "quarantine"), ("Q3", "quarantine")}
    assert {r["site_id"] for r in _list(imported, capsys, "--unit", "900")} == {"Q1", "Q3"}
    assert {r["site_id"] for r in _list(imported, capsys, "--kind", "lockdown",
                                        "--date", "2021-09-20")} == {"L4"}
    ws = api.open_workspace(db_url(imported))
    lists = api.site_lists(ws, __import__("datetime").date(2021, 9, 1))
    assert set(lists["full"]["site_id"]) == {"Q1", "Q3"}
    panel = api.unit_sites(ws, "900", __import__("datetime").date(2021, 9, 1))
    assert (panel["quarantine"], panel["capacity"], panel["occupied"], panel["free"]) == \
        (2, 150, 180, 0)
    name = api.served_name(ws, "sites", lang="vi")
    layer = json.loads(served.get(ws, name).plain())  # the page's file, signed in
    assert len(layer["polygons"]["features"]) == 1 and len(layer["kind"]) == 4
    assert layer["lines"][layer["kind"].index(1)][0] == "Khu cách ly 1"
    assert served.get(ws, name.replace("sites-", "sites-x")) is None
    # unusable: no site columns, an unknown unit for the list, a bad kind
    bad = _write(imported / "x.csv", "date,unit_code,tests_pcr\n01/09/2021,30733,5\n")
    assert run(imported, "sites", "import", bad, "--kind", "facility") == 2
    assert "site_id" in capsys.readouterr().err
    assert run(imported, "sites", "list", "--unit", "nope") == 2
    assert run(imported, "sites", "import", bad, "--kind", "hospital") == 2


def test_sender_subtree_is_enforced(imported, capsys, monkeypatch):
    for name, unit in (("xa.a", "30733"), ("xa.b", "30736")):
        monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-dai-1234\n"))
        assert run(imported, "users", "add", name, "--role", "commune", "--unit", unit,
                   "--password-stdin") == 0
    path = _write(imported / "s.csv", HEADER + "A1,Cơ sở A,30733,10.05,105.05,01/08/2021,,,70\n"
                  "B1,Cơ sở B,30736,10.05,105.15,01/08/2021,,,70\n")
    capsys.readouterr()
    assert run(imported, "--as", "xa.a", "sites", "import", path, "--kind", "facility") == 1
    assert "ngoài phạm vi" in capsys.readouterr().out
    assert {r["site_id"] for r in _list(imported, capsys)} == {"A1"}
    # a site stored in 30733 cannot be taken over by 30736's official
    steal = _write(imported / "t.csv", HEADER + "A1,Cơ sở A,30736,10.05,105.15,01/08/2021,,,5\n")
    assert run(imported, "--as", "xa.b", "sites", "import", steal, "--kind", "facility") == 2
    assert _list(imported, capsys)[0]["score"] == "70"
    # a race: B checks a new id, A stores the same id in A's unit, then B stores
    ws = api.open_workspace(db_url(imported))
    a, b = (api.actor_named(ws, n, "cli", "vi") for n in ("xa.a", "xa.b"))
    new_b = HEADER + "N1,Cơ sở N,30736,10.05,105.15,01/08/2021,,,60\n"
    new_a = HEADER + "N1,Cơ sở N,30733,10.05,105.05,01/08/2021,,,60\n"
    checked_b = api.check_sites(ws, new_b.encode(), "b.csv", "facility", actor=b)
    checked_a = api.check_sites(ws, new_a.encode(), "a.csv", "facility", actor=a)
    assert api.store_sites(ws, checked_a, a).new == 1
    with pytest.raises(Exception, match="ngoài phạm vi"):
        api.store_sites(ws, checked_b, b)
    assert {(r["site_id"], r["unit_code"]) for r in _list(imported, capsys)} == {
        ("A1", "30733"), ("N1", "30733")}


def test_form_and_template_go_through_the_same_check(imported):
    ws = api.open_workspace(db_url(imported))
    fields = {"site_id": "F9", "name": "<script>x</script>", "unit_code": "30733",
              "lat": "10.05", "lon": "105.2", "from": "01/08/2021", "score": "101"}
    checked, stored = api.add_site(ws, api.LOCAL_ADMIN, "facility", fields)
    assert stored is None and {"lat", "score"} <= set(checked.problems["column"])
    fields.update(lon="105.05", score="77")
    checked, stored = api.add_site(ws, api.LOCAL_ADMIN, "facility", fields)
    assert stored.new == 1
    assert api.sites_list(ws)["name"].tolist() == ["<script>x</script>"]
    template = api.site_template(ws, "quarantine").decode("utf-8-sig")
    assert template.splitlines()[0] == "site_id,name,unit_code,lat,lon,from,to,capacity,occupied"


GOOD_SCHEME = schemes.SHIPPED.joinpath("antoancovid.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("change, expected", [
    (lambda s: s.replace("from: 80", "from: .nan"), "bands.green.from"),
    (lambda s: s.replace("from: 50", "from: 90"), "the safest band first"),
    (lambda s: s.replace("from: 0\n", "from: 10\n"), "0 for the last band"),
    (lambda s: s.replace("from: 80", "from: 180"), "from 0 to 100"),
    (lambda s: s.replace("bands: [red]", "bands: [purple]"), "must_stop.bands"),
    (lambda s: s.replace('colour: "#2e7d32"', 'colour: "#2e7d32"\n    colour: red'),
     "each key once"),
    (lambda s: s.replace("version:", "versoin:"), "versoin"),
    (lambda s: s.replace("from: 50", "from: 5" + "0" * 30), "digits"),
])
def test_scheme_checked_as_strictly_as_rule_sets(change, expected):
    with pytest.raises(schemes.SchemeError) as err:
        schemes.parse_text(change(GOOD_SCHEME), "s.yaml")
    assert expected in str(err.value)


def test_a_province_adds_its_own_scheme(imported, capsys):
    own = GOOD_SCHEME.replace("id: antoancovid", "id: antoancovid-kg").replace(
        "from: 50", "from: 30").replace("effective_from: 2020-10-01", "effective_from: 2021-08-15")
    facility = _write(imported / "f.csv", HEADER + "F1,Cơ sở,30733,10.05,105.05,01/08/2021,,,40\n")
    assert run(imported, "sites", "import", facility, "--kind", "facility") == 0
    path = _write(imported / "kg.yaml", own)
    shipped = _write(imported / "same.yaml", GOOD_SCHEME)
    assert run(imported, "sites", "scheme", "add", shipped) == 2
    assert run(imported, "sites", "scheme", "add", path) == 0
    assert run(imported, "sites", "scheme", "add", path) == 0  # unchanged
    assert "không có gì thay đổi" in capsys.readouterr().err
    before = _list(imported, capsys, "--date", "2021-08-10")[0]
    after = _list(imported, capsys, "--date", "2021-08-20")[0]
    assert (before["band"], before["must_stop"]) == ("red", "1")
    assert (after["band"], after["must_stop"]) == ("gold", "0")
    schemes_listed = list(csv.DictReader(io.StringIO(
        (run(imported, "sites", "scheme", "list"), capsys.readouterr().out)[1])))
    assert [s["id"] for s in schemes_listed] == ["antoancovid", "antoancovid-kg"]
    bad = _write(imported / "bad.yaml", own.replace("from: 80", "from: .inf"))
    assert run(imported, "sites", "scheme", "add", bad) == 2
    assert "bands.green.from" in capsys.readouterr().err


def test_demo_reset_counts_the_sites_people_sent(demo_copy):
    from zones.errors import ZonesError

    ws = api.open_workspace(demo_copy)
    assert len(api.sites_list(ws, "lockdown")) == 2  # the demo's own are no one's data
    point = api.units(ws).geometry["30745"].representative_point()
    _checked, stored = api.add_site(ws, api.LOCAL_ADMIN, "facility", {
        "site_id": "P-1", "name": "Cơ sở", "unit_code": "30745", "lat": point.y,
        "lon": point.x, "from": "01/09/2021", "score": 90})
    assert stored.new == 1
    with pytest.raises(ZonesError, match="1 điểm an toàn đã gửi"):
        api.demo(ws, api.LOCAL_ADMIN, reset=True)


def test_senders_at_once_leave_one_current_version_and_the_history(imported):
    from concurrent.futures import ThreadPoolExecutor

    ws = api.open_workspace(db_url(imported))
    files = [(HEADER + f"C1,Cơ sở C,30733,10.05,105.05,01/08/2021,,,{10 * k}\n").encode()
             for k in range(6)]
    checked = [api.check_sites(ws, f, f"{k}.csv", "facility") for k, f in enumerate(files)]
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda c: api.store_sites(ws, c, api.LOCAL_ADMIN), checked))
    assert sum(r.new for r in results) == 1 and sum(r.updated for r in results) == 5
    from zones.sites import registry
    history = registry.history(ws.engine, "facility", "C1")
    assert len(history) == 6 and history["superseded_at"].isna().sum() == 1


def test_the_html_export_carries_the_sites_on_request_names_kept_as_data(demo_copy,
                                                                         tmp_path):
    from zones.cli import main

    hostile = "</script><script>window.__pwned=1</script>"
    ws = api.open_workspace(demo_copy)
    point = api.units(ws).geometry["30745"].representative_point()
    _checked, stored = api.add_site(ws, api.LOCAL_ADMIN, "facility", {
        "site_id": "H1", "name": hostile, "unit_code": "30745", "lat": point.y,
        "lon": point.x, "from": "01/08/2021", "score": 20})
    assert stored.new == 1
    plain, with_sites = tmp_path / "m0.html", tmp_path / "m1.html"
    assert main(["--db", demo_copy, "map", "--date", "2021-09-01", "--out", str(plain)]) == 0
    assert main(["--db", demo_copy, "map", "--date", "2021-09-01", "--sites", "--out",
                 str(with_sites)]) == 0
    html, before = with_sites.read_text(encoding="utf-8"), plain.read_text(encoding="utf-8")
    assert "root.ZLsites = S" in html and "root.ZLsites = S" not in before
    assert hostile not in html and "\\u003c/script\\u003e\\u003cscript\\u003ewindow" in html
    assert html.count("<script") == before.count("<script")  # sites.js joins the map's code


def test_an_xlsx_with_vietnamese_headers_and_typed_cells(imported, capsys):
    from datetime import datetime

    from tests.test_ingest_fixtures import xlsx_bytes

    rows = [["Danh sách cơ sở tự đánh giá"],  # a title above the header
            ["Mã điểm", "Tên cơ sở", "Mã xã", "Vĩ độ", "Kinh độ", "Từ ngày", "Đến ngày",
             "Ngành", "Điểm"],
            ["X1", "Cơ sở X", "30733", 10.05, 105.05, datetime(2021, 8, 1), None, "chợ", 79.5],
            ["X2", "Cơ sở Y", 30736, 10.05, 105.15, datetime(2021, 8, 1),
             datetime(2021, 9, 30), None, 100]]
    path = imported / "x.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    assert run(imported, "sites", "import", str(path), "--kind", "facility") == 0
    got = {r["site_id"]: r for r in _list(imported, capsys, "--date", "2021-09-30")}
    assert (got["X1"]["score"], got["X1"]["band"], got["X2"]["to"]) == \
        ("79.5", "gold", "2021-09-30")
    assert got["X2"]["unit_code"] == "30736"
