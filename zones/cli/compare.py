"""``compare``: the what-if side by side of the page "So sánh" as a CSV (optional; the
contract of milestone 3 has no such command, this one adds nothing to it)::

    compare --date D [--date-b D2] [--a ID] [--b ID | --draft FILE] [--level L]
            [--unit CODE] [--out F]

Side A is ``--date`` under ``--a`` (default: the rule set in force that day); side B is
``--date-b`` (default: the same day) under ``--b`` (default: the rule set in force that
day) or under the draft rule set of ``--draft`` (checked like ``rulesets add``, never
stored). Writes the units that differ (``api.COMPARE_COLUMNS``) and says how many on
stderr; exit 0, or 2 with a message.
"""

from __future__ import annotations

from pathlib import Path

from zones import api
from zones.cli.output import read_file, say, write_csv
from zones.i18n import t


def add_parser(sub, parse_date, parse_level, lang: str) -> None:
    """The command's options (called by ``zones.cli.parser``)."""
    c = sub.add_parser("compare", help=t("cli.help.compare", lang))
    c.add_argument("--date", type=parse_date, required=True)
    c.add_argument("--date-b", dest="date_b", type=parse_date)
    c.add_argument("--a", dest="ruleset_a")
    which = c.add_mutually_exclusive_group()
    which.add_argument("--b", dest="ruleset_b")
    which.add_argument("--draft")
    c.add_argument("--level", type=parse_level, default="commune")
    c.add_argument("--unit", default=None)
    c.add_argument("--out")


def compare(ws: api.Workspace, o: dict, lang: str) -> int:
    """Write the units whose levels differ between side A and side B."""
    draft = None
    if o.get("draft"):
        path = Path(o["draft"])
        if path.is_file():  # bounded before it is read (the core checks the bytes again)
            api.check_ruleset_size(path.stat().st_size, path.name, lang)
        draft = api.open_draft(ws, o["actor"], read_file(path), path.name, lang)
    a = api.Side(o["date"], o.get("ruleset_a"))
    b = api.Side(o.get("date_b") or o["date"], o.get("ruleset_b"), draft)
    cmp = api.compare_levels(ws, a, b, o["level"], o.get("unit"), lang)
    write_csv(cmp.table[api.COMPARE_COLUMNS], o.get("out"), lang)
    n = len(cmp.table)
    say(t("cmp.summary", lang, n=n, up=cmp.higher, down=cmp.lower, data=n - cmp.higher - cmp.lower)
        if n else t("cmp.none", lang))
    return 0
