"""Alerts: subscriptions, the run (compare, outbox, SMTP), the feed and the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd

from zones.alerts import kinds, outbox, subscriptions
from zones.alerts import run as runner
from zones.api.action import action, parents
from zones.errors import ZonesError
from zones.i18n import t
from zones.levels import dayview
from zones.people import audit
from zones.people.access import AccessError, Actor, Right
from zones.workspace import Workspace

__all__ = ["alert_feed", "alert_kinds", "alert_outbox",
           "alert_subscriptions", "alert_unread", "mark_alert_read", "resend_alert",
           "run_alerts", "send_owed_alerts", "subscribe_alerts", "unsubscribe_alerts"]

def alert_kinds() -> list[str]:
    """The kinds a subscription may name."""
    return kinds.names()


def _names(ws: Workspace) -> pd.Series:
    return dayview.units(ws)["name"]


@action(Right.READ, "alert_subscribed")
def subscribe_alerts(ws: Workspace, actor: Actor, user: str, unit: str | None = None,
                     email: str | None = None, kinds: str | None = None,
                     lang: str = "vi") -> int:
    """Subscribe ``user`` to the changes inside ``unit``'s subtree (default: the user's
    own unit), of ``kinds`` (default: all), by e-mail to ``email`` and in the app; digests
    in ``lang``. Users subscribe themselves; administrators and leaders others, inside
    their subtree."""
    try:
        return subscriptions.subscribe(ws.engine, actor, parents(ws), _names(ws),
                                       user_name=user, unit_code=unit, email=email,
                                       kinds=kinds, lang=lang)
    except AccessError as err:  # another's, or outside a subtree: audited, as every refusal
        audit.record(ws.engine, actor, "alert_subscribed", outcome="refused", unit=unit,
                     detail={"user": user, "reason": str(err)})
        raise


@action(Right.READ, "alert_unsubscribed")
def unsubscribe_alerts(ws: Workspace, actor: Actor, subscription_id: int,
                       lang: str = "vi") -> dict:
    """End a subscription (kept, with who ended it and when)."""
    try:
        return subscriptions.unsubscribe(ws.engine, actor, parents(ws), _names(ws),
                                         subscription_id)
    except AccessError as err:
        audit.record(ws.engine, actor, "alert_unsubscribed", outcome="refused",
                     detail={"id": subscription_id, "reason": str(err)})
        raise


@action(Right.READ, "alert_subscriptions")
def alert_subscriptions(ws: Workspace, actor: Actor, lang: str = "vi") -> pd.DataFrame:
    """The subscriptions ``actor`` may see (their own; managers': those in their subtree)."""
    return subscriptions.listing(ws.engine, actor, parents(ws), _names(ws))


@action(Right.OUTBOX, "alerts_run")
def run_alerts(ws: Workspace, actor: Actor, day: date | None = None, dry_run: bool = False,
               lang: str = "vi", progress: Callable[[str], None] | None = None,
               sender: Callable | None = None) -> runner.Outcome:
    """Compare with the last run, write one digest per recipient into the outbox, send
    what is owed (administrators; ``dry_run``: the digests only, nothing changed)."""
    return runner.run(ws, actor, ws.settings, day, dry_run, progress or (lambda _l: None),
                      **({"sender": sender} if sender else {}), lang=lang)


@action(Right.OUTBOX, "alerts_sent")
def send_owed_alerts(ws: Workspace, actor: Actor, lang: str = "vi") -> tuple[int, list[str]]:
    """Send the e-mails owed now (after a resend); (sent, failures in words)."""
    return runner.send_owed(ws, runner.relay_of(ws.settings), lang=lang)


@action(Right.READ, "alert_feed")
def alert_feed(ws: Workspace, actor: Actor, lang: str = "vi") -> pd.DataFrame:
    """``actor``'s alerts, unread first (the feed "Thông báo")."""
    return outbox.feed(ws.engine, actor.name, _names(ws))


def alert_unread(ws: Workspace, actor: Actor | None) -> int:
    """How many of ``actor``'s alerts are unread (0 when signed out)."""
    return 0 if actor is None else outbox.unread(ws.engine, actor.name)


@action(Right.READ, "alert_read")
def mark_alert_read(ws: Workspace, actor: Actor, item_id: int, lang: str = "vi") -> bool:
    return outbox.mark_read(ws.engine, actor.name, item_id)


@action(Right.OUTBOX, "alert_outbox")
def alert_outbox(ws: Workspace, actor: Actor, status: str | None = None,
                 lang: str = "vi") -> pd.DataFrame:
    """Every message of the outbox, newest first (administrators)."""
    if status is not None and status not in ("pending", "sending", "sent", "failed", "app"):
        raise ZonesError(t("alerts.bad_status", lang, value=status))
    return outbox.messages(ws.engine, (status,) if status else None)


@action(Right.OUTBOX, "alert_resent")
def resend_alert(ws: Workspace, actor: Actor, message_id: int, lang: str = "vi") -> dict:
    """Queue a sent or failed e-mail again (administrators; audited)."""
    return outbox.resend(ws.engine, actor, message_id)
