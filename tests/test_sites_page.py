"""The page Điểm an toàn (issue 25) under Streamlit's AppTest: the lists of the demo's
outbreak day, and a facility entered in the form (checked as a file's row, then stored)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from zones import api

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "app_pages" / "sites.py")


def test_lists_of_the_day_without_signing_in(demo_url, use_db):
    use_db(demo_url)
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Cơ sở phải dừng hoạt động (10)" in text and "Khu cách ly đã đầy (1)" in text
    assert len(at.dataframe) >= 2


def test_a_facility_entered_in_the_form(demo_copy, use_db):
    use_db(demo_copy)
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["_actor"] = api.Actor("quantri", api.Role.ADMIN, None, "page")
    at.run()
    assert not at.exception, at.exception
    for key, value in (("sf_id", "CS-9001"), ("sf_name", "Quán <b>Ba</b> Cô"),
                       ("sf_unit", "30745"), ("sf_lat", "0"), ("sf_lon", "0"),
                       ("sf_score", "45")):
        at.text_input(key=key).input(value)
    at.button[-1].click().run()  # the form's own submit button
    assert not at.exception
    cells = [str(v) for d in at.dataframe for v in d.value.to_numpy().ravel()]
    assert any("ngoài ranh giới" in c for c in cells), cells[:20]  # refused by row
    ws = api.open_workspace(demo_copy)
    point = api.units(ws).geometry["30745"].representative_point()
    at.text_input(key="sf_lat").input(f"{point.y:.6f}")
    at.text_input(key="sf_lon").input(f"{point.x:.6f}")
    at.button[-1].click().run()
    assert any("1 điểm mới" in s.value for s in at.success), [s.value for s in at.success]
    listed = api.sites_list(ws, "facility", "30745")
    assert "Quán <b>Ba</b> Cô" in set(listed["name"])
