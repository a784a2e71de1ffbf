"""Who may do what, and where: roles scoped to the unit tree (pure, no database).

An ``Actor`` is the user an action runs as: a name, a role and the root of the subtree
they act in (``None``: the whole tree). The front door (``zones.api``) asks ``require``
before every write and ``area`` for the units an upload may touch, so the pages, the CLI
and any later API cannot go around the rules. The rights of each role are data
(``RIGHTS``), as SORMAS and DHIS2 scope their users to a jurisdiction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from zones.errors import ZonesError
from zones.i18n import msg


class Role(StrEnum):
    ADMIN = "admin"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    LEADER = "leader"
    OBSERVER = "observer"


class Right(StrEnum):
    READ = "read"
    EXPORT = "export"
    SEND = "send"  # send and correct figures
    DECLARE = "declare"  # declare and revoke levels
    APPROVE = "approve"  # approve and unlock a week's figures
    BOUNDARIES = "boundaries"  # import boundaries, switch the active set
    USERS = "users"
    AUDIT = "audit"  # read the audit trail
    RULESETS = "rulesets"  # add custom rule sets (administrators)
    ALERTS = "alerts"  # manage others' alert subscriptions (inside their subtree)
    OUTBOX = "outbox"  # run the alerts, see the outbox, resend (administrators)
    PLAN = "plan"  # set and revoke plans with targets (issue 22)


_STAFF = frozenset({Right.READ, Right.EXPORT, Right.SEND})
RIGHTS: Mapping[Role, frozenset[Right]] = {
    Role.ADMIN: frozenset(Right),
    Role.PROVINCE: _STAFF | {Right.APPROVE, Right.PLAN},
    Role.DISTRICT: _STAFF | {Right.APPROVE},
    Role.COMMUNE: _STAFF,
    Role.LEADER: frozenset({Right.READ, Right.EXPORT, Right.DECLARE, Right.APPROVE,
                            Right.AUDIT, Right.ALERTS, Right.PLAN}),
    Role.OBSERVER: frozenset({Right.READ, Right.EXPORT}),
}
#: roles whose rights stop at their unit's subtree (the others act everywhere)
SCOPED = frozenset({Role.PROVINCE, Role.DISTRICT, Role.COMMUNE, Role.LEADER})


class AccessError(ZonesError):
    """The user may not do this (exit code 2, nothing stored)."""


@dataclass(frozen=True)
class Actor:
    """Who runs an action: ``name`` as recorded in the audit, their ``role``, the root
    ``unit`` of their subtree (None: everywhere), and where from (page, cli, api)."""

    name: str
    role: Role
    unit: str | None = None
    via: str = "cli"
    no_export: bool = False  # an observer who may not export

    def can(self, right: Right) -> bool:
        if right is Right.EXPORT and self.no_export:
            return False
        return right in RIGHTS[self.role]

    @property
    def scoped(self) -> bool:
        return self.role in SCOPED and self.unit is not None


#: the CLI without ``--as``: whoever holds the database file or its password already
LOCAL_ADMIN = Actor("local-admin", Role.ADMIN, None, "cli")


def require(actor: Actor | None, right: Right) -> Actor:
    """``actor`` when they hold ``right``; else AccessError (sign in / not allowed)."""
    if actor is None:
        raise AccessError(msg("access.sign_in"))
    if not actor.can(right):
        raise AccessError(msg("access.denied", user=actor.name, role=msg(f"role.{actor.role}"),
                            right=msg(f"right.{right}")))
    return actor


def subtree(parents: Mapping[str, str | None], root: str) -> set[str]:
    """``root`` and every unit below it, from a code -> parent code mapping."""
    children: dict[str, list[str]] = {}
    for code, parent in parents.items():
        if parent:
            children.setdefault(parent, []).append(code)
    out, todo = set(), [root]
    while todo:
        code = todo.pop()
        if code in out:
            continue
        out.add(code)
        todo.extend(children.get(code, ()))
    return out


def area(actor: Actor, parents: Mapping[str, str | None]) -> set[str] | None:
    """The codes ``actor`` may write for (None: every unit)."""
    if not actor.scoped:
        return None
    return subtree(parents, actor.unit)


def outside(actor: Actor, codes: Iterable[str], parents: Mapping[str, str | None]
            ) -> list[str]:
    """The ``codes`` outside ``actor``'s area, in order."""
    allowed = area(actor, parents)
    if allowed is None:
        return []
    return [c for c in codes if c not in allowed]
