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
