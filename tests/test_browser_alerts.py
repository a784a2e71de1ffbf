"""The feed "Thông báo" in a real Chromium (issue 24): a district official signs in, sees
the alert of the declaration made for one of its communes (the same alert id as the
outbox's digest) and opens that commune on the map from it."""

from __future__ import annotations

import io
import sys

import pytest

from tests.browser import open_page, streamlit_server
from tests.conftest import copy_of
from zones import api
from zones.cli import main
from zones.workspace import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "huyen-rach-gia-2021"


@pytest.fixture(scope="module")
def url(tmp_path_factory, demo_url):
    url = copy_of(demo_url, tmp_path_factory.mktemp("alerts") / "alerts.db")
    saved, sys.stdin = sys.stdin, io.StringIO(PASSWORD + "\n")
    try:
        assert main(["--db", url, "users", "add", "huyen.rachgia", "--role", "district",
                     "--unit", "899", "--password-stdin"]) == 0
    finally:
        sys.stdin = saved
    assert main(["--db", url, "alerts", "subscribe", "--user", "huyen.rachgia",
                 "--kinds", "declared"]) == 0
    assert main(["--db", url, "declarations", "add", "--unit", "30742", "--level", "4",
                 "--from", "01/09/2021", "--decision", "123/QĐ-UBND"]) == 0
    assert main(["--db", url, "alerts", "run", "--date", "01/09/2021"]) == 0
    return url


def test_the_feed_shows_the_alert_and_opens_the_unit(browser, url):
    ws = Workspace.at(url)
    outbox = api.alert_outbox(ws, api.LOCAL_ADMIN)
    assert list(outbox["status"]) == ["app"]  # no relay set: in the app only
    code = api.alert_feed(ws, api.actor_named(ws, "huyen.rachgia", "page", "vi")
                          )["alert_code"].iloc[0]
    with streamlit_server(url) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = open_page(context)
        page.goto(f"{base}/alerts")
        page.get_by_label("Tên tài khoản").fill("huyen.rachgia")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_text("Đăng nhập: huyen.rachgia").wait_for()
        page.get_by_text("1 thông báo, 1 chưa đọc").wait_for()
        page.get_by_text(f"Mã thông báo: {code}").wait_for()
        page.get_by_text("Quyết định: 123/QĐ-UBND").wait_for()
        page.get_by_text("Phường Vĩnh Thanh Vân").first.wait_for()
        assert page.get_by_text("Lỗi không mong đợi").count() == 0  # no tab failed
        page.get_by_role("tab", name="Đăng ký nhận thông báo").click()
        page.get_by_text("Mã 1: Thành phố Rạch Giá — loại: declared").wait_for()
        page.get_by_role("tab", name="Thông báo của tôi").click()
        page.get_by_role("button", name="Mở trên bản đồ").click()
        page.get_by_role("heading", name="Phường Vĩnh Thanh Vân").wait_for()
        page.wait_for_url(lambda u: "date=2021-09-01" in u)
        page.goto(f"{base}/alerts")  # read now: no longer counted as unread
        page.get_by_text("1 thông báo, 0 chưa đọc").wait_for()
        context.close()
