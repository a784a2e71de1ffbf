"""The "Tài khoản" page: an administrator creates, disables, enables accounts and sets new
passwords, all through the front door (audited); anyone else is refused."""

from __future__ import annotations

import pytest

from tests.test_app import run_page
from zones import api
from zones.people.access import Role

ADMIN = api.Actor("quantri", Role.ADMIN, None, "page")
PAGE = "app_pages/accounts.py"


def said(at, text: str) -> bool:
    """Whether a success message says ``text`` (names in it are Markdown-escaped)."""
    return any(text in s.value.replace("\\", "") for s in at.success)


def button(at, key):
    return next(b for b in at.button if b.key == key)


def add(at, name, password, again=None, role="commune", unit="30745"):
    at.text_input(key="acct_name").input(name)
    at.selectbox(key="acct_role").set_value(role).run()
    if unit is not None:
        at.selectbox(key=f"acct_unit_{role}").set_value(unit)
    at.text_input(key="acct_password").input(password)
    at.text_input(key="acct_again").input(password if again is None else again)
    button(at, "acct_add").click()
    return at.run()


def test_an_administrator_manages_accounts_on_the_page(demo_copy, use_db):
    use_db(demo_copy)
    ws = api.open_workspace(demo_copy)
    at = run_page(PAGE, _actor=ADMIN)
    assert not at.exception
    assert any("Chưa có tài khoản" in i.value for i in at.info)

    at = add(at, "xa.vinhlac", "mat-khau-1", again="mat-khau-2")
    assert any("không khớp" in e.value for e in at.error)
    assert not api.has_accounts(ws)

    at = add(at, "xa.vinhlac", "ngan")  # too short: the core's own message
    assert any("ít nhất 8" in e.value for e in at.error)

    at = add(at, "xa.vinhlac", "mat-khau-xa-2021")
    assert not at.exception
    assert said(at, "Đã tạo tài khoản xa.vinhlac")
    table = at.dataframe[0].value
    assert table.iloc[0]["Tài khoản"] == "xa.vinhlac"
    assert table.iloc[0]["Đơn vị"] == "Phường Vĩnh Lạc (30745)"
    assert table.iloc[0]["Vai trò"] == "Cán bộ xã"
    assert api.sign_in(ws, "xa.vinhlac", "mat-khau-xa-2021").unit == "30745"

    at.selectbox(key="acct_who").set_value("xa.vinhlac").run()
    button(at, "acct_disable").click()
    at = at.run()
    assert said(at, "Đã khóa tài khoản xa.vinhlac")
    assert at.dataframe[0].value.iloc[0]["Trạng thái"] == "đã khóa"
    with pytest.raises(api.AccessError):
        api.sign_in(ws, "xa.vinhlac", "mat-khau-xa-2021")

    button(at, "acct_enable").click()
    at = at.run()
    assert said(at, "Đã mở lại tài khoản xa.vinhlac")

    at.text_input(key="acct_new").input("mat-khau-moi-2022")
    at.text_input(key="acct_new_again").input("mat-khau-moi-2022")
    button(at, "acct_reset").click()
    at = at.run()
    assert said(at, "Đã đặt lại mật khẩu cho xa.vinhlac")
    assert api.sign_in(ws, "xa.vinhlac", "mat-khau-moi-2022").name == "xa.vinhlac"

    trail = api.audit_entries(ws, api.LOCAL_ADMIN)
    done = trail[trail["actor"] == "quantri"]["action"].tolist()
    for action in ("user_added", "user_disabled", "user_enabled", "user_password_reset"):
        assert action in done


def test_a_leader_may_be_made_without_a_unit_and_an_observer_without_export(demo_copy, use_db):
    use_db(demo_copy)
    at = run_page(PAGE, _actor=ADMIN)
    at = add(at, "lanhdao.tinh", "mat-khau-lanh-dao", role="leader", unit="")
    at.text_input(key="acct_name").input("quansat")
    at.selectbox(key="acct_role").set_value("observer").run()
    at.checkbox(key="acct_no_export").check()
    at.text_input(key="acct_password").input("mat-khau-quan-sat")
    at.text_input(key="acct_again").input("mat-khau-quan-sat")
    button(at, "acct_add").click()
    at = at.run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("Tài khoản")
    assert table.at["lanhdao.tinh", "Đơn vị"] == "toàn tỉnh (mọi đơn vị)"
    assert table.at["quansat", "Được tải xuống"] == "không"


@pytest.mark.parametrize("role", [Role.LEADER, Role.DISTRICT, Role.OBSERVER])
def test_only_an_administrator_manages_accounts(demo_copy, use_db, role):
    use_db(demo_copy)
    at = run_page(PAGE, _actor=api.Actor("ai.do", role, "899" if role is Role.DISTRICT
                                         else None, "page"))
    assert not at.exception
    assert any("không có quyền quản lý tài khoản" in e.value for e in at.error)
    assert not at.dataframe and not [b for b in at.button if b.key == "acct_add"]
