"""The grid's own "Download as CSV" in a real Chromium: offered to an observer who may
export, not to one without the export right (``users add --no-export``)."""

from __future__ import annotations

import io
import sys

import pytest

from tests.browser import open_page, streamlit_server
from tests.conftest import copy_of
from zones.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "mat-khau-quan-sat-2021"


@pytest.fixture(scope="module")
def url(tmp_path_factory, demo_url):
    url = copy_of(demo_url, tmp_path_factory.mktemp("grid") / "grid.db")
    for name, extra in [("quansat", []), ("baochi", ["--no-export"])]:
        saved, sys.stdin = sys.stdin, io.StringIO(PASSWORD + "\n")
        try:
            assert main(["--db", url, "users", "add", name, "--role", "observer",
                         "--password-stdin", *extra]) == 0
        finally:
            sys.stdin = saved
    return url


def download_buttons(page) -> int:
    """Visible "Download as CSV" buttons of the first grid, once hovered."""
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(timeout=90000)
    grid.hover()
    page.locator("[data-testid='stElementToolbar']").first.wait_for(state="attached")
    page.wait_for_timeout(500)  # the toolbar fades in
    buttons = page.locator("button[aria-label^='Download as CSV']")
    return sum(buttons.nth(i).is_visible() for i in range(buttons.count()))


@pytest.fixture(scope="module")
def server(url):
    """One server for both accounts (each signs in from its own browser context)."""
    with streamlit_server(url) as base:
        yield base


@pytest.mark.parametrize("name, offered", [("quansat", 1), ("baochi", 0)])
def test_the_grid_download_follows_the_export_right(browser, server, name, offered):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = open_page(context)
    page.goto(f"{server}/upload")
    page.get_by_label("Tên tài khoản").fill(name)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text(f"Đăng nhập: {name}").wait_for(timeout=90000)
    page.goto(f"{server}/transitions")  # its table of moves
    assert download_buttons(page) == offered
    context.close()
