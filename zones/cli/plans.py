"""The commands of plans and the emulation table (architecture.md, milestone 3): each
calls one action of the front door and writes CSV (dates yyyy-mm-dd, shares with 3
decimals; column names English, messages in the user's language)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from zones import api
from zones.cli.output import say, write_csv
from zones.i18n import fmt_date, t

Options = dict

PLAN_LIST_COLUMNS = ["id", "unit_code", "unit_name", "kind", "level", "share", "from", "by",
                     "hold", "decision", "note", "entered_by", "entered_at", "status",
                     "revoked_by", "revoked_at"]
MEASURE_COLUMNS = ["id", "plan_id", "text", "added_by", "added_at", "done_on", "done_by",
                   "done_at"]


def iso(value) -> str:
    """A date as yyyy-mm-dd, empty when there is none."""
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def stamp(value) -> str:
    """A moment as yyyy-mm-dd HH:MM, empty when there is none."""
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


def share_text(value) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):.3f}"


def plans_add(ws: api.Workspace, o: Options, lang: str) -> int:
    """``plans add --unit CODE --kind K --level N [--share P] --from D1 --by D2
    [--hold DAYS] --decision TEXT [--note T] [--measure TEXT]…``."""
    plan_id = api.add_plan(ws, actor=o["actor"], unit_code=o.get("unit"), kind=o.get("kind"),
                           level=o.get("level"), share=o.get("share"),
                           date_from=o.get("start"), date_by=o.get("by"),
                           hold=o.get("hold"), decision=o.get("decision") or "",
                           note=o.get("note"), measures=o.get("measure") or (), lang=lang)
    print(t("plan.cli_saved", lang, id=plan_id))
    return 0


def plans_list(ws: api.Workspace, o: Options, lang: str) -> int:
    """``plans list [--unit CODE] [--out F]``: every plan, revoked ones marked."""
    p = api.list_plans(ws, o.get("unit"), lang)
    frame = pd.DataFrame({
        "id": p["id"].astype("Int64"), "unit_code": p["unit_code"], "unit_name": p["unit_name"],
        "kind": p["kind"], "level": p["level"].astype("Int64"),
        "share": [share_text(v) for v in p["share"]],
        "from": [iso(v) for v in p["date_from"]], "by": [iso(v) for v in p["date_by"]],
        "hold": p["hold"].astype("Int64"), "decision": p["decision"],
        "note": p["note"].fillna(""), "entered_by": p["entered_by"],
        "entered_at": [stamp(v) for v in p["entered_at"]], "status": p["status"],
        "revoked_by": p["revoked_by"].fillna(""),
        "revoked_at": [stamp(v) for v in p["revoked_at"]]}, columns=PLAN_LIST_COLUMNS)
    write_csv(frame, o.get("out"), lang)
    return 0


def plans_revoke(ws: api.Workspace, o: Options, lang: str) -> int:
    """``plans revoke ID``."""
    api.revoke_plan(ws, o["id"], o["actor"], lang)
    print(t("plan.cli_revoked", lang, id=o["id"]))
    return 0


def progress_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """The progress table as the contract writes it."""
    def value(kind, v):
        if pd.isna(v):
            return ""
        return share_text(v) if kind == "share" else str(int(v))
    return pd.DataFrame({
        "plan_id": frame["plan_id"], "unit_code": frame["unit_code"],
        "unit_name": frame["unit_name"], "kind": frame["kind"], "level": frame["level"],
        "share": [share_text(v) for v in frame["share"]],
        "from": [iso(v) for v in frame["from"]], "by": [iso(v) for v in frame["by"]],
        "decision": frame["decision"],
        "value": [value(k, v) for k, v in zip(frame["kind"], frame["value"], strict=True)],
        "target": [value(k, v) for k, v in zip(frame["kind"], frame["target"], strict=True)],
        "status": frame["status"], "since": [iso(v) for v in frame["since"]]},
        columns=api.PROGRESS_COLUMNS)


def plans_progress(ws: api.Workspace, o: Options, lang: str) -> int:
    """``plans progress --date D [--unit CODE] [--out F]``."""
    write_csv(progress_csv(api.plan_progress(ws, o["date"], o.get("unit"), lang)),
              o.get("out"), lang)
    return 0


def plans_measures(ws: api.Workspace, o: Options, lang: str) -> int:
    """``plans measures [--plan ID] [--out F]``: the measures and whether they are done."""
    m = api.plan_measures(ws, [o["plan"]] if o.get("plan") is not None else None, lang)
    frame = pd.DataFrame({
        "id": m["id"].astype("Int64"), "plan_id": m["plan_id"].astype("Int64"),
        "text": m["text"], "added_by": m["added_by"],
        "added_at": [stamp(v) for v in m["added_at"]],
        "done_on": [iso(v) for v in m["done_on"]], "done_by": m["done_by"].fillna(""),
        "done_at": [stamp(v) for v in m["done_at"]]}, columns=MEASURE_COLUMNS)
    write_csv(frame, o.get("out"), lang)
    return 0


def plans_done(ws: api.Workspace, o: Options, lang: str) -> int:
    """``plans done MEASURE_ID --date D``: a measure done on that day."""
    api.mark_measure_done(ws, o["id"], o.get("date"), o["actor"], lang)
    print(t("plan.cli_done", lang, id=o["id"], day=fmt_date(o["date"])))
    return 0


def emulation(ws: api.Workspace, o: Options, lang: str) -> int:
    """``emulation --unit CODE --from D1 --to D2 [--out F]``: the ranked table, its rule
    and the streaks called out on stderr."""
    frame = api.emulation(ws, o["unit"], o["start"], o["end"], lang)
    out = frame[api.EMULATION_COLUMNS].copy()
    out["reporting_rate"] = [share_text(v) for v in out["reporting_rate"]]
    write_csv(out, o.get("out"), lang)
    say(t("plan.cli_rule", lang))
    counts = [t("plan.cli_streak_count", lang, n=int((frame["green_streak"] >= days).sum()),
                days=days) for days in api.streak_callouts()]
    say(t("plan.cli_streaks", lang, counts="; ".join(counts)))
    return 0


COMMANDS: dict[tuple[str, str | None], Callable[[api.Workspace, Options, str], int]] = {
    ("plans", "add"): plans_add,
    ("plans", "list"): plans_list,
    ("plans", "revoke"): plans_revoke,
    ("plans", "progress"): plans_progress,
    ("plans", "measures"): plans_measures,
    ("plans", "done"): plans_done,
    ("emulation", None): emulation,
}
