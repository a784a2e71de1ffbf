"""A disabled account's open tab can no longer write (issue 20, "Done when"), in a real
Chromium whose browser never takes the session cookie: the cookie route is blocked, so
the tab keeps its account only in the page's session state, as the report's tab did."""

from __future__ import annotations

import io
import sys

import pytest
import sqlalchemy as sa

from tests.browser import open_page, streamlit_server
from tests.conftest import copy_of
from ui.server.names import AUTH_PREFIX
from zones import api
from zones.cli import main
from zones.storage.schema import uploads

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "mat-khau-xa-2021"
VINH_LAC = "30745"


def cli(*argv: str, stdin: str = "") -> int:
    saved, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        return main(list(argv))
    finally:
        sys.stdin = saved


def uploads_by(url: str, name: str) -> int:
    with api.open_workspace(url, wait_for_levels=False).engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(uploads).where(
            uploads.c.uploaded_by == name)).scalar()


def test_a_disabled_accounts_open_tab_can_no_longer_write(browser, demo_url, tmp_path):
    url = copy_of(demo_url, tmp_path / "tab.db")
    assert cli("--db", url, "users", "add", "xa.vinhlac", "--role", "commune", "--unit",
               VINH_LAC, "--password-stdin", stdin=PASSWORD + "\n") == 0
    figures = tmp_path / "so-lieu.csv"
    figures.write_text(f"Ngày,Mã xã,Số mẫu PCR\n02/09/2021,{VINH_LAC},4321\n",
                       encoding="utf-8")
    with streamlit_server(url) as base:
        # as behind deploy/nginx-zones.conf: the proxy appends the client's address
        context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                      extra_http_headers={
                                          "X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
        blocked = []

        def block(route):  # the browser never reaches the cookie route
            blocked.append(route.request.url)
            route.abort("aborted")
        context.route(f"**/{AUTH_PREFIX}/**", block)
        page = open_page(context)
        page.goto(f"{base}/upload")
        page.get_by_label("Tên tài khoản").fill("xa.vinhlac")
        page.get_by_label("Mật khẩu").fill("sai-mat-khau")
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_text("Không đăng nhập được").wait_for(timeout=120000)
        # counted for the address the proxy saw, not for the one the client claimed
        refused = api.audit_entries(api.open_workspace(url, wait_for_levels=False),
                                    api.LOCAL_ADMIN, action="sign_in")
        assert '"address": "203.0.113.7"' in refused["detail"].iloc[0]
        page.get_by_label("Tên tài khoản").fill("xa.vinhlac")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        for _ in range(240):  # the page sends the browser to the cookie route: blocked
            if blocked:
                break
            page.wait_for_timeout(500)
        assert blocked and "zones_session" not in {c["name"] for c in context.cookies()}
        # the tab stays where it was; the official goes on to the upload page
        page.get_by_role("link", name="Nhập số liệu").click()
        page.get_by_text("Đăng nhập: xa.vinhlac").wait_for(timeout=120000)
        # the tab is signed in by its session state alone: it checks a file ...
        page.locator("input[type=file]").first.set_input_files(str(figures))
        store = page.get_by_role("button", name="Lưu 1 dòng hợp lệ")
        store.wait_for(timeout=120000)
        # ... an administrator disables the account meanwhile ...
        assert cli("--db", url, "users", "disable", "xa.vinhlac") == 0
        # ... and the tab's next action stores nothing: it is signed out
        store.click()
        page.get_by_text("Phiên làm việc đã kết thúc").wait_for(timeout=120000)
        page.get_by_label("Mật khẩu").wait_for(timeout=60000)
        assert page.get_by_text("Đăng nhập: xa.vinhlac").count() == 0
        assert page.get_by_text("Đã lưu").count() == 0
        assert uploads_by(url, "xa.vinhlac") == 0
        context.close()
