"""The wrong-commune declaration in a real Chromium (issue 20): a leader clicks Phường An
Bình on the map, opens "Công bố cấp độ", types "vinh lac" and presses Enter. Nothing is
chosen for them and nothing is saved for any unit; Phường Vĩnh Lạc gets the decision only
once it is clicked in the list and the repeated declaration is confirmed."""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.browser import click_unit, map_frame, open_page, streamlit_server
from tests.conftest import copy_of
from zones.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "lanh-dao-2021"
VINH_LAC, AN_BINH = "30745", "30751"
#: where the screenshots go (ZONES_SHOTS, else the test's own folder)
SHOTS = os.environ.get("ZONES_SHOTS")


@pytest.fixture(scope="module")
def url(tmp_path_factory, demo_url):
    url = copy_of(demo_url, tmp_path_factory.mktemp("decl") / "decl.db")
    saved, sys.stdin = sys.stdin, io.StringIO(PASSWORD + "\n")
    try:
        assert main(["--db", url, "users", "add", "lanhdao", "--role", "leader",
                     "--password-stdin"]) == 0
    finally:
        sys.stdin = saved
    return url


def stored(url: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(
                "SELECT unit_code, level, decision_number FROM declarations ORDER BY id"))]
    finally:
        engine.dispose()


IDLE_JS = """() => !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"],'
                               + '[data-testid="stStatusWidgetRunningManIcon"]')"""


def idle(page, quiet_s: float = 0.6) -> None:
    """Wait until the page's rerun is over (no stale element, no running icon) and
    stays so for ``quiet_s``: a field filled during a rerun may be drawn twice."""
    deadline = time.monotonic() + 120
    calm_since = None
    while time.monotonic() < deadline:
        if page.evaluate(IDLE_JS):
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= quiet_s:
                return
        else:
            calm_since = None
        time.sleep(0.1)
    raise AssertionError("the page never finished its rerun")


def choose(page, label: str, option: str) -> None:
    """Open the select box ``label`` and click its ``option`` (opened again if a rerun
    closed it)."""
    for _ in range(5):
        idle(page)
        page.get_by_label(label).click()
        wanted = page.get_by_role("option", name=option)
        try:
            wanted.wait_for(timeout=5000)
        except Exception:  # closed by a rerun: open it again
            continue
        wanted.click()
        idle(page)
        return
    raise AssertionError(f"{option!r} never appeared in {label!r}")


def shot(page, folder: Path, name: str) -> None:
    target = Path(SHOTS) if SHOTS else folder
    target.mkdir(parents=True, exist_ok=True)
    # the app scrolls inside its own frame: a tall window shows the whole page
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 1700})
    idle(page)
    page.screenshot(path=str(target / f"{name}.png"))
    page.set_viewport_size(size)
    idle(page)


def test_an_unaccented_name_and_enter_save_nothing_for_the_unit_on_the_map(browser, url,
                                                                          tmp_path):
    with streamlit_server(url) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = open_page(context)
        page.goto(f"{base}/upload")  # sign in as the leader
        page.get_by_label("Tên tài khoản").fill("lanhdao")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_text("Đăng nhập: lanhdao").wait_for()
        # the map: Phường An Bình clicked, its panel open
        page.goto(base)
        click_unit(page, map_frame(page), AN_BINH)
        page.get_by_role("heading", name="Phường An Bình").wait_for()
        page.get_by_role("link", name="Công bố cấp độ").click()
        page.get_by_text("Trên bản đồ bạn đang xem Phường An Bình").wait_for()
        # what the leader of the report did: "vinh lac", Enter, the decision, Enter, Lưu
        search = page.get_by_label("Tìm đơn vị cần công bố")
        search.fill("vinh lac")
        search.press("Enter")
        page.get_by_text("Chọn đơn vị: bấm vào một trong 1 kết quả").wait_for()
        idle(page)
        decision = page.get_by_label("Số quyết định")
        decision.fill("2875/QĐ-UBND")
        decision.press("Enter")
        idle(page)
        page.get_by_role("button", name="Lưu công bố").click()
        refusal = page.get_by_text("Chưa chọn đơn vị: gõ tên đơn vị (không dấu cũng được")
        refusal.wait_for()
        refusal.scroll_into_view_if_needed()
        shot(page, tmp_path, "1-vinh-lac-enter")
        assert stored(url) == []
        assert page.get_by_role("button", name="Xác nhận công bố").count() == 0
        # the explicit choice, then the confirmation
        page.get_by_text("Phường Vĩnh Lạc (xã/phường/thị trấn, mã 30745)").click()
        page.get_by_text("Đơn vị sẽ công bố: Phường Vĩnh Lạc").wait_for()
        idle(page)
        choose(page, "Cấp độ công bố", "Cấp 3 – Nguy cơ cao")
        page.get_by_role("spinbutton", name="day, Có hiệu lực từ").click()
        page.keyboard.type("10092021")  # dd, mm, yyyy: the segments of the date
        page.keyboard.press("Tab")
        idle(page)
        page.get_by_role("button", name="Lưu công bố").click()
        asked = page.get_by_text("Kiểm tra lại trước khi công bố")
        asked.wait_for()
        asked.scroll_into_view_if_needed()
        page.get_by_text("Hiệu lực: từ 10/09/2021, chưa có ngày kết thúc").wait_for()
        page.get_by_text("Đơn vị: Phường Vĩnh Lạc (xã/phường/thị trấn, mã 30745), thuộc "
                         "Thành phố Rạch Giá, Tỉnh Kiên Giang").wait_for()
        shot(page, tmp_path, "2-confirmation")
        assert stored(url) == []  # "Lưu" alone stores nothing
        page.get_by_role("button", name="Xác nhận công bố").click()
        page.get_by_text("Đã lưu công bố mã 1: Phường Vĩnh Lạc").wait_for()
        shot(page, tmp_path, "3-saved")
        assert stored(url) == [(VINH_LAC, 3, "2875/QĐ-UBND")]
        idle(page)  # the form is empty again, the next decision starts from nothing
        assert page.get_by_label("Tìm đơn vị cần công bố").input_value() == ""
        assert page.get_by_label("Số quyết định").input_value() == ""
        assert page.get_by_text("Phường Vĩnh Lạc (xã/phường/thị trấn").count() == 0
        # revoking asks first, then keeps the row marked revoked
        choose(page, "Quyết định cần thu hồi", "2875/QĐ-UBND — Phường Vĩnh Lạc")
        page.get_by_role("button", name="Thu hồi quyết định này").click()
        asked = page.get_by_text("Thu hồi quyết định này? (chưa thu hồi)")
        asked.wait_for()
        asked.scroll_into_view_if_needed()
        shot(page, tmp_path, "4-revoke-asked")
        page.get_by_role("button", name="Xác nhận thu hồi").click()
        done = page.get_by_text("Đã thu hồi công bố mã 1")
        done.wait_for()
        # the grid draws on a canvas: its cells are in the page for screen readers
        page.get_by_text("Đã thu hồi (lanhdao, ").wait_for(state="attached")
        done.scroll_into_view_if_needed()
        shot(page, tmp_path, "5-revoked")
        assert stored(url) == [(VINH_LAC, 3, "2875/QĐ-UBND")]  # listed still
        context.close()
