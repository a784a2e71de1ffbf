"""The weekly briefing (PPTX, PDF, PNG) says what ``assess`` and ``transitions`` say for
the same dates: counts per level, every changed unit with its levels, declared units with
their decision numbers, the week's dates as dd/mm/yyyy, the rule set's name."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime

import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

from tests.conftest import copy_of
from tests.test_app import run_page
from zones import api
from zones.cli import main
from zones.maps.palettes import COLOURS

END, BEFORE = date(2021, 10, 20), date(2021, 10, 13)
DECLARED = ("30775", 4, "315/QĐ-BCĐ")  # Phường Pháo Đài, declared red for the week


@pytest.fixture(scope="module")
def db(tmp_path_factory, demo_url):
    path = tmp_path_factory.mktemp("briefing") / "b.db"
    url = copy_of(demo_url, path)
    api.declare(api.open_workspace(url), actor=api.LOCAL_ADMIN, unit_code=DECLARED[0], level=DECLARED[1],
                effective_from=date(2021, 10, 18), decision_number=DECLARED[2],
                now=datetime(2021, 10, 1))
    return url


@pytest.fixture(scope="module")
def files(db, tmp_path_factory):
    out = tmp_path_factory.mktemp("briefing-files")
    made = {}
    for fmt in ("pptx", "pdf", "png"):
        path = out / f"b.{fmt}"
        assert main(["--db", db, "briefing", "--date", END.isoformat(), "--format", fmt,
                     "--out", str(path)]) == 0
        made[fmt] = path.read_bytes()
    return made


def cli_csv(capsys, *args) -> list[dict]:
    assert main(list(args)) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


@pytest.fixture(scope="module")
def truth(db):
    """What the CLI says for the same dates (run once)."""
    import contextlib

    def rows(*args):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert main(list(args)) == 0
        return list(csv.DictReader(io.StringIO(buf.getvalue())))
    ws = api.open_workspace(db)
    return {"now": rows("--db", db, "assess", "--date", END.isoformat()),
            "before": rows("--db", db, "assess", "--date", BEFORE.isoformat()),
            "moves": rows("--db", db, "transitions", "--from", BEFORE.isoformat(), "--to",
                          END.isoformat()),
            "names": api.rulesets(ws).get("qd4800").level_names("vi"),
            "title": api.rulesets(ws).get("qd4800").title.get("vi")}


def pptx_text(data: bytes) -> tuple[str, list[tuple]]:
    prs = Presentation(io.BytesIO(data))
    texts, rows = [], []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                for row in shape.table.rows:
                    rows.append(tuple(c.text for c in row.cells))
    return "\n".join(texts), rows


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def counts(rows: list[dict]) -> Counter:
    return Counter(int(r["level"] or 0) for r in rows)


def test_pptx_agrees_with_assess_and_transitions(files, truth):
    text, rows = pptx_text(files["pptx"])
    names = truth["names"]
    assert "14/10/2021 – 20/10/2021" in text and truth["title"] in text
    now, before = counts(truth["now"]), counts(truth["before"])
    for lv in (4, 3, 2, 1, 0):
        assert (names[lv], str(before[lv]), str(now[lv])) in {r[:3] for r in rows}, lv
    listed = {r[0]: r[1] for r in rows if len(r) == 5 and " → " in r[1]}
    for move in truth["moves"]:
        key = f"{move['unit_name']} ({move['unit_code']})"
        assert listed[key] == (f"{names[int(move['from_level'] or 0)]} → "
                               f"{names[int(move['to_level'] or 0)]}")
    declared = [r for r in rows if DECLARED[2] in r]
    assert declared and declared[0][1] == names[DECLARED[1]]
    prs = Presentation(io.BytesIO(files["pptx"]))
    assert round(prs.slide_width / prs.slide_height, 2) == round(16 / 9, 2)  # 16:9
    assert len(prs.slides) >= 10  # one message per slide


def test_pdf_agrees_and_prints_vietnamese(files, truth):
    text = pdf_text(files["pdf"])
    names = truth["names"]
    assert "Báo cáo giao ban — Tỉnh Kiên Giang" in text  # diacritics survive extraction
    assert "14/10/2021 – 20/10/2021" in text and " ".join(truth["title"].split()) in text
    now, before = counts(truth["now"]), counts(truth["before"])
    for lv in (4, 3, 2, 1, 0):
        assert f"{' '.join(names[lv].split())} {before[lv]} {now[lv]}" in text, lv
    for move in truth["moves"]:
        assert f"{move['unit_name']} ({move['unit_code']})" in text
    assert DECLARED[2] in text
    reader = PdfReader(io.BytesIO(files["pdf"]))
    fonts = {str(f.get_object().get("/BaseFont")) for p in reader.pages
             for f in (p["/Resources"].get("/Font") or {}).values()}
    assert any("DejaVuSans" in f for f in fonts), fonts  # the TrueType font is embedded
    assert "Trang 1/" in text


def test_png_is_wide_and_shows_the_level_colours(files, truth):
    image = Image.open(io.BytesIO(files["png"])).convert("RGB")
    assert image.width >= 1600
    seen = {f"#{r:02X}{g:02X}{b:02X}" for _n, (r, g, b) in image.getcolors(2 ** 22)}
    present = {lv for lv, n in counts(truth["now"]).items() if n}
    assert {COLOURS[lv] for lv in present} <= seen


@pytest.mark.parametrize(("args", "expected"), [
    (["--date", "2030-01-01"], "nằm ngoài khoảng dữ liệu"),
    (["--date", "2021-10-20", "--unit", "99999"], "99999"),
    (["--date", "2021-10-20", "--out", "/no/such/folder/b.pdf"], "Không ghi được"),
    (["--date", "2021-10-20", "--weeks", "0"], "Số tuần"),
])
def test_cli_refusals_are_exit_2_with_a_message(capsys, db, args, expected):
    assert main(["--db", db, "briefing", "--format", "pdf", *args]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_briefing_of_a_district_over_two_weeks_in_english(db):
    ws = api.open_workspace(db)
    data = api.briefing(ws, END, unit="899", weeks=2, fmt="pdf", lang="en")
    text = pdf_text(data)
    assert "Weekly briefing" in text and "07/10/2021 – 20/10/2021" in text


def test_briefing_page_and_map_picture_button(db, use_db):
    use_db(db)
    at = run_page("app_pages/briefing.py", brief_day=END, brief_sites=True)  # issue 25
    assert not at.exception, at.exception
    switch = [c for c in at.checkbox if c.key == "brief_sites"]
    assert switch and switch[0].value is True and "điểm an toàn" in switch[0].label
    # the map picture and the moves at once; the slides and the report (seconds to draw)
    # when asked for, then offered until the data or a choice changes
    labels = [b.label for b in at.get("download_button")]
    assert {"Tải ảnh bản đồ (PNG)", "Tải danh sách chuyển cấp đầy đủ (CSV)"} <= set(labels)
    assert not {"Tải bản trình chiếu (PPTX)", "Tải báo cáo in (PDF)"} & set(labels), labels
    at.button(key="brief-make-files").click().run()
    assert not at.exception, at.exception
    labels = [b.label for b in at.get("download_button")]
    assert {"Tải bản trình chiếu (PPTX)", "Tải báo cáo in (PDF)", "Tải ảnh bản đồ (PNG)",
            "Tải danh sách chuyển cấp đầy đủ (CSV)"} <= set(labels), labels
    assert not [b for b in at.button if b.key == "brief-make-files"]
    at.run()  # another run (a widget moved): still offered, not built again
    assert "Tải báo cáo in (PDF)" in [b.label for b in at.get("download_button")]
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) == {"Vùng đỏ và cam", "Vùng vàng", "Vùng xanh"}, metrics
    shown = " ".join(m.value for m in at.markdown)
    assert "Cần quyết định" in shown and "Phường Pháo Đài" in shown
    # the tables beside the map: short date headers (the full words as help), no raw
    # timestamps (dates dd/mm/yyyy)
    counts = at.dataframe[0].value
    assert list(counts.columns) == ["Cấp độ", "Ngày 13/10/2021", "Ngày 20/10/2021"]
    for grid in at.dataframe:
        assert not any(str(t).startswith("datetime") for t in grid.value.dtypes)
    at = run_page("app_pages/map.py")
    assert "Tải ảnh bản đồ (PNG)" in [b.label for b in at.get("download_button")]


def test_a_briefing_and_its_files_are_built_once_per_data_version(db, tmp_path):
    """The page's visitors share a prepared briefing and its files until the data
    changes; a write (here a declaration) makes the next visit build them afresh."""
    ws = api.open_workspace(copy_of(db, tmp_path / "kept.db"))
    first = api.prepare_briefing(ws, END, "899", None, 1, "vi")
    assert api.prepare_briefing(ws, END, "899", None, 1, "vi") is first
    assert api.prepare_briefing(ws, END, "899", None, 1, "en") is not first
    png = api.render_briefing(ws, first, "png")
    assert api.render_briefing(ws, first, "png") is png
    assert api.render_briefing(ws, first, "png", "colourblind") != png
    code = first.now.codes[0]
    assert code not in set(first.declared["code"])
    api.declare(ws, actor=api.LOCAL_ADMIN, unit_code=code, level=4,
                effective_from=date(2021, 10, 19), decision_number="9/QĐ-BCĐ",
                now=datetime(2021, 10, 1))
    fresh = api.prepare_briefing(ws, END, "899", None, 1, "vi")
    assert fresh is not first and code in set(fresh.declared["code"])
    assert api.render_briefing(ws, fresh, "png") is not png


def test_the_core_keeps_the_last_briefings_only(db):
    """A family of kept values (``keep``) stays within its number, the oldest out first:
    many briefings asked for do not push the map's data out of the core's memory."""
    from zones.levels.memo import cached

    ws = api.open_workspace(db)
    made = [cached(ws, "kept-family", object, i, keep=2) for i in range(3)]
    other = cached(ws, "other-family", object)
    assert cached(ws, "kept-family", object, 2, keep=2) is made[2]
    assert cached(ws, "kept-family", object, 1, keep=2) is made[1]
    assert cached(ws, "kept-family", object, 0, keep=2) is not made[0]  # went first
    assert cached(ws, "other-family", object) is other


def test_links_open_the_view_they_name(db, use_db):
    use_db(db)
    from streamlit.testing.v1 import AppTest

    from tests.test_app import ROOT
    at = AppTest.from_file(str(ROOT / "app_pages" / "map.py"), default_timeout=90)
    at.query_params["date"], at.query_params["unit"] = "2021-10-20", "899"
    at.query_params["level"] = "commune"
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["day"] == END and at.session_state["view"] == "899"
    assert at.query_params["date"] == ["2021-10-20"] or at.query_params["date"] == "2021-10-20"


# ------------------------------------------------------------------ a briefing that asks for
# decisions (issue 22 item 5): the week at a glance first, short tables, names on the maps,
# the method in words, a signature block, no link to localhost

RISING = date(2021, 12, 7)  # a week in which units went up to orange and red


@pytest.fixture(scope="module")
def rising(db):
    ws = api.open_workspace(db)
    return api.prepare_briefing(ws, RISING)


def slides(data: bytes) -> list[tuple[str, list[tuple]]]:
    """(text, table rows) of every slide."""
    out = []
    for slide in Presentation(io.BytesIO(data)).slides:
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        rows = [tuple(c.text for c in row.cells) for s in slide.shapes if s.has_table
                for row in s.table.rows]
        out.append(("\n".join(texts), rows))
    return out


def test_first_slide_is_the_week_at_a_glance(files, truth):
    first, _rows = slides(files["pptx"])[0]
    now, before = counts(truth["now"]), counts(truth["before"])
    for label, levels in (("Vùng đỏ và cam", (4, 3)), ("Vùng vàng", (2,)),
                          ("Vùng xanh", (1,))):
        n, was = sum(now[lv] for lv in levels), sum(before[lv] for lv in levels)
        change = "không đổi" if n == was else f"{'tăng' if n > was else 'giảm'} {abs(n - was)}"
        assert f"{label}\n{n}\nngày 13/10: {was} · {change}" in first, label
    assert "Điểm nóng" in first and "Cần quyết định" in first
    assert "localhost" not in first
    text = pdf_text(files["pdf"])
    assert text.index("Cần quyết định") < text.index("Trang 1/")  # on the first page


def test_hot_spots_and_decisions_name_the_units_that_rose(rising, db):
    part = rising.summary
    hot, decide = (lines for _heading, lines in part.blocks)
    red = rising.up[rising.up["to_level"] == 4]
    assert len(red) and f"Mới lên đỏ: {len(red)} — {red.iloc[0]['name']}" in hot[0]
    left = rising.up[rising.up["from_level"] == 1]
    assert any(line.startswith(f"• Rời vùng xanh: {len(left)}") for line in hot)
    hot_units = rising.up[rising.up["to_level"] >= 3]
    assert any(f"cho {len(hot_units)} đơn vị mới lên cam, đỏ" in line for line in decide)
    assert part.lines[1].startswith("Mục tiêu kế hoạch: không có mục tiêu nào")  # none running
    calm = api.prepare_briefing(api.open_workspace(db), END).summary.blocks[1][1]
    assert "• Xem xét hạ cấp đã công bố cho 1 đơn vị mà số liệu đã cho cấp thấp hơn: " \
        "Phường Pháo Đài." in calm  # declared red, computed lower


PLANNED = date(2021, 9, 22)  # the demo's example plans run from late August to October


def test_glance_says_where_the_plans_stand_and_asks_for_decisions(db):
    ws = api.open_workspace(db)
    prepared = api.prepare_briefing(ws, PLANNED)
    progress = api.plan_progress(ws, PLANNED, "91")
    running = progress[pd.to_datetime(progress["by"]) >= pd.Timestamp(2021, 9, 16)]
    n = running["status"].value_counts()
    part = prepared.summary
    assert part.lines[1] == (
        f"Mục tiêu kế hoạch trong tuần ({len(running)}): đạt {n.get('met', 0)} · đúng tiến "
        f"độ {n.get('on_track', 0)} · có nguy cơ {n.get('at_risk', 0)} · không đạt "
        f"{n.get('missed', 0)}")
    hot, decide = (lines for _heading, lines in part.blocks)
    breach = api.protect_breaches(ws, PLANNED, "91").iloc[0]  # Thổ Châu rose on 20/09
    assert f"  – {breach['unit_name']}, từ ngày 20/09/2021: Vàng: có F0 cộng đồng rõ nguồn " \
        "lây hoặc F1 tại cộng đồng: F0 cộng đồng rõ nguồn…" in hot
    missed = running[running["status"] == "missed"].iloc[0]
    assert decide[0].startswith(f"• Không đạt — {missed['unit_name']}: giữ mọi xã ở vùng "
                                f"xanh (từ ngày 25/08/2021) đến ngày 30/09/2021; 1 xã đã "
                                f"tăng cấp (từ 20/09/2021). Phụ trách: {missed['unit_name']}")
    at_risk = running[running["status"] == "at_risk"].sort_values(["by", "unit_name"])
    assert len(at_risk) == 4 and len(decide) == 5  # 1 missed, 3 at risk, then the rest counted
    assert [line.split(":")[0] for line in decide[1:4]] == [
        f"• Có nguy cơ không đạt — {u}" for u in at_risk["unit_name"][:3]]
    assert decide[4].startswith("… và 2 việc khác")  # the 4th at risk, the new red units


def test_emulation_table_follows_the_glance(db, tmp_path):
    ws = api.open_workspace(db)
    path = tmp_path / "b.pptx"
    assert main(["--db", db, "briefing", "--date", PLANNED.isoformat(), "--format", "pptx",
                 "--out", str(path)]) == 0
    deck = slides(path.read_bytes())
    assert deck[1][0].startswith("Bảng thi đua — Tỉnh Kiên Giang (16/09/2021 – 22/09/2021)")
    table = api.emulation(ws, "91", date(2021, 9, 16), PLANNED)
    rows = [r for text, rows in deck if text.startswith("Bảng thi đua") for r in rows[1:]]
    assert [(r[0], r[1]) for r in rows] == [
        (str(r.rank), r.unit_name) for r in table.itertuples()]
    longest = max(api.streak_callouts())
    star = table[table["streak_callout"] == longest].iloc[0]
    assert f"{star.green_streak} (≥{longest} ngày) ★" in [r[3] for r in rows]
    assert "Xếp hạng: số ngày xanh" in "\n".join(text for text, _r in deck[1:3])


def test_moves_fit_two_slides_and_the_appendix_lists_every_one(files, truth):
    deck = slides(files["pptx"])
    moves = [(text, rows) for text, rows in deck if text.startswith("Chuyển cấp trong kỳ")]
    assert 1 <= len(moves) <= 2
    grouped = [r for _t, rows in moves for r in rows[1:]]
    names = truth["names"]
    pairs = Counter((int(m["from_level"] or 0), int(m["to_level"] or 0)) for m in truth["moves"])
    for (a, b), n in pairs.items():  # each from → to with its count
        counted = sum(int(r[2]) for r in grouped if r[0] == f"{names[a]} → {names[b]}")
        assert counted == n, (a, b)
    appendix = {r[0] for text, rows in deck if text.startswith("Phụ lục") for r in rows[1:]}
    assert appendix == {f"{m['unit_name']} ({m['unit_code']})" for m in truth["moves"]}
    titles = [text.split("\n")[0] for text, _rows in deck]
    assert titles.index("Xác nhận") < titles.index(next(t for t in titles
                                                          if t.startswith("Phụ lục")))


def test_district_table_most_severe_first_with_totals(rising):
    frame = rising.by_parent
    keys = list(zip(-frame[4], -frame[3], -frame[2], strict=True))
    assert keys == sorted(keys)
    assert (frame["total"] == frame[[4, 3, 2, 1, 0]].sum(axis=1)).all()
    from zones.briefing.sections import _by_parent
    rows = _by_parent(rising).rows
    assert rows[-1][0] == "Tổng" and rows[-1][6] == str(len(rising.now.codes))
    assert int(rows[-1][7]) == len(rising.up) and int(rows[-1][8]) == len(rising.down)


def test_method_in_words_and_signature_block(files, db):
    deck = slides(files["pptx"])
    method = next(text for text, _rows in deck if text.startswith("Phương pháp"))
    assert "từ 150 trở lên là Cấp 4" in method and "7 ngày trước" in method
    import re
    assert not re.search(r"\bD-\d|[+]\d\b|\bthang bậc\b", method), method
    sign = next(text for text, _rows in deck if text.startswith("Xác nhận"))
    made = date.today()
    assert "NGƯỜI LẬP" in sign and "LÃNH ĐẠO DUYỆT" in sign
    assert f"Kiên Giang, ngày {made:%d} tháng {made:%m} năm {made.year}" in sign
    from zones.briefing.method import method_lines
    rs = api.rulesets(api.open_workspace(db)).get("qd2686")
    for level in ("commune", "district"):
        for lang in ("vi", "en"):
            text = " ".join(method_lines(rs, level, lang))
            assert text and not re.search(r"\bD-\d|[+]\d\b", text)


def test_map_names_districts_at_province_level_without_overlaps(rising, db):
    import matplotlib.pyplot as plt

    from zones.briefing import pictures
    from zones.levels import dayview
    units = dayview.units(api.open_workspace(db))
    districts = units[units["level"] == "district"]
    fig, ax = plt.subplots(figsize=(9, 6))
    districts.plot(ax=ax)
    fig.tight_layout()
    texts = pictures.place_names(fig, ax, districts, bold=True)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    plt.close(fig)
    assert len(texts) >= 10  # of 15 districts on a 9-inch map
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert {t.get_text() for t in texts} <= {pictures.short_name(n) for n in districts["name"]}
    assert pictures.short_name("Thành phố Rạch Giá") == "TP. Rạch Giá"


def test_map_link_is_public_or_absent(db, monkeypatch):
    ws = api.open_workspace(db)
    assert api.prepare_briefing(ws, END).link == ""  # no setting, no page: no link
    assert api.prepare_briefing(ws, END, opened_at="http://127.0.0.1:8501").link == ""
    link = api.prepare_briefing(ws, END, opened_at="http://10.2.3.4:8501").link
    assert link == "http://10.2.3.4:8501/?date=2021-10-20&level=commune&unit=91"
    from zones.settings import Settings, SettingsError
    public = api.open_workspace(db, settings=Settings(public_url="https://cdc.example.vn/bd/"))
    assert api.prepare_briefing(public, END, opened_at="http://10.2.3.4:8501").link.startswith(
        "https://cdc.example.vn/bd/?date=2021-10-20")
    for bad in ("http://localhost:8501", "localhost:8501", "http://a b", "ftp://x"):
        with pytest.raises(SettingsError, match="ZONES_PUBLIC_URL"):
            Settings.from_env({"ZONES_PUBLIC_URL": bad})
