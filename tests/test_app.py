"""Every page under Streamlit's AppTest: with the demo, with an empty database."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from zones import api
from zones.safe import md_text

PAGES = ["app_pages/map.py", "app_pages/transitions.py", "app_pages/criteria.py"]


ROOT = Path(__file__).resolve().parent.parent


def run_page(path: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=90)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_demo(demo_url, use_db, page):
    use_db(demo_url)
    at = run_page(page)
    assert not at.exception, at.exception


@pytest.mark.parametrize("page", ["app_pages/map.py", "app_pages/transitions.py"])
def test_page_on_empty_database_says_what_to_do(empty_url, use_db, page):
    use_db(empty_url)
    at = run_page(page)
    assert not at.exception
    assert any("python -m zones demo" in i.value for i in at.info)


def test_criteria_page_shows_both_official_rulesets(demo_url, use_db):
    use_db(demo_url)
    at = run_page("app_pages/criteria.py")
    titles = " ".join(e.label for e in at.expander)
    assert "qd2686" in titles and "qd4800" in titles


def test_criteria_page_shows_a_broken_ruleset_and_keeps_the_others(tmp_path, use_db):
    from zones.storage.db import open_db

    url = f"sqlite:///{tmp_path / 'z.db'}"
    open_db(url)
    (tmp_path / "rulesets").mkdir()
    (tmp_path / "rulesets" / "broken.yaml").write_text("id: broken\nversion: 1\nlevels: 7\n")
    use_db(url)
    at = run_page("app_pages/criteria.py")
    assert not at.exception
    labels = " ".join(e.label for e in at.expander)
    assert md_text("broken.yaml") in labels and "qd4800" in labels  # a label is Markdown
    assert at.error


def test_map_page_shows_demo_notice_and_level_summary(demo_url, use_db):
    use_db(demo_url)
    at = run_page("app_pages/map.py")
    assert any("số liệu mô phỏng" in c.value for c in at.caption)
    assert at.date_input[0].value.isoformat() == "2021-09-01"


def test_the_latest_day_button_and_an_outlined_selection(demo_url, use_db):
    use_db(demo_url)
    at = run_page("app_pages/map.py")
    latest = next(b for b in at.button if b.key == "day-latest")
    assert not latest.disabled
    latest.click()
    at = at.run()
    last = api.levels_in_force(api.open_workspace(demo_url)).dates[-1].date()
    assert at.date_input[0].value == last
    assert next(b for b in at.button if b.key == "day-latest").disabled


def test_a_row_of_the_overview_opens_the_unit(demo_url, use_db):
    """The overview's lists: every unit at the chosen levels, every move (a row opening
    the unit: tests/test_browser.py)."""
    use_db(demo_url)
    at = run_page("app_pages/map.py", side_tab="Tổng quan")
    assert not at.exception
    lists = {d.key: d for d in at.dataframe if d.key}
    by_level = lists["list-level-commune"].value
    assert len(by_level) == (by_level["Cấp độ"] != "Chưa đủ dữ liệu").sum()
    assert set(by_level.columns) == {"Cấp độ", "Đơn vị", "Thuộc", "Dân số"}
    ups = [k for k in lists if k.startswith("list-up-")]
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert ups and not any("… và" in t for t in texts)  # full lists, no dead end


def test_map_page_unit_panel_explains(demo_url, use_db):
    use_db(demo_url)
    at = run_page("app_pages/map.py", selected="30745")  # Phường Vĩnh Lạc
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Phường Vĩnh Lạc" in text
    assert "Vì sao ở cấp này" in text and "Để hạ một cấp" in text
    # its four charts: pictures drawn on the server, words in Vietnamese (issue 21)
    charts = [h.proto.body for h in at.get("html") if "zones-chart" in h.proto.body]
    assert len(charts) == 1 and charts[0].count("<img class='zones-chart'") == 4
    assert "Độ bao phủ tiêm chủng" in charts[0]


def test_map_page_date_buttons_move_the_date(demo_url, use_db):
    use_db(demo_url)
    at = run_page("app_pages/map.py")
    forward = next(b for b in at.button if b.label == "7 »")
    forward.click().run()
    assert at.date_input[0].value.isoformat() == "2021-09-08"


def test_map_page_drill_into_a_commune_with_hamlets(demo_url, use_db):
    use_db(demo_url)
    at = run_page("app_pages/map.py", view="30745")
    assert not at.exception
    crumbs = [b.label for b in at.button if b.key and b.key.startswith("crumb-")]
    assert crumbs[-1] == "Phường Vĩnh Lạc"
    assert at.session_state["show"] == "hamlet"


def test_map_page_in_english(demo_url, use_db):
    use_db(demo_url)
    at = run_page("app_pages/map.py", lang="en")
    assert not at.exception
    assert at.title[0].value == "Epidemic level map"


def test_transitions_page_lists_moves(demo_url, use_db):
    use_db(demo_url)
    at = run_page("app_pages/transitions.py")
    assert not at.exception
    assert any("đơn vị chuyển cấp" in m.value for m in at.markdown)
    assert any("class='zones-flows'" in h.proto.body for h in at.get("html"))  # the flows
    assert len(at.dataframe) == 1


def test_flow_chart_is_drawn_on_the_server_with_names_as_text():
    """"Chuyển cấp"'s flows: an SVG picture (no chart library to load in the browser),
    one band per pair of levels, each node as high as its units, its words as the
    picture's text, the rule set's names escaped in both."""
    import base64
    import re

    from ui import transitions_view
    from zones.maps.palettes import PALETTES

    frame = pd.DataFrame({"from_level": [1, 1, 1, 2, None], "to_level": [2, 2, 3, 3, 1]})
    names = {0: "Chưa đủ dữ liệu", 1: "<img src=x onerror=alert(1)>", 2: "Vàng & 'cam'",
             3: "Cam", 4: "Đỏ"}
    svg, title, bands = transitions_view.sankey(frame, names, PALETTES["default"], "vi")
    assert "<img" not in svg and "&lt;img src=x onerror=alert(1)&gt; · 3" in svg
    assert svg.count("class='sankey-link'") == 4  # 1→2, 1→3, 2→3, 0→1
    assert "Vàng & 'cam' → Cam: 1 đơn vị" in bands and "5 đơn vị" in title
    heights = [float(h) for h in re.findall(r"class='sankey-node'[^>]*height='([\d.]+)'", svg)]
    # left: levels 2, 1, 0 (1, 3, 1 units); right: 3, 2, 1 (2, 2, 1 units)
    assert heights[1] == pytest.approx(3 * heights[0]) and heights[2] == heights[0]
    assert heights[3] == heights[4] == pytest.approx(2 * heights[5])
    html = transitions_view.flow_chart(frame, names, PALETTES["default"], "vi")
    alt = re.search(r"alt='([^']*)'", html).group(1)
    assert "Vàng &amp; &#x27;cam&#x27; → Cam: 1 đơn vị" in alt and "<img src=x" not in alt
    data = re.search(r"src='data:image/svg\+xml;base64,([^']+)'", html).group(1)
    assert base64.b64decode(data).decode() == svg


LEADER = api.Actor("lanhdao", api.Role.LEADER, None, "page")


def test_declarations_page_saves_and_lists(demo_copy, use_db):
    use_db(demo_copy)
    at = run_page("app_pages/declarations.py", _actor=LEADER)
    assert not at.exception
    assert any("Chưa có quyết định" in i.value for i in at.info)
    at.text_input(key="decl_query").input("vinh lac").run()
    at.radio(key="decl_unit").set_value("30745")
    at.selectbox(key="decl_level").set_value(3)
    at.date_input(key="decl_from").set_value(date(2021, 9, 10))
    at.text_input(key="decl_decision").input("2875/QĐ-UBND")
    at.button(key="decl_save").click().run()
    assert any(b.label == "Xác nhận công bố" for b in at.button)  # repeated, not saved
    assert not any("Đã lưu" in s.value for s in at.success) and len(at.dataframe) == 0
    at.button(key="decl_confirm").click().run()
    assert not at.exception
    assert any("Đã lưu" in s.value for s in at.success)
    assert len(at.dataframe) == 1


def test_declarations_page_refuses_missing_decision_number(demo_copy, use_db):
    use_db(demo_copy)
    at = run_page("app_pages/declarations.py", _actor=LEADER)
    at.button(key="decl_save").click().run()
    assert any(md_text("số quyết định") in e.value for e in at.error)


def test_declarations_page_without_sign_in_lists_but_offers_no_form(demo_copy, use_db):
    use_db(demo_copy)
    at = run_page("app_pages/declarations.py")
    assert not at.exception
    assert not any(b.label == "Lưu" for b in at.button)  # no declaration form
    assert any("Đăng nhập" in e.label for e in at.expander)


@pytest.mark.parametrize("page", ["app_pages/upload.py", "app_pages/boundaries.py",
                                  "app_pages/audit.py"])
def test_write_pages_ask_to_sign_in(demo_url, use_db, page):
    use_db(demo_url)
    at = run_page(page)
    assert not at.exception
    assert any("cần đăng nhập" in i.value for i in at.info)


def test_audit_page_lists_entries_for_an_administrator(demo_copy, use_db):
    use_db(demo_copy)
    ws = api.open_workspace(demo_copy)
    with pytest.raises(api.AccessError):
        api.sign_in(ws, "ai.do", "sai-mat-khau")
    at = run_page("app_pages/audit.py",
                  _actor=api.Actor("quantri", api.Role.ADMIN, None, "page"))
    assert not at.exception
    assert len(at.dataframe) == 1


def test_map_page_with_units_but_no_figures(tmp_path, use_db):
    """Boundaries imported, nothing reported yet: a clear message, no traceback."""
    from zones.demo.build import build_units
    from zones.storage import store
    from zones.storage.db import open_db

    url = use_db(f"sqlite:///{tmp_path / 'units-only.db'}")
    engine = open_db(url)
    units = build_units()
    with engine.begin() as conn:
        set_id = store.create_set(conn, name="KG", structure="2021")
        store.insert_units(conn, set_id, units[units["level"] != "hamlet"])
    for page in ("app_pages/map.py", "app_pages/transitions.py"):
        at = run_page(page)
        assert not at.exception
        assert any("Chưa có kết quả đánh giá" in i.value for i in at.info)


@pytest.mark.parametrize("code", ["91", "899", "30745-03", "30814"])
def test_unit_panel_for_every_level(demo_url, use_db, code):
    """Province, district, hamlet, and a commune that stopped reporting (Hòn Nghệ)."""
    use_db(demo_url)
    at = run_page("app_pages/map.py", selected=code, day=date(2021, 11, 20))
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Vì sao ở cấp này" in text


def test_overview_lists_the_silent_commune(demo_url, use_db):
    use_db(demo_url)
    at = run_page("app_pages/map.py", day=date(2021, 11, 20), side_tab="Tổng quan")
    text = " ".join(m.value for m in at.markdown)
    assert "Chưa báo cáo 3 ngày trở lên: 1 đơn vị" in text
    names = at.dataframe[-1].value.iloc[:, 0].tolist()
    assert names == ["Xã Hòn Nghệ"]


def test_only_the_open_side_tab_is_built(demo_url, use_db):
    """A date step sends what is seen: the overview's lists only while that tab is open."""
    use_db(demo_url)
    at = run_page("app_pages/map.py")
    # the html of the page's layout only: no chart code loaded ahead (issue 21: the
    # panel's charts are pictures drawn on the server)
    html = [h.proto.body for h in at.get("html")]
    assert len(html) == 1 and "<script" not in html[0]
    assert not [d for d in at.dataframe if d.key]
    assert any("Bấm vào một đơn vị" in i.value for i in at.info)
    at = run_page("app_pages/map.py", side_tab="Tổng quan")
    assert {d.key for d in at.dataframe if d.key} >= {"list-level-commune"}
    assert not any("Bấm vào một đơn vị" in i.value for i in at.info)


def test_a_long_list_says_how_to_see_the_rest(demo_url, use_db, monkeypatch):
    from ui import panel

    monkeypatch.setattr(panel, "LIST_ROWS", 10)
    use_db(demo_url)
    at = run_page("app_pages/map.py", side_tab="Tổng quan")
    grid = next(d for d in at.dataframe if d.key == "list-level-commune")
    assert len(grid.value) == 10
    assert any(c.value.startswith("10 trên ") and "mở một tỉnh" in c.value for c in at.caption)


def test_audit_details_read_as_fields_in_the_readers_language(demo_copy, use_db):
    """The details column: "field: value", a value changed as "old → new", never JSON;
    a name is data (shown as written), and the words follow the language."""
    use_db(demo_copy)
    ws = api.open_workspace(demo_copy)
    api.add_user(ws, api.LOCAL_ADMIN, "quan.sat", "mat-khau-dai-2021", "observer")
    api.declare(ws, actor=api.LOCAL_ADMIN, unit_code="30745", level=4,
                effective_from=date(2021, 9, 10), decision_number="12/QĐ-UBND",
                signed_by="Chủ tịch", note="<b>*x*</b>")
    admin = api.Actor("quantri", api.Role.ADMIN, None, "page")
    at = run_page("app_pages/audit.py", _actor=admin)
    assert not at.exception
    details = at.dataframe[0].value["Chi tiết"].tolist()
    assert not any("{" in d or '"' in d for d in details), details
    assert "Tài khoản: quan.sat · Vai trò: observer · Đơn vị: —" in details
    assert "Toàn quốc: không · Làm lại: không · Thay dữ liệu: —" in details
    declared = next(d for d in details if "12/QĐ-UBND" in d)
    assert "Cấp độ: " in declared and " → 4" in declared
    assert "Từ ngày: 10/09/2021" in declared and "Người ký: Chủ tịch" in declared
    assert "Ghi chú: <b>*x*</b>" in declared
    at = run_page("app_pages/audit.py", _actor=admin, lang="en")
    details = at.dataframe[0].value["Detail"].tolist()
    assert "National: no · Reset: no · Replacing: —" in details
