"""People: signing in (name and password, single sign-on, ``--as NAME``), browser
sessions, the accounts (admins), the audit trail, and who may read or export."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from zones.api.action import action
from zones.errors import ZonesError
from zones.i18n import t
from zones.people import accounts, audit, sessions
from zones.people.access import LOCAL_ADMIN, AccessError, Actor, Right, Role, require
from zones.people.accounts import ROLE_LEVELS
from zones.storage import store
from zones.workspace import Workspace

__all__ = ["LOCAL_ADMIN", "ROLE_LEVELS", "AccessError", "Actor", "Right",
           "Role", "actor_named", "add_user", "allow_export", "audit_entries",
           "disable_user", "enable_user", "has_accounts", "list_users", "open_session",
           "public_read", "recheck_actor", "require", "reset_password", "session_actor",
           "session_started", "sign_in", "sign_out", "sso_sign_in", "start_session"]

@action()
def sign_in(ws: Workspace, name: str, password: str, via: str = "page",
            lang: str = "vi", address: str | None = None) -> Actor:
    """The actor of a name and password (AccessError, one message whether the name is
    unknown, the password wrong, the account locked or disabled); wrong passwords are
    counted per account and client ``address``."""
    return accounts.sign_in(ws.engine, name, password, via, address, ws.settings)


def start_session(ws: Workspace, actor: Actor, bound_to: str | None = None) -> str:
    """A one-time ticket (two minutes) that the browser trades at the cookie route for
    its HttpOnly session cookie; ``bound_to`` ties it to that browser."""
    return sessions.begin(ws.engine, actor, bound_to)


def open_session(ws: Workspace, ticket: str, bound_to: str | None = None) -> str | None:
    """The session token for a ticket (once); None when it is unknown, used, older
    than two minutes or brought by another browser."""
    return sessions.redeem(ws.engine, ticket, bound_to)


def session_actor(ws: Workspace, token: str | None) -> Actor | None:
    """Who a session cookie belongs to; None once it has ended or expired
    (``ZONES_SESSION_MINUTES`` idle, ``ZONES_SESSION_MAX_HOURS`` in all) or its account
    was disabled."""
    return sessions.actor_of(ws.engine, token, ws.settings)


def session_started() -> datetime:
    """The time a tab's sign-in begins (kept with its actor for ``recheck_actor``)."""
    return sessions.started()


def recheck_actor(ws: Workspace, actor: Actor, since: datetime) -> Actor | None:
    """A tab's actor (signed in at ``since``, kept without a cookie) checked against its
    account on every page run; None once it is disabled, locked for everyone or its
    password was set anew."""
    return sessions.check(ws.engine, actor, since)


def sign_out(ws: Workspace, token: str | None, actor: Actor | None) -> None:
    """End a browser's session (audited)."""
    sessions.end(ws.engine, token, actor)


@action()
def sso_sign_in(ws: Workspace, email: str, lang: str = "vi") -> Actor:
    """The actor of a user the province's single sign-on server vouched for: their
    account is the one named by their e-mail address (made by an admin with its role
    and unit); audited as a sign-in via "sso"."""
    try:
        who = accounts.actor(ws.engine, email, "sso")
    except ZonesError as err:
        audit.record(ws.engine, None, "sign_in", outcome="refused", name=email[:100],
                     detail={"reason": str(err), "via": "sso"})
        raise AccessError(t("users.sso_unknown", lang, name=email)) from None
    audit.record(ws.engine, who, "sign_in", detail={"via": "sso"})
    return who


@action()
def actor_named(ws: Workspace, name: str, via: str = "cli", lang: str = "vi") -> Actor:
    """The actor of account ``name`` (``--as NAME``); refused when disabled or unknown."""
    try:
        return accounts.actor(ws.engine, name, via)
    except AccessError as err:  # disabled
        audit.record(ws.engine, None, "act_as", outcome="refused", name=name[:100],
                     detail={"reason": str(err)})
        raise
    except ZonesError:  # no such account: what was typed is not kept
        audit.record(ws.engine, None, "act_as", outcome="refused",
                     name=accounts.unknown_name(name),
                     detail={"reason": "unknown user", "unknown_name": True})
        raise


@action(Right.USERS, "user_added")
def add_user(ws: Workspace, actor: Actor, name: str, password: str, role: str,
             unit: str | None = None, no_export: bool = False, lang: str = "vi") -> None:
    """Create an account (admins)."""
    accounts.add_user(ws.engine, actor, name, password, role, unit, no_export)


@action(Right.USERS, "users_listed")
def list_users(ws: Workspace, actor: Actor, lang: str = "vi") -> pd.DataFrame:
    """The accounts, without their password hashes (admins)."""
    return accounts.list_users(ws.engine)


@action(Right.USERS, "user_disabled")
def disable_user(ws: Workspace, actor: Actor, name: str, lang: str = "vi") -> None:
    """Disable an account: it can no longer sign in, and its sessions end (admins)."""
    accounts.disable_user(ws.engine, actor, name)


@action(Right.USERS, "user_enabled")
def enable_user(ws: Workspace, actor: Actor, name: str, lang: str = "vi") -> None:
    """Enable a disabled account again (admins)."""
    accounts.enable_user(ws.engine, actor, name)


@action(Right.USERS, "user_password_reset")
def reset_password(ws: Workspace, actor: Actor, name: str, password: str,
                   lang: str = "vi") -> None:
    """Set an account's password anew (admins)."""
    accounts.reset_password(ws.engine, actor, name, password)


@action(Right.AUDIT, "audit_read")
def audit_entries(ws: Workspace, actor: Actor, *, start: date | None = None,
                  end: date | None = None, unit: str | None = None, user: str | None = None,
                  action: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """The audit trail, newest first (admins and leaders)."""
    return audit.entries(ws.engine, start=start, end=end, unit=unit, user=user,
                         action=action)


def has_accounts(ws: Workspace) -> bool:
    """Whether any account exists (none yet: the first admin is made with the CLI)."""
    return accounts.has_users(ws.engine)


def public_read(ws: Workspace) -> bool:
    """Whether the map and the read-only pages open without signing in:
    ``ZONES_PUBLIC_READ`` (1/0); by default on for the embedded demo, off otherwise."""
    if ws.settings.public_read is not None:
        return ws.settings.public_read
    return store.get_meta(ws.engine, store.Meta.DEMO) is not None


@action(Right.EXPORT, lambda a: f"export_{a['what']}", anonymous=True)
def allow_export(ws: Workspace, actor: Actor | None, what: str, lang: str = "vi") -> None:
    """Refuse an export to an observer without the export right (audited); reading
    without signing in is itself a setting (``public_read``)."""
