"""What every action of the front door does around its own logic: ``@action``.

One decorator applies the four concerns each action shares, in this order:

1. **language**: nothing global; a body that writes text takes the reader's language as
   its own ``lang`` argument, and a message raised deep in the core (a refusal too) is a
   value, ``zones.i18n.Msg``, that the edge renders in its reader's language
   (``failure_message(err, lang)``); the body runs in the log's context of the action
   (its name, the actor's name: every line it logs says who did what, ``zones.ops.logs``);
2. **right**: with ``right``, the ``actor`` argument must have it (for the unit
   ``unit(ws, arguments)`` names, inside their subtree), and its account must not have
   been disabled since it signed in; a refusal is audited as the ``audit`` action
   (``outcome="refused"``) and raised (``AccessError``, exit code 2, nothing stored);
   ``anonymous=True`` lets an absent actor through (a check or a read without signing in);
3. the body itself (what is audited on success is the body's: only it knows the details);
4. **refresh** after a write: ``refresh=True`` recomputes the levels, the snapshot and
   the data version (``zones.levels.refresh``); ``refresh="declarations"`` only what
   declarations change (``levels=False``); a callable decides from the body's result
   (e.g. nothing to do when nothing changed).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from zones.alerts.run import after_refresh as alerts_after_refresh
from zones.i18n import msg
from zones.levels import dayview
from zones.levels.memo import cached
from zones.levels.refresh import AFTER as AFTER_REFRESH
from zones.levels.refresh import refresh as recompute
from zones.ops.logs import context as log_context
from zones.people import access, accounts, audit
from zones.people.access import AccessError, Actor, Right
from zones.workspace import Workspace

log = logging.getLogger("zones.api")
if alerts_after_refresh not in AFTER_REFRESH:  # every process that writes goes through here
    AFTER_REFRESH.append(alerts_after_refresh)

F = TypeVar("F", bound=Callable[..., Any])
Arguments = Mapping[str, Any]


def action(right: Right | None = None, audit_as: str | Callable[[Arguments], str] = "", *,
           unit: Callable[[Workspace, Arguments], str | None] | None = None,
           anonymous: bool = False,
           refresh: bool | str | Callable[[Any], bool] = False) -> Callable[[F], F]:
    """Wrap a front-door function (its first argument the ``Workspace``) in its
    log context, its right check and its refresh (see the module's description)."""

    def wrap(fn: F) -> F:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def run(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = bound.arguments
            ws = arguments.get("ws")
            actor = arguments.get("actor")
            with log_context(action=fn.__name__, user=getattr(actor, "name", None)):
                if right is not None and not (anonymous and arguments.get("actor") is None):
                    name = audit_as(arguments) if callable(audit_as) else audit_as
                    allowed(ws, arguments.get("actor"), right, name,
                            unit(ws, arguments) if unit else None)
                result = fn(*args, **kwargs)
                if refresh and (not callable(refresh) or refresh(result)):
                    recompute(ws, levels=refresh != "declarations")
            return result

        return run  # type: ignore[return-value]

    return wrap


def allowed(ws: Workspace, actor: Actor | None, right: Right, action: str,
            unit: str | None = None) -> Actor:
    """``actor`` when they may do ``right`` (for ``unit``, inside their subtree); else
    the refusal is audited and raised (AccessError, exit code 2, nothing stored)."""
    try:
        who = access.require(actor, right)
        accounts.refuse_disabled(ws.engine, who)  # disabled since it signed in
        if unit is not None and who.scoped and unit not in area(ws, who):
            raise AccessError(msg("access.outside_unit", user=who.name,
                                area=unit_name(ws, who.unit), unit=unit_name(ws, unit)))
    except AccessError as err:
        audit.record(ws.engine, actor, action, outcome="refused", unit=unit,
                     detail={"reason": str(err)})
        log.info("%s refused", action)
        raise
    return who


def known_unit(name: str) -> Callable[[Workspace, Arguments], str | None]:
    """The unit an action's argument ``name`` names, when it is one (for the right check:
    an unknown code is the body's to refuse, with the other problems)."""
    def of(ws: Workspace, arguments: Arguments) -> str | None:
        code = arguments[name]
        return code if code and code in dayview.units(ws).index else None
    return of


def parents(ws: Workspace) -> dict[str, str | None]:
    """Code -> parent code of the active set (built once per data version)."""
    def build():
        everything = dayview.units(ws)
        return dict(zip(everything.index, everything["parent_code"], strict=True))
    return cached(ws, "parents", build)


def area(ws: Workspace, actor: Actor) -> set[str] | None:
    """The codes ``actor`` acts for (None: everywhere)."""
    return access.area(actor, parents(ws))


def unit_name(ws: Workspace, code: str | None) -> str:
    """A unit as people read it: its name and code (the code alone when unknown)."""
    everything = dayview.units(ws)
    if code is None or code not in everything.index:
        return code or ""
    return f"{everything.at[code, 'name']} ({code})"
