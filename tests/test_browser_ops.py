"""Issue 26 in a real Chromium against the server as ``make run`` starts it: a commune
official's navigation lists only the pages they can use, a direct link to another still
refuses, and their upload leaves an INFO line (JSON, with who and what) in the server's
output; ``/zones-health`` answers beside the pages."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from tests.browser import open_page, streamlit_server
from tests.conftest import copy_of
from tests.test_browser_trust_signin import PASSWORD, VINH_LAC, cli
from zones.i18n import t

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def log_entries(path) -> list[dict]:
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def test_an_officials_navigation_direct_link_upload_log_and_health(browser, demo_url,
                                                                    tmp_path):
    url = copy_of(demo_url, tmp_path / "ops.db")
    assert cli("--db", url, "users", "add", "xa.vinhlac", "--role", "commune", "--unit",
               VINH_LAC, "--password-stdin", stdin=PASSWORD + "\n") == 0
    figures = tmp_path / "so-lieu.csv"
    figures.write_text(f"Ngày,Mã xã,Số mẫu PCR\n02/09/2021,{VINH_LAC},4321\n",
                       encoding="utf-8")
    output = tmp_path / "server.log"
    with streamlit_server(url, output=output, ZONES_LOG_JSON="1") as base:
        with urllib.request.urlopen(f"{base}/zones-health", timeout=60) as answer:
            assert answer.status == 200
            assert json.loads(answer.read())["status"] == "healthy"
        page = open_page(browser)
        page.goto(f"{base}/upload")
        links = page.locator("[data-testid='stSidebarNav'] a")
        links.first.wait_for()
        before = " | ".join(links.all_inner_texts())
        assert t("ui.page.upload", "vi") in before  # where an official signs in
        assert t("ui.page.accounts", "vi") not in before
        page.get_by_label("Tên tài khoản").fill("xa.vinhlac")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_text("Đăng nhập: xa.vinhlac").wait_for()
        shown = " | ".join(links.all_inner_texts())
        for hidden in ("ui.page.accounts", "ui.page.audit", "ui.page.boundaries"):
            assert t(hidden, "vi") not in shown, shown
        for listed in ("ui.page.map", "ui.page.upload", "ui.page.declarations"):
            assert t(listed, "vi") in shown, shown
        page.locator("input[type=file]").first.set_input_files(str(figures))
        page.get_by_role("button", name="Lưu 1 dòng hợp lệ").click()
        deadline, stored = time.monotonic() + 120, []
        while not stored and time.monotonic() < deadline:
            stored = [e for e in log_entries(output)
                      if e.get("message", "").startswith("upload stored")]
            time.sleep(0.5)
        assert stored, output.read_text(encoding="utf-8", errors="replace")[-3000:]
        entry = stored[0]
        assert (entry["level"], entry["source"]) == ("INFO", "zones.api")
        assert (entry["user"], entry["action"]) == ("xa.vinhlac", "store_upload")
        assert entry["time"].endswith("Z") and entry.get("page") == "upload"
        assert "4321" not in output.read_text(encoding="utf-8", errors="replace")
        page.goto(f"{base}/accounts")  # not listed, still refused by the page itself
        page.get_by_text("không có quyền").first.wait_for()
        assert t("ui.page.accounts", "vi") not in " | ".join(links.all_inner_texts())
        page.close()
