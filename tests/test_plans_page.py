"""The page *Kế hoạch* under Streamlit's AppTest on the demo (its example plans): the
at-risk list first, the progress, the measures, the form for a leader only, the
emulation table with its rule; the map page coloured by plan status."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from zones import api

ROOT = Path(__file__).resolve().parent.parent


def run(path: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=90)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def test_plans_page_for_a_leader_and_for_a_commune_official(demo_url, use_db):
    use_db(demo_url)
    at = run("app_pages/plans.py", _actor=api.Actor("lanhdao", api.Role.LEADER, "91", "page"),
             plan_scope="902")
    assert not at.exception, at.exception
    heads = [h.value for h in at.subheader]
    assert heads[0] == "Cần quyết định: chỉ tiêu có nguy cơ hoặc không đạt"
    assert "Đặt chỉ tiêu mới" in heads and "Thu hồi kế hoạch" in heads
    assert any(h.startswith("Bảng thi đua — các đơn vị thuộc Huyện Kiên Lương") for h in heads)
    assert any("Xếp hạng: số ngày xanh" in c.value for c in at.caption)
    assert {"Tải CSV", "Tải Excel"} <= {b.label for b in at.get("download_button")}
    share = at.number_input(key="plan_share")  # in per cent, as people say it
    assert share.value == 80 and share.label.endswith("(%)")
    at = run("app_pages/plans.py", _actor=api.Actor("xa", api.Role.COMMUNE, "30787", "page"))
    assert not at.exception
    assert "Đặt chỉ tiêu mới" not in [h.value for h in at.subheader]
    assert any("Chỉ lãnh đạo" in i.value for i in at.info)


def test_map_page_coloured_by_plan_status(demo_url, use_db):
    use_db(demo_url)
    at = run("app_pages/map.py", plan_colours=True, selected="902")
    assert not at.exception, at.exception
    assert any("Chuỗi ngày xanh" in c.value for c in at.caption)  # the unit panel


def test_protected_communes_that_rose_carry_the_day_and_the_reason(demo_url):
    ws = api.open_workspace(demo_url)
    from datetime import date

    got = api.protect_breaches(ws, date(2021, 9, 25), "911")  # the demo's Phú Quốc plan
    assert len(got) >= 1 and set(got["plan_id"]) == {5}
    assert (got["level"] > got["level_before"]).all() and (got["level"] > 1).all()
    assert all(isinstance(r, str) and r for r in got["reason"])
    assert min(got["day"]) == date(2021, 9, 20)


def test_names_and_decisions_show_literally(tmp_path, demo_url, monkeypatch):
    """A commune, a district and a decision written in Markdown are shown as written on
    the page (progress, at-risk list, confirmation, the emulation; the unit's panel on the
    map is in tests/test_markdown_safety.py)."""
    from datetime import date

    import sqlalchemy as sa

    from tests.conftest import copy_of
    from tests.test_markdown_safety import MD_DECISION, MD_NAME, assert_literal, markdown_sources
    from zones.levels.refresh import refresh
    from zones.storage.schema import units as units_table

    url = copy_of(demo_url, tmp_path / "md.db")
    ws = api.open_workspace(url)
    with ws.engine.begin() as conn:
        conn.execute(sa.update(units_table).where(units_table.c.code == "902")
                     .values(name=MD_NAME))
        conn.execute(sa.update(units_table).where(units_table.c.code == "30787")
                     .values(name="Xã _nghiêng_ # to"))
    refresh(ws)
    api.add_plan(ws, actor=api.LOCAL_ADMIN, unit_code="902", kind="protect", level=1,
                 date_from=date(2021, 8, 20), date_by=date(2021, 9, 30),
                 decision=MD_DECISION[:90], measures=[MD_DECISION])
    monkeypatch.setenv("ZONES_DB", url)
    admin = api.Actor("quantri", api.Role.ADMIN, None, "page")
    at = run("app_pages/plans.py", _actor=admin, plan_scope="902",
             plan_unit="902", plan_decision=MD_DECISION[:90],
             plan_from=date(2021, 9, 1), plan_by=date(2021, 9, 30))
    assert not at.exception, at.exception
    next(b for b in at.button if b.key == "plan_save").click()
    at = at.run()
    assert any(h.value == "Xác nhận kế hoạch" for h in at.subheader)  # the confirmation
    assert_literal(markdown_sources(at))


def test_plan_tables_fit_1366_px_and_an_official_starts_at_their_district(demo_url, use_db):
    """Seen at 1366 px (about 900 px beside the sidebar), no plan table scrolls sideways:
    its columns have set widths that add up to the page's width, long texts wrap in
    taller rows; the status follows the unit (what a phone shows first). A commune's
    official starts at their own district, not the province."""
    import json

    use_db(demo_url)
    at = run("app_pages/plans.py", _actor=api.Actor("xa", api.Role.COMMUNE, "30787", "page"))
    assert not at.exception, at.exception
    assert at.selectbox(key="plan_scope").value == "902"  # Huyện Kiên Lương, not Tỉnh
    assert len(at.dataframe) >= 3  # the at-risk list, the progress, the emulation
    for grid in at.dataframe:
        columns = list(grid.value.columns)
        config = json.loads(grid.proto.columns)
        widths = [config.get(c, {}).get("width") for c in columns]
        if "Tình trạng" in columns:
            assert columns[:3] == ["Mã KH", "Đơn vị", "Tình trạng"]
            assert grid.proto.row_height > 64  # Streamlit wraps text above 64 px
        if "Biện pháp" in columns:
            continue  # five short columns: fits without set widths
        assert all(isinstance(w, int) for w in widths), (columns, widths)
        assert sum(widths) <= 900, (columns, widths)


def test_a_unit_without_targets_says_what_to_do(demo_url, use_db):
    use_db(demo_url)
    at = run("app_pages/plans.py", _actor=api.Actor("lanhdao", api.Role.LEADER, "91", "page"),
             plan_scope="903")  # Huyện Hòn Đất: no demo plan
    assert not at.exception, at.exception
    empty = [i.value for i in at.info if "Chưa có chỉ tiêu nào cho Huyện Hòn Đất" in i.value]
    assert empty and "«Đặt chỉ tiêu mới»" in empty[0], [i.value for i in at.info]


def test_an_official_is_offered_only_the_measures_of_their_own_area(demo_url, use_db):
    """The district's measures (demo plan 2, Huyện Kiên Lương) are offered to the
    district's official, not to one of its communes' (whom the core would refuse)."""
    use_db(demo_url)
    district = run("app_pages/plans.py", plan_scope="902",
                   _actor=api.Actor("huyen", api.Role.DISTRICT, "902", "page"))
    assert not district.exception, district.exception
    assert [s for s in district.selectbox if s.key == "plan_measure"]
    commune = run("app_pages/plans.py", plan_scope="902",
                  _actor=api.Actor("xa", api.Role.COMMUNE, "30787", "page"))
    assert not commune.exception, commune.exception
    assert not [s for s in commune.selectbox if s.key == "plan_measure"]
