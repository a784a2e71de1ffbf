"""Storing uploads: versions, history, re-sends, all-or-nothing, rollback, export."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from sqlalchemy.exc import OperationalError

from tests.test_ingest_fixtures import (
    TODAY,
    csv_bytes,
    store_checked,
    stored,
    upload_rows,
)
from zones.errors import ZonesError
from zones.ingest import versions as ingest_store
from zones.ingest.upload import check_upload
from zones.ingest.versions import export_frame, plan_versions, unit_history
from zones.storage.schema import METRICS

pytestmark = pytest.mark.both_stores


@pytest.fixture(autouse=True)
def _no_recompute(recomputed) -> list:
    """Every test here records recomputations instead of running them."""
    return recomputed


FIRST = """
    Ngày,Mã xã,Ca mắc mới cộng đồng,Số mẫu PCR,Số mẫu PCR dương tính
    01/09/2021,00001,3,100,
    02/09/2021,00001,0,,
    01/09/2021,00004,,50,2
"""


def send(engine, text, name="a.csv", sent_by="Trạm y tế Phúc Xá", **kw):
    data = text if isinstance(text, bytes) else csv_bytes(text)
    checked = check_upload(engine, data, name, lang="vi", today=TODAY)
    return store_checked(engine, checked, sent_by=sent_by, **kw)


def test_first_upload_stores_values_source_and_archive(engine):
    result = send(engine, FIRST)
    assert (result.inserted, result.superseded, result.unchanged) == (3, 0, 0)
    rows = stored(engine)
    assert rows["unit_code"].tolist() == ["00001", "00001", "00004"]
    assert rows["source_row"].tolist() == [2, 3, 4]
    assert rows["new_cases_community"].tolist()[:2] == [3, 0]  # a real 0 stays 0
    assert pd.isna(rows.loc[2, "new_cases_community"])  # empty stays NULL
    assert rows["superseded_at"].isna().all()
    assert set(rows["sent_by"]) == {"Trạm y tế Phúc Xá"}
    up = upload_rows(engine).iloc[0]
    assert bytes(up["content"]) == csv_bytes(FIRST)
    assert up["sha256"] == hashlib.sha256(csv_bytes(FIRST)).hexdigest()
    assert (up["rows_total"], up["rows_stored"], up["rows_rejected"], up["status"]) == (
        3, 3, 0, "stored")
    assert (rows["upload_id"] == up["id"]).all()


def test_new_value_supersedes_and_history_keeps_the_old(engine):
    send(engine, FIRST, name="tuan1.csv", sent_by="A")
    result = send(engine, "Ngày,Mã xã,Ca mắc mới cộng đồng\n01/09/2021,00001,5",
                  name="sua.csv", sent_by="B")
    assert (result.inserted, result.superseded) == (1, 1)
    rows = stored(engine).set_index("id")
    old, new = rows.iloc[0], rows.iloc[-1]
    assert new["new_cases_community"] == 5 and new["tests_pcr"] == 100  # overlay
    assert old["superseded_by"] == new.name and pd.notna(old["superseded_at"])
    assert pd.isna(new["superseded_at"])
    hist = unit_history(engine, "00001")
    first_day = hist[hist["date"].astype(str) == "2021-09-01"]
    assert first_day["current"].tolist() == [True, False]
    assert first_day["sent_by"].tolist() == ["B", "A"]
    assert first_day["filename"].tolist() == ["sua.csv", "tuan1.csv"]
    assert first_day["new_cases_community"].tolist() == [5, 3]


def test_same_file_twice_changes_nothing(engine, recomputed):
    send(engine, FIRST)
    before, ups = stored(engine), upload_rows(engine)
    again = send(engine, FIRST, name="renamed.csv")
    assert again.duplicate_of == ups.iloc[0]["id"] and again.inserted == 0
    assert stored(engine).equals(before) and len(upload_rows(engine)) == 1
    assert len(recomputed) == 1


def test_equal_values_create_no_new_version(engine):
    send(engine, FIRST)
    result = send(engine, FIRST + "\n,,,,\n")  # other bytes, same values
    assert (result.inserted, result.unchanged) == (0, 3)
    assert len(stored(engine)) == 3
    assert upload_rows(engine)["status"].tolist() == ["stored", "unchanged"]


def test_good_rows_stored_bad_rows_reported(engine):
    result = send(engine, FIRST + "\n03/09/2021,00001,abc,,")
    assert result.inserted == 3
    up = upload_rows(engine).iloc[0]
    assert (up["status"], up["rows_rejected"]) == ("partial", 1)
    assert '"row": 6' in up["report"] and "Ca mắc mới cộng đồng" in up["report"]


def test_all_or_nothing_stores_nothing(engine):
    with pytest.raises(ZonesError, match="tất cả hoặc không"):
        send(engine, FIRST + "\n03/09/2021,00001,abc,,", all_or_nothing=True)
    assert stored(engine).empty and upload_rows(engine).empty


def test_nothing_valid_or_no_values(engine):
    with pytest.raises(ZonesError, match="cả 1 dòng đều bị từ chối"):
        send(engine, "Ngày,Mã xã,Số mẫu PCR\n01/09/2021,99999,1")
    with pytest.raises(ZonesError, match="chưa có số liệu nào"):
        send(engine, "Ngày,Mã xã,Số mẫu PCR\n01/09/2021,00001,")
    assert stored(engine).empty and upload_rows(engine).empty


def test_failure_mid_transaction_leaves_data_unchanged(engine, monkeypatch):
    send(engine, FIRST)
    before, ups = stored(engine), upload_rows(engine)

    def boom(*_a, **_k):
        raise OperationalError("UPDATE observations", {}, Exception("disk I/O error"))

    monkeypatch.setattr(ingest_store, "_link", boom)  # fails after rows were written
    with pytest.raises(ZonesError, match="dữ liệu cũ giữ nguyên: disk I/O error"):
        send(engine, "Ngày,Mã xã,Số mẫu PCR\n01/09/2021,00001,7\n05/09/2021,00007,1")
    assert stored(engine).equals(before) and upload_rows(engine).equals(ups)


def test_levels_recomputed_from_earliest_changed_date(engine, recomputed):
    send(engine, FIRST)
    send(engine, "Ngày,Mã xã,Số mẫu PCR\n02/09/2021,00001,\n01/09/2021,00004,50\n"
                 "03/09/2021,00007,9")
    assert [str(d) for d in recomputed] == ["2021-09-01", "2021-09-03"]


def test_dry_run_writes_nothing(engine):
    send(engine, FIRST)
    before = stored(engine)
    result = send(engine, "Ngày,Mã xã,Số mẫu PCR\n01/09/2021,00001,7\n05/09/2021,00007,1",
                  dry=True)
    assert (result.dry_run, result.inserted, result.superseded) == (True, 2, 1)
    assert stored(engine).equals(before) and len(upload_rows(engine)) == 1


def test_export_returns_exactly_what_is_current(engine):
    send(engine, FIRST)
    send(engine, "Ngày,Mã xã,Số mẫu PCR dương tính\n01/09/2021,00001,4")
    out = export_frame(engine)
    assert list(out.columns) == ["date", "unit_code", *METRICS]
    assert out["date"].tolist() == ["2021-09-01", "2021-09-01", "2021-09-02"]
    first = out.iloc[0]
    assert (first["new_cases_community"], first["tests_pcr"], first["tests_pcr_positive"]) == (
        3, 100, 4)
    assert out.iloc[2]["new_cases_community"] == 0 and pd.isna(out.iloc[2]["tests_pcr"])
    csv = out.to_csv(index=False)
    assert "2021-09-02,00001,0,,," in csv  # empty cells, never 0
    assert export_frame(engine, start=pd.Timestamp("2021-09-02").date())["date"].tolist() == [
        "2021-09-02"]


def test_export_round_trip_stores_nothing_new(engine):
    send(engine, FIRST)
    csv = export_frame(engine).to_csv(index=False).encode()
    result = send(engine, csv, name="export.csv")
    assert (result.inserted, result.unchanged) == (0, 3)


def test_plan_versions_is_pure():
    key = {"unit_code": ["a", "b"], "date": pd.to_datetime(["2021-09-01"] * 2)}
    new = pd.DataFrame({**key, **{m: pd.array([1, None], dtype="Int64") for m in METRICS},
                        "source_row": [2, 3]})
    cur = pd.DataFrame({"id": [10], "unit_code": ["b"], "date": pd.to_datetime(["2021-09-01"]),
                        **{m: pd.array([5], dtype="Int64") for m in METRICS}})
    plan, unchanged = plan_versions(new, cur)
    assert plan["unit_code"].tolist() == ["a"] and unchanged == 1
