"""The front door's one decorator (``zones.api.action``): an action's messages come out in
the language its caller asks for (passed explicitly, nothing global), it is refused (and the refusal audited, the body not run) without its right, and is followed
by the refresh its writes need, only when it succeeded."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from zones import api
from zones.api.action import action
from zones.errors import ZonesError
from zones.i18n import msg, t
from zones.people import accounts, audit
from zones.people.access import LOCAL_ADMIN, AccessError, Actor, Right, Role
from zones.workspace import Workspace

OBSERVER = Actor("quansat", Role.OBSERVER, None, "page")


@pytest.fixture
def ws(empty_url) -> Workspace:
    return Workspace.at(empty_url)


@pytest.fixture
def refreshed(monkeypatch) -> list:
    """The ``levels`` argument of every refresh the decorator asks for (none run)."""
    calls: list = []
    monkeypatch.setattr("zones.api.action.recompute",
                        lambda ws, levels=True: calls.append(levels))
    return calls


def test_the_body_gets_its_language_and_a_raised_message_is_rendered_by_the_caller(ws):
    @action()
    def said(ws: Workspace, lang: str = "vi") -> str:
        return t("cli.wrote", lang, path="x")

    @action()
    def failing(ws: Workspace, code: str, lang: str = "vi") -> None:
        raise ZonesError(msg("users.unknown", name=code))

    assert said(ws, lang="en") != said(ws, lang="vi") and "x" in said(ws, lang="en")
    with pytest.raises(ZonesError) as err:
        failing(ws, "ai", lang="en")
    assert err.value.text("en") != err.value.text("vi")
    assert str(err.value) == err.value.text("vi")  # logs read Vietnamese


def test_two_threads_failing_at_once_each_read_their_own_language(ws):
    """The same failing action, rendered in Vietnamese and English by two threads at the
    same time (as two Streamlit sessions would): each gets its own language, every time."""
    started = threading.Barrier(2)

    @action()
    def failing(ws: Workspace, code: str, lang: str = "vi") -> None:
        time.sleep(0.001)  # let the other thread run between raising and rendering
        raise ZonesError(msg("users.unknown", name=code))

    def reader(lang: str) -> list[str]:
        started.wait()
        seen = []
        for i in range(200):
            try:
                failing(ws, f"u{i}", lang=lang)
            except ZonesError as err:
                seen.append(api.failure_message(err, lang))
        return seen

    with ThreadPoolExecutor(2) as pool:
        vi, en = pool.map(reader, ["vi", "en"])
    assert len(vi) == len(en) == 200
    assert all(m == t("users.unknown", "vi", name=f"u{i}") for i, m in enumerate(vi))
    assert all(m == t("users.unknown", "en", name=f"u{i}") for i, m in enumerate(en))
    assert set(vi).isdisjoint(en)


def test_a_refusal_is_audited_and_told_in_the_callers_language_and_the_body_never_runs(
        ws, refreshed):
    ran = []

    @action(Right.DECLARE, "declared", refresh=True)
    def declare(ws: Workspace, actor: Actor | None, lang: str = "vi") -> None:
        ran.append(actor)

    with pytest.raises(AccessError) as refused:
        declare(ws, OBSERVER, lang="en")
    with pytest.raises(AccessError):
        declare(ws, None)
    assert ran == [] and refreshed == []
    trail = audit.entries(ws.engine, action="declared")
    assert list(trail["outcome"]) == ["refused", "refused"]
    assert list(trail["actor"])[-1] == "quansat"
    english = api.failure_message(refused.value, "en")
    assert "quansat" in english and "not" in english.lower()
    assert any(refused.value.text("vi") in d for d in trail["detail"])  # the audit: Vietnamese


def test_an_account_disabled_since_it_signed_in_is_refused(ws, refreshed):
    @action(Right.USERS, "users_listed")
    def listed(ws: Workspace, actor: Actor) -> str:
        return "ran"

    accounts.add_user(ws.engine, LOCAL_ADMIN, "quantri", "mật-khẩu-dài-2021", "admin")
    admin = Actor("quantri", Role.ADMIN, None, "page")
    assert listed(ws, admin) == "ran"
    accounts.disable_user(ws.engine, LOCAL_ADMIN, "quantri")
    with pytest.raises(AccessError):
        listed(ws, admin)
    assert list(audit.entries(ws.engine, action="users_listed")["outcome"]) == ["refused"]


def test_anonymous_lets_an_absent_actor_through_but_not_a_wrong_one(ws):
    @action(Right.SEND, "upload", anonymous=True)
    def checked(ws: Workspace, actor: Actor | None = None) -> str:
        return "checked"

    assert checked(ws) == "checked"
    with pytest.raises(AccessError):
        checked(ws, OBSERVER)


def test_refresh_follows_a_successful_write_only_as_asked(ws, refreshed):
    @action(Right.DECLARE, "declared", refresh="declarations")
    def declared(ws: Workspace, actor: Actor, fail: bool = False) -> None:
        if fail:
            raise ZonesError("no")

    @action(Right.RULESETS, "ruleset_added", refresh=lambda changed: changed)
    def added(ws: Workspace, actor: Actor, changed: bool) -> bool:
        return changed

    declared(ws, LOCAL_ADMIN)
    with pytest.raises(ZonesError):
        declared(ws, LOCAL_ADMIN, fail=True)
    added(ws, LOCAL_ADMIN, changed=False)
    added(ws, LOCAL_ADMIN, changed=True)
    assert refreshed == [False, True]  # declarations only; the changed rule set in full
