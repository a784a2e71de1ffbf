"""Names are data, never Markdown: Streamlit reads Markdown in st.markdown, captions,
titles, st.info/error/…, and in button, tab, expander and widget labels. A unit named
``**Đậm** [liên kết](http://evil.example) :red[đỏ]`` (or an uploaded header, a decision
number, a core message quoting them) shows as those characters on every page: no bold, no
link, no colour, no math. (The browser's view of the same escapes was checked by hand in
Chromium; here the Markdown source each element is given.)"""

from __future__ import annotations

import html
import re
import string
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from tests.conftest import copy_of
from tests.test_ingest_fixtures import csv_bytes
from ui.common import plain_message
from zones import api
from zones.levels.refresh import refresh
from zones.safe import MARKDOWN_PUNCTUATION, WORD_JOINER, md_text
from zones.storage.schema import units as units_table

ROOT = Path(__file__).resolve().parent.parent
MD_NAME = "**Đậm** [liên kết](http://evil.example) :red[đỏ] $x$"
MD_DECISION = "[QĐ 1](http://evil.example/qd) `mã` :material/home:"
VINH_LAC = "30745"  # a commune of the demo, with hamlets; its parent is district 899
ADMIN = api.Actor("quantri", api.Role.ADMIN, None, "page")


def shown(source: str) -> str:
    """What Markdown displays for text made by md_text: the escapes removed."""
    return re.sub(r"\\(.)", r"\1", source).replace(WORD_JOINER, "")


# --- md_text ----------------------------------------------------------------------------------

CASES = [
    "**Xã A** [Bấm vào](http://evil.example)", "[link](http://x)", "# big", "$x$",
    "$$x^2$$", ":red[x]", ":material/home:", ":streamlit:", "~~gạch~~", "1. một", "- mục",
    "> trích", "| a | b |", "a\\b \\* `mã`", "x_y_ _nghiêng_", "![ảnh](http://x/i.png)",
    "<b>đậm</b> &amp; &lt;", "2875/QĐ-UBND", "www.evil.example ten@evil.example",
    "a -> b -- c >= d", "Ấp \"Xóm Mới\" (1) {2}",
]


@pytest.mark.parametrize("value", CASES)
def test_md_text_backslashes_every_punctuation_and_keeps_the_text(value):
    out = md_text(value)
    assert shown(out) == value
    plain = out.replace(WORD_JOINER, "")
    unescaped = re.sub(r"\\.", "", plain)  # what is left once every escape is read
    assert not set(unescaped) & set(string.punctuation), (value, out)
    for construct in ("**", "](", ":red[", ":material/", "$x$", "http://", "www."):
        assert construct not in plain


def test_md_text_stops_what_streamlit_rewrites_after_markdown():
    """Bare addresses (GFM autolinks), ":streamlit:" and the typographic arrows are found
    in the text once escapes are read: a word joiner inside keeps them as written."""
    out = md_text("http://evil.example www.evil.example ten@evil.example :streamlit: a -> b")
    text = out.replace("\\", "")
    assert "http://" not in text and "www." not in text and "n@evil" not in text
    assert ":streamlit:" not in text and " -> " not in text
    assert text.replace(WORD_JOINER, "") == (
        "http://evil.example www.evil.example ten@evil.example :streamlit: a -> b")
    assert md_text("Ấp 1-2, QĐ-UBND") == "Ấp 1\\-2\\, QĐ\\-UBND"  # no joiner needed


def test_md_text_line_breaks_become_spaces_and_none_is_empty():
    assert md_text("dòng 1\ndòng 2\r\n# dòng 3") == "dòng 1 dòng 2 \\# dòng 3"
    assert md_text(None) == "" and md_text(12.5) == "12\\.5"
    assert md_text("Phường Vĩnh Lạc") == "Phường Vĩnh Lạc"  # letters are left alone


@pytest.mark.parametrize("value", CASES)
def test_md_text_for_markdown_with_html_uses_character_references(value):
    out = md_text(value, html=True)
    assert html.unescape(out).replace(WORD_JOINER, "") == value
    assert not MARKDOWN_PUNCTUATION & (set(re.sub(r"&#\d+;", "", out)))


def test_core_messages_keep_their_lines_and_lose_their_markdown():
    message = "Thiếu số quyết định.\nĐơn vị «**Đậm** [x](http://evil.example)» không có."
    out = plain_message(message)
    assert out.split("  \n") == [md_text(line) for line in message.splitlines()]
    assert "**" not in out and "](http" not in out


# --- every page -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def markdown_db(tmp_path_factory, demo_url):
    """The demo with a commune and its district named in Markdown, and a declaration of
    the commune whose decision number is Markdown too."""
    url = copy_of(demo_url, tmp_path_factory.mktemp("markdown") / "md.db")
    ws = api.open_workspace(url)
    with ws.engine.begin() as conn:
        conn.execute(sa.update(units_table).where(units_table.c.code == VINH_LAC)
                     .values(name=MD_NAME))
        conn.execute(sa.update(units_table).where(units_table.c.code == "899")
                     .values(name="Huyện _nghiêng_ # to"))
    refresh(ws)
    api.declare(ws, actor=api.LOCAL_ADMIN, unit_code=VINH_LAC, level=3,
                effective_from=date(2021, 8, 30), decision_number=MD_DECISION)
    return url


def run(url: str, monkeypatch, page: str, **state) -> AppTest:
    monkeypatch.setenv("ZONES_DB", url)
    at = AppTest.from_file(str(ROOT / "app_pages" / page), default_timeout=180)
    at.session_state["lang"] = "vi"
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def markdown_sources(at: AppTest) -> list[str]:
    """The Markdown source of every element that renders Markdown (bodies and labels)."""
    out = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning",
                 "error", "success", "toast"):
        out += [e.value for e in getattr(at, kind)]
    for kind in ("button", "expander", "tabs", "metric", "checkbox", "toggle",
                 "text_input", "selectbox", "date_input"):
        out += [e.label for e in getattr(at, kind)]
    out += [b.label for b in at.get("download_button")]
    return out


#: the data's Markdown, unescaped (a backslash before it would make it text)
UNESCAPED = [re.compile(r"(?<!\\)" + p) for p in (
    re.escape("](http://evil"), re.escape("**Đậm**"), re.escape(":red["), re.escape("$x$"),
    re.escape("`mã`"), re.escape(":material/home:"), re.escape("http://evil"),
    re.escape("_nghiêng_"), re.escape("# to"))]


def assert_literal(sources: list[str]) -> None:
    assert sources
    for source in sources:
        text = source.replace(WORD_JOINER, "")
        for construct in UNESCAPED:
            assert not construct.search(text), (construct.pattern, source)


PAGES = ["map.py", "transitions.py", "briefing.py", "criteria.py", "declarations.py",
         "upload.py", "boundaries.py", "audit.py"]


@pytest.mark.parametrize("page", PAGES)
def test_markdown_names_show_literally_on_any_page(markdown_db, monkeypatch, page):
    state = {"_actor": ADMIN}
    if page == "map.py":  # the unit's panel, its breadcrumb, the search, the overview
        state.update(selected=VINH_LAC, view=VINH_LAC, search="liên kết")
    if page == "briefing.py":
        state.update(brief_unit=VINH_LAC)
    at = run(markdown_db, monkeypatch, page, **state)
    sources = markdown_sources(at)
    assert_literal(sources)
    if page == "map.py":
        everything = " ".join(sources)
        assert f"### {md_text(MD_NAME)}" in [m.value for m in at.markdown]  # shown, escaped
        assert md_text(MD_DECISION) in everything  # "Công bố: … (decision, từ …)"
        assert md_text("Huyện _nghiêng_ # to") in everything  # the breadcrumb, the caption
        found = [b.label for b in at.button if b.key == f"find-{VINH_LAC}"]
        assert found and found[0].startswith(md_text(MD_NAME))
        state["side_tab"] = "Tổng quan"  # the overview's lists and captions
        assert_literal(markdown_sources(run(markdown_db, monkeypatch, page, **state)))
    if page == "briefing.py":
        assert at.subheader[0].value.endswith(md_text(MD_NAME))


def test_a_commune_official_sees_the_area_and_the_file_headers_literally(markdown_db,
                                                                       monkeypatch):
    """The area of a commune user quotes the unit's name; a header the template does not
    know is listed as ignored; both as written."""
    official = api.Actor("xa.vinhlac", api.Role.COMMUNE, VINH_LAC, "page")
    at = run(markdown_db, monkeypatch, "upload.py", _actor=official)
    assert any(md_text(MD_NAME) in c.value for c in at.caption)
    upload = csv_bytes(f"""
        Ngày,Mã xã,Số mẫu PCR,[liên kết](http://evil.example)
        01/09/2021,{VINH_LAC},5,x
    """)
    at.file_uploader(key="upload_file").set_value(("tuan.csv", upload, "text/csv")).run()
    assert not at.exception, at.exception
    assert any(md_text("[liên kết](http://evil.example)") in c.value for c in at.caption)
    assert_literal(markdown_sources(at))


def test_an_error_quoting_an_uploaded_value_shows_it_literally(markdown_db, monkeypatch):
    """show_error: a core message quoting what was sent (here the sheet asked for)."""
    at = run(markdown_db, monkeypatch, "upload.py", _actor=ADMIN)
    sheet = "**Trang** [x](http://evil.example)"
    at.text_input(key="upload_sheet").set_value(sheet).run()
    book = Workbook()
    book.active.append(["Ngày", "Mã xã", "Số mẫu PCR"])
    path = Path(markdown_db.removeprefix("sqlite:///")).with_suffix(".xlsx")
    book.save(path)
    at.file_uploader(key="upload_file").set_value(
        ("tuan.xlsx", path.read_bytes(),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).run()
    assert not at.exception, at.exception
    assert at.error and md_text(sheet) in at.error[0].value
    assert_literal(markdown_sources(at))
