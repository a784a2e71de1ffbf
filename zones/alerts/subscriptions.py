"""Who is told about what: subscriptions (a user, a subtree, kinds, an address).

A user may subscribe themselves to their own subtree; administrators and leaders (right
``alerts``) manage other users' subscriptions too, inside their own subtree. A
subscription's unit never leaves the subscribed user's subtree, and its address is one
plain mailbox (no display name, no line breaks: nothing that could add a header).
"""

from __future__ import annotations

import re

import pandas as pd
from sqlalchemy.engine import Engine

from zones.alerts.kinds import names as kind_names
from zones.errors import ZonesError
from zones.i18n import msg, t
from zones.people import access, accounts, audit
from zones.people.access import AccessError, Actor, Right
from zones.storage import accounts_sql, alerts_sql, store

#: one mailbox: local@domain, printable ASCII without spaces, quotes or brackets
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
MAX_EMAIL = 254
LIST_COLUMNS = ["id", "user", "unit_code", "unit_name", "email", "kinds", "lang",
                "created_by", "created_at"]


def parse_kinds(text: str | None) -> list[str]:
    """The kinds named in ``text`` (comma-separated; None or empty: every kind); an
    unknown one is refused, naming the valid ones."""
    valid = kind_names()
    if text is None or not text.strip():
        return valid
    asked = [k.strip() for k in text.split(",") if k.strip()]
    bad = [k for k in asked if k not in valid]
    if bad or not asked:
        raise ZonesError(msg("alerts.bad_kinds", value=", ".join(bad) or text,
                           valid=", ".join(valid)))
    return [k for k in valid if k in asked]


def check_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > MAX_EMAIL or not EMAIL.fullmatch(value):
        raise ZonesError(msg("alerts.bad_email", value=value[:80]))
    return value


def _manages(actor: Actor, user_name: str) -> bool:
    return actor.name == user_name or actor.can(Right.ALERTS) or actor.can(Right.USERS)


def subscribe(engine: Engine, actor: Actor, parents: dict, names: pd.Series, *,
              user_name: str, unit_code: str | None, email: str | None, kinds: str | None,
              lang: str) -> int:
    """Store a subscription (checked: the account, the unit inside both the user's and
    the actor's subtree, the address, the kinds); its id."""
    access.require(actor, Right.READ)
    row = accounts_sql.row(engine, user_name)
    if row is None:
        raise ZonesError(t("users.unknown", lang, name=user_name))
    if not _manages(actor, user_name):
        raise AccessError(t("alerts.not_yours", lang, user=actor.name, other=user_name))
    chosen = kind_names() if kinds is None else parse_kinds(kinds)
    address = check_email(email)
    user = accounts.actor(engine, user_name, "cli")
    unit = unit_code or user.unit or _single_root(parents)
    if unit is None:
        raise ZonesError(t("alerts.unit_needed", lang, user=user_name))
    if unit not in parents:
        raise ZonesError(t("alerts.unknown_unit", lang, value=unit))
    for who in (user, actor):
        where = access.area(who, parents)
        if where is not None and unit not in where:
            raise AccessError(t("access.outside_unit", lang, user=who.name,
                                area=_named(names, who.unit), unit=_named(names, unit)))
    with engine.begin() as conn:
        new_id = alerts_sql.add_subscription(
            conn, user_name=user_name, unit_code=unit, email=address, kinds=",".join(chosen),
            lang=lang if lang in ("vi", "en") else "vi", created_by=actor.name,
            created_at=store.now())
        audit.record(conn, actor, "alert_subscribed", unit=unit, detail={
            "id": new_id, "user": user_name, "kinds": chosen, "email": bool(address)})
    return new_id


def unsubscribe(engine: Engine, actor: Actor, parents: dict, names: pd.Series,
                sub_id: int) -> dict:
    """End a subscription (its user's own, or one an administrator or leader manages,
    inside their subtree); the subscription as it was."""
    access.require(actor, Right.READ)
    with engine.begin() as conn:
        row = alerts_sql.subscription(conn, sub_id)
        if row is None or row["ended_at"] is not None:
            raise ZonesError(msg("alerts.no_such", value=sub_id))
        where = access.area(actor, parents)
        if not _manages(actor, row["user_name"]) or (
                where is not None and row["unit_code"] not in where
                and row["user_name"] != actor.name):
            raise AccessError(msg("alerts.not_yours", user=actor.name, other=row["user_name"]))
        alerts_sql.end_subscription(conn, sub_id, actor.name, store.now())
        audit.record(conn, actor, "alert_unsubscribed", unit=row["unit_code"],
                     detail={"id": sub_id, "user": row["user_name"]})
    return row


def listing(engine: Engine, actor: Actor, parents: dict, names: pd.Series) -> pd.DataFrame:
    """The subscriptions ``actor`` may see: their own; administrators and leaders also
    those inside their subtree."""
    rows = []
    where = access.area(actor, parents)
    for r in alerts_sql.subscriptions(engine):
        mine = r["user_name"] == actor.name
        managed = _manages(actor, r["user_name"]) and (where is None or r["unit_code"] in where)
        if not (mine or managed):
            continue
        rows.append({"id": r["id"], "user": r["user_name"], "unit_code": r["unit_code"],
                     "unit_name": names.get(r["unit_code"], ""), "email": r["email"] or "",
                     "kinds": r["kinds"], "lang": r["lang"], "created_by": r["created_by"],
                     "created_at": pd.Timestamp(r["created_at"]).strftime("%Y-%m-%d %H:%M")})
    return pd.DataFrame(rows, columns=LIST_COLUMNS)


def _single_root(parents: dict) -> str | None:
    roots = [c for c, p in parents.items() if not p]
    return roots[0] if len(roots) == 1 else None


def _named(names: pd.Series, code: str | None) -> str:
    if code is None:
        return ""
    return f"{names[code]} ({code})" if code in names.index else code
