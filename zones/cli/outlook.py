"""``outlook --date D [--level L] [--unit CODE] [--out F]`` and ``outlook backtest --from D1
--to D2 [--level L] [--unit CODE] [--out F]`` (architecture.md, milestone 3)."""

from __future__ import annotations

import argparse

from zones import api
from zones.cli.output import write_csv
from zones.errors import ZonesError
from zones.i18n import t

Options = dict
P_COLUMNS = ("p_up", "p_down", "p_same")


def add_parser(sub, parse_date, parse_level, parser_class, lang: str) -> None:
    """The ``outlook`` command: the table of a day, or ``backtest`` over a period."""
    o = sub.add_parser("outlook", help=t("cli.help.outlook", lang))
    o.add_argument("action", nargs="?", choices=("backtest",), default=None,
                   help=argparse.SUPPRESS)
    o.add_argument("--date", type=parse_date)
    o.add_argument("--from", dest="start", type=parse_date)
    o.add_argument("--to", dest="end", type=parse_date)
    o.add_argument("--level", type=parse_level, default="commune")
    o.add_argument("--unit", default=None)
    o.add_argument("--out")


def outlook(ws: api.Workspace, o: Options, lang: str) -> int:
    """``outlook --date D``: CSV ``unit_code,unit_name,level,p_up,p_down,p_same,
    expected_level,near_threshold,reason``."""
    if o.get("date") is None:
        raise ZonesError(t("out.need_date", lang))
    frame = api.outlook(ws, o["date"], o["level"], o.get("unit"), lang=lang)
    frame = frame[api.OUTLOOK_COLUMNS].copy()
    for col in P_COLUMNS:
        frame[col] = frame[col].map(lambda x: f"{x:.3f}")
    write_csv(frame, o.get("out"), lang)
    return 0


def backtest(ws: api.Workspace, o: Options, lang: str) -> int:
    """``outlook backtest --from D1 --to D2``: prints the scores; ``--out`` the
    calibration bins ``bin,forecasts,mean_p,observed``."""
    if o.get("start") is None or o.get("end") is None:
        raise ZonesError(t("out.need_period", lang))
    bt = api.outlook_backtest(ws, o["start"], o["end"], o["level"], o.get("unit"),
                              lang=lang)
    for line in api.backtest_lines(bt, lang):
        print(line)
    if o.get("out"):
        write_csv(bt.bins[api.OUTLOOK_BIN_COLUMNS], o["out"], lang)
    return 0


COMMANDS = {("outlook", None): outlook, ("outlook", "backtest"): backtest}
