"""The interoperability commands: ``tokens add|list|revoke`` and ``dhis2 export``
(each calls one action of the front door)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from zones import api
from zones.cli.output import read_file, say, write_bytes, write_csv
from zones.i18n import fmt_int, t

Options = dict


def tokens_add(ws: api.Workspace, o: Options, lang: str) -> int:
    """``tokens add NAME [--unit CODE]``: the token is printed once, on stdout."""
    token_id, token = api.add_token(ws, o["actor"], o["name"], o.get("unit"), lang)
    say(t("tok.cli_added", lang, id=token_id, name=o["name"].strip(),
          scope=o.get("unit") or t("tok.everywhere", lang)))
    print(token)
    return 0


def tokens_list(ws: api.Workspace, o: Options, lang: str) -> int:
    """``tokens list [--out F]``: never a token or its hash."""
    write_csv(api.list_tokens(ws, o["actor"], lang), o.get("out"), lang)
    return 0


def tokens_revoke(ws: api.Workspace, o: Options, lang: str) -> int:
    """``tokens revoke ID``."""
    row = api.revoke_token(ws, o["actor"], o["id"], lang)
    say(t("tok.cli_revoked", lang, id=o["id"], name=row["name"]))
    return 0


def dhis2_export(ws: api.Workspace, o: Options, lang: str) -> int:
    """``dhis2 export --from D1 --to D2 --mapping FILE [--unit CODE] [--out FILE]``."""
    path = Path(o["mapping"])
    if path.is_file():  # bounded before it is read
        api.check_dhis2_mapping_size(path.stat().st_size, path.name, lang)
    done = api.dhis2_export(ws, o["actor"], o["start"], o["end"], read_file(path), path.name,
                            o.get("unit"), lang)
    for warning in done.warnings:
        say(warning.text(lang))
    if o.get("out"):
        write_bytes(Path(o["out"]), done.json_bytes(), lang)
    else:
        sys.stdout.write(done.json_bytes().decode("utf-8") + "\n")
    say(t("dhis2.cli_done", lang, n=fmt_int(len(done.values), lang), weeks=len(done.periods),
          first=done.periods[0], last=done.periods[-1]))
    return 0



COMMANDS: dict[tuple[str, str | None], Callable[[api.Workspace, Options, str], int]] = {
    ("tokens", "add"): tokens_add,
    ("tokens", "list"): tokens_list,
    ("tokens", "revoke"): tokens_revoke,
    ("dhis2", "export"): dhis2_export,
}
