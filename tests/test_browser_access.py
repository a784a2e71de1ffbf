"""Sign-in in a real Chromium: the write pages ask for it, a wrong password is refused,
a commune official is told which units they send for, and the map opens without an
account only when the setting allows it."""

from __future__ import annotations

import io
import time

import pytest

from tests.browser import MAP_IFRAME, open_page, streamlit_server
from tests.conftest import copy_of
from zones.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "mat-khau-xa-2021"


@pytest.fixture(scope="module")
def url(tmp_path_factory, demo_url):
    url = copy_of(demo_url, tmp_path_factory.mktemp("acc") / "acc.db")
    stdin = io.StringIO(PASSWORD + "\n")
    import sys

    saved, sys.stdin = sys.stdin, stdin
    try:
        assert main(["--db", url, "users", "add", "xa.vinhlac", "--role", "commune",
                     "--unit", "30745", "--password-stdin"]) == 0
    finally:
        sys.stdin = saved
    return url


def sign_in(page, name: str, password: str) -> None:
    page.get_by_label("Tên tài khoản").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def session_cookies(context, timeout: float = 90) -> dict:
    """The browser's cookies once the sign-in's redirect has set the session cookie."""
    deadline = time.monotonic() + timeout
    while True:
        cookies = {c["name"]: c for c in context.cookies()}
        if "zones_session" in cookies or time.monotonic() > deadline:
            return cookies
        time.sleep(0.5)


@pytest.fixture(scope="module")
def server(url):
    """The dashboard on the module's database with the default settings (reading is
    public), shared by the module's tests."""
    with streamlit_server(url) as base:
        yield base


def test_write_pages_need_sign_in_and_a_wrong_password_is_refused(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = open_page(context)
    for path in ("upload", "boundaries", "accounts", "audit"):
        page.goto(f"{server}/{path}")
        page.get_by_text("Trang này cần đăng nhập").wait_for(timeout=90000)
        page.get_by_label("Mật khẩu").wait_for(timeout=60000)
    # declarations: the list is public reading, declaring needs an account
    page.goto(f"{server}/declarations")
    page.get_by_text("Đăng nhập để công bố hoặc thu hồi cấp độ").wait_for(timeout=90000)
    assert page.get_by_role("button", name="Lưu công bố").count() == 0
    page.goto(f"{server}/upload")
    page.get_by_text("Trang này cần đăng nhập").wait_for(timeout=90000)
    sign_in(page, "xa.vinhlac", "sai-mat-khau")
    page.get_by_text("Tên tài khoản hoặc mật khẩu không đúng").wait_for(timeout=60000)
    sign_in(page, "xa.vinhlac", PASSWORD)
    page.get_by_text("Bạn gửi số liệu cho các đơn vị thuộc Phường Vĩnh Lạc (30745)"
                     ).wait_for(timeout=60000)
    page.get_by_text("Đăng nhập: xa.vinhlac").wait_for(timeout=30000)
    # the session lives in an HttpOnly cookie: no page script can read it, and it
    # carries neither the account name nor the password
    cookies = session_cookies(context)
    assert cookies["zones_session"]["httpOnly"] is True
    assert "zones_session" not in page.evaluate("document.cookie")
    for cookie in cookies.values():
        assert "xa.vinhlac" not in cookie["value"] and PASSWORD not in cookie["value"]
        # Streamlit's XSRF token is the one cookie scripts must read (it is sent back
        # in a header); it signs no one in
        assert cookie["httpOnly"] or cookie["name"] == "_streamlit_xsrf"
    # a reload, a page URL opened directly and a second tab stay signed in
    page.reload()
    page.get_by_text("Đăng nhập: xa.vinhlac").wait_for(timeout=90000)
    other = open_page(context)
    other.goto(f"{server}/boundaries")
    other.get_by_text("không có quyền").wait_for(timeout=90000)  # a commune official
    # signing out in one tab ends the session in every tab
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_text("Chưa đăng nhập").wait_for(timeout=90000)
    assert "zones_session" not in {c["name"] for c in context.cookies()}
    other.reload()
    other.get_by_text("Trang này cần đăng nhập").wait_for(timeout=90000)
    context.close()


def test_the_map_needs_an_account_when_reading_is_not_public(browser, url, server):
    with streamlit_server(url, ZONES_PUBLIC_READ="0") as base:
        page = open_page(browser, 1400, 1000)
        page.goto(base)
        page.get_by_text("Trang này cần đăng nhập").wait_for(timeout=90000)
        assert page.locator(MAP_IFRAME).count() == 0
        sign_in(page, "xa.vinhlac", PASSWORD)
        page.locator(MAP_IFRAME).wait_for(timeout=90000)
        page.close()
    page = open_page(browser, 1400, 1000)  # the embedded demo: reading is public
    page.goto(server)
    page.locator(MAP_IFRAME).wait_for(timeout=90000)
    page.close()
