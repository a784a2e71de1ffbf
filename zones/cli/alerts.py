"""``alerts subscribe|list|unsubscribe|run`` (architecture.md §6, milestone 3)."""

from __future__ import annotations

from zones import api
from zones.cli.output import say, write_csv
from zones.i18n import fmt_date, t

Options = dict


def add_parser(sub, parser_class, parse_date, parse_id, lang: str) -> None:
    """The ``alerts`` command's grammar."""
    al = sub.add_parser("alerts", help=t("cli.help.alerts", lang))
    asub = al.add_subparsers(dest="action", required=True, parser_class=parser_class)
    s = asub.add_parser("subscribe")
    s.add_argument("--user", required=True)
    s.add_argument("--unit", default=None)
    s.add_argument("--email", default=None)
    s.add_argument("--kinds", default=None, help=t("alerts.cli.kinds_help", lang))
    ls = asub.add_parser("list")
    ls.add_argument("--out")
    asub.add_parser("unsubscribe").add_argument("id", type=parse_id)
    r = asub.add_parser("run")
    r.add_argument("--date", type=parse_date, default=None)
    r.add_argument("--dry-run", action="store_true")
    ob = asub.add_parser("outbox")
    ob.add_argument("--status", default=None)
    ob.add_argument("--out")
    rs = asub.add_parser("resend")
    rs.add_argument("id", type=parse_id)


def subscribe(ws: api.Workspace, o: Options, lang: str) -> int:
    new_id = api.subscribe_alerts(ws, o["actor"], o["user"], o.get("unit"), o.get("email"),
                                  o.get("kinds"), lang=lang)
    print(t("alerts.cli.subscribed", lang, id=new_id))
    return 0


def listing(ws: api.Workspace, o: Options, lang: str) -> int:
    write_csv(api.alert_subscriptions(ws, o["actor"], lang), o.get("out"), lang)
    return 0


def unsubscribe(ws: api.Workspace, o: Options, lang: str) -> int:
    api.unsubscribe_alerts(ws, o["actor"], o["id"], lang)
    print(t("alerts.cli.unsubscribed", lang, id=o["id"]))
    return 0


def run(ws: api.Workspace, o: Options, lang: str) -> int:
    """``alerts run [--date D] [--dry-run]``: the digests printed for a dry run; a
    summary (stderr) otherwise. Exit 1 when some e-mails failed (kept, retried later)."""
    done = api.run_alerts(ws, o["actor"], o.get("date"), o.get("dry_run", False), lang,
                          progress=say)
    if done.digests and not ws.settings.public_url:
        say(t("alerts.cli.no_url", lang))
    if done.first:
        say(t("alerts.cli.first", lang, day=fmt_date(done.day), kinds=", ".join(done.first)))
    if done.dry_run:
        for d in done.digests:
            print(t("alerts.cli.digest_head", lang, user=d.user_name,
                    to=", ".join(d.emails) or t("alerts.cli.app_only", lang)))
            print(d.subject)
            print(d.text)
        say(t("alerts.cli.dry_run", lang, changes=done.changes, digests=len(done.digests)))
        return 0
    if not ws.settings.smtp_host and done.digests:
        say(t("alerts.cli.no_smtp", lang))
    for line in done.failed:
        say(line)
    say(t("alerts.cli.summary", lang, day=fmt_date(done.day), changes=done.changes,
          digests=len(done.digests), sent=done.sent, failed=len(done.failed)))
    return 1 if done.failed else 0


def outbox(ws: api.Workspace, o: Options, lang: str) -> int:
    write_csv(api.alert_outbox(ws, o["actor"], o.get("status"), lang), o.get("out"), lang)
    return 0


def resend(ws: api.Workspace, o: Options, lang: str) -> int:
    api.resend_alert(ws, o["actor"], o["id"], lang)
    sent, failed = api.send_owed_alerts(ws, o["actor"], lang)
    for line in failed:
        say(line)
    say(t("alerts.cli.summary", lang, day="", changes=0, digests=0, sent=sent, failed=len(failed)))
    return 1 if failed else 0


COMMANDS = {("alerts", "subscribe"): subscribe, ("alerts", "list"): listing,
            ("alerts", "unsubscribe"): unsubscribe, ("alerts", "run"): run,
            ("alerts", "outbox"): outbox, ("alerts", "resend"): resend}
