"""Declarations are one-shot decisions (issue 20, item 4): nothing is saved for a unit no
one chose, the page repeats what it will store before a second button stores it, a
revocation is asked for too and keeps the declaration listed as revoked (ignored by every
level in force), and ids are never handed out twice, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from streamlit.testing.v1 import AppTest

from tests.test_markdown_safety import MD_DECISION, MD_NAME, assert_literal, markdown_sources
from zones import api
from zones.cli import main
from zones.errors import ZonesError
from zones.levels import declarations as decl_levels
from zones.levels.refresh import refresh
from zones.safe import md_text
from zones.storage import store
from zones.storage.db import alembic_config, open_db
from zones.storage.schema import declarations as decl_table
from zones.storage.schema import units as units_table

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "app_pages" / "declarations.py")
VINH_LAC, AN_BINH, PHAO_DAI = "30745", "30751", "30775"
LEADER = api.Actor("lanhdao", api.Role.LEADER, None, "page")
DAY = date(2021, 9, 3)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def declare(ws, code=PHAO_DAI, level=4, decision="2875/QĐ-UBND", **more):
    return api.declare(ws, actor=LEADER, unit_code=code, level=level,
                       effective_from=more.pop("start", date(2021, 9, 2)),
                       effective_to=more.pop("end", date(2021, 9, 5)),
                       decision_number=decision, now=datetime(2021, 8, 1), **more)


# --- the store: revoked rows stay, ids never come back ----------------------------------------

@pytest.mark.both_stores
def test_ids_are_never_reused_after_a_revocation_or_a_lost_last_row(demo_copy):
    ws = api.open_workspace(demo_copy)
    first = declare(ws).id
    api.revoke(ws, first, LEADER)
    second = declare(ws, VINH_LAC, 3, "2/QĐ-UBND").id
    assert second > first
    # even the last row gone from the table (a hand-made DELETE): its id stays used
    with ws.engine.begin() as conn:
        conn.execute(sa.delete(decl_table).where(decl_table.c.id == second))
    third = declare(ws, VINH_LAC, 2, "3/QĐ-UBND").id
    assert third > second
    assert api.declarations(ws)["id"].tolist() == [first, third]


@pytest.mark.both_stores
def test_a_revoked_declaration_stays_listed_and_applies_nowhere(demo_copy):
    ws = api.open_workspace(demo_copy)
    computed = int(api.computed_levels(ws).row(DAY, [PHAO_DAI])[0])
    new_id = declare(ws, level=4 if computed != 4 else 1).id
    assert int(api.levels_in_force(ws).row(DAY, [PHAO_DAI])[0]) != computed
    api.revoke(ws, new_id, LEADER)
    listed = api.declarations(ws).set_index("id").loc[new_id]
    assert listed["revoked_by"] == "lanhdao" and listed["revoked_at"] is not None
    assert listed["decision_number"] == "2875/QĐ-UBND"  # what it said is kept
    assert int(api.levels_in_force(ws).row(DAY, [PHAO_DAI])[0]) == computed
    view = api.day_view(ws, DAY)
    pos = list(view.codes).index(PHAO_DAI)
    assert int(view.declared[pos]) == 0 and view.decision[pos] == ""
    entry = api.audit_entries(ws, api.LOCAL_ADMIN, action="revoked").iloc[0]
    assert entry["actor"] == "lanhdao" and "2875/QĐ-UBND" in entry["detail"]


@pytest.mark.both_stores
def test_the_cli_lists_a_revoked_declaration_and_assess_shows_the_computed_level(capsys,
                                                                                demo_copy):
    db = ("--db", demo_copy)
    code, out, _ = run(capsys, *db, "declarations", "add", "--unit", PHAO_DAI, "--level", "4",
                       "--from", "02/09/2021", "--to", "05/09/2021", "--decision", "9/QĐ-UBND")
    assert code == 0
    code, out, _ = run(capsys, *db, "declarations", "revoke", "1")
    assert code == 0 and "thu hồi công bố mã 1" in out
    code, out, _ = run(capsys, *db, "declarations", "list")
    header = out.splitlines()[0].split(",")
    assert header == ["id", "unit_code", "unit_name", "level", "effective_from",
                      "effective_to", "decision_number", "entered_by", "entered_at", "note",
                      "signed_by", "status", "revoked_by", "revoked_at"]
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["decision_number"], r["status"], r["revoked_by"]) for r in rows] == [
        ("1", "9/QĐ-UBND", "revoked", "local-admin")]
    assert len(rows[0]["revoked_at"]) == len("07/12/2026 09:00")
    code, out, _ = run(capsys, *db, "assess", "--date", "2021-09-03")
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["unit_code"] == PHAO_DAI)
    assert (row["declared_level"], row["decision"]) == ("", "")
    assert row["level"] == row["computed_level"]
    code, out, _ = run(capsys, *db, "declarations", "add", "--unit", VINH_LAC, "--level", "2",
                       "--from", "02/09/2021", "--decision", "10/QĐ-UBND")
    assert code == 0 and "mã 2" in out  # not 1 again


@pytest.mark.both_stores
@pytest.mark.parametrize(("argv", "expected"), [
    (["revoke", "1"], r"mã 1 \(9/QĐ-UBND\) đã được local-admin thu hồi lúc \d\d/\d\d/\d{4}"),
    (["revoke", "42"], "Không có công bố mã 42"),
])
def test_revoking_twice_or_an_unknown_id_says_so_and_exits_2(capsys, demo_copy, argv,
                                                              expected):
    db = ("--db", demo_copy)
    assert run(capsys, *db, "declarations", "add", "--unit", PHAO_DAI, "--level", "4",
               "--from", "02/09/2021", "--decision", "9/QĐ-UBND")[0] == 0
    assert run(capsys, *db, "declarations", "revoke", "1")[0] == 0
    code, _, err = run(capsys, *db, "declarations", *argv)
    assert code == 2 and "Traceback" not in err
    assert re.search(expected, err), err
    rows = list(csv.DictReader(io.StringIO(run(capsys, *db, "declarations", "list")[1])))
    assert [r["status"] for r in rows] == ["revoked"]


@pytest.mark.both_stores
def test_revoke_twice_through_the_api_is_refused_in_words(demo_copy):
    ws = api.open_workspace(demo_copy)
    new_id = declare(ws).id
    api.revoke(ws, new_id, LEADER)
    with pytest.raises(ZonesError, match=r"đã được lanhdao thu hồi lúc .*không còn gì"):
        api.revoke(ws, new_id, api.LOCAL_ADMIN)
    assert api.declarations(ws).set_index("id").at[new_id, "revoked_by"] == "lanhdao"


# --- checking without storing: what the confirmation repeats ----------------------------------

@pytest.mark.both_stores
@pytest.mark.parametrize(("unit", "level", "start", "decision", "messages"), [
    (None, 3, date(2021, 9, 5), "1/QĐ", ["Chưa chọn đơn vị", "không dấu cũng được"]),
    ("", None, date(2021, 9, 5), "1/QĐ", ["Chưa chọn đơn vị", "Chưa chọn cấp độ"]),
    (VINH_LAC, None, None, " ", ["Chưa chọn cấp độ", "Thiếu ngày hiệu lực",
                                 "Thiếu số quyết định"]),
])
def test_a_declaration_without_a_chosen_unit_or_level_is_refused_in_words(
        demo_copy, unit, level, start, decision, messages):
    ws = api.open_workspace(demo_copy)
    for call in (api.check_declaration, api.declare):
        with pytest.raises(ZonesError) as err:
            call(ws, actor=LEADER, unit_code=unit, level=level, effective_from=start,
                 decision_number=decision)
        for message in messages:
            assert message in str(err.value)
    assert api.declarations(ws).empty


@pytest.mark.both_stores
def test_the_check_names_the_unit_with_its_district_and_province_and_stores_nothing(
        demo_copy):
    ws = api.open_workspace(demo_copy)
    got = api.check_declaration(ws, actor=LEADER, unit_code=VINH_LAC, level=4,
                                effective_from=date(2021, 9, 2), decision_number=" 7/QĐ ",
                                signed_by=" Nguyễn Văn A ", now=datetime(2021, 9, 1, 14))
    assert (got.unit_name, got.unit_level, got.parents) == (
        "Phường Vĩnh Lạc", "commune", ("Thành phố Rạch Giá", "Tỉnh Kiên Giang"))
    assert (got.level, got.effective_from, got.effective_to) == (4, date(2021, 9, 2), None)
    assert (got.decision_number, got.signed_by) == ("7/QĐ", "Nguyễn Văn A")
    assert got.warnings == ()  # Vĩnh Lạc is at level 4 already on 01/09/2021
    # Phường Pháo Đài is green that day: declared red for the next morning, the check
    # gives the warning saving would give (NQ 128: 48 hours)
    got = api.check_declaration(ws, actor=LEADER, unit_code=PHAO_DAI, level=4,
                                effective_from=date(2021, 9, 2), decision_number="8/QĐ",
                                now=datetime(2021, 9, 1, 14))
    assert len(got.warnings) == 1 and "48 giờ" in got.warnings[0]
    assert api.declarations(ws).empty
    assert api.audit_entries(ws, api.LOCAL_ADMIN, action="declared").empty


# --- the migration ------------------------------------------------------------------------------

@pytest.mark.both_stores
def test_the_migration_keeps_declarations_and_stops_reusing_their_ids(blank_url):
    engine = sa.create_engine(blank_url)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0011")
        for i in (1, 2):
            conn.execute(sa.text(
                "INSERT INTO declarations (unit_code, level, effective_from, decision_number,"
                " entered_by, entered_at) VALUES (:u, 3, '2021-09-01', :d, 'x',"
                " '2021-09-01 08:00:00')"), {"u": VINH_LAC, "d": f"{i}/QĐ"})
    engine.dispose()
    open_db.cache_clear()
    upgraded = open_db(blank_url)
    kept = store.load_declarations(upgraded)
    assert kept["id"].tolist() == [1, 2] and kept["revoked_at"].isna().all()
    with upgraded.begin() as conn:
        conn.execute(sa.delete(decl_table).where(decl_table.c.id == 2))
        new_id = conn.execute(sa.insert(decl_table).values(
            unit_code=VINH_LAC, level=2, effective_from=date(2021, 9, 2),
            decision_number="3/QĐ", entered_by="x",
            entered_at=datetime(2021, 9, 2))).inserted_primary_key[0]
    assert new_id == 3
    if upgraded.dialect.name == "sqlite":
        with upgraded.connect() as conn:
            sql = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' "
                                       "AND name = 'declarations'")).scalar()
        assert "AUTOINCREMENT" in sql


# --- the page -----------------------------------------------------------------------------------

def page(url: str, monkeypatch, **state) -> AppTest:
    monkeypatch.setenv("ZONES_DB", url)
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = "vi"
    at.session_state["_actor"] = LEADER
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def fill(at: AppTest, unit: str | None = VINH_LAC, decision: str = "2875/QĐ-UBND") -> None:
    at.text_input(key="decl_query").input("vinh lac").run()
    if unit is not None:
        at.radio(key="decl_unit").set_value(unit)
    at.selectbox(key="decl_level").set_value(3)
    at.date_input(key="decl_from").set_value(date(2021, 9, 10))
    at.text_input(key="decl_decision").input(decision)
    at.run()


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def test_the_page_starts_with_no_unit_and_names_the_map_s_unit_without_choosing_it(
        demo_copy, monkeypatch):
    at = page(demo_copy, monkeypatch, selected=AN_BINH)
    assert any("Phường An Bình" in i.value and "không được chọn sẵn" in i.value
               for i in at.info)
    assert at.selectbox(key="decl_level").value is None
    assert at.date_input(key="decl_from").value is None
    fill(at, unit=None)  # "vinh lac" typed and Enter: a list to choose from, no choice
    radio = at.radio(key="decl_unit")
    assert radio.value is None and radio.options == [
        "Phường Vĩnh Lạc (xã/phường/thị trấn, mã 30745) — thuộc Thành phố Rạch Giá, "
        "Tỉnh Kiên Giang"]
    at.button(key="decl_save").click().run()
    assert any("Chưa chọn đơn vị" in e.value for e in at.error)
    assert "Xác nhận công bố" not in labels(at)
    assert api.declarations(api.open_workspace(demo_copy)).empty


def test_the_map_s_unit_is_chosen_only_by_its_button(demo_copy, monkeypatch):
    at = page(demo_copy, monkeypatch, selected=AN_BINH)
    at.button(key="decl_use_map").click().run()
    assert at.radio(key="decl_unit").value == AN_BINH
    assert any("Đơn vị sẽ công bố: Phường An Bình" in s.value for s in at.success)


def test_the_page_repeats_the_declaration_and_saves_only_once_confirmed(demo_copy,
                                                                       monkeypatch):
    at = page(demo_copy, monkeypatch, selected=AN_BINH)
    fill(at)
    at.text_input(key="decl_signed_by").input("Nguyễn Văn A").run()
    at.button(key="decl_save").click().run()
    repeated = " ".join(m.value for m in at.markdown)
    for part in ("Đơn vị: Phường Vĩnh Lạc (xã/phường/thị trấn, mã 30745), thuộc Thành phố "
                 "Rạch Giá, Tỉnh Kiên Giang", "Cấp độ công bố: Cấp 3 – Nguy cơ cao",
                 "Hiệu lực: từ 10/09/2021, chưa có ngày kết thúc",
                 "Quyết định số 2875\\/QĐ\\-UBND; người ký: Nguyễn Văn A"):
        assert part in repeated
    ws = api.open_workspace(demo_copy)
    assert api.declarations(ws).empty  # "Lưu" alone stores nothing
    at.button(key="decl_confirm").click().run()
    assert not at.exception, at.exception
    assert any("Đã lưu công bố mã 1: Phường Vĩnh Lạc" in s.value for s in at.success)
    stored = api.declarations(ws)
    assert stored[["unit_code", "level", "decision_number", "signed_by"]].values.tolist() == [
        [VINH_LAC, 3, "2875/QĐ-UBND", "Nguyễn Văn A"]]
    assert at.text_input(key="decl_query").value == ""  # the form is empty again
    assert at.text_input(key="decl_decision").value == ""


@pytest.mark.parametrize(("key", "value"), [
    ("decl_level", 4), ("decl_decision", "2876/QĐ-UBND"), ("decl_query", "an binh"),
    ("decl_to", date(2021, 9, 30)),
])
def test_changing_a_field_cancels_the_pending_confirmation(demo_copy, monkeypatch, key,
                                                           value):
    at = page(demo_copy, monkeypatch)
    fill(at)
    at.button(key="decl_save").click().run()
    assert "Xác nhận công bố" in labels(at)
    widget = {"decl_level": at.selectbox, "decl_to": at.date_input}.get(key, at.text_input)
    widget(key=key).set_value(value).run()
    assert "Xác nhận công bố" not in labels(at)
    assert any("chưa lưu gì" in i.value for i in at.info)
    assert api.declarations(api.open_workspace(demo_copy)).empty


def test_revoking_on_the_page_asks_first_and_keeps_the_row(demo_copy, monkeypatch):
    ws = api.open_workspace(demo_copy)
    new_id = declare(ws, VINH_LAC, 3, "2875/QĐ-UBND").id
    at = page(demo_copy, monkeypatch)
    assert at.button(key="decl_revoke").disabled  # nothing chosen yet
    at.selectbox(key="decl_victim").set_value(new_id).run()
    at.button(key="decl_revoke").click().run()
    asked = " ".join(m.value for m in at.markdown)
    assert ("Quyết định số 2875\\/QĐ\\-UBND (mã 1): Phường Vĩnh Lạc (mã 30745), Cấp 3 – "
            "Nguy cơ cao, từ 02/09/2021 đến 05/09/2021") in asked
    assert api.declarations(ws)["revoked_at"].isna().all()  # asked, not revoked yet
    at.button(key="decl_revoke_confirm").click().run()
    assert not at.exception, at.exception
    assert any("Đã thu hồi công bố mã 1" in s.value for s in at.success)
    assert api.declarations(ws).at[0, "revoked_by"] == "lanhdao"
    table = at.dataframe[0].value
    assert table["Trạng thái"].str.startswith("Đã thu hồi (lanhdao, ").tolist() == [True]
    assert any("Không có quyết định nào đang áp dụng" in c.value for c in at.caption)


def test_a_unit_and_decision_written_in_markdown_are_repeated_literally(demo_copy,
                                                                       monkeypatch):
    """Names and decision numbers are data: the list of matches, the chosen unit and the
    confirmation show them as written."""
    ws = api.open_workspace(demo_copy)
    with ws.engine.begin() as conn:
        conn.execute(sa.update(units_table).where(units_table.c.code == VINH_LAC)
                     .values(name=MD_NAME))
    refresh(ws)
    at = page(demo_copy, monkeypatch)
    at.text_input(key="decl_query").input(VINH_LAC).run()
    at.radio(key="decl_unit").set_value(VINH_LAC)
    at.selectbox(key="decl_level").set_value(3)
    at.date_input(key="decl_from").set_value(date(2021, 9, 10))
    at.text_input(key="decl_decision").input(MD_DECISION)
    at.run()
    at.button(key="decl_save").click().run()
    assert not at.exception, at.exception
    sources = markdown_sources(at) + at.radio(key="decl_unit").options
    assert_literal(sources)
    assert any(f"Đơn vị: {md_text(MD_NAME)} (xã/phường/thị trấn" in s for s in sources)
    assert any(md_text(MD_DECISION) in s for s in sources)


@pytest.mark.both_stores
def test_revoking_is_judged_on_the_stored_declaration_not_a_cached_view(demo_copy):
    """A declaration stored but not yet in the day view (its refresh not run yet) still
    belongs to its unit: a leader of another district may not revoke it."""
    ws = api.open_workspace(demo_copy)
    units = api.units(ws)
    parent = units.at[PHAO_DAI, "parent_code"]
    other = next(c for c in units.index[units["level"] == "district"] if c != parent)
    api.add_user(ws, api.LOCAL_ADMIN, "lanhdao.khac", "mat-khau-dai", "leader", other)
    scoped = api.actor_named(ws, "lanhdao.khac")
    api.day_view(ws, DAY)  # the view cached before the declaration exists
    new_id = decl_levels.insert(ws.engine, unit_code=PHAO_DAI, level=4,
                                effective_from=date(2021, 9, 2), effective_to=None,
                                decision_number="9/QĐ-UBND", entered_by="lanhdao",
                                note=None, stamp=datetime(2021, 8, 1), signed_by=None)
    with pytest.raises(api.AccessError):
        api.revoke(ws, new_id, scoped)
    listed = api.declarations(ws)
    assert listed.loc[listed["id"] == new_id, "revoked_at"].isna().all()
