"""Sign-in that guessing cannot get round, and sessions that follow their account
(issue 20, "Trust, second round", items 1, 2 and the audit of unknown names):

- guesses sent at once are counted one by one before any password is checked, so twenty
  parallel wrong passwords lock the account with at most five checked;
- an unknown name, a wrong password, a locked and a disabled account get the same message
  after the same work (their median times within 50 ms over 50 tries each);
- the lock is per account and client address (another address still signs in), grows
  after each lock of that address, expires, and an administrator lifts it;
- every page run checks the account behind its session, cookie or not, and the front
  door refuses a write by an account disabled since it signed in;
- a name that is no account is audited cut short and marked, never as typed.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.test_access import everything_stored
from zones import api
from zones.cli import main
from zones.people import accounts
from zones.settings import DEFAULTS, Settings
from zones.storage import store
from zones.storage.schema import sign_in_throttle, users

PASSWORD = "mật-khẩu-rất-bí-mật-2021"
WRONG = "sai-mat-khau-2021"
ATTACKER, OFFICE = "203.0.113.9", "198.51.100.20"


@pytest.fixture
def ws(empty_url):
    """A new database with an administrator, an observer and a leader (no units
    needed), each with ``PASSWORD``."""
    ws = api.open_workspace(empty_url, wait_for_levels=False)
    for name, role in [("quantri", "admin"), ("quansat", "observer"),
                       ("lanhdao", "leader")]:
        api.add_user(ws, api.LOCAL_ADMIN, name, PASSWORD, role)
    return ws


def refusal(ws, name: str, password: str, address: str | None = None) -> str:
    """The message of a refused sign-in (fails the test if it was accepted)."""
    with pytest.raises(api.AccessError) as err:
        api.sign_in(ws, name, password, address=address)
    return str(err.value)


def sign_ins(ws, **filters):
    rows = api.audit_entries(ws, api.LOCAL_ADMIN, action="sign_in", **filters)
    return rows.assign(reason=rows["detail"].fillna("").str.extract(r'"reason": "([^"]+)"'))


def parallel(ws, attempts: list[tuple[str, str, str | None]]) -> list[str]:
    """Send every (name, password, address) at once from its own thread; "ok" or the
    refusal of each."""
    def one(attempt):
        try:
            api.sign_in(ws, *attempt[:2], address=attempt[2])
            return "ok"
        except api.AccessError as err:
            return str(err)
    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(one, attempts))


@pytest.mark.real_password_cost  # the argon2 check's real length matters here
@pytest.mark.both_stores
def test_twenty_parallel_wrong_passwords_lock_the_account_after_five_checks(ws):
    results = parallel(ws, [("quansat", WRONG, ATTACKER)] * 20)
    assert "ok" not in results and len(set(results)) == 1  # one message for all
    reasons = sign_ins(ws, user="quansat")["reason"].value_counts().to_dict()
    assert reasons == {"wrong password": DEFAULTS.max_failed_sign_ins,
                       "locked": 20 - DEFAULTS.max_failed_sign_ins}
    # the right password from that address is refused now ...
    assert refusal(ws, "quansat", PASSWORD, ATTACKER) == results[0]
    # ... while the account's owner, elsewhere, still signs in: no lock-out of everyone
    assert api.sign_in(ws, "quansat", PASSWORD, address=OFFICE).name == "quansat"
    assert refusal(ws, "quansat", PASSWORD, ATTACKER) == results[0]  # still locked


@pytest.mark.real_password_cost  # the argon2 check's real length matters here
@pytest.mark.both_stores
def test_guesses_from_many_addresses_at_once_lock_the_account_for_everyone(ws):
    ws = replace(ws, settings=Settings.from_env({"ZONES_MAX_FAILED_SIGN_INS_ALL": "8"}))
    results = parallel(ws, [("quansat", WRONG, f"10.0.0.{i}") for i in range(12)])
    assert "ok" not in results
    reasons = sign_ins(ws, user="quansat")["reason"].value_counts().to_dict()
    assert reasons == {"wrong password": 8, "locked": 4}
    refusal(ws, "quansat", PASSWORD, OFFICE)  # locked for everyone
    listed = api.list_users(ws, api.LOCAL_ADMIN).set_index("name")
    assert listed.at["quansat", "locked_until"] > store.now()
    api.enable_user(ws, api.LOCAL_ADMIN, "quansat")  # an administrator lifts it at once
    assert api.sign_in(ws, "quansat", PASSWORD, address=OFFICE).name == "quansat"


def test_a_right_password_resets_the_count_and_locks_expire_and_grow(ws):
    for _ in range(DEFAULTS.max_failed_sign_ins - 1):
        refusal(ws, "quansat", WRONG, ATTACKER)
    api.sign_in(ws, "quansat", PASSWORD, address=ATTACKER)  # the count starts again
    for _ in range(DEFAULTS.max_failed_sign_ins):
        refusal(ws, "quansat", WRONG, ATTACKER)
    refusal(ws, "quansat", PASSWORD, ATTACKER)

    def lock() -> tuple[timedelta, int]:
        with ws.engine.connect() as conn:
            row = conn.execute(sa.select(sign_in_throttle).where(
                sign_in_throttle.c.address == ATTACKER)).mappings().one()
        return row["locked_until"] - row["last_at"], row["lockouts"]

    first, lockouts = lock()
    assert lockouts == 1
    assert abs(first - timedelta(minutes=DEFAULTS.lock_minutes)) < timedelta(minutes=1)
    with ws.engine.begin() as conn:  # the lock has run out
        conn.execute(sa.update(sign_in_throttle).values(
            locked_until=store.now() - timedelta(seconds=1)))
    for _ in range(DEFAULTS.max_failed_sign_ins):
        refusal(ws, "quansat", WRONG, ATTACKER)  # five more guesses, no more
    assert sign_ins(ws, user="quansat")["reason"].iloc[0] == "wrong password"
    refusal(ws, "quansat", PASSWORD, ATTACKER)
    assert sign_ins(ws, user="quansat")["reason"].iloc[0] == "locked"
    second, lockouts = lock()
    assert lockouts == 2 and second > first * 1.9  # the second lock is twice as long


@pytest.mark.parametrize("lift", ["enable", "reset"])
def test_an_administrator_lifts_a_lock(ws, lift):
    for _ in range(DEFAULTS.max_failed_sign_ins):
        refusal(ws, "quansat", WRONG)
    refusal(ws, "quansat", PASSWORD)
    if lift == "enable":
        api.enable_user(ws, api.LOCAL_ADMIN, "quansat")
        assert api.sign_in(ws, "quansat", PASSWORD).name == "quansat"
    else:
        api.reset_password(ws, api.LOCAL_ADMIN, "quansat", "mat-khau-moi-2021")
        assert api.sign_in(ws, "quansat", "mat-khau-moi-2021").name == "quansat"
    with ws.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(
            sign_in_throttle)).scalar() == 0


def test_a_lock_written_by_the_previous_version_still_holds(ws):
    """Before the throttle, a lock reset the count to 0: the lock itself still counts."""
    with ws.engine.begin() as conn:
        conn.execute(sa.update(users).where(users.c.name == "quansat").values(
            failed_sign_ins=0, locked_until=store.now() + timedelta(minutes=10)))
    refusal(ws, "quansat", PASSWORD)
    assert sign_ins(ws, user="quansat")["reason"].iloc[0] == "locked"


@pytest.mark.real_password_cost  # the argon2 check's real length matters here
def test_the_four_refusals_cannot_be_told_apart(ws):
    """Unknown name, wrong password, locked account, disabled account: one message, and
    their median times within 50 ms over 50 tries each (taken in turns, so a load on
    the machine weighs on all four alike; the argon2 cost is the real one)."""
    ws = replace(ws, settings=Settings(max_failed_sign_ins_all=10_000))  # 50 wrong: no lock
    for _ in range(DEFAULTS.max_failed_sign_ins):
        refusal(ws, "lanhdao", WRONG, ATTACKER)  # locked from the attacker's address
    api.disable_user(ws, api.LOCAL_ADMIN, "quantri")
    cases = {
        "unknown": lambda i: ("khong.co.ai" + str(i), PASSWORD, ATTACKER),
        "wrong password": lambda i: ("quansat", WRONG, f"10.1.{i}.1"),
        "locked": lambda i: ("lanhdao", PASSWORD, ATTACKER),
        "disabled": lambda i: ("quantri", PASSWORD, ATTACKER),
    }
    times = {case: [] for case in cases}
    messages = set()
    refusal(ws, "quansat", WRONG, OFFICE)  # warm up (the dummy hash is made once)
    for i in range(50):
        for case, attempt in cases.items():
            name, password, address = attempt(i)
            start = time.perf_counter()
            messages.add(refusal(ws, name, password, address))
            times[case].append(time.perf_counter() - start)
    assert len(messages) == 1
    medians = {case: statistics.median(values) for case, values in times.items()}
    assert max(medians.values()) - min(medians.values()) < 0.05, medians
    reasons = sign_ins(ws)["reason"].value_counts()
    assert reasons["unknown user"] == reasons["disabled"] == 50
    assert reasons["locked"] == 50


def test_an_unknown_name_is_audited_cut_short_and_marked(ws):
    typed = "Mat-Khau-Go-Nham-O-Ten-2021"  # a password typed into the name field
    message = refusal(ws, typed, "x" * 10)
    assert message == refusal(ws, "quansat", WRONG)
    entry = sign_ins(ws).iloc[-1]  # oldest first is the unknown one
    assert entry["actor"] == "Mat…" and entry["reason"] == "unknown user"
    assert '"unknown_name": true' in entry["detail"]
    ws.engine.dispose()
    assert typed.encode() not in everything_stored(ws)
    assert typed[:6].encode() not in everything_stored(ws)


def test_an_unknown_name_given_to_as_is_audited_cut_short(ws, capsys):
    typed = "Mat-Khau-Go-Nham-2021"
    assert main(["--db", ws.url, "--as", typed, "observations", "export"]) == 2
    assert "Không có tài khoản" in capsys.readouterr().err  # said to whoever typed it
    entry = api.audit_entries(ws, api.LOCAL_ADMIN, action="act_as").iloc[0]
    assert entry["actor"] == "Mat…" and '"unknown_name": true' in entry["detail"]
    api.disable_user(ws, api.LOCAL_ADMIN, "quansat")  # a real account keeps its name
    assert main(["--db", ws.url, "--as", "quansat", "observations", "export"]) == 2
    assert api.audit_entries(ws, api.LOCAL_ADMIN, action="act_as").iloc[0]["actor"] == "quansat"
    ws.engine.dispose()
    assert typed.encode() not in everything_stored(ws)


# --- sessions follow their account ----------------------------------------------------

@pytest.mark.both_stores
@pytest.mark.parametrize("change", ["disable", "new password", "locked for everyone"])
def test_a_tab_without_the_cookie_loses_its_account_on_the_next_run(ws, change):
    actor = api.sign_in(ws, "quansat", PASSWORD)
    since = api.session_started()
    token = api.open_session(ws, api.start_session(ws, actor))  # another tab's cookie
    assert api.recheck_actor(ws, actor, since) == actor
    assert api.session_actor(ws, token) == actor
    if change == "disable":
        api.disable_user(ws, api.LOCAL_ADMIN, "quansat")
    elif change == "new password":
        api.reset_password(ws, api.LOCAL_ADMIN, "quansat", "mat-khau-moi-2021")
    else:
        with ws.engine.begin() as conn:
            conn.execute(sa.update(users).where(users.c.name == "quansat").values(
                failed_sign_ins=DEFAULTS.max_failed_sign_ins_all,
                locked_until=store.now() + timedelta(minutes=5)))
    assert api.recheck_actor(ws, actor, since) is None
    assert api.session_actor(ws, token) is None
    if change == "new password":  # a sign-in with the new password works again
        again = api.sign_in(ws, "quansat", "mat-khau-moi-2021")
        assert api.recheck_actor(ws, again, api.session_started()) == again


def test_an_actor_without_an_account_has_nothing_to_check(ws):
    since = api.session_started()
    assert api.recheck_actor(ws, api.LOCAL_ADMIN, since) == api.LOCAL_ADMIN


@pytest.mark.both_stores
def test_the_front_door_refuses_a_write_by_an_account_disabled_since(ws):
    admin = api.sign_in(ws, "quantri", PASSWORD)
    api.disable_user(ws, api.LOCAL_ADMIN, "quantri")
    with pytest.raises(api.AccessError, match="quantri đã bị khóa"):
        api.add_user(ws, admin, "moi.tao", PASSWORD, "observer")
    latest = api.audit_entries(ws, api.LOCAL_ADMIN, action="user_added").iloc[0]
    assert (latest["outcome"], latest["actor"]) == ("refused", "quantri")
    assert "moi.tao" not in set(api.list_users(ws, api.LOCAL_ADMIN)["name"])
    api.enable_user(ws, api.LOCAL_ADMIN, "quantri")
    api.add_user(ws, admin, "moi.tao", PASSWORD, "observer")  # enabled again: it works


@pytest.mark.parametrize(("address", "key"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2::/64"),  # the same subscriber
    ("::ffff:203.0.113.7", "203.0.113.7"),  # IPv4 seen through an IPv6 socket
    ("", ""), (None, ""), ("not an address", "not an address"),
])
def test_guesses_from_one_ipv6_subscriber_count_together(address, key):
    assert accounts.client_key(address) == key
