"""The operations commands: ``check`` (the deployment's health), ``db upgrade`` (the
migrations as a deploy step) and ``export`` (the levels in force with their shapes).

``check`` and ``db upgrade`` look at the database itself, so ``zones.cli.main`` hands them
a workspace it has not opened (``UNOPENED``): a check never migrates or creates a
database, and the upgrade reports the revision it started from."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zones import api
from zones.cli.output import write_bytes, write_csv
from zones.i18n import t

Options = dict

#: commands given a workspace whose database is not opened (nor migrated) first
UNOPENED = frozenset({("check", None), ("db", "upgrade")})


def check(ws: api.Workspace, o: Options, lang: str) -> int:
    """``check``: one line per check in ``--lang``; 0 healthy, 1 degraded, 2 down."""
    result = api.health(ws, lang)
    print("\n".join(result.lines(lang)))
    return result.exit_code


def db_upgrade(ws: api.Workspace, o: Options, lang: str) -> int:
    """``db upgrade``: migrate to the newest revision; 0 done (or nothing to do)."""
    done = api.upgrade_database(ws, o["actor"], lang)
    if done.changed:
        print(t("ops.upgraded", lang, before=done.before or t("ops.no_revision", lang), after=done.after))
    else:
        print(t("ops.up_to_date", lang, revision=done.after))
    return 0


def export(ws: api.Workspace, o: Options, lang: str) -> int:
    """``export --date D [--level L] --format gpkg|geojson|csv --out F``."""
    out = api.export_levels(ws, o["actor"], o["date"], o["level"], o["fmt"], lang)
    if isinstance(out, pd.DataFrame):
        write_csv(out, o["out"], lang)
    else:
        write_bytes(Path(o["out"]), out, lang)
    return 0


def add_parsers(sub, parser_class, parse_date, parse_level, lang: str) -> None:
    """The grammar of these commands (called by ``zones.cli.parser``)."""
    sub.add_parser("check", help=t("cli.help.check", lang))
    db = sub.add_parser("db", help=t("cli.help.db", lang))
    dsub = db.add_subparsers(dest="action", required=True, parser_class=parser_class)
    dsub.add_parser("upgrade")
    ex = sub.add_parser("export", help=t("cli.help.export", lang))
    ex.add_argument("--date", type=parse_date, required=True)
    ex.add_argument("--level", type=parse_level, default="commune")
    ex.add_argument("--format", dest="fmt", choices=("gpkg", "geojson", "csv"), required=True)
    ex.add_argument("--out", required=True)


COMMANDS = {("check", None): check, ("db", "upgrade"): db_upgrade, ("export", None): export}
