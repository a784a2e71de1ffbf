"""Two app replicas on one PostgreSQL database (issue 13): what is written through one is
what the other shows, without a restart and without any shared folder: figures uploaded
on replica A recolour replica B's map and change its panel; a rule set added on A's
"Tiêu chí" page is listed on B's."""

from __future__ import annotations

import io
import sys
import time

import pytest
from playwright.sync_api import Error

from tests.browser import ROOT, click_unit, fill_of, idle, map_frame, open_page, streamlit_server
from zones.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
THO_SON = "30841"  # Xã Thổ Sơn: orange (level 3) on 15/11/2021 in the demo
RED = "#D7263D"
ADMIN, PASSWORD = "quantri", "mat-khau-quan-tri-1"


def open_unit(page, frame, code: str) -> None:
    click_unit(page, frame, code)
    page.get_by_role("heading", name="Xã Thổ Sơn").wait_for(timeout=120000)


def sign_in(page, base: str, path: str) -> None:
    page.goto(f"{base}/{path}")
    page.get_by_label("Tên tài khoản").first.wait_for(timeout=120000)
    page.get_by_label("Tên tài khoản").first.fill(ADMIN)
    page.get_by_label("Mật khẩu").first.fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").first.click()
    page.get_by_text(f"Đăng nhập: {ADMIN}").wait_for(timeout=120000)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_replicas_on_one_database_show_the_same(browser, demo_copy, tmp_path,
                                                    monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--db", demo_copy, "users", "add", ADMIN, "--role", "admin",
                 "--password-stdin"]) == 0
    figures = tmp_path / "so-lieu-tho-son.csv"
    figures.write_text("Ngày,Mã xã,Ca mắc mới cộng đồng\n" + "".join(
        f"{d:02d}/11/2021,{THO_SON},400\n" for d in range(1, 16)), encoding="utf-8")
    ruleset = tmp_path / "kg-4800.yaml"
    ruleset.write_text((ROOT / "rules" / "rulesets" / "qd4800.yaml").read_text(
        encoding="utf-8").replace("id: qd4800", "id: kg-4800", 1).replace(
        "  vi: Đánh giá", "  vi: Kiên Giang – Đánh giá", 1).replace("  en: COVID", "  en: KG COVID", 1),
        encoding="utf-8")
    with (streamlit_server(demo_copy, ZONES_PUBLIC_READ="1") as a,
          streamlit_server(demo_copy, ZONES_PUBLIC_READ="1") as b):
        # B: the commune is orange on 15/11/2021
        viewer = open_page(browser, 1400, 1000)
        viewer.goto(f"{b}/?date=2021-11-15")
        frame = map_frame(viewer)
        assert fill_of(frame, THO_SON) != RED
        open_unit(viewer, frame, THO_SON)
        viewer.get_by_text("Cấp 3 – Nguy cơ cao").first.wait_for(timeout=60000)

        # A: an administrator uploads figures that make it red
        sender = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = open_page(sender)
        sign_in(page, a, "upload")
        page.locator("input[type=file]").first.set_input_files(str(figures))
        page.get_by_role("button", name="Lưu 15 dòng hợp lệ").click()
        page.get_by_text("Đã lưu: 15 dòng").wait_for(timeout=180000)
        # the page follows the recomputation (off the request) and says when it is done
        page.get_by_text("Bản đồ và các trang khác đã hiển thị cấp độ mới").wait_for(
            timeout=300000)

        # B, without a restart: the next view of the page shows the new level
        viewer.goto(f"{b}/?date=2021-11-15")
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                frame = map_frame(viewer)
                if fill_of(frame, THO_SON) == RED:
                    break
            except Error:  # the map frame being replaced by a rerun
                pass
            time.sleep(0.5)
        assert fill_of(map_frame(viewer), THO_SON) == RED
        open_unit(viewer, map_frame(viewer), THO_SON)
        viewer.get_by_text("Cấp 4 – Nguy cơ rất cao").first.wait_for(timeout=60000)

        # A: a rule set added on the criteria page; B lists it
        page.goto(f"{a}/criteria")
        page.get_by_text("Thêm hoặc cập nhật bộ tiêu chí").wait_for(timeout=120000)
        idle(page)  # a file given while the page's first run still draws it is lost
        page.locator("input[type=file]").first.set_input_files(str(ruleset))
        page.get_by_role("button", name="Kiểm tra và lưu").click()
        page.get_by_text("Đã lưu bộ tiêu chí kg-4800").wait_for(timeout=180000)
        viewer.goto(f"{b}/criteria")
        viewer.get_by_text("kg-4800").first.wait_for(timeout=120000)
        # stored in the database (who added it is for administrators: not this viewer)
        viewer.get_by_text("kho dữ liệu (").first.wait_for(timeout=60000)
        sender.close()
        viewer.close()
