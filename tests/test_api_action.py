"""The front door's one decorator (``zones.api.action``): an action runs in its language,
is refused (and the refusal audited, the body not run) without its right, and is followed
by the refresh its writes need, only when it succeeded."""

from __future__ import annotations

import pytest

from zones.api.action import action
from zones.errors import ZonesError
from zones.i18n import get_lang
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


def test_the_body_runs_in_the_language_of_its_argument_or_of_lang_of(ws):
    @action()
    def said(ws: Workspace, lang: str = "vi") -> str:
        return get_lang()

    @action(lang_of=lambda a: a["thing"]["lang"])
    def said_of(ws: Workspace, thing: dict) -> str:
        return get_lang()

    assert said(ws, lang="en") == "en" and said(ws) == "vi"
    assert said_of(ws, {"lang": "en"}) == "en"
    assert get_lang() == "vi"  # the caller's language is back


def test_a_refusal_is_audited_in_the_actions_language_and_the_body_never_runs(
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
    assert "quansat" in str(refused.value) and "not" in str(refused.value).lower()


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
