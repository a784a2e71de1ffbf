"""Plans in a real Chromium (issue 22): a leader sets a *share* target for Huyện Kiên
Lương (checked, repeated, confirmed), the district's official marks its measure done,
staff see the at-risk list and the plan colours on the map; a commune official is offered
no form and cannot set a plan."""

from __future__ import annotations

import io
import sys

import pytest
import sqlalchemy as sa

from tests.browser import fill_of, map_frame, open_page, streamlit_server
from tests.conftest import copy_of
from tests.test_browser_declarations import choose, idle
from zones import api
from zones.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "ke-hoach-2021"
KIEN_LUONG, TT_KIEN_LUONG, HON_DAT = "902", "30787", "903"
AT_RISK, NO_PLAN = "#fc8d59", "#d9d9d9"  # ui.plans_view.STATUS_COLOURS


@pytest.fixture(scope="module")
def url(tmp_path_factory, demo_url):
    url = copy_of(demo_url, tmp_path_factory.mktemp("plans") / "plans.db")
    for name, role, unit in [("lanhdao", "leader", "91"), ("huyen.kl", "district", KIEN_LUONG),
                             ("xa.kl", "commune", TT_KIEN_LUONG)]:
        saved, sys.stdin = sys.stdin, io.StringIO(PASSWORD + "\n")
        try:
            assert main(["--db", url, "users", "add", name, "--role", role, "--unit", unit,
                         "--password-stdin"]) == 0
        finally:
            sys.stdin = saved
    return url


def query(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def sign_in(browser, base: str, name: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = open_page(context)
    page.goto(f"{base}/upload")
    page.get_by_label("Tên tài khoản").fill(name)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text(f"Đăng nhập: {name}").wait_for()
    page.goto(f"{base}/plans")
    page.get_by_role("heading", name="Kế hoạch và chỉ tiêu").wait_for()
    idle(page)
    return context, page


def type_date(page, label: str, digits: str) -> None:
    page.get_by_role("spinbutton", name=f"day, {label}").click()
    page.keyboard.type(digits)  # dd, mm, yyyy: the segments of the date
    page.keyboard.press("Tab")
    idle(page)


def test_leader_sets_a_share_target_official_marks_done_staff_see_risk_and_map(browser, url):
    before = query(url, "SELECT count(*) FROM plans")[0][0]
    with streamlit_server(url) as base:
        # a commune official: no form, and the core refuses them anyway
        context, page = sign_in(browser, base, "xa.kl")
        page.get_by_text("Chỉ lãnh đạo, cán bộ tỉnh và quản trị đặt được kế hoạch").wait_for()
        assert page.get_by_role("button", name="Lưu kế hoạch").count() == 0
        context.close()
        ws = api.open_workspace(url)
        with pytest.raises(api.AccessError):
            api.add_plan(ws, actor=api.Actor("xa.kl", api.Role.COMMUNE, TT_KIEN_LUONG),
                         unit_code=TT_KIEN_LUONG, kind="reach", level=1,
                         date_from=None, date_by=None, decision="x")
        # the leader: a share target for the district, checked, repeated, confirmed
        context, page = sign_in(browser, base, "lanhdao")
        choose(page, "Đơn vị đặt chỉ tiêu", f"Huyện Kiên Lương ({KIEN_LUONG})")
        type_date(page, "Từ ngày", "01092021")
        type_date(page, "Đến hạn", "30092021")
        page.get_by_label("Quyết định giao chỉ tiêu").fill("99/KH-UBND")
        page.get_by_label("Biện pháp (mỗi dòng một biện pháp)").fill("Chốt kiểm soát cửa ngõ Ba Hòn")
        idle(page)
        page.get_by_role("button", name="Lưu kế hoạch").click()
        page.get_by_text("Xác nhận kế hoạch").wait_for()
        page.get_by_text("ít nhất 80% số xã").first.wait_for()
        assert query(url, "SELECT count(*) FROM plans")[0][0] == before  # not yet
        page.get_by_role("button", name="Xác nhận lưu kế hoạch").click()
        page.get_by_text("Đã lưu kế hoạch mã").wait_for()
        rows = query(url, "SELECT id, unit_code, kind, level, share, decision, entered_by "
                          "FROM plans ORDER BY id DESC LIMIT 1")
        plan_id = rows[0][0]
        assert rows[0][1:] == (KIEN_LUONG, "share", 1, 0.8, "99/KH-UBND", "lanhdao")
        context.close()
        # the district's official marks the measure done
        context, page = sign_in(browser, base, "huyen.kl")
        choose(page, "Biện pháp đã làm", "Huyện Kiên Lương: Chốt kiểm soát cửa ngõ Ba Hòn")
        page.get_by_role("button", name="Ghi hoàn thành").click()
        page.get_by_text("Đã ghi hoàn thành: Chốt kiểm soát cửa ngõ Ba Hòn").wait_for()
        assert query(url, f"SELECT done_on, done_by FROM plan_measures WHERE plan_id = "
                          f"{plan_id}") == [("2021-09-01", "huyen.kl")]
        # staff see the at-risk list first (the grid's cells are there for screen readers)
        page.get_by_text("Cần quyết định: chỉ tiêu có nguy cơ hoặc không đạt").wait_for()
        page.get_by_text("ít nhất 80% số xã ở cấp không quá").first.wait_for(state="attached")
        page.get_by_text("Có nguy cơ không đạt").first.wait_for(state="attached")
        # and the map coloured by plan status
        page.goto(base)
        frame = map_frame(page)
        page.get_by_text("Tô màu theo kế hoạch").click()
        units = api.units(ws)
        elsewhere = units.index[units["parent_code"] == HON_DAT][0]
        deadline_ok = False
        for _ in range(240):
            frame = map_frame(page)
            if fill_of(frame, TT_KIEN_LUONG) == AT_RISK and fill_of(frame, elsewhere) == NO_PLAN:
                deadline_ok = True
                break
            page.wait_for_timeout(250)
        assert deadline_ok, (fill_of(frame, TT_KIEN_LUONG), fill_of(frame, elsewhere))
        frame.get_by_text("Tiến độ kế hoạch").wait_for()  # the legend
        context.close()
