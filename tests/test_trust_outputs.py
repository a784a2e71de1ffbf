"""Issue 20, output: a transition says why it happened (``cause``: ``data``, ``ruleset``,
``declaration``) in the CLI, the page, its CSV and the briefing; the HTML export's tooltip
and legend name every decision in force (number, signer), as written and inert."""

from __future__ import annotations

import contextlib
import csv
import io
from datetime import date, datetime

import numpy as np
import pytest

from tests.conftest import copy_of, export_spec
from tests.test_app import run_page
from tests.test_briefing import pptx_text
from zones import api
from zones.cli import main
from zones.levels import transitions as tr

RULE_DAY, DAY_BEFORE = date(2021, 10, 12), date(2021, 10, 11)
BINH_SAN, PHAO_DAI, MY_DUC, TIEN_HAI = "30772", "30775", "30778", "30781"
VINH_THANH, VINH_LAC = "30733", "30745"
HOSTILE = "<script>alert(1)</script>"


def cli_rows(capsys, *args) -> list[dict]:
    assert main(list(args)) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


@pytest.fixture(scope="module")
def causes_db(tmp_path_factory, demo_url):
    """The demo with a declaration made on the rule-set day (Pháo Đài), one that ends the
    day before it (Mỹ Đức), and one revoked (Tiên Hải): a revoked one never counts."""
    url = copy_of(demo_url, tmp_path_factory.mktemp("causes") / "c.db")
    ws = api.open_workspace(url)
    made = datetime(2021, 10, 1)
    for code, level, start, end, number in [
            (PHAO_DAI, 4, RULE_DAY, date(2021, 10, 20), "12/QĐ-UBND"),
            (MY_DUC, 3, date(2021, 10, 5), DAY_BEFORE, "13/QĐ-UBND"),
            (TIEN_HAI, 4, RULE_DAY, None, "14/QĐ-UBND")]:
        got = api.declare(ws, actor=api.LOCAL_ADMIN, unit_code=code, level=level,
                          effective_from=start, effective_to=end, decision_number=number,
                          now=made)
    api.revoke(ws, got.id, api.LOCAL_ADMIN)
    return url


@pytest.fixture(scope="module")
def across(causes_db):
    """The CLI's transitions from 11/10 to 12/10/2021 (QĐ 2686 -> QĐ 4800), by unit."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", causes_db, "transitions", "--from", DAY_BEFORE.isoformat(),
                     "--to", RULE_DAY.isoformat()]) == 0
    return {r["unit_code"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}


# --- the cause of a move ------------------------------------------------------------------

@pytest.mark.parametrize(("code", "moved", "cause"), [
    (BINH_SAN, ("1", "2"), "ruleset"),       # the figures give 1 under QĐ 2686 on 12/10
    (PHAO_DAI, ("1", "4"), "declaration"),   # declared red from 12/10
    (MY_DUC, ("3", "2"), "declaration"),     # the declaration ended on 11/10
    (TIEN_HAI, ("1", "2"), "ruleset"),       # its declaration was revoked: it never counts
    (VINH_THANH, ("3", "2"), "data"),        # QĐ 2686 would have lowered it that day too
])
def test_each_move_across_the_rule_set_day_has_its_cause(across, code, moved, cause):
    row = across[code]
    assert (row["from_level"], row["to_level"], row["cause"]) == (*moved, cause)


def test_dozens_of_communes_move_only_because_of_the_rule_set(across, causes_db):
    rows = list(across.values())
    assert list(rows[0]) == ["unit_code", "unit_name", "from_level", "to_level", "changed_on",
                             "cause"]
    by_cause = {c: [r for r in rows if r["cause"] == c] for c in tr.CAUSES}
    assert len(by_cause["ruleset"]) >= 24 and by_cause["data"] and by_cause["declaration"]
    assert {r["cause"] for r in rows} <= set(tr.CAUSES)
    # the definition: the figures of 12/10 under the rule set of 11/10 give the old level
    ws = api.open_workspace(causes_db)
    old = tr.levels_under(ws, "qd2686", RULE_DAY)
    for cause, expect_same in (("ruleset", True), ("data", False)):
        codes = [r["unit_code"] for r in by_cause[cause]]
        before = np.array([int(across[c]["from_level"] or 0) for c in codes])
        assert ((old.row(RULE_DAY, codes) == before) == expect_same).all(), cause


def test_within_one_rule_set_the_outbreak_is_data(capsys, causes_db):
    rows = cli_rows(capsys, "--db", causes_db, "transitions", "--from", "15/08/2021",
                    "--to", "01/09/2021")
    lac = next(r for r in rows if r["unit_code"] == VINH_LAC)
    assert (lac["to_level"], lac["cause"]) == ("4", "data")
    assert {r["cause"] for r in rows} == {"data"}


@pytest.mark.parametrize(("before", "after", "c_before", "c_after", "what_if", "expected"), [
    ([1], [1], [1], [1], None, ""),                    # no move, no cause
    ([1], [2], [1], [2], None, "data"),                # one rule set: the figures
    ([1], [2], [1], [2], [1], "ruleset"),              # old rules still say 1
    ([1], [2], [1], [2], [2], "data"),                 # old rules say 2 as well
    ([1], [2], [1], [2], [3], "data"),                 # old rules say something else
    ([1], [4], [1], [2], [1], "declaration"),          # declared on the second day
    ([3], [2], [1], [2], [1], "declaration"),          # a declaration ended
    ([0], [2], [0], [2], [0], "ruleset"),              # no data under the old rules either
    ([2], [2], [1], [2], [1], ""),                     # declared level equal: no move
])
def test_causes_table(before, after, c_before, c_after, what_if, expected):
    got = tr.causes(np.array(before), np.array(after), np.array(c_before), np.array(c_after),
                    None if what_if is None else np.array(what_if))
    assert list(got) == [expected]


def test_the_page_says_which_moves_are_only_the_rule_set(causes_db, use_db):
    use_db(causes_db)
    at = run_page("app_pages/transitions.py", tr_start=DAY_BEFORE, tr_end=RULE_DAY)
    assert not at.exception, at.exception
    note = " ".join(i.value for i in at.info)
    assert "chỉ do đổi bộ tiêu chí ngày 12/10/2021" in note
    table = at.dataframe[0].value
    cause = dict(zip(table["Mã"], table["Nguyên nhân"], strict=True))
    assert cause[BINH_SAN] == "Chỉ do đổi bộ tiêu chí (12/10/2021)"
    assert (cause[PHAO_DAI], cause[VINH_THANH]) == ("Công bố cấp độ", "Số liệu")


def test_the_briefing_notes_the_rule_set_change(causes_db):
    ws = api.open_workspace(causes_db)
    end = date(2021, 10, 14)
    prepared = api.prepare_briefing(ws, end, weeks=1)
    moved = api.transitions(ws, prepared.before, end, prepared.level, prepared.unit).frame
    ups = moved[(moved["cause"] == "ruleset") & (moved["to_level"] > moved["from_level"])]
    assert len(ups) >= 24
    ruled = moved[moved["cause"] == "ruleset"]  # the moves table counts rises and falls
    text, rows = pptx_text(api.render_briefing(ws, prepared, "pptx"))
    assert f"Trong đó {len(ruled)} đơn vị chuyển cấp chỉ do đổi bộ tiêu chí ngày 12/10/2021" \
        in text
    reasons = {row[0]: row[3] for row in rows if len(row) == 5 and " → " in row[1]}
    for r in moved.itertuples():
        shown = reasons[f"{r.unit_name} ({r.unit_code})"]
        assert shown.startswith("do đổi bộ tiêu chí (12/10/2021)") == (r.cause == "ruleset")
        assert shown.startswith("theo quyết định công bố cấp độ") == (r.cause == "declaration")
    assert moved.set_index("unit_code").at[PHAO_DAI, "cause"] == "declaration"


# --- decisions in the HTML export ---------------------------------------------------------

SIGNER = 'Nguyễn Văn "A" <b>'
DECISIONS = [(VINH_LAC, 2, "2875/QĐ-UBND", SIGNER), (PHAO_DAI, 4, f"101/QĐ-UBND {HOSTILE}", None)]


@pytest.fixture(scope="module")
def declared_map(tmp_path_factory, demo_url):
    """``map --out`` of a workspace with two declarations in force on 01/09/2021 (one with a
    signer, one whose decision text is a script) and one revoked."""
    folder = tmp_path_factory.mktemp("decl-map")
    url = copy_of(demo_url, folder / "m.db")
    ws = api.open_workspace(url)
    for code, level, number, signer in DECISIONS:
        api.declare(ws, actor=api.LOCAL_ADMIN, unit_code=code, level=level,
                    effective_from=date(2021, 8, 30), decision_number=number,
                    signed_by=signer, now=datetime(2021, 8, 1))
    gone = api.declare(ws, actor=api.LOCAL_ADMIN, unit_code=BINH_SAN, level=3,
                       effective_from=date(2021, 8, 30), decision_number="999/QĐ-THUHOI",
                       now=datetime(2021, 8, 1))
    api.revoke(ws, gone.id, api.LOCAL_ADMIN)
    out = folder / "m.html"
    assert main(["--db", url, "map", "--date", "2021-09-01", "--out", str(out)]) == 0
    return url, out


def _notes(html: str) -> dict:
    return export_spec(html)["notes"]


def test_map_out_names_every_decision_in_force(declared_map):
    url, out = declared_map
    html = out.read_text(encoding="utf-8")
    assert "2875/QĐ-UBND" in html and "101/QĐ-UBND" in html  # as written, not \u-escaped
    assert "999/QĐ-THUHOI" not in html  # revoked
    view = api.day_view(api.open_workspace(url), date(2021, 9, 1), "commune")
    notes = _notes(html)
    assert set(notes) == {str(view.position(VINH_LAC)), str(view.position(PHAO_DAI))}
    lac, phao = notes[str(view.position(VINH_LAC))], notes[str(view.position(PHAO_DAI))]
    assert lac == f"Quyết định 2875/QĐ-UBND · người ký: {SIGNER} · hiệu lực từ 30/08/2021"
    assert phao == f"Quyết định 101/QĐ-UBND {HOSTILE} · hiệu lực từ 30/08/2021"
    # the legend lists both decisions and the units they declare (set as text: see the
    # browser test below), inert in the page's script
    spec = export_spec(html)
    assert spec["texts"]["decisions"] == "Quyết định công bố cấp độ đang có hiệu lực (2)"
    assert f"Quyết định 2875/QĐ-UBND · người ký: {SIGNER} — Phường Vĩnh Lạc" in spec[
        "declarations"]
    assert "người ký: Nguyễn Văn \\\"A\\\" \\u003cb\\u003e" in html


def test_hostile_decision_text_stays_inert_in_the_export(declared_map):
    _url, out = declared_map
    html = out.read_text(encoding="utf-8")
    assert HOSTILE not in html and SIGNER not in html
    assert html.count("</script>") == html.count("<script")  # nothing closes a script early


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_the_export_tooltip_shows_the_decision_as_text(declared_map, browser):
    from tests.browser import open_page
    from tests.test_output_safety import _hover_once, inner_point

    url, out = declared_map
    page = open_page(browser, 1200, 900)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(out.as_uri())
    page.wait_for_function("() => window.__zl && window.__zl.layer", timeout=60000)
    legend = page.inner_text(".zl-legend")
    assert "2875/QĐ-UBND · người ký: " + SIGNER in legend
    assert f"101/QĐ-UBND {HOSTILE} — Phường Pháo Đài" in legend
    for code, text in ((PHAO_DAI, f"101/QĐ-UBND {HOSTILE}"), (VINH_LAC, SIGNER)):
        tip = ""
        for _ in range(6):  # the pointer may land on a neighbour while the map settles
            tip = page.evaluate("() => document.querySelector('.leaflet-tooltip') ? "
                                "document.querySelector('.leaflet-tooltip').innerText : ''")
            if text in tip:
                break
            _hover_once(page, page, code, inner_point(url, code))
            tip = page.evaluate("() => document.querySelector('.leaflet-tooltip').innerText")
            if text in tip:
                break
        assert text in tip
    assert dialogs == [] and page.evaluate("() => document.querySelectorAll("
                                           "'.leaflet-tooltip script, .zl-legend script')"
                                           ".length") == 0


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_the_dashboard_tooltip_shows_the_decision_as_text(declared_map, browser):
    from tests.browser import map_frame, open_page, streamlit_server
    from tests.test_output_safety import _hover_once, inner_point

    url, _out = declared_map
    with streamlit_server(url) as base:
        page = open_page(browser, 1400, 1200)
        page.goto(base)  # the demo opens on 01/09/2021, both declarations in force
        frame = map_frame(page)
        tip = ""
        for _ in range(6):  # the pointer may land on a neighbour while the map settles
            try:
                tip = _hover_once(page, frame, PHAO_DAI, inner_point(url, PHAO_DAI))
            except Exception:  # the frame was replaced by a rerun
                frame = map_frame(page)
                continue
            if "101/QĐ-UBND" in tip:
                break
        assert f"101/QĐ-UBND {HOSTILE.replace('<', '&lt;').replace('>', '&gt;')}" in tip
        assert frame.evaluate("() => document.querySelectorAll('.leaflet-tooltip script')"
                              ".length") == 0
