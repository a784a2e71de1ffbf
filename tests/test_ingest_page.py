"""The "Nhập số liệu" page (Streamlit AppTest): empty database, check, store, history."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_ingest_fixtures import csv_bytes, make_db, patch_recompute, stored
from zones import api
from zones.safe import md_text


@pytest.fixture(autouse=True)
def recomputed(monkeypatch) -> list:
    """The ``start`` of every levels recomputation requested."""
    return patch_recompute(monkeypatch)


PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "upload.py")
GOOD_AND_BAD = """
    Ngày,Mã xã,Số mẫu PCR,Ghi chú
    01/09/2021,00001,5,
    02/09/2021,00001,-3,=cmd
"""


SIGNED_IN = api.Actor("quantri", api.Role.ADMIN, None, "page")


def page(url, monkeypatch, lang="vi") -> AppTest:
    monkeypatch.setenv("ZONES_DB", url)
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["lang"] = lang
    at.session_state["_actor"] = SIGNED_IN  # an administrator signed in on this session
    return at.run()


@pytest.fixture
def url(tmp_path):
    make_db(tmp_path / "t.db")
    return f"sqlite:///{tmp_path}/t.db"


def test_empty_database(empty_url, monkeypatch):
    at = page(empty_url, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "Nhập số liệu"
    assert any("chưa có đơn vị hành chính" in i.value for i in at.info)


def test_upload_check_then_store(url, monkeypatch, tmp_path):
    at = page(url, monkeypatch)
    assert not at.exception
    at.file_uploader(key="upload_file").set_value(("tuan.csv", csv_bytes(GOOD_AND_BAD),
                                                   "text/csv"))
    at.run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["2", "1", "1", "0"]
    table = at.dataframe[0].value
    assert table["Dòng"].tolist() == [3]
    assert list(table.columns[:2]) == ["Dòng", "Lý do bị từ chối"]  # seen at 1366 px
    assert "số âm" in table["Lý do bị từ chối"][0]
    assert any("Ghi chú" in c.value for c in at.caption)
    assert stored(make_db(tmp_path / "t.db", with_units=False)).empty  # nothing before confirm
    at.button(key="confirm").click().run()
    assert not at.exception
    assert "Đã lưu: 1 dòng" in at.success[0].value
    rows = stored(make_db(tmp_path / "t.db", with_units=False))
    assert rows["sent_by"].tolist() == ["quantri"]  # the signed-in account, never typed
    # the levels are recomputed off the request; the page follows, then says it is done
    ws = api.open_workspace(url)
    deadline = time.time() + 120
    while api.recompute_progress(ws).owed is not None and time.time() < deadline:
        time.sleep(0.2)
    assert api.recompute_progress(ws).owed is None
    at.run()
    assert not at.exception
    assert any("Đã tính lại cấp độ dịch từ ngày" in m.value for m in at.success)
    assert any("đã hiển thị cấp độ mới" in m.value for m in at.success)


def test_all_or_nothing_disables_confirm(url, monkeypatch):
    at = page(url, monkeypatch)
    at.file_uploader(key="upload_file").set_value(("a.csv", csv_bytes(GOOD_AND_BAD), "text/csv"))
    at.run()
    at.checkbox(key="all_or_nothing").check().run()
    assert at.button(key="confirm").disabled


def test_unusable_file_shows_the_reason(url, monkeypatch):
    at = page(url, monkeypatch, lang="en")
    at.file_uploader(key="upload_file").set_value(("a.xlsx", b"PK\x03\x04junk", XLSX_MIME))
    at.run()
    assert not at.exception
    assert "The Excel file is damaged" in at.error[0].value


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_template_and_history(url, monkeypatch):
    at = page(url, monkeypatch)
    at.text_input(key="tpl_query").set_value("ba dinh").run()
    assert at.selectbox(key="tpl_unit").value == "001"
    at.button(key="tpl_make").click().run()
    assert not at.exception
    assert at.session_state["tpl_file"][0].startswith("mau_001_")
    at.file_uploader(key="upload_file").set_value(
        ("a.csv", csv_bytes("Ngày,Mã xã,Số mẫu PCR\n01/09/2021,00001,5"), "text/csv"))
    at.run()
    at.button(key="confirm").click().run()
    at.text_input(key="hist_query").set_value("00001").run()
    history = at.dataframe[-1].value
    assert history["Ngày"].tolist() == ["01/09/2021"] and history["Số mẫu PCR"].tolist() == [5]
    assert history["Tệp"].tolist() == ["a.csv"]


def test_a_district_official_approves_and_unlocks_a_week_on_the_page(monkeypatch, demo_copy):
    from datetime import date

    monkeypatch.setenv("ZONES_DB", demo_copy)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "vi"
    at.session_state["_actor"] = api.Actor("huyen.rachgia", api.Role.DISTRICT, "899",
                                           "page")
    at.run()
    assert not at.exception
    at.date_input(key="appr_day").set_value(date(2021, 9, 8)).run()
    at.button(key="appr_go").click().run()
    assert not at.exception
    assert any("đã được" in s.value or "khóa" in s.value for s in at.success)
    assert any(md_text("huyen.rachgia") in i.value for i in at.info)  # as written
    at.button(key="appr_unlock").click().run()
    assert any("Đã mở khóa" in s.value for s in at.success)
