"""A corpus of hostile, broken and huge inputs, generated (seeded) and hand-made.

``build(folder)`` writes every input under ``folder`` and returns the cases: what to run
(the CLI's arguments, ``{db}`` standing for the case's own copy of the base database),
what kind of input it is and, where the file says it, how many data rows it holds (so a
run can tell a row lost in reading from one refused with a message). Categories:

* ``fuzz``: seeded random corruption of a good CSV or XLSX (bit flips, cuts, splices);
* ``encoding``: UTF-16 with and without BOM, Windows-1258, Latin-1, NUL bytes, broken UTF-8;
* ``workbook``: hidden sheets, odd extents, error cells, merged cells, old .xls, fake zips;
* ``huge``: tiny files that expand (zip bombs, million-row claims, Parquet), wide rows;
* ``values``: one bad row among good ones (dates, numbers, flags, codes, names, formulas);
* ``layout``: headers missing or doubled, stray quotes, delimiters, blank lines;
* ``names``: hostile unit names (markup, script, control and bidi characters, 10 kB);
* ``boundaries``: broken GeoJSON/Shapefile/GeoPackage/Parquet, CRS, loops, orphans, zips;
* ``attributes``: attribute tables with impossible populations and unknown units;
* ``database``: URLs to no database, a newer schema, a damaged page, a missing folder;
* ``sites``: sites files (issue 25): bad coordinates, NaN and infinity, huge counts and
  scores, names with markup and control characters, broken and huge GeoJSON, polygons;
* ``cli``: misuse of the command line (bad dates, missing files, unwritable outputs, rule sets
  made hostile: NaN, negative, unbounded numbers, duplicate and 20,000 unknown keys).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import random
import sqlite3
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, Polygon, box

from tests.test_boundaries_fixtures import cell, communes_gdf, zip_dir
from tests.test_ingest_fixtures import xlsx_bytes

CODES = ("30733", "30736", "30800", "30801")
NAMES = ("Phường Vĩnh Thanh", "Phường Vĩnh Quang", "Xã Bình Sơn", "Xã Bình Giang")
DAYS = [f"{d:02d}/09/2021" for d in range(8, 15)]
HEADER = ["date", "unit_code", "new_cases_community", "new_cases_quarantine", "tests_pcr",
          "treatment_capacity_ok"]
HOSTILE_NAMES = [
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    '</script><script>window.__pwned=1</script>',
    '"><svg onload="window.__pwned=1">',
    "javascript:window.__pwned=1",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "Ấp \u202eầm\u202c Xóm",  # right-to-left override
    "Xã\u200b\u200d Ẩn",  # zero-width characters
    "Tên\x07\x1bcó\x00điều khiển",  # control characters and NUL
    "=HYPERLINK(\"http://example.invalid\",\"bấm\")",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "x" * 10_000,
    "<style>body{display:none}</style>Phường",
    "' OR 1=1; DROP TABLE units; --",
    "\ufeffBOM ở giữa\ufeff",
    "Ập\u0301 tổ hợp dấu",  # combining marks (not NFC)
]


@dataclass
class Case:
    id: str
    category: str
    argv: list[str]
    kind: str  # obs, units, db, cli
    rows: int | None = None  # data rows the file holds, when known
    dry_run: bool = False
    names: bool = False  # the case stores hostile names (checked in the browser)
    files: list[str] = field(default_factory=list)


def good_rows(n_days: int = 7) -> list[list]:
    rows = []
    for day in DAYS[:n_days]:
        for i, code in enumerate(CODES):
            rows.append([day, code, str(i), "0", str(100 + i), "1"])
    return rows


def csv_bytes(rows: list[list], header: list[str] = HEADER, sep: str = ",",
              encoding: str = "utf-8") -> bytes:
    lines = [sep.join(header), *(sep.join(str(c) for c in r) for r in rows)]
    text = "\n".join(lines) + "\n"
    if encoding == "cp1258":  # Windows-1258 writes most tones as combining marks
        text = unicodedata.normalize("NFD", text)
    return text.encode(encoding, errors="replace")


def build(folder: Path) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    for make in (_fuzz, _encodings, _workbooks, _huge, _values, _layout, _names,
                 _boundaries, _attributes, _databases, _cli, _sites):
        cases += make(folder)
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return cases


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _obs(folder: Path, cid: str, cat: str, name: str, data: bytes, rows: int | None = None,
         dry: bool = False) -> Case:
    path = _write(folder, f"{cid}-{name}", data)
    argv = ["--db", "{db}", "observations", "import", str(path), *(["--dry-run"] if dry
                                                                     else [])]
    return Case(cid, cat, argv, "obs", rows, dry, files=[str(path)])


def _units(folder: Path, cid: str, cat: str, path: Path, *extra: str, names: bool = False,
           dry: bool = False) -> Case:
    argv = ["--db", "{db}", "units", "import", str(path), *extra,
            *(["--dry-run"] if dry else [])]
    return Case(cid, cat, argv, "units", None, dry, names, files=[str(path)])


# --- fuzz ------------------------------------------------------------------------------------

def _mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    how = rng.choice(("flip", "cut", "splice", "insert", "zero"))
    if how == "flip":
        for _ in range(rng.randint(1, 40)):
            pos = rng.randrange(len(buf))
            buf[pos] ^= 1 << rng.randrange(8)
    elif how == "cut":
        buf = buf[:rng.randrange(1, len(buf))]
    elif how == "splice":
        a, b = sorted(rng.randrange(len(buf)) for _ in range(2))
        buf = buf[:a] + buf[b:] + buf[a:b]
    elif how == "insert":
        pos = rng.randrange(len(buf))
        buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
    else:
        a = rng.randrange(len(buf))
        buf[a:a + rng.randint(1, 500)] = bytes(min(500, len(buf) - a))
    return bytes(buf)


def _fuzz(folder: Path) -> list[Case]:
    rng = random.Random(20211001)
    good_csv = csv_bytes(good_rows())
    good_xlsx = xlsx_bytes([HEADER, *good_rows()])
    cases = []
    for i in range(40):
        cases.append(_obs(folder, f"fuzz-csv-{i:02d}", "fuzz", "f.csv", _mutate(good_csv, rng),
                          dry=i % 5 == 0))
    for i in range(40):
        cases.append(_obs(folder, f"fuzz-xlsx-{i:02d}", "fuzz", "f.xlsx",
                          _mutate(good_xlsx, rng), dry=i % 5 == 0))
    geo = communes_gdf().to_json().encode()
    for i in range(15):
        path = _write(folder, f"fuzz-geo-{i:02d}.geojson", _mutate(geo, rng))
        cases.append(_units(folder, f"fuzz-geojson-{i:02d}", "fuzz", path))
    return cases


# --- encodings -------------------------------------------------------------------------------

def _encodings(folder: Path) -> list[Case]:
    named = [[r[0], NAMES[i % 4], *r[2:]] for i, r in enumerate(good_rows())]
    named_header = ["Ngày", "Tên xã", *HEADER[2:]]
    out = []
    for enc in ("utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "cp1258", "latin-1",
                "utf-32"):
        data = csv_bytes(named, named_header, encoding=enc)
        out.append(_obs(folder, f"enc-{enc}", "encoding", "e.csv", data))
    text = csv_bytes(named, named_header)
    out.append(_obs(folder, "enc-nul-bytes", "encoding", "e.csv", text.replace(b",", b"\x00,", 3)))
    out.append(_obs(folder, "enc-broken-utf8", "encoding", "e.csv",
                    text.replace("Vĩnh".encode(), b"V\xc4\xa9\xff\xfenh")))
    out.append(_obs(folder, "enc-mixed", "encoding", "e.csv",
                    text + csv_bytes(named[:3], named_header, encoding="cp1258")))
    out.append(_obs(folder, "enc-nfd", "encoding", "e.csv",
                    unicodedata.normalize("NFD", text.decode()).encode()))
    out.append(_obs(folder, "enc-only-bom", "encoding", "e.csv", b"\xef\xbb\xbf"))
    out.append(_obs(folder, "enc-empty", "encoding", "e.csv", b""))
    out.append(_obs(folder, "enc-binary", "encoding", "e.csv", bytes(range(256)) * 20))
    out.append(_obs(folder, "enc-codes-utf16", "encoding", "e.csv",
                    csv_bytes(good_rows(), encoding="utf-16"), rows=28))
    return out


# --- workbooks -------------------------------------------------------------------------------

def _openpyxl_book(setup) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    setup(book)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _workbooks(folder: Path) -> list[Case]:
    data = [HEADER, *good_rows()]
    out = []

    def hidden_first(book):
        first = book.active
        first.title = "An"
        first.append(["rác"])
        first.sheet_state = "hidden"
        vis = book.create_sheet("SoLieu")
        for r in data:
            vis.append(r)
    out.append(_obs(folder, "wb-hidden-first", "workbook", "w.xlsx",
                    _openpyxl_book(hidden_first), rows=28))

    def errors(book):
        ws = book.active
        for r in data:
            ws.append(r)
        ws["C3"] = "=1/0"
        ws["E4"] = "#N/A"
    out.append(_obs(folder, "wb-error-cells", "workbook", "w.xlsx", _openpyxl_book(errors),
                    rows=28))

    def merged(book):
        ws = book.active
        ws.append(["BÁO CÁO SỐ LIỆU"])
        ws.merge_cells("A1:F1")
        for r in data:
            ws.append(r)
        ws.merge_cells("A3:A6")
    out.append(_obs(folder, "wb-merged", "workbook", "w.xlsx", _openpyxl_book(merged)))

    def far_cell(book):
        ws = book.active
        for r in data:
            ws.append(r)
        ws["XFD1048576"] = "x"
    out.append(_obs(folder, "wb-far-cell", "workbook", "w.xlsx", _openpyxl_book(far_cell)))

    def empty(book):
        book.active.title = "Trống"
    out.append(_obs(folder, "wb-empty", "workbook", "w.xlsx", _openpyxl_book(empty)))

    def many_sheets(book):
        for i in range(60):
            book.create_sheet(f"S{i}").append(["x"])
        for r in data:
            book.active.append(r)
    out.append(_obs(folder, "wb-many-sheets", "workbook", "w.xlsx", _openpyxl_book(many_sheets),
                    rows=28))

    def numbers_as_text_dates(book):
        ws = book.active
        ws.append(HEADER)
        for i, r in enumerate(good_rows()):
            ws.append([datetime.date(2021, 9, 8 + i // 4), int(r[1]), float(r[2]), r[3], 1e300,
                       True])
    out.append(_obs(folder, "wb-typed-cells", "workbook", "w.xlsx",
                    _openpyxl_book(numbers_as_text_dates), rows=28))

    def formulas(book):
        ws = book.active
        ws.append(HEADER)
        for r in good_rows():
            ws.append([r[0], r[1], "=1+1", "=HYPERLINK(\"http://x.invalid\")", r[4], r[5]])
    out.append(_obs(folder, "wb-formulas", "workbook", "w.xlsx", _openpyxl_book(formulas),
                    rows=28))
    out.append(_obs(folder, "wb-old-xls", "workbook", "w.xls",
                    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)))
    out.append(_obs(folder, "wb-zip-not-xlsx", "workbook", "w.xlsx", _zip({"a.txt": b"hi"})))
    out.append(_obs(folder, "wb-zip-slip", "workbook", "w.xlsx",
                    _zip({"../../evil.xml": b"<x/>", "xl/workbook.xml": b"<x/>"})))
    out.append(_obs(folder, "wb-bad-xml", "workbook", "w.xlsx", _xlsx_with_sheet(
        b"<worksheet><sheetData><row><c r='A1' t='s'><v>0")))
    out.append(_obs(folder, "wb-dimension-claim", "workbook", "w.xlsx", _xlsx_with_sheet(
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:XFD1048576"/><sheetData/></worksheet>')))
    out.append(_obs(folder, "wb-entity-bomb", "workbook", "w.xlsx", _xlsx_with_sheet(
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;'
        b'&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&c;</t></is></c></row>'
        b'</sheetData></worksheet>')))
    for cid, row in [  # references as XML allows them: the pre-check must read them so
            ("wb-far-cell-single-quotes", b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"),
            ("wb-far-cell-char-ref", b'<row r="1048576"><c r="&#88;FD1048576"><v>1</v></c></row>'),
            ("wb-far-row-no-refs", b"<row>" + b"<c/>" * 400 + b"</row><row r='1048576'><c/></row>")]:
        out.append(_obs(folder, cid, "workbook", "w.xlsx", _xlsx_with_sheet(
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>" + row + b"</sheetData></worksheet>")))
    out.append(_obs(folder, "wb-xlsm-name", "workbook", "w.xlsm", xlsx_bytes(data), rows=28))
    out.append(_obs(folder, "wb-sheet-named-csv", "workbook", "w.csv", xlsx_bytes(data),
                    rows=28))
    return out


def _zip(members: dict[str, bytes | list[bytes]], method: int = zipfile.ZIP_DEFLATED
         ) -> bytes:
    """A zip of ``members``; a member given as a list of chunks is written streaming (a
    bomb that expands to hundreds of MB is built without holding them)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in members.items():
            if isinstance(data, list):
                info = zipfile.ZipInfo(name)
                info.compress_type = method
                with zf.open(info, "w", force_zip64=True) as member:
                    for chunk in data:
                        member.write(chunk)
            else:
                zf.writestr(name, data)
    return buf.getvalue()


def _xlsx_with_sheet(sheet_xml: bytes | list[bytes]) -> bytes:
    """A good workbook whose first sheet's XML is replaced by ``sheet_xml``."""
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER, *good_rows(1)])))
    members = {n: good.read(n) for n in good.namelist()}
    members["xl/worksheets/sheet1.xml"] = sheet_xml
    return _zip(members)


# --- huge and expanding ------------------------------------------------------------------------

def _huge(folder: Path) -> list[Case]:
    out = []
    bomb_rows = b"<row>" + b"<c><v>0</v></c>" * 1000 + b"</row>"
    sheet = [b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b"<sheetData>", *([bomb_rows * 100] * 300), b"</sheetData></worksheet>"]
    out.append(_obs(folder, "huge-xlsx-bomb", "huge", "b.xlsx", _xlsx_with_sheet(sheet)))
    dup = csv_bytes([["08/09/2021", "30733", "1", "0", "1", "1"]] * 60_000)
    out.append(_obs(folder, "huge-duplicate-keys", "huge", "d.csv", dup, rows=60_000))
    out.append(_obs(folder, "huge-many-rows", "huge", "m.csv",
                    b"date,unit_code\n" + b"1,1\n" * 600_000))
    out.append(_obs(folder, "huge-wide-row", "huge", "w.csv",
                    csv_bytes(good_rows(1)) + b"," * 200_000 + b"\n"))
    out.append(_obs(folder, "huge-long-cell", "huge", "l.csv",
                    csv_bytes([["08/09/2021", "30733", "9" * 5_000_000, "0", "1", "1"]]),
                    rows=1))
    out.append(_obs(folder, "huge-over-size", "huge", "o.csv", b"a" * (21 * 1024 * 1024)))
    out.append(_obs(folder, "huge-one-line", "huge", "n.csv", b"date,unit_code," * 400_000))
    # boundary side
    pq = folder / "huge-rows.parquet"
    pd.DataFrame({"code": ["1"] * 300_000}).to_parquet(pq, compression="zstd")
    out.append(_units(folder, "huge-parquet-rows", "huge", pq))
    zb = _write(folder, "huge-zipbomb.zip", _zip({"a.geojson": [b" " * 1_000_000] * 300}))
    out.append(_units(folder, "huge-zip-bomb", "huge", zb))
    many = _write(folder, "huge-members.zip", _zip({f"f{i}.txt": b"x" for i in range(500)}))
    out.append(_units(folder, "huge-zip-members", "huge", many))
    ring = [(105 + 0.01 * math.cos(i / 1000), 10 + 0.01 * math.sin(i / 1000))
            for i in range(6283)]
    gdf = communes_gdf()
    gdf.loc[0, "geometry"] = Polygon(ring)
    dense = folder / "huge-dense.geojson"
    gdf.to_file(dense)
    out.append(_units(folder, "huge-vertices", "huge", dense, names=False))
    nested = _write(folder, "huge-nested.geojson", b'{"type":"FeatureCollection","features":'
                    + b"[" * 100_000 + b"]" * 100_000 + b"}")
    out.append(_units(folder, "huge-nesting", "huge", nested))
    attr = folder / "huge-attr.xlsx"
    attr.write_bytes(_xlsx_with_sheet(
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576"><c r="XFD1048576">'
        b"<v>1</v></c></row></sheetData></worksheet>"))
    out.append(_units(folder, "huge-attr-xlsx", "huge", attr))
    return out


# --- values ------------------------------------------------------------------------------------

BAD_CELLS = [
    ("date", "01/03/2005"), ("date", "31/02/2021"), ("date", "2099-01-01"), ("date", "hôm qua"),
    ("date", "44444"), ("date", ""), ("date", "2021-13-01"), ("date", "9/8/21"),
    ("unit_code", "99999"), ("unit_code", "899"), ("unit_code", "91"), ("unit_code", ""),
    ("unit_code", "3073"), ("unit_code", "30733.5"), ("unit_code", "=1+1"),
    ("new_cases_community", "-3"), ("new_cases_community", "2.5"),
    ("new_cases_community", "năm"), ("new_cases_community", "1e30"),
    ("new_cases_community", "inf"), ("new_cases_community", "NaN"),
    ("new_cases_community", "#DIV/0!"), ("new_cases_community", "99999999999999999999"),
    ("new_cases_community", "1,5"), ("new_cases_community", "=SUM(A1:A9)"),
    ("new_cases_community", "@cmd"), ("new_cases_quarantine", "\x00"),
    ("new_cases_quarantine", "\x07\x1b[31m"), ("tests_pcr", "1.000.000.000.000"),
    ("tests_pcr", " 12 "), ("treatment_capacity_ok", "-1"), ("treatment_capacity_ok", "2"),
    ("treatment_capacity_ok", "có"), ("treatment_capacity_ok", "0.5"),
    ("new_cases_community", "<script>alert(1)</script>"),
    ("unit_code", "<img src=x onerror=alert(1)>"), ("date", "\u202e1202/90/80"),
    ("tests_pcr", "１２"),  # full-width digits
    ("new_cases_community", "1" * 400),
]


def _values(folder: Path) -> list[Case]:
    out = []
    for i, (column, value) in enumerate(BAD_CELLS):
        rows = good_rows()
        rows[5] = list(rows[5])
        rows[5][HEADER.index(column)] = value
        body = io.StringIO()
        writer = csv.writer(body, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
        out.append(_obs(folder, f"val-{i:02d}-{column}", "values", "v.csv",
                        body.getvalue().encode("utf-8", errors="surrogatepass"), rows=28,
                        dry=i % 7 == 3))
    # control characters in a refused cell: the error report still comes (issue 20)
    ctrl = csv_bytes([*good_rows(1), ["08/09/2021", "Tên\x07\x1bcó", "-1", "0", "=cmd\x01", "1"]])
    path = _write(folder, "val-control-chars-report-c.csv", ctrl)
    out.append(Case("val-control-chars-report", "values",
                    ["--db", "{db}", "observations", "import", str(path), "--report",
                     str(folder / "val-control-chars-report.xlsx")], "obs", rows=5,
                    files=[str(path)]))
    named = [[r[0], NAMES[i % 4] if i % 4 else "Chau Thanh", "Huyện Khác", *r[2:]]
             for i, r in enumerate(good_rows())]
    out.append(_obs(folder, "val-unknown-names", "values", "n.csv",
                    csv_bytes(named, ["Ngày", "Tên xã", "Huyện", *HEADER[2:]]), rows=28))
    return out


# --- layout ------------------------------------------------------------------------------------

def _layout(folder: Path) -> list[Case]:
    good = csv_bytes(good_rows())
    lines = good.decode().splitlines()
    out = [
        _obs(folder, "lay-no-header", "layout", "a.csv", "\n".join(lines[1:]).encode()),
        _obs(folder, "lay-header-only", "layout", "a.csv", (lines[0] + "\n").encode()),
        _obs(folder, "lay-dup-headers", "layout", "a.csv",
             (b"date,unit_code,new_cases_community,new_cases_community\n"
              b"08/09/2021,30733,1,2\n"), rows=1),
        _obs(folder, "lay-stray-quote", "layout", "a.csv",
             "\n".join([lines[0], lines[1].replace(",0,", ',"0,'), *lines[2:]]).encode()),
        _obs(folder, "lay-semicolon", "layout", "a.csv", csv_bytes(good_rows(), sep=";"),
             rows=28),
        _obs(folder, "lay-tab", "layout", "a.csv", csv_bytes(good_rows(), sep="\t"), rows=28),
        _obs(folder, "lay-crlf-mixed", "layout", "a.csv",
             good.replace(b"\n", b"\r\n", 10).replace(b"\n", b"\r", 3)),
        _obs(folder, "lay-blank-lines", "layout", "a.csv", good.replace(b"\n", b"\n\n\n"),
             rows=28),
        _obs(folder, "lay-trailing-garbage", "layout", "a.csv", good + bytes(range(1, 32))),
        _obs(folder, "lay-title-rows", "layout", "a.csv",
             b"UBND TINH\nBAO CAO\n\n" + good, rows=28),
        _obs(folder, "lay-only-units", "layout", "a.csv", b"unit_code\n30733\n"),
        _obs(folder, "lay-no-unit", "layout", "a.csv", b"date,new_cases_community\n08/09/2021,1\n"),
        _obs(folder, "lay-extra-columns", "layout", "a.csv",
             csv_bytes([[*r, "ghi chú", "=cmd|x"] for r in good_rows()],
                       [*HEADER, "Ghi chú", "Khác"]), rows=28),
        _obs(folder, "lay-short-rows", "layout", "a.csv",
             (lines[0] + "\n" + "\n".join(x.rsplit(",", 3)[0] for x in lines[1:])).encode(),
             rows=28),
        _obs(folder, "lay-long-rows", "layout", "a.csv",
             (lines[0] + "\n" + "\n".join(x + ",1,2,3" for x in lines[1:])).encode(), rows=28),
        _obs(folder, "lay-quoted-newlines", "layout", "a.csv",
             (lines[0] + "\n" + lines[1] + ',"hai\ndòng"\n' + "\n".join(lines[2:])).encode()),
        _obs(folder, "lay-vietnamese-headers", "layout", "a.csv", csv_bytes(
            good_rows(), ["Ngày", "Mã xã", "Ca mắc mới cộng đồng",
                          "Ca mắc mới trong khu cách ly/phong tỏa", "Số mẫu PCR",
                          "Đáp ứng năng lực điều trị"]), rows=28),
        _obs(folder, "lay-duplicate-rows", "layout", "a.csv", csv_bytes(
            good_rows() + good_rows()[:3]), rows=31),
        _obs(folder, "lay-dry-run-good", "layout", "a.csv", good, rows=28, dry=True),
        _obs(folder, "lay-good", "layout", "a.csv", good, rows=28),
    ]
    return out


# --- hostile names -------------------------------------------------------------------------------

def _names(folder: Path) -> list[Case]:
    out = []
    for i, name in enumerate(HOSTILE_NAMES):
        gdf = communes_gdf()
        gdf.loc[i % 4, "TenXa"] = name
        gdf.loc[(i + 1) % 4, "TenHuyen"] = gdf.loc[(i + 1) % 4, "TenHuyen"]
        path = folder / f"name-{i:02d}.geojson"
        path.write_text(gdf.to_json(), encoding="utf-8")
        out.append(_units(folder, f"name-{i:02d}", "names", path, names=True))
    csv_path = folder / "name-attr.csv"
    pd.DataFrame({"MaXa": list(CODES), "TenXa": HOSTILE_NAMES[:4]}).to_csv(csv_path,
                                                                            index=False)
    out.append(_units(folder, "name-attributes", "names", csv_path, names=True))
    return out


# --- boundary files -------------------------------------------------------------------------------

def _feature_collection(features: list) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _shp_zip(folder: Path, cid: str, gdf: gpd.GeoDataFrame, *, encoding: str = "utf-8",
             drop: tuple[str, ...] = (), cpg: str | None = None) -> Path:
    sub = folder / f"{cid}-shp"
    sub.mkdir(exist_ok=True)
    gdf.to_file(sub / "xa.shp", encoding=encoding)
    if cpg is not None:
        (sub / "xa.cpg").write_text(cpg)
    files = [f for f in sorted(sub.iterdir()) if f.suffix not in drop]
    return zip_dir(files, folder / f"{cid}.zip")


def _boundaries(folder: Path) -> list[Case]:
    out = []
    gdf = communes_gdf()

    def geo(cid: str, data: bytes, ext: str = ".geojson", *extra: str) -> None:
        out.append(_units(folder, cid, "boundaries", _write(folder, cid + ext, data), *extra))

    geo("bnd-not-json", b"{not json")
    geo("bnd-truncated", gdf.to_json().encode()[:700])
    geo("bnd-empty-fc", _feature_collection([]))
    geo("bnd-no-geometry", _feature_collection([{"type": "Feature", "properties": {
        "MaXa": "1"}, "geometry": None}]))
    geo("bnd-points-only", gpd.GeoDataFrame({"MaXa": ["1"]}, geometry=[Point(105, 10)],
                                            crs=4326).to_json().encode())
    geo("bnd-lines", _feature_collection([{"type": "Feature", "properties": {"MaXa": "1"},
                                          "geometry": {"type": "LineString", "coordinates":
                                                       [[105, 10], [106, 11]]}}]))
    nan = json.loads(gdf.to_json())
    nan["features"][0]["geometry"]["coordinates"][0][1] = [float("nan"), 10.0]
    geo("bnd-nan-coords", json.dumps(nan).encode())
    inf = gdf.to_json().replace("105.1", "1e999", 2).encode()
    geo("bnd-inf-coords", inf)
    geo("bnd-3857-no-crs", gdf.to_crs(3857).to_json().replace(
        '"crs"', '"_crs"').encode())
    geo("bnd-wrong-crs-flag", gdf.to_json().encode(), ".geojson", "--crs", "EPSG:32648")
    geo("bnd-bad-crs-flag", gdf.to_json().encode(), ".geojson", "--crs", "EPSG:banana")
    geo("bnd-far-away", gdf.set_geometry(gdf.translate(-150, 40)).to_json().encode())
    loop = gdf.copy()
    loop.loc[0, "MaHuyen"] = "30733"
    geo("bnd-self-parent", loop.to_json().encode(), ".geojson", "--parent-field", "MaHuyen")
    dup = pd.concat([gdf, gdf.head(1)])
    geo("bnd-duplicate-codes", dup.to_json().encode())
    nocode = gdf.copy()
    nocode.loc[1, "MaXa"] = None
    geo("bnd-missing-code", nocode.to_json().encode())
    orphan = gdf.drop(columns=["TenHuyen", "TenTinh", "MaTinh"])
    orphan.loc[2, "MaHuyen"] = "X42"
    geo("bnd-orphan", orphan.to_json().encode())
    multi = gpd.GeoDataFrame({"code": ["91", "899", "30733", "30736"],
                              "name": ["Tỉnh", "Huyện", "Xã A", "Xã B"],
                              "level": ["province", "district", "commune", "commune"],
                              "parent_code": ["", "91", "899", "X1"]},
                             geometry=[box(105, 10, 105.2, 10.2), box(105, 10, 105.2, 10.1),
                                       cell(0, 0), cell(1, 0)], crs=4326)
    geo("bnd-multi-level", multi.to_json().encode())
    bad_level = multi.assign(level=["province", "district", "commune", "xã"])
    geo("bnd-level-values", bad_level.to_json().encode())
    bowtie = gdf.copy()
    bowtie.loc[0, "geometry"] = Polygon([(105, 10), (105.1, 10.1), (105.1, 10), (105, 10.1)])
    geo("bnd-self-intersecting", bowtie.to_json().encode())
    geo("bnd-huge-population", gdf.assign(DanSo=["1e30", "inf", "-5", "12.345"]).to_json()
        .encode())
    geo("bnd-no-code-field", gdf.rename(columns={"MaXa": "Khac"}).drop(
        columns=["MaHuyen", "MaTinh"]).to_json().encode())
    geo("bnd-unknown-field-flag", gdf.to_json().encode(), ".geojson", "--code-field", "Nope")
    geo("bnd-bad-level-flag", gdf.to_json().encode(), ".geojson", "--level", "village")
    geo("bnd-dry-run", gdf.to_json().encode(), ".geojson", "--dry-run")
    geo("bnd-gpkg-garbage", b"SQLite format 3\x00" + bytes(3000), ".gpkg")
    geo("bnd-parquet-garbage", b"PAR1" + bytes(300) + b"PAR1", ".parquet")
    geo("bnd-unknown-ext", b"hello", ".kml")
    geo("bnd-empty-file", b"", ".geojson")
    pq_plain = folder / "bnd-parquet-plain.parquet"
    pd.DataFrame({"MaXa": ["1"], "DanSo": [5]}).to_parquet(pq_plain)
    out.append(_units(folder, "bnd-parquet-plain", "boundaries", pq_plain))
    gpq = folder / "bnd-geoparquet.parquet"
    gdf.to_parquet(gpq)
    out.append(_units(folder, "bnd-geoparquet-good", "boundaries", gpq))
    # shapefiles
    out.append(_units(folder, "shp-good", "boundaries", _shp_zip(folder, "shp-good", gdf)))
    out.append(_units(folder, "shp-no-dbf", "boundaries",
                      _shp_zip(folder, "shp-no-dbf", gdf, drop=(".dbf",))))
    out.append(_units(folder, "shp-no-shx", "boundaries",
                      _shp_zip(folder, "shp-no-shx", gdf, drop=(".shx",))))
    out.append(_units(folder, "shp-no-prj", "boundaries",
                      _shp_zip(folder, "shp-no-prj", gdf, drop=(".prj",))))
    out.append(_units(folder, "shp-wrong-cpg", "boundaries",
                      _shp_zip(folder, "shp-wrong-cpg", gdf, encoding="utf-8", cpg="1252")))
    out.append(_units(folder, "shp-cp1258", "boundaries",
                      _shp_zip(folder, "shp-cp1258", gdf, encoding="cp1258", cpg="UTF-8")))
    out.append(_units(folder, "shp-3857-prj", "boundaries",
                      _shp_zip(folder, "shp-3857-prj", gdf.to_crs(3857))))
    good_zip = (folder / "shp-good.zip").read_bytes()
    for cid, data in _zip_variants(good_zip).items():
        out.append(_units(folder, cid, "boundaries", _write(folder, cid + ".zip", data)))
    out.append(_units(folder, "zip-slip", "boundaries", _write(
        folder, "zip-slip.zip", _zip({"../../../tmp/evil.geojson": gdf.to_json().encode()}))))
    out.append(_units(folder, "zip-absolute", "boundaries", _write(
        folder, "zip-absolute.zip", _zip({"/etc/evil.geojson": gdf.to_json().encode()}))))
    out.append(_units(folder, "zip-no-data", "boundaries", _write(
        folder, "zip-no-data.zip", _zip({"readme.txt": b"hi"}))))
    out.append(_units(folder, "zip-two-shp", "boundaries", _write(folder, "zip-two-shp.zip", _zip(
        {**{f"a{n[2:]}": d for n, d in _members(good_zip).items()},
         **{f"b{n[2:]}": d for n, d in _members(good_zip).items()}}))))
    out.append(_units(folder, "zip-nested", "boundaries", _write(
        folder, "zip-nested.zip", _zip({"inner.zip": good_zip}))))
    out.append(_units(folder, "zip-stored-geojson", "boundaries", _write(
        folder, "zip-stored.zip", _zip({"x.geojson": gdf.to_json().encode()},
                                       zipfile.ZIP_STORED))))
    out.append(_units(folder, "zip-lzma", "boundaries", _write(
        folder, "zip-lzma.zip", _zip({"x.geojson": gdf.to_json().encode()},
                                     zipfile.ZIP_LZMA))))
    return out


def _members(data: bytes) -> dict[str, bytes]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    return {n: zf.read(n) for n in zf.namelist()}


def _zip_variants(good: bytes) -> dict[str, bytes]:
    """Headers of a good zip changed: encrypted flag, Deflate64, AES, PPMd, a lying size,
    a broken CRC, a cut central directory."""
    out = {}
    local, central = good.find(b"PK\x03\x04"), good.find(b"PK\x01\x02")

    def patched(flag=0, method=None) -> bytes:
        buf = bytearray(good)
        buf[local + 6] |= flag
        buf[central + 8] |= flag
        if method is not None:
            struct.pack_into("<H", buf, local + 8, method)
            struct.pack_into("<H", buf, central + 10, method)
        return bytes(buf)

    out["zip-encrypted"] = patched(flag=1)
    out["zip-deflate64"] = patched(method=9)
    out["zip-aes"] = patched(method=99)
    out["zip-ppmd"] = patched(method=98)
    lying = bytearray(good)
    struct.pack_into("<I", lying, central + 24, 2_000_000_000)  # uncompressed size claim
    out["zip-lying-size"] = bytes(lying)
    crc = bytearray(good)
    crc[central + 16] ^= 0xFF
    crc[local + 14] ^= 0xFF
    out["zip-bad-crc"] = bytes(crc)
    out["zip-cut-directory"] = good[:good.rfind(b"PK\x05\x06") - 10]
    out["zip-deflate-garbage"] = good[:local + 60] + zlib.compress(b"x")[:5] + good[local + 65:]
    return out


# --- attribute tables ---------------------------------------------------------------------------

def _attributes(folder: Path) -> list[Case]:
    out = []
    tables = {
        "attr-huge-pop": pd.DataFrame({"MaXa": list(CODES), "DanSo": ["1e30", "inf", "-1",
                                                                      "1.234.567"]}),
        "attr-unknown-units": pd.DataFrame({"MaXa": ["99991", "99992"], "TenXa": ["A", "B"]}),
        "attr-empty-names": pd.DataFrame({"MaXa": list(CODES), "TenXa": ["", " ", None, "Tên"]}),
        "attr-no-code": pd.DataFrame({"Ten": ["A"], "DanSo": ["5"]}),
        "attr-dup-codes": pd.DataFrame({"MaXa": ["30733", "30733"], "DanSo": ["1", "2"]}),
        "attr-orphan-new": pd.DataFrame({"MaXa": ["39999"], "TenXa": ["Mới"],
                                         "MaHuyen": ["X77"]}),
        "attr-formula": pd.DataFrame({"MaXa": list(CODES), "TenXa": ["=1+1", "+cmd", "-2",
                                                                     "@x"]}),
        # one renamed unit: refused by the reader's memory bound before issue 20
        "attr-one-row-rename": pd.DataFrame({"Mã xã": ["30733"],
                                             "Tên xã": ["Phường Vĩnh Thanh Mới"]}),
    }
    for cid, frame in tables.items():
        path = folder / f"{cid}.csv"
        frame.to_csv(path, index=False)
        out.append(_units(folder, cid, "attributes", path, names=cid == "attr-formula"))
    xlsx = folder / "attr-hidden.xlsx"
    xlsx.write_bytes(xlsx_bytes([["MaXa", "DanSo"], ["30733", "5"]], "An",
                                {"Khac": [["x"]]}))
    out.append(_units(folder, "attr-xlsx", "attributes", xlsx))
    dry = folder / "attr-dry.csv"
    pd.DataFrame({"MaXa": list(CODES), "DanSo": ["1", "2", "3", "4"]}).to_csv(dry, index=False)
    out.append(_units(folder, "attr-dry-run", "attributes", dry, dry=True))
    return out


# --- databases ----------------------------------------------------------------------------------

def _databases(folder: Path) -> list[Case]:
    out = []

    def case(cid: str, url: str, *argv: str) -> None:
        out.append(Case(cid, "database", ["--db", url, *(argv or ("assess", "--date",
                                                                  "2021-09-10"))], "db"))

    text = _write(folder, "db-text.db", b"this is not a database\n" * 100)
    case("db-not-a-database", f"sqlite:///{text}")
    png = _write(folder, "db-png.db", b"\x89PNG\r\n\x1a\n" + bytes(5000))
    case("db-binary", f"sqlite:///{png}")
    newer = folder / "db-newer.db"
    with sqlite3.connect(newer) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('9999')")
    case("db-newer-revision", f"sqlite:///{newer}")
    case("db-missing-folder", f"sqlite:///{folder}/no/such/folder/x.db")
    case("db-directory", f"sqlite:///{folder}")
    case("db-bad-scheme", "mysqlx://who@where/db")
    case("db-garbage-url", "::::")
    case("db-postgres-refused", "postgresql://nobody@127.0.0.1:1/none")
    # a password in a mistyped URL is never shown (issue 20); a port that is no number
    case("db-password-refused", "postgresql+psycopg://admin:Mat-Khau-DB@127.0.0.1:1/none")
    case("db-password-old-scheme", "postgres://admin:Mat-Khau-DB@db.example/zones")
    case("db-password-bad-port", "postgresql+psycopg://admin:Mat-Khau-DB@h:cong/zones")
    case("db-corrupt-page", "{corrupt}")
    case("db-truncated", "{truncated}")
    case("db-upload-into-corrupt", "{corrupt}", "observations", "import",
         str(_write(folder, "db-up.csv", csv_bytes(good_rows(1)))))
    return out


# --- command line ---------------------------------------------------------------------------------

def _cli(folder: Path) -> list[Case]:
    good = str(_write(folder, "cli-good.csv", csv_bytes(good_rows(1))))
    runs = {
        "cli-unknown-command": ["frobnicate"],
        "cli-no-command": [],
        "cli-bad-date": ["assess", "--date", "32/13/2021"],
        "cli-date-2005": ["assess", "--date", "2005-03-01"],
        "cli-missing-file": ["observations", "import", str(folder / "nope.csv")],
        "cli-directory-as-file": ["observations", "import", str(folder)],
        "cli-unwritable-out": ["assess", "--date", "2021-09-10", "--out",
                               "/proc/no/such/x.csv"],
        "cli-out-is-directory": ["units", "export", "--out", str(folder)],
        "cli-transitions-reversed": ["transitions", "--from", "2021-09-14", "--to",
                                     "2021-09-01"],
        "cli-map-bad-level": ["map", "--date", "2021-09-10", "--level", "planet"],
        "cli-unknown-ruleset": ["assess", "--date", "2021-09-10", "--ruleset", "../../etc"],
        "cli-declare-bad": ["declarations", "add", "--unit", "99999", "--level", "7",
                            "--from", "hôm nay", "--decision", ""],
        "cli-revoke-missing": ["declarations", "revoke", "424242"],
        "cli-briefing-bad-out": ["briefing", "--date", "2021-09-10", "--format", "pdf",
                                 "--out", "/proc/x.pdf"],
        "cli-dry-run-good": ["observations", "import", good, "--dry-run"],
        # a demo rebuild over uploads people sent: refused, nothing deleted (issue 20)
        "cli-demo-reset-over-data": ["demo", "--reset"],
        # a password typed where the account name goes: refused, audited cut short
        "cli-as-unknown-name": ["--as", "Mat-Khau-Go-Nham-2021", "observations", "export"],
    }
    for cid, text in _bad_rulesets().items():  # each refused with its problems, none stored
        runs[cid] = ["rulesets", "add", str(_write(folder, f"{cid}.yaml", text.encode()))]
    return [Case(cid, "cli", ["--db", "{db}", *argv], "cli",
                 dry_run="--dry-run" in argv) for cid, argv in runs.items()]


def _bad_rulesets() -> dict[str, str]:
    """A province's copy of QĐ 4800 made hostile as in issue 20."""
    official = (Path(__file__).parents[1] / "rules" / "rulesets" / "qd4800.yaml").read_text(
        encoding="utf-8")
    own = official.replace("id: qd4800", "id: kg-x", 1).replace("  vi: Đánh", "  vi: KG Đánh", 1)
    bands = "value: [20, 50, 150]"
    return {
        "cli-ruleset-nan-bands": own.replace(bands, "value: [.nan, .nan, .nan]"),
        "cli-ruleset-negative-bands": own.replace(bands, "value: [-1, -1, -1]"),
        "cli-ruleset-inf-band": own.replace(bands, "value: [20, 50, .inf]"),
        "cli-ruleset-flat-bands": own.replace(bands, "value: [20, 20, 150]"),
        "cli-ruleset-window": own.replace("value: 7\n    note: Criterion 1",
                                          "value: 100000000\n    note: Criterion 1"),
        "cli-ruleset-5000-digits": own.replace("value: 7\n    note: Criterion 1",
                                               f"value: {'9' * 5000}\n    note: Criterion 1"),
        "cli-ruleset-duplicate-key": own.replace("history_days: 63",
                                                 "history_days: 63\nhistory_days: 6"),
        "cli-ruleset-unknown-keys": own + "".join(f"x{i}: 0\n" for i in range(20_000)),
        "cli-ruleset-official-title": official.replace("id: qd4800", "id: kg-x", 1),
    }


# --- sites (issue 25) ---------------------------------------------------------------------------

SITE_HEADER = ["site_id", "name", "unit_code", "lat", "lon", "from", "to", "sector", "score"]
QUARANTINE_HEADER = ["site_id", "name", "unit_code", "lat", "lon", "from", "to", "capacity",
                     "occupied"]
BAD_SITE_CELLS = [  # (column, value): one bad cell in a good facility file
    ("lat", "10°03'00\""), ("lat", "105.05"), ("lat", "nan"), ("lon", "inf"),
    ("lon", "-Infinity"), ("lat", "1e308"), ("lat", ""), ("lon", "999"), ("lat", "10.05.1"),
    ("score", "NaN"), ("score", "1e309"), ("score", "-1"), ("score", "100.0001"),
    ("score", "=1+1"), ("from", "31/02/2021"), ("from", "99999-01-01"), ("to", "01/01/2000"),
    ("unit_code", "<b>30733</b>"), ("site_id", "x" * 500), ("site_id", "a\x00b"),
    ("name", "Tên\x07\x1bcó"), ("name", "x" * 10_000), ("sector", "y" * 1000),
]


def _site_rows(n: int = 6) -> list[list]:
    return [[f"S{i}", f"Cơ sở {i}", "30733", f"10.0{i + 1}", f"105.0{i + 1}", "01/08/2021",
             "", "chợ", str(10 * i)] for i in range(n)]


def _site_case(folder: Path, cid: str, name: str, data: bytes, kind: str = "facility",
               dry: bool = False) -> Case:
    path = _write(folder, f"{cid}-{name}", data)
    argv = ["--db", "{db}", "sites", "import", str(path), "--kind", kind,
            *(["--dry-run"] if dry else [])]
    return Case(cid, "sites", argv, "sites", None, dry, files=[str(path)])


def _percent_book() -> bytes:
    """Score cells formatted as percent holding what no percent can be (a huge number,
    below zero, a formula error, text, a date) beside good ones."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(SITE_HEADER)
    values = [0.85, 1e308, -1e-300, 5e-324, "=1/0", "85%", datetime.datetime(2021, 8, 1),
              True, 0.4999]
    for i, value in enumerate(values):
        sheet.append([f"P{i}", f"Cơ sở <b>{i}</b>", "30733", 10.05, 105.05, "01/08/2021",
                      None, "chợ", value])
        sheet.cell(i + 2, 9).number_format = "0.00%"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _csv_text(header: list[str], rows: list[list]) -> bytes:
    body = io.StringIO()
    writer = csv.writer(body, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return body.getvalue().encode("utf-8", errors="surrogatepass")


def _sites(folder: Path) -> list[Case]:
    out = []
    for i, (column, value) in enumerate(BAD_SITE_CELLS):
        rows = _site_rows()
        rows[3][SITE_HEADER.index(column)] = value
        out.append(_site_case(folder, f"site-val-{i:02d}-{column}", "s.csv",
                              _csv_text(SITE_HEADER, rows), dry=i % 5 == 4))
    hostile = [[f"H{i}", name, "30733", "10.05", "105.05", "01/08/2021", "", name[:50], "50"]
               for i, name in enumerate(HOSTILE_NAMES) if "\x00" not in name]
    out.append(_site_case(folder, "site-names-markup", "n.csv", _csv_text(SITE_HEADER, hostile)))
    out.append(_site_case(folder, "site-names-xlsx", "n.xlsx",
                          xlsx_bytes([SITE_HEADER, *hostile])))
    counts = [["Q1", "Khu 1", "30733", "10.05", "105.05", "01/08/2021", "", "1" + "0" * 30, "5"],
              ["Q2", "Khu 2", "30733", "10.05", "105.05", "01/08/2021", "", "100", "-5"],
              ["Q3", "Khu 3", "30733", "10.05", "105.05", "01/08/2021", "", "1e9", "nan"],
              ["Q4", "Khu 4", "30733", "10.05", "105.05", "01/08/2021", "", "2000000", "1"],
              ["Q5", "Khu 5", "30733", "10.05", "105.05", "01/08/2021", "", "100", "100"]]
    out.append(_site_case(folder, "site-huge-counts", "q.csv",
                          _csv_text(QUARANTINE_HEADER, counts), kind="quarantine"))
    out.append(_site_case(folder, "site-wrong-kind-columns", "w.csv",
                          _csv_text(SITE_HEADER, _site_rows()), kind="quarantine"))
    out.append(_site_case(folder, "site-empty", "e.csv", b""))
    out.append(_site_case(folder, "site-binary", "b.csv", bytes(range(256)) * 10))

    def feature(geometry, sid="G1", **props) -> dict:
        return {"type": "Feature", "geometry": geometry,
                "properties": {"site_id": sid, "name": "Phong tỏa <i>x</i>",
                               "unit_code": "30733", "from": "24/08/2021", **props}}

    square = [[[105.02, 10.02], [105.04, 10.02], [105.04, 10.04], [105.02, 10.04],
               [105.02, 10.02]]]
    geo = {
        "broken": b'{"type": "FeatureCollection", "features": [',
        "nan-literal": b'{"type":"FeatureCollection","features":[{"type":"Feature",'
                       b'"geometry":{"type":"Point","coordinates":[NaN, Infinity]},'
                       b'"properties":{"site_id":"G","name":"n","unit_code":"30733",'
                       b'"from":"24/08/2021"}}]}',
        "deep": b'{"type":"FeatureCollection","features":[' + b"[" * 100_000 + b"]" * 100_000
                + b"]}",
        "huge-polygon": json.dumps({"type": "FeatureCollection", "features": [feature(
            {"type": "Polygon", "coordinates": [[[105.02 + 1e-8 * k, 10.02] for k in
                                                 range(50_000)]]})]}).encode(),
        "not-collection": b'[1, 2, 3]',
        "bad-types": json.dumps({"type": "FeatureCollection", "features": [
            feature({"type": "Polygon", "coordinates": "x"}, "G1"),
            feature({"type": "LineString", "coordinates": [[105.0, 10.0], [105.1, 10.1]]}, "G2"),
            feature({"type": "Polygon", "coordinates": [[[1e400, 1], [2, 2], [3, 3]]]}, "G3"),
            feature(None, "G4"), feature({"type": "Polygon", "coordinates": square}, "G5",
                                         to="01/01/2021"),
            feature({"type": "Polygon", "coordinates": square}, "G6", name={"a": [1] * 50}),
            "not a feature"]}).encode(),
        "spill": json.dumps({"type": "FeatureCollection", "features": [  # over the border
            feature({"type": "Polygon", "coordinates": [[[104.95, 10.02], [105.15, 10.02],
                                                         [105.15, 10.15], [104.95, 10.02]]]},
                    "G7"),
            feature({"type": "MultiPolygon", "coordinates": [square, [[[170, 80], [171, 80],
                                                                       [171, 81], [170, 80]]]]},
                    "G8"),
            feature({"type": "Polygon", "coordinates": square}, "G9")]}).encode(),
    }
    for name, data in geo.items():
        out.append(_site_case(folder, f"site-geojson-{name}", "g.geojson", data, kind="lockdown"))
    out.append(_site_case(folder, "site-geojson-polygon-facility", "p.geojson", geo["bad-types"]))
    out.append(_site_case(folder, "site-xlsx-percent-extremes", "p.xlsx", _percent_book()))
    return out
