"""A run of the alerts: compare with the last run, write the digests, send them.

1. **Compare.** Each kind (``zones.alerts.kinds``) says what is true of every unit on the
   run's day; the state the last run saw is stored (the first run compares with the day
   before). What changed is a list of ``Change``.
2. **Write.** Each active subscription picks the changes inside its subtree, of its
   kinds; one digest per recipient goes into the outbox (``alert_messages``) with one row
   per change (``alert_items``, unique per recipient, unit, kind, level, effective day and
   event: a change already told is never told again), and the new state, all in one
   transaction. ``dry_run`` stops before it and returns the digests.
3. **Send.** Every e-mail owed (pending, failed, or left "sending" by a run that was
   killed) is marked "sending" in its own transaction, sent, then marked "sent" (or
   "failed" with the reason): a run killed mid-send resumes with the rest, each once.

One run at a time per database (a PostgreSQL advisory lock, or a lock file beside SQLite).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from zones.alerts import digest, mail
from zones.alerts.kinds import KINDS, Change, State
from zones.errors import ZonesError
from zones.i18n import fmt_date, msg, t
from zones.levels import dayview
from zones.people import access, audit
from zones.people.access import Actor, Role
from zones.storage import accounts_sql, alerts_sql, store
from zones.storage.db import advisory_lock, advisory_unlock, file_lock
from zones.workspace import Workspace

log = logging.getLogger(__name__)
RUN_LOCK = 0x7A6F6E6561  # "zonea"
_local = threading.Lock()
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on a phone
#: who the audit names for a run after a recomputation (``ZONES_ALERTS_AUTO``)
AUTO = Actor("alerts-auto", Role.ADMIN, None, "auto")


@dataclass
class Digest:
    """What one recipient is told by one run."""

    user_name: str
    emails: list[str]
    lang: str
    subject: str
    text: str
    html: str
    items: list[dict] = field(default_factory=list)


@dataclass
class Outcome:
    """What a run did: its day, the changes seen, the digests written (or, for a dry run,
    that would be), and the e-mails sent and failed."""

    day: date
    changes: int
    digests: list[Digest]
    sent: int = 0
    failed: list[str] = field(default_factory=list)
    first: list[str] = field(default_factory=list)  # kinds compared with the day before
    dry_run: bool = False


def new_code(taken: set[str]) -> str:
    """An alert id: 8 random letters and digits, XXXX-XXXX, not given before."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if code not in taken:
            taken.add(code)
            return code


def run_day(ws: Workspace, day: date | None) -> date:
    table = dayview.computed_levels(ws)
    if len(table.dates) == 0:
        raise ZonesError(msg("alerts.no_levels"))
    day = day or dayview.default_day(ws) or table.dates[-1].date()
    if pd.Timestamp(day) not in table.dates:
        raise ZonesError(msg("alerts.bad_day", day=fmt_date(day),
                           first=fmt_date(table.dates[0].date()),
                           last=fmt_date(table.dates[-1].date())))
    return day


#: the key of the row that marks a kind as compared before (its state is then the base)
SEEN = ""


def _stored_states(ws: Workspace) -> dict[str, dict[str, State]]:
    out: dict[str, dict[str, State]] = {name: {} for name in KINDS}
    for row in alerts_sql.state(ws.engine):
        if row["kind"] in out:
            out[row["kind"]][row["unit_code"]] = State(int(row["level"]), row["ref"] or "",
                                                       row["since"])
    return out


def wanted_kinds(ws: Workspace) -> set[str]:
    """The kinds some active subscription names (only those are compared: an outlook
    nobody asked for is never computed)."""
    return {k for s in alerts_sql.subscriptions(ws.engine) for k in s["kinds"].split(",")}


def compare(ws: Workspace, day: date) -> tuple[list[Change], dict[str, dict | None], list]:
    """The changes since the last run, the state to keep per kind (None: forget it, nobody
    asks for that kind any more), and the kinds compared for the first time (then with
    the day before)."""
    stored, wanted = _stored_states(ws), wanted_kinds(ws)
    changes, keep, first = [], {}, []
    for name, kind in KINDS.items():
        if name not in wanted:
            keep[name] = None
            continue
        if SEEN in stored[name]:
            base = {k: v for k, v in stored[name].items() if k != SEEN}
        else:
            base = kind.states(ws, day - timedelta(days=1))
            first.append(name)
        now = kind.states(ws, day)
        changes += kind.changes(ws, day, base, now)
        keep[name] = {**base, **now} if kind.keep_unknown else now
    return changes, keep, first


def _level_words(ws: Workspace, day: date, level: int | None, lang: str) -> str:
    if level is None:
        return ""
    rs = dayview.ruleset_on(ws, day)
    names = dayview.level_names(dayview.ruleset_registry(ws), rs.id if rs else None, lang)
    name = names.get(int(level), "")
    return f"{level} ({name})" if level and name else (str(level) if level else name or "–")


def recipients(ws: Workspace, changes: list[Change], parents: dict) -> dict[str, dict]:
    """Per recipient of the active subscriptions (accounts disabled or gone skipped): the
    addresses, the language, the roots subscribed and the changes not told before, each
    inside both the subscription's subtree and the account's own subtree of today."""
    subs = alerts_sql.subscriptions(ws.engine)
    told = alerts_sql.told(ws.engine, sorted({s["user_name"] for s in subs}))
    by_user: dict[str, dict] = {}
    for sub in subs:
        account = accounts_sql.row(ws.engine, sub["user_name"])
        if account is None or account["disabled"]:
            continue
        user = Actor(account["name"], access.Role(account["role"]), account["unit_code"])
        inside, own = access.subtree(parents, sub["unit_code"]), access.area(user, parents)
        kinds = set(sub["kinds"].split(","))
        got = by_user.setdefault(sub["user_name"], {"emails": [], "lang": sub["lang"],
                                                    "changes": {}, "roots": []})
        if sub["email"] and sub["email"] not in got["emails"]:
            got["emails"].append(sub["email"])
        got["roots"].append(sub["unit_code"])
        for ch in changes:
            key = (sub["user_name"], ch.unit_code, ch.kind, ch.level, ch.effective_day,
                   ch.event)
            if (ch.kind in kinds and ch.unit_code in inside
                    and (own is None or ch.unit_code in own) and key not in told):
                got["changes"][key] = ch
    return {user: got for user, got in by_user.items() if got["changes"]}


def compose(ws: Workspace, day: date, changes: list[Change], public_url: str
            ) -> list[Digest]:
    """One digest per recipient (``recipients``): a unit before the units inside it."""
    units = dayview.units(ws)
    parents = dict(zip(units.index, units["parent_code"], strict=True))
    taken: set[str] = set()
    out = []
    for user_name, got in recipients(ws, changes, parents).items():
        lang = got["lang"]
        order = sorted(got["changes"].values(), key=lambda c: (_depth(parents, c.unit_code),
                                                               c.unit_code, c.kind))
        lines = [_line(ws, day, ch, new_code(taken), parents, units["name"], public_url, lang)
                 for ch in order]
        items = [{"alert_code": line.alert_code, "user_name": user_name,
                  "unit_code": ch.unit_code, "kind": ch.kind, "event": ch.event,
                  "level": ch.level, "from_level": ch.from_level,
                  "effective_day": ch.effective_day, "day": day, "reason": line.reason,
                  "decision": ch.decision} for ch, line in zip(order, lines, strict=True)]
        area = ", ".join(str(units["name"].get(r, r)) for r in dict.fromkeys(got["roots"]))
        out.append(Digest(user_name, got["emails"], lang, digest.subject(lines, day, lang),
                          digest.text(lines, day, user_name, area, public_url, lang),
                          digest.html_body(lines, day, user_name, area, public_url, lang),
                          items))
    return out


def _line(ws: Workspace, day: date, ch: Change, code: str, parents: dict, names,
          public_url: str, lang: str) -> digest.Line:
    """One change in the recipient's words."""
    kind = KINDS[ch.kind]
    old, new = (kind.words(ws, day, ch, lang) if kind.words else
                (_level_words(ws, day, ch.from_level, lang),
                 _level_words(ws, day, ch.level, lang)))
    return digest.Line(
        alert_code=code, unit_code=ch.unit_code, unit=str(names.get(ch.unit_code, ch.unit_code)),
        parents=", ".join(str(names.get(p, p)) for p in _ancestors(parents, ch.unit_code)),
        kind=ch.kind, event=ch.event, from_level=old, to_level=new, since=ch.effective_day,
        reason=kind.reason(ws, day, ch, lang), decision=ch.decision,
        link=digest.link(public_url, day, ch.unit_code))


def _ancestors(parents: dict, code: str) -> list[str]:
    out, seen = [], {code}
    p = parents.get(code)
    while p and p not in seen:
        out.append(p)
        seen.add(p)
        p = parents.get(p)
    return out


def _depth(parents: dict, code: str) -> int:
    return len(_ancestors(parents, code))


def write(ws: Workspace, actor: Actor, day: date, changes: list[Change],
          keep: dict[str, dict[str, State]], digests: list[Digest], email_on: bool) -> int:
    """The digests, their items and the new state, in one transaction; the run's id."""
    stamp = store.now()
    with ws.engine.begin() as conn:
        store.take_write_lock(conn)
        run_id = alerts_sql.add_run(conn, day=day, by=actor.name, at=stamp)
        for d in digests:
            for item in d.items:  # a code given meanwhile (never, in practice): a new one
                while alerts_sql.code_taken(conn, item["alert_code"]):
                    item["alert_code"] = new_code(set())
            status = "pending" if d.emails and email_on else "app"
            message_id = alerts_sql.add_message(
                conn, run_id=run_id, user_name=d.user_name, email=", ".join(d.emails) or None,
                lang=d.lang, subject=d.subject, body_text=d.text, body_html=d.html,
                status=status, attempts=0, created_at=stamp)
            alerts_sql.add_items(conn, [{**i, "message_id": message_id, "created_at": stamp}
                                        for i in d.items])
        for name, states in keep.items():
            alerts_sql.replace_state(conn, name, [] if states is None else [
                {"unit_code": code, "level": s.level, "ref": s.ref, "since": s.since,
                 "day": day} for code, s in {**states, SEEN: State(0)}.items()])
        alerts_sql.finish_run(conn, run_id, len(changes), len(digests))
        audit.record(conn, actor, "alerts_run", detail={
            "run": run_id, "day": day, "changes": len(changes), "digests": len(digests)})
    return run_id


def relay_of(settings) -> mail.Relay | None:
    if not settings.smtp_host:
        return None
    return mail.Relay(settings.smtp_host, settings.smtp_port, settings.smtp_from,
                      settings.smtp_user, settings.smtp_password, settings.smtp_timeout_s,
                      settings.smtp_attempts)


def send_owed(ws: Workspace, relay: mail.Relay | None,
              report: Callable[[str], None] = lambda _l: None,
              sender: Callable[[mail.Relay, object], None] = mail.send, *,
              lang: str) -> tuple[int, list[str]]:
    """Send every e-mail owed, each marked "sending" then "sent" in its own transaction;
    (sent, failures in words: in ``lang``, as what is ``report``ed)."""
    if relay is None:
        return 0, []
    sent, failed = 0, []
    for message_id in alerts_sql.to_send(ws.engine):
        with ws.engine.begin() as conn:
            row = alerts_sql.claim(conn, message_id)
        if row is None:
            continue
        to = [a.strip() for a in (row["email"] or "").split(",") if a.strip()]
        try:
            email = mail.message(relay, to, row["subject"], row["body_text"],
                                 row["body_html"], mail.message_id(
                                     relay, row["id"], f"{row['created_at']:%Y%m%d%H%M%S}"))
            sender(relay, email)
        except Exception as err:  # kept on the message, shown in the outbox, retried later
            why = mail.describe(err)
            with ws.engine.begin() as conn:
                alerts_sql.mark(conn, message_id, "failed", error=why)
            failed.append(t("alerts.send_failed", lang, id=message_id, user=row["user_name"],
                            reason=why))
            log.info("alert message %d failed", message_id)
            continue
        with ws.engine.begin() as conn:
            alerts_sql.mark(conn, message_id, "sent", at=store.now())
        sent += 1
        report(t("alerts.sent_one", lang, id=message_id, user=row["user_name"]))
    return sent, failed


@contextmanager
def one_run(ws: Workspace) -> Iterator[None]:
    """One run at a time per database (a second waits for the first)."""
    engine = ws.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            advisory_lock(conn, RUN_LOCK)
            conn.commit()
            try:
                yield
            finally:
                advisory_unlock(conn, RUN_LOCK)
                conn.commit()
        return
    with file_lock(engine, "alerts-lock", wait=True) as held:
        if held is not None:
            yield
            return
    with _local:
        yield


def run(ws: Workspace, actor: Actor, settings, day: date | None = None,
        dry_run: bool = False, report: Callable[[str], None] = lambda _l: None,
        sender: Callable = mail.send, *, lang: str) -> Outcome:
    """Compare, write, send (see the module's text; what is reported in ``lang``)."""
    day = run_day(ws, day)
    with one_run(ws):
        changes, keep, first = compare(ws, day)
        digests = compose(ws, day, changes, settings.public_url)
        outcome = Outcome(day, len(changes), digests, first=first, dry_run=dry_run)
        if dry_run:
            return outcome
        write(ws, actor, day, changes, keep, digests, email_on=bool(settings.smtp_host))
        outcome.sent, outcome.failed = send_owed(ws, relay_of(settings), report, sender, lang=lang)
    return outcome


def after_refresh(ws: Workspace) -> None:
    """After every recomputation, with ``ZONES_ALERTS_AUTO`` and someone subscribed: a
    run on the default day (its failures are logged; the write stays stored)."""
    if not ws.settings.alerts_auto or not alerts_sql.subscriptions(ws.engine):
        return
    if len(dayview.computed_levels(ws).dates) == 0:
        return
    done = run(ws, AUTO, ws.settings, lang=ws.settings.lang)
    log.info("alerts after a recomputation: %d changes, %d digests, %d sent, %d failed",
             done.changes, len(done.digests), done.sent, len(done.failed))
