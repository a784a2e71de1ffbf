"""Users, roles scoped to the unit tree, and the audit trail, through the front door
and the CLI: a commune official sends for their commune only, an observer sends
nothing, a leader declares inside their subtree only, and every action and refusal
(failed sign-ins too) is in the append-only audit."""

from __future__ import annotations

import io
import json
import logging

import pytest
import sqlalchemy as sa

from zones import api
from zones.cli import main

pytestmark = pytest.mark.both_stores

VINH_LAC, VINH_THANH, PHAO_DAI = "30745", "30733", "30775"  # 899 Rạch Giá / 900 Hà Tiên
PASSWORD = "mật-khẩu-rất-bí-mật-2021"


def cli(url, *argv, stdin: str | None = None, monkeypatch=None) -> int:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--db", url, *argv])


@pytest.fixture
def accounts(demo_copy, monkeypatch):
    """Accounts of every kind on a copy of the demo database."""
    for name, role, unit in [("xa.vinhlac", "commune", VINH_LAC),
                             ("huyen.rachgia", "district", "899"),
                             ("lanhdao.hatien", "leader", "900"),
                             ("quansat", "observer", None)]:
        argv = ["users", "add", name, "--role", role, "--password-stdin"]
        argv += ["--unit", unit] if unit else []
        assert cli(demo_copy, *argv, stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 0
    return demo_copy


def upload(tmp_path, *codes: str) -> str:
    path = tmp_path / "so-lieu.csv"
    path.write_text("Ngày,Mã xã,Số mẫu PCR\n" + "".join(f"02/09/2021,{c},77\n" for c in codes),
                    encoding="utf-8")
    return str(path)


def trail(url, **filters):
    ws = api.open_workspace(url)
    return api.audit_entries(ws, api.LOCAL_ADMIN, **filters)


def stored_pcr(url, code) -> int | None:
    ws = api.open_workspace(url)
    rows = api.export_observations(ws)
    hit = rows[(rows["unit_code"] == code) & (rows["date"] == "2021-09-02")]
    return None if hit.empty else int(hit["tests_pcr"].iloc[0])


def test_a_commune_official_sends_for_their_commune_only(accounts, tmp_path, capsys):
    before = stored_pcr(accounts, PHAO_DAI)
    code = cli(accounts, "--as", "xa.vinhlac", "observations", "import",
               upload(tmp_path, VINH_LAC, PHAO_DAI))
    out = capsys.readouterr()
    assert code == 1
    assert "ngoài phạm vi" in out.out + out.err and "Phường Vĩnh Lạc" in out.out + out.err
    assert stored_pcr(accounts, VINH_LAC) == 77
    assert stored_pcr(accounts, PHAO_DAI) == before
    entry = trail(accounts, user="xa.vinhlac", action="upload").iloc[0]
    assert entry["outcome"] == "ok" and entry["via"] == "cli"
    detail = json.loads(entry["detail"])
    assert detail["stored"] == 1 and detail["refused"] == 1
    # "who sent it" is the account, never typed
    ws = api.open_workspace(accounts)
    assert set(api.unit_history(ws, VINH_LAC)["sent_by"]) >= {"xa.vinhlac"}


def test_a_district_official_sends_for_every_commune_of_the_district(accounts, tmp_path):
    assert cli(accounts, "--as", "huyen.rachgia", "observations", "import",
               upload(tmp_path, VINH_LAC, VINH_THANH)) == 0
    assert stored_pcr(accounts, VINH_THANH) == 77


def test_an_observer_sends_nothing(accounts, tmp_path, capsys):
    before = api.data_version(api.open_workspace(accounts))
    assert cli(accounts, "--as", "quansat", "observations", "import",
               upload(tmp_path, VINH_LAC)) == 2
    assert "không có quyền" in capsys.readouterr().err
    assert api.data_version(api.open_workspace(accounts)) == before
    refused = trail(accounts, user="quansat")
    assert list(refused["outcome"]) == ["refused"] and refused["action"].iloc[0] == "upload"


def test_a_leader_declares_inside_their_subtree_only(accounts, capsys):
    ok = cli(accounts, "--as", "lanhdao.hatien", "declarations", "add", "--unit", PHAO_DAI,
             "--level", "3", "--from", "2021-09-05", "--decision", "12/QĐ-UBND")
    assert ok == 0
    assert cli(accounts, "--as", "lanhdao.hatien", "declarations", "add", "--unit", VINH_LAC,
               "--level", "3", "--from", "2021-09-05", "--decision", "13/QĐ-UBND") == 2
    assert "ngoài phạm vi" in capsys.readouterr().err
    decl = api.declarations(api.open_workspace(accounts))
    assert list(decl["unit_code"]) == [PHAO_DAI]
    assert list(decl["entered_by"]) == ["lanhdao.hatien"]
    got = trail(accounts, user="lanhdao.hatien")
    assert set(zip(got["action"], got["outcome"], strict=True)) == {("declared", "ok"),
                                                       ("declared", "refused")}
    # staff do not declare at all
    assert cli(accounts, "--as", "huyen.rachgia", "declarations", "add", "--unit", VINH_LAC,
               "--level", "3", "--from", "2021-09-05", "--decision", "14/QĐ-UBND") == 2


def test_boundaries_and_accounts_need_an_administrator(accounts, tmp_path, capsys):
    out = tmp_path / "units.csv"
    assert cli(accounts, "units", "export", "--out", str(out)) == 0
    assert cli(accounts, "--as", "huyen.rachgia", "units", "import", str(out)) == 2
    assert cli(accounts, "--as", "huyen.rachgia", "users", "list") == 2
    assert cli(accounts, "--as", "lanhdao.hatien", "units", "activate", "1") == 2
    capsys.readouterr()


def test_a_disabled_account_cannot_be_used(accounts, tmp_path, capsys):
    assert cli(accounts, "users", "disable", "xa.vinhlac") == 0
    assert cli(accounts, "--as", "xa.vinhlac", "observations", "import",
               upload(tmp_path, VINH_LAC)) == 2
    assert "bị khóa" in capsys.readouterr().err
    with pytest.raises(api.AccessError):
        api.sign_in(api.open_workspace(accounts), "xa.vinhlac", PASSWORD)
    assert cli(accounts, "--as", "quansat", "users", "enable", "xa.vinhlac") == 2  # admins
    assert cli(accounts, "users", "enable", "xa.vinhlac") == 0
    assert "Đã mở lại tài khoản xa.vinhlac" in capsys.readouterr().err
    assert cli(accounts, "--as", "xa.vinhlac", "observations", "import",
               upload(tmp_path, VINH_LAC)) == 0
    assert cli(accounts, "users", "enable", "khong.co.ai") == 2


def test_sign_in_wrong_passwords_lock_the_account_and_are_audited(accounts):
    ws = api.open_workspace(accounts)
    who = api.sign_in(ws, "huyen.rachgia", PASSWORD)
    assert who.role == "district" and who.unit == "899"
    for _ in range(5):
        with pytest.raises(api.AccessError):
            api.sign_in(ws, "huyen.rachgia", "sai-mat-khau")
    with pytest.raises(api.AccessError, match="tạm khóa"):
        api.sign_in(ws, "huyen.rachgia", PASSWORD)  # locked, even with the right one
    with pytest.raises(api.AccessError):
        api.sign_in(ws, "khong.co.ai", "x" * 10)
    signs = trail(accounts, action="sign_in")
    assert (signs["outcome"] == "refused").sum() == 7 and (signs["outcome"] == "ok").sum() == 1
    assert "kho…" in set(signs["actor"])  # an unknown name, cut short (issue 20)
    assert "khong.co.ai" not in set(signs["actor"])


def everything_stored(ws) -> bytes:
    """The database's whole content: the file of SQLite, every table's rows otherwise."""
    if ws.url.startswith("sqlite:///"):
        with open(ws.url.removeprefix("sqlite:///"), "rb") as fh:
            return fh.read()
    with ws.engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        return "\n".join(str(row) for name in tables
                         for row in conn.execute(sa.text(f'SELECT * FROM "{name}"'))).encode()


def test_passwords_are_never_stored_logged_or_audited(accounts, caplog):
    caplog.set_level(logging.DEBUG)
    ws = api.open_workspace(accounts)
    api.sign_in(ws, "quansat", PASSWORD)
    with pytest.raises(api.AccessError):
        api.sign_in(ws, "quansat", PASSWORD + "x")
    raw = everything_stored(ws)
    for secret in (PASSWORD, PASSWORD + "x"):
        assert secret.encode() not in raw
        assert secret not in caplog.text
        assert not trail(accounts)["detail"].fillna("").str.contains(secret).any()
    hashes = api.list_users(ws, api.LOCAL_ADMIN)
    assert "password_hash" not in hashes.columns


def test_the_audit_trail_is_append_only(accounts):
    ws = api.open_workspace(accounts)
    assert not hasattr(api, "update_audit") and not hasattr(api, "delete_audit")
    with pytest.raises(sa.exc.DatabaseError), ws.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit SET actor = 'someone else'"))
    with pytest.raises(sa.exc.DatabaseError), ws.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit"))
    assert len(trail(accounts)) >= 4


def test_audit_cli_filters_and_writes_csv(accounts, tmp_path, capsys):
    cli(accounts, "--as", "xa.vinhlac", "observations", "import", upload(tmp_path, VINH_LAC))
    out = tmp_path / "nhat-ky.csv"
    assert cli(accounts, "audit", "--user", "xa.vinhlac", "--out", str(out)) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "xa.vinhlac" in text and "upload" in text and "user_added" not in text
    assert cli(accounts, "--as", "xa.vinhlac", "audit") == 2  # staff do not read it
    capsys.readouterr()


def rows_file(tmp_path, name, rows) -> str:
    path = tmp_path / name
    path.write_text("Ngày,Mã xã,Số mẫu PCR\n" + "".join(f"{d},{c},{v}\n" for d, c, v in rows),
                    encoding="utf-8")
    return str(path)


def test_an_approved_week_is_locked_until_its_approver_unlocks_it(accounts, tmp_path, capsys):
    assert cli(accounts, "--as", "huyen.rachgia", "approve", "--unit", "899",
               "--week", "08/09/2021") == 0
    # a correction inside the locked week is refused by row, the rest is stored
    code = cli(accounts, "--as", "xa.vinhlac", "observations", "import", rows_file(
        tmp_path, "sua.csv", [("07/09/2021", VINH_LAC, 91), ("02/09/2021", VINH_LAC, 92)]))
    out = capsys.readouterr()
    assert code == 1 and "huyen.rachgia" in out.out + out.err
    assert stored_pcr(accounts, VINH_LAC) == 92
    # only the approver (or an admin) unlocks
    assert cli(accounts, "--as", "xa.vinhlac", "approve", "--unit", "899", "--week",
               "06/09/2021", "--unlock") == 2
    assert cli(accounts, "--as", "lanhdao.hatien", "approve", "--unit", "899", "--week",
               "06/09/2021", "--unlock") == 2
    assert cli(accounts, "--as", "huyen.rachgia", "approve", "--unit", "899", "--week",
               "12/09/2021", "--unlock") == 0
    assert cli(accounts, "--as", "xa.vinhlac", "observations", "import", rows_file(
        tmp_path, "sua2.csv", [("07/09/2021", VINH_LAC, 93)])) == 0
    kinds = trail(accounts, unit="899")
    assert {"approved", "unlocked"} <= set(kinds["action"])
    assert (kinds["outcome"] == "refused").sum() == 2
    capsys.readouterr()


def test_a_week_is_approved_only_once_every_commune_has_reported(accounts, capsys):
    assert cli(accounts, "--as", "huyen.rachgia", "approve", "--unit", "899",
               "--week", "03/01/2022") == 2
    assert "chưa gửi số liệu" in capsys.readouterr().err
    assert cli(accounts, "--as", "huyen.rachgia", "approve", "--unit", "900",
               "--week", "06/09/2021") == 2  # outside the district's subtree
    capsys.readouterr()


def test_an_observer_without_export_reads_but_does_not_export(accounts, monkeypatch, capsys):
    assert cli(accounts, "users", "add", "baochi", "--role", "observer", "--no-export",
               "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 0
    assert cli(accounts, "--as", "quansat", "assess", "--date", "2021-09-05") == 0
    capsys.readouterr()
    for argv in (["assess", "--date", "2021-09-05"], ["units", "export"],
                 ["observations", "export"]):
        assert cli(accounts, "--as", "baochi", *argv) == 2
    assert "xuất dữ liệu" in capsys.readouterr().err
    assert set(trail(accounts, user="baochi")["outcome"]) == {"refused"}


def test_the_map_marks_units_whose_week_is_not_approved(accounts):
    from datetime import date

    from zones.maps.mapview import pending_string

    ws = api.open_workspace(accounts)
    view = api.day_view(ws, date(2021, 9, 8))
    assert api.unapproved_units(ws, view.codes, view.day) == set()  # workflow not in use
    hat = api.actor_named(ws, "huyen.rachgia")
    api.approve_week(ws, hat, "899", date(2021, 9, 8))
    pending = api.unapproved_units(ws, view.codes, view.day)
    rach_gia = {c for c, p in zip(view.codes, view.parents, strict=True) if p == "899"}
    assert rach_gia and not rach_gia & pending and len(pending) == len(view.codes) - len(rach_gia)
    text = pending_string(view.codes, pending)
    assert text.count("1") == len(pending)
    # the next week is not approved: every unit is pending again
    later = api.day_view(ws, date(2021, 9, 15))
    assert api.unapproved_units(ws, later.codes, later.day) == set(later.codes)


def test_single_sign_on_maps_to_the_account_named_by_email(accounts, monkeypatch):
    assert cli(accounts, "users", "add", "can.bo@kiengiang.gov.vn", "--role", "district",
               "--unit", "900", "--password-stdin", stdin=PASSWORD + "\n",
               monkeypatch=monkeypatch) == 0
    ws = api.open_workspace(accounts)
    who = api.sso_sign_in(ws, "can.bo@kiengiang.gov.vn")
    assert who.role == "district" and who.unit == "900" and who.via == "sso"
    with pytest.raises(api.AccessError, match="chưa được cấp vai trò"):
        api.sso_sign_in(ws, "la.mat@example.invalid")
    signs = trail(accounts, action="sign_in")
    assert {"can.bo@kiengiang.gov.vn", "la.mat@example.invalid"} <= set(signs["actor"])


def test_communes_marked_not_reporting_let_a_week_be_approved(accounts, capsys):
    assert cli(accounts, "--as", "huyen.rachgia", "approve", "--unit", "899",
               "--week", "03/01/2022") == 2
    assert cli(accounts, "--as", "huyen.rachgia", "approve", "--unit", "899",
               "--week", "03/01/2022", "--mark-silent") == 0
    entry = trail(accounts, action="approved").iloc[0]
    detail = json.loads(entry["detail"])
    assert VINH_LAC in detail["not_reported"] and "không báo cáo" in detail["note"]
    capsys.readouterr()


def test_a_lock_reaches_every_unit_below_the_approved_one():
    from datetime import date

    from zones.people.approvals import Locks

    week = date(2021, 9, 6)
    parents = {"91": None, "899": "91", VINH_LAC: "899", "ap-1": VINH_LAC, "900": "91"}
    locks = Locks({("899", week): "by huyen"}, parents)
    assert locks("ap-1", week) == locks(VINH_LAC, week) == "by huyen"
    assert locks("900", week) is None and locks("91", week) is None
    assert locks(VINH_LAC, date(2021, 9, 13)) is None
    looped = Locks({}, {"a": "b", "b": "a"})  # a broken tree cannot hang the walk
    assert looped("a", week) is None


def test_an_official_works_in_a_unit_of_their_roles_level(accounts, capsys, monkeypatch):
    """A district official's unit is a district (the page offers only those; the core
    refuses the others, from the CLI too)."""
    assert cli(accounts, "users", "add", "huyen.sai", "--role", "district", "--unit",
               VINH_LAC, "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 2
    err = capsys.readouterr().err
    assert "30745" in err and "Xã/phường" in err and "Huyện/quận" in err
    assert "huyen.sai" not in set(api.list_users(api.open_workspace(accounts),
                                                 api.LOCAL_ADMIN)["name"])
    assert cli(accounts, "users", "add", "lanhdao.xa", "--role", "leader", "--unit",
               VINH_LAC, "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 0
