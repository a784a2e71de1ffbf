"""The command line's grammar (architecture.md §6): commands, options, their parsing.

Parsing errors become ``UsageError`` (exit 2, a message in the user's language); dates
are read as dd/mm/yyyy or yyyy-mm-dd.
"""

from __future__ import annotations

import argparse

import pandas as pd

import contract
from rules.text import DATE_FORMAT
from zones.cli import alerts as alerts_cli
from zones.cli import compare as compare_cli
from zones.cli import ops
from zones.cli import outlook as outlook_cli
from zones.errors import ZonesError
from zones.i18n import Joined, msg, t

LEVELS = contract.UNIT_LEVELS


class UsageError(ZonesError):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse calls this for bad usage
        raise UsageError(_translate_usage(message, self.format_usage()))


def _translate_usage(message: str, usage: str) -> Joined:
    if "invalid choice" in message:
        bad = message.split("invalid choice: ")[-1].split(" (")[0]
        choices = message.split("choose from ")[-1].rstrip(")") if "choose from" in message else ""
        option = message.split("argument ")[-1].split(":")[0] if "argument -" in message else ""
        if option:  # an option's value (``--format shp``), not a command
            return Joined([msg("cli.bad_choice", option=option, value=bad, choices=choices), usage])
        return Joined([msg("cli.unknown_command", value=bad, choices=choices), usage])
    if "required" in message:  # argparse's English: "the following arguments are required: …"
        names = message.split("required: ")[-1]
        return Joined([msg("cli.missing_args", detail=names), usage])
    return Joined([msg("cli.bad_usage", detail=message), usage])


def parse_date(value: str):
    """A date from ``dd/mm/yyyy`` or ``yyyy-mm-dd``."""
    for fmt in (DATE_FORMAT, "%Y-%m-%d"):
        try:
            return pd.to_datetime(value, format=fmt).date()
        except (ValueError, TypeError):
            continue
    raise UsageError(msg("cli.bad_date", value=value))


def parse_level(value: str) -> str:
    """A unit level name."""
    if value not in LEVELS:
        raise UsageError(msg("cli.bad_level", value=value, choices=", ".join(LEVELS)))
    return value


def parse_zone_level(value: str) -> int:
    """A zone level 1-4."""
    if value not in ("1", "2", "3", "4"):
        raise UsageError(msg("decl.bad_level", value=value))
    return int(value)


def parse_weeks(value: str) -> int:
    """A number of weeks, 1 to 26."""
    if not value.isdigit() or not 1 <= int(value) <= 26:
        raise UsageError(msg("brief.bad_weeks", value=value))
    return int(value)


def parse_id(value: str) -> int:
    """A declaration id (a whole number)."""
    if not value.isdigit():
        raise UsageError(msg("cli.bad_id", value=value))
    return int(value)


def parse_site_kind(value: str) -> str:
    """A kind of site: facility, quarantine or lockdown."""
    if value not in ("facility", "quarantine", "lockdown"):
        raise UsageError(msg("sites.bad_kind", kind=value))
    return value


def build_parser(lang: str) -> argparse.ArgumentParser:
    """The argument parser of every command, its help in ``lang``."""
    p = _Parser(prog="python -m zones", description=t("cli.description", lang))
    p.add_argument("--db", help="SQLAlchemy URL (default: $ZONES_DB or data/zones.db)")
    p.add_argument("--lang", choices=("vi", "en"), default=None, help="message language")
    p.add_argument("--as", dest="as_user", default=None,
                   help="run as this account, with its rights (default: local administrator)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    d = sub.add_parser("demo", help=t("cli.help.demo", lang))
    d.add_argument("--national", action="store_true")
    d.add_argument("--reset", action="store_true")
    d.add_argument("--yes", action="store_true",
                   help="--reset: delete uploads, declarations and rule sets people added")
    d.add_argument("--curve", choices=("simulated", "real-shaped"), default="simulated")

    u = sub.add_parser("units", help=t("cli.help.units", lang))
    usub = u.add_subparsers(dest="action", required=True, parser_class=_Parser)
    ui = usub.add_parser("import")
    ui.add_argument("file")
    ui.add_argument("--level", type=parse_level)
    for f in ("code", "name", "parent", "parent-name", "population", "layer", "set-name",
              "encoding", "structure"):
        ui.add_argument(f"--{f}-field" if f in ("code", "name", "parent", "parent-name",
                                                  "population") else f"--{f}")
    ui.add_argument("--crs", help="EPSG:xxxx or VN2000:<central meridian> when the file has none")
    ui.add_argument("--dry-run", action="store_true")
    ue = usub.add_parser("export")
    ue.add_argument("--level", type=parse_level)
    ue.add_argument("--out")
    ue.add_argument("--format", choices=("csv", "geojson"), default=None)
    us = usub.add_parser("sets")
    us.add_argument("--out")
    uh = usub.add_parser("history")
    uh.add_argument("code", nargs="?", default=None)
    uh.add_argument("--out")
    ua = usub.add_parser("activate")
    ua.add_argument("set_id", type=parse_id)
    ud = usub.add_parser("download")
    ud.add_argument("source")
    ud.add_argument("--level", type=int, default=None)
    ud.add_argument("--country", default="VNM")
    ud.add_argument("--url", default=None)
    ud.add_argument("--out", default=None)
    ud.add_argument("--set-name", default=None)

    us_ = sub.add_parser("users", help=t("cli.help.users", lang))
    usub_ = us_.add_subparsers(dest="action", required=True, parser_class=_Parser)
    ua_ = usub_.add_parser("add")
    ua_.add_argument("name")
    ua_.add_argument("--role", required=True)
    ua_.add_argument("--unit", default=None)
    ua_.add_argument("--no-export", action="store_true")
    ua_.add_argument("--password-stdin", action="store_true")
    ul_ = usub_.add_parser("list")
    ul_.add_argument("--out")
    usub_.add_parser("disable").add_argument("name")
    usub_.add_parser("enable").add_argument("name")
    ur_ = usub_.add_parser("reset-password")
    ur_.add_argument("name")
    ur_.add_argument("--password-stdin", action="store_true")
    ap = sub.add_parser("approve", help=t("cli.help.approve", lang))
    ap.add_argument("--unit", required=True)
    ap.add_argument("--week", dest="day", type=parse_date, required=True)
    ap.add_argument("--unlock", action="store_true")
    ap.add_argument("--mark-silent", action="store_true",
                    help="mark communes without figures that week as not reporting")
    ap.add_argument("--note", default=None)
    au = sub.add_parser("audit", help=t("cli.help.audit", lang))
    au.add_argument("--from", dest="start", type=parse_date)
    au.add_argument("--to", dest="end", type=parse_date)
    au.add_argument("--unit")
    au.add_argument("--user")
    au.add_argument("--kind")
    au.add_argument("--out")

    o = sub.add_parser("observations", help=t("cli.help.observations", lang))
    osub = o.add_subparsers(dest="action", required=True, parser_class=_Parser)
    oi = osub.add_parser("import")
    oi.add_argument("file")
    oi.add_argument("--dry-run", action="store_true")
    oi.add_argument("--all-or-nothing", action="store_true")
    oi.add_argument("--sheet", default=None)
    oi.add_argument("--report", default=None)
    oe = osub.add_parser("export")
    oe.add_argument("--from", dest="start", type=parse_date)
    oe.add_argument("--to", dest="end", type=parse_date)
    oe.add_argument("--out")
    ot = osub.add_parser("template")
    ot.add_argument("--unit", required=True)
    ot.add_argument("--from", dest="start", type=parse_date, required=True)
    ot.add_argument("--to", dest="end", type=parse_date, required=True)
    ot.add_argument("--out")

    a = sub.add_parser("assess", help=t("cli.help.assess", lang))
    a.add_argument("--date", type=parse_date, required=True)
    a.add_argument("--ruleset")
    a.add_argument("--level", type=parse_level, default="commune")
    a.add_argument("--out")

    tr = sub.add_parser("transitions", help=t("cli.help.transitions", lang))
    tr.add_argument("--from", dest="start", type=parse_date, required=True)
    tr.add_argument("--to", dest="end", type=parse_date, required=True)
    tr.add_argument("--level", type=parse_level, default="commune")
    tr.add_argument("--out")

    m = sub.add_parser("map", help=t("cli.help.map", lang))
    m.add_argument("--date", type=parse_date, required=True)
    m.add_argument("--level", type=parse_level, default="commune")
    m.add_argument("--palette", choices=("default", "colourblind"), default="default")
    m.add_argument("--sites", action="store_true",
                   help="with the safety map's sites (facilities, quarantine, lockdowns)")
    m.add_argument("--out")

    b = sub.add_parser("briefing", help=t("cli.help.briefing", lang))
    b.add_argument("--date", type=parse_date, required=True)
    b.add_argument("--unit", default=None)
    b.add_argument("--level", type=parse_level, default=None)
    b.add_argument("--weeks", type=parse_weeks, default=1)
    b.add_argument("--format", dest="fmt", choices=("pptx", "pdf", "png"), required=True)
    b.add_argument("--palette", choices=("default", "colourblind"), default="default")
    b.add_argument("--sites", action="store_true",
                   help="maps with the safety map's sites (facilities, quarantine, lockdowns)")
    b.add_argument("--out")

    dc = sub.add_parser("declarations", help=t("cli.help.declarations", lang))
    dsub = dc.add_subparsers(dest="action", required=True, parser_class=_Parser)
    da = dsub.add_parser("add")
    da.add_argument("--unit", required=True)
    da.add_argument("--level", type=parse_zone_level, required=True)
    da.add_argument("--from", dest="start", type=parse_date, required=True)
    da.add_argument("--to", dest="end", type=parse_date)
    da.add_argument("--decision", required=True)
    da.add_argument("--note", default=None)
    da.add_argument("--by", dest="signed_by", default=None)
    dl = dsub.add_parser("list")
    dl.add_argument("--out")
    dr = dsub.add_parser("revoke")
    dr.add_argument("id", type=parse_id)

    rc = sub.add_parser("rulesets", help=t("cli.help.rulesets", lang))
    rsub = rc.add_subparsers(dest="action", required=True, parser_class=_Parser)
    rsub.add_parser("add").add_argument("file")
    rsub.add_parser("list").add_argument("--out")
    rsub.add_parser("show").add_argument("id")
    alerts_cli.add_parser(sub, _Parser, parse_date, parse_id, lang)
    add_interop(sub, lang)
    ops.add_parsers(sub, _Parser, parse_date, parse_level, lang)
    _plans(sub, lang)
    compare_cli.add_parser(sub, parse_date, parse_level, lang)  # optional, beyond the contract

    si = sub.add_parser("sites", help=t("cli.help.sites", lang))
    sisub = si.add_subparsers(dest="action", required=True, parser_class=_Parser)
    sii = sisub.add_parser("import")
    sii.add_argument("file")
    sii.add_argument("--kind", required=True, type=parse_site_kind)
    sii.add_argument("--dry-run", action="store_true")
    sil = sisub.add_parser("list")
    sil.add_argument("--kind", type=parse_site_kind, default=None)
    sil.add_argument("--unit", default=None)
    sil.add_argument("--date", type=parse_date, default=None)
    sil.add_argument("--out")
    sit = sisub.add_parser("template")
    sit.add_argument("--kind", required=True, type=parse_site_kind)
    sit.add_argument("--out")
    sis = sisub.add_parser("scheme")
    sissub = sis.add_subparsers(dest="scheme_action", required=True, parser_class=_Parser)
    sissub.add_parser("add").add_argument("file")
    sissub.add_parser("list").add_argument("--out")
    sissub.add_parser("show").add_argument("id")
    outlook_cli.add_parser(sub, parse_date, parse_level, _Parser, lang)  # issue 23
    return p


def add_interop(sub, lang: str) -> None:
    """``tokens`` and ``dhis2 export`` (zones/cli/interop.py)."""
    tk = sub.add_parser("tokens", help=t("cli.help.tokens", lang))
    tsub = tk.add_subparsers(dest="action", required=True, parser_class=_Parser)
    ta = tsub.add_parser("add")
    ta.add_argument("name")
    ta.add_argument("--unit", default=None)
    tsub.add_parser("list").add_argument("--out")
    tsub.add_parser("revoke").add_argument("id", type=parse_id)
    dh = sub.add_parser("dhis2", help=t("cli.help.dhis2", lang))
    dhsub = dh.add_subparsers(dest="action", required=True, parser_class=_Parser)
    de = dhsub.add_parser("export")
    de.add_argument("--from", dest="start", type=parse_date, required=True)
    de.add_argument("--to", dest="end", type=parse_date, required=True)
    de.add_argument("--mapping", required=True)
    de.add_argument("--unit", default=None)
    de.add_argument("--out")


def _plans(sub, lang: str) -> None:
    """``plans add|list|revoke|progress|measures|done`` and ``emulation`` (milestone 3);
    the kind, level, share and hold are checked by the core, every problem at once."""
    pc = sub.add_parser("plans", help=t("cli.help.plans", lang))
    psub = pc.add_subparsers(dest="action", required=True, parser_class=_Parser)
    pa = psub.add_parser("add")
    for name in ("unit", "kind", "level", "share", "hold", "decision", "note"):
        pa.add_argument(f"--{name}", default=None)
    pa.add_argument("--from", dest="start", type=parse_date, default=None)
    pa.add_argument("--by", dest="by", type=parse_date, default=None)
    pa.add_argument("--measure", action="append", default=None)
    pl = psub.add_parser("list")
    pl.add_argument("--unit", default=None)
    pl.add_argument("--out")
    psub.add_parser("revoke").add_argument("id", type=parse_id)
    pp = psub.add_parser("progress")
    pp.add_argument("--date", type=parse_date, required=True)
    pp.add_argument("--unit", default=None)
    pp.add_argument("--out")
    pm = psub.add_parser("measures")
    pm.add_argument("--plan", type=parse_id, default=None)
    pm.add_argument("--out")
    pd_ = psub.add_parser("done")
    pd_.add_argument("id", type=parse_id)
    pd_.add_argument("--date", type=parse_date, required=True)
    em = sub.add_parser("emulation", help=t("cli.help.emulation", lang))
    em.add_argument("--unit", required=True)
    em.add_argument("--from", dest="start", type=parse_date, required=True)
    em.add_argument("--to", dest="end", type=parse_date, required=True)
    em.add_argument("--out")


