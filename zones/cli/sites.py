"""The ``sites`` commands (issue 25): import, list, template, and the facility scoring
schemes (``sites scheme add|list|show``, as ``rulesets add|list|show``)."""

from __future__ import annotations

import sys
from pathlib import Path

from zones import api
from zones.cli.output import read_file, say, write_bytes, write_csv
from zones.i18n import t

Options = dict


def sites_import(ws: api.Workspace, o: Options, lang: str) -> int:
    """``sites import FILE --kind K [--dry-run]``: 0 all rows stored, 1 some refused
    (the good ones stored), 2 nothing usable."""
    path = Path(o["file"])
    if path.is_file():
        api.check_upload_size(path.stat().st_size, lang)
    checked = api.check_sites(ws, read_file(path), path.name, o["kind"], lang=lang,
                              actor=o["actor"])
    try:
        result = api.store_sites(ws, checked, o["actor"], dry_run=o.get("dry_run", False))
    except Exception:
        print(api.format_site_check(checked, lang=lang))
        raise
    print(api.format_site_check(checked, result, lang=lang))
    return 1 if len(checked.refused) else 0


def sites_list(ws: api.Workspace, o: Options, lang: str) -> int:
    """``sites list [--kind K] [--unit CODE] [--date D] [--out F]``."""
    write_csv(api.sites_list(ws, o.get("kind"), o.get("unit"), o.get("date"), lang),
              o.get("out"), lang)
    return 0


def sites_template(ws: api.Workspace, o: Options, lang: str) -> int:
    """``sites template --kind K [--out F]``: the CSV template of a kind."""
    out = Path(o.get("out") or f"mau_{o['kind']}.csv")
    write_bytes(out, api.site_template(ws, o["kind"], lang), lang)
    return 0


def sites_scheme(ws: api.Workspace, o: Options, lang: str) -> int:
    """``sites scheme add FILE`` / ``sites scheme list [--out F]`` / ``sites scheme show ID``."""
    what = o.get("scheme_action")
    if what == "add":
        path = Path(o["file"])
        if path.is_file():
            api.check_site_scheme_size(path.stat().st_size, path.name, lang)
        kept = api.add_site_scheme(ws, o["actor"], read_file(path), path.name, lang)
        key = "sites.scheme.added" if kept.number else "sites.scheme.unchanged"
        say(t(key, lang, id=kept.scheme.id, version=kept.scheme.version, n=kept.number))
    elif what == "show":
        sys.stdout.write(api.site_scheme_text(ws, o["id"], lang))
    else:
        write_csv(api.site_schemes(ws, lang=lang), o.get("out"), lang)
    return 0


COMMANDS = {
    ("sites", "import"): sites_import,
    ("sites", "list"): sites_list,
    ("sites", "template"): sites_template,
    ("sites", "scheme"): sites_scheme,
}
