"""Command-line interface: ``python -m zones [--db URL] [--lang vi|en] COMMAND``.

A shell over the front door: ``parser`` reads the command line, ``commands`` holds one
handler per command (a dispatch table), ``output`` writes CSV, files and messages. Every
user error prints one clear message (Vietnamese by default) and exits 2; no traceback
reaches the user.
"""

from __future__ import annotations

import logging
import os
import sys

from sqlalchemy.exc import SQLAlchemyError

from zones import api
from zones.cli.commands import COMMANDS
from zones.cli.ops import UNOPENED
from zones.cli.output import write_csv
from zones.cli.parser import UsageError, build_parser
from zones.errors import ZonesError
from zones.i18n import default_lang, msg, t

__all__ = ["main", "write_csv"]
log = logging.getLogger(__name__)


def _lang_of(argv: list[str], default: str) -> str:
    """``--lang`` of the command line, else ``default`` (the setting ZONES_LANG)."""
    if "--lang" in argv:
        i = argv.index("--lang")
        if i + 1 < len(argv) and argv[i + 1] in ("vi", "en"):
            return argv[i + 1]
    return default


#: commands that write data out of the system (an observer without export may not)
EXPORTS = frozenset({("units", "export"), ("units", "history"), ("observations", "export"),
                     ("observations", "template"), ("assess", None), ("transitions", None),
                     ("map", None), ("briefing", None), ("declarations", "list"),
                     ("dhis2", "export"), ("export", None),
                     ("plans", "list"), ("plans", "progress"), ("plans", "measures"),
                     ("emulation", None),
                     ("compare", None),
                     ("sites", "list"), ("sites", "template"),
                     ("outlook", None), ("outlook", "backtest")})


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    settings = problem = None
    try:
        settings = api.Settings.from_env(os.environ)  # the settings, read once here
    except ZonesError as err:  # told below, in the command line's language
        problem = err
    lang = _lang_of(argv, settings.lang if settings else default_lang())
    try:
        if problem is not None:
            raise problem
        api.configure_logging(settings, "WARNING")
        options = vars(build_parser(lang).parse_args(argv))
        key = (options.pop("command"), options.pop("action", None))
        handler = COMMANDS.get(key)
        if handler is None:
            raise UsageError(msg("cli.unknown_command", value=" ".join(argv), choices=""))
        if key in UNOPENED:  # check, db upgrade: the database is what they look at
            if options.get("as_user"):  # the operator's, never run as an account
                raise UsageError(msg("ops.no_account", command=" ".join(k for k in key if k)))
            ws = api.Workspace.at(options.pop("db"), settings)
        else:
            ws = api.open_workspace(options.pop("db"), settings=settings)
        options.pop("lang", None)
        as_user = options.pop("as_user", None)
        options["actor"] = (api.actor_named(ws, as_user, "cli", lang) if as_user
                            else api.LOCAL_ADMIN)
        if key in EXPORTS or options.get("out"):  # an observer may be barred from
            # exporting: every listed command, and any command writing a file (--out)
            api.allow_export(ws, options["actor"], "_".join(k for k in key if k), lang)
        return handler(ws, options, lang)
    except ZonesError as err:
        print(t("cli.error_prefix", lang) + err.text(lang), file=sys.stderr)
        return err.exit_code
    except SQLAlchemyError as err:  # e.g. a database page damaged after it opened
        log.debug("database error", exc_info=True)
        print(t("cli.error_prefix", lang) + api.failure_message(err, lang, settings=settings),
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return 0
    except Exception as err:  # the last resort: a message, never a traceback
        log.debug("unexpected error", exc_info=True)
        print(t("cli.error_prefix", lang) + api.failure_message(err, lang, settings=settings),
              file=sys.stderr)
        return 2
