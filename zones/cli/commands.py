"""The commands: each reads its options (a plain dict), calls one action of the front
door (``zones.api``), and writes what it returns. Exit codes (architecture.md §6):
0 ok, 1 some input rows refused (the good ones stored), 2 unusable input (raised as a
``ZonesError`` and printed by ``zones.cli.main``)."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from zones import api
from zones.cli import alerts as alerts_cli
from zones.cli import compare as compare_cli
from zones.cli import interop, ops
from zones.cli import outlook as outlook_cli
from zones.cli import plans as plan_commands
from zones.cli.output import read_file, say, write_bytes, write_csv, write_text
from zones.cli.sites import COMMANDS as SITE_COMMANDS
from zones.errors import ZonesError
from zones.i18n import fmt_date, fmt_datetime, fmt_int, msg, t

Options = dict


def demo(ws: api.Workspace, o: Options, lang: str) -> int:
    """``demo [--national] [--reset [--yes]] [--curve simulated|real-shaped]``."""
    say(t("demo.building", lang, scope="toàn quốc" if o["national"] else "Kiên Giang"))
    built = api.demo(ws, o["actor"], national=o["national"], reset=o["reset"], lang=lang,
                     yes=o.get("yes", False), curve=o.get("curve") or "simulated")
    print(t("demo.done", lang, url=ws.engine.url.render_as_string(hide_password=True), **built))
    return 0


IMPORT_FIELDS = ("level", "code_field", "name_field", "parent_field", "parent_name_field",
                 "population_field", "layer", "set_name", "encoding", "structure", "crs")


def units_import(ws: api.Workspace, o: Options, lang: str) -> int:
    """``units import FILE``: 0 ok, 1 stored with rejected features, 2 unusable."""
    path = Path(o["file"])
    if not path.exists():
        raise ZonesError(t("cli.file_missing", lang, path=str(path)))
    plan = api.plan_boundaries(ws, path, api.ImportOptions(**{k: o.get(k) for k in
                                                              IMPORT_FIELDS}), lang,
                               actor=o["actor"])
    for line in api.boundary_report_lines(plan.report, lang):
        say(line)
    same = api.already_imported(ws, plan)
    if o.get("dry_run"):
        say(t("bnd.rep.dry_run", lang))
    elif same is not None:
        say(t("bnd.rep.same_file", lang, set_id=same["id"], name=same["name"]))
        return 0
    else:
        set_id = api.import_boundaries(ws, plan, o["actor"], lang)
        n = len(plan.units) + len(plan.updates if plan.updates is not None else [])
        say(t("bnd.rep.stored", lang, n=fmt_int(n, lang), set_id=set_id))
    return plan.report.exit_code


def units_export(ws: api.Workspace, o: Options, lang: str) -> int:
    """``units export``: CSV (contract columns) or GeoJSON of the stored units."""
    out = o.get("out")
    fmt = o.get("format") or ("geojson" if out and out.lower().endswith((".geojson", ".json"))
                              else "csv")
    frame = api.export_units(ws, o.get("level"), geometry=fmt == "geojson", lang=lang)
    if fmt == "csv":
        write_csv(frame, out, lang)
        return 0
    import geopandas as gpd  # here only: every other command starts without it

    gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    write_text(Path(out) if out else None,
               gdf.to_json(na="null", show_bbox=False, drop_id=True, ensure_ascii=False), lang)
    return 0


def units_sets(ws: api.Workspace, o: Options, lang: str) -> int:
    """``units sets [--out F]``: the boundary sets stored, the active one marked."""
    write_csv(api.boundary_sets(ws), o.get("out"), lang)
    return 0


def units_history(ws: api.Workspace, o: Options, lang: str) -> int:
    """``units history [CODE] [--out F]``: what imports changed in units of the active
    boundary set (old -> new, when, from which file), newest first."""
    write_csv(api.unit_changes(ws, o.get("code"), lang), o.get("out"), lang)
    return 0


def units_activate(ws: api.Workspace, o: Options, lang: str) -> int:
    """``units activate SET_ID``: make an (older) boundary set the one every view uses."""
    api.activate_boundary_set(ws, o["set_id"], o["actor"], lang)
    print(t("bnd.rep.activated", lang, set_id=o["set_id"]))
    return 0


def units_download(ws: api.Workspace, o: Options, lang: str) -> int:
    """``units download SOURCE``: fetch a public boundary file and import it."""
    got, plan, set_id = api.download_boundaries(
        ws, o["source"], level=o.get("level"), country=o.get("country"), url=o.get("url"),
        out=o.get("out"), set_name=o.get("set_name"), progress=say, actor=o["actor"],
        lang=lang)
    say(t("bnd.dl.saved", lang, path=str(got.path), kb=round(got.size / 1024, 1), sha=got.sha256[:12]))
    if got.non_commercial:
        say(t("bnd.warn.gadm_licence", lang))
    for line in api.boundary_report_lines(plan.report, lang):
        say(line)
    say(t("bnd.rep.stored", lang, n=fmt_int(len(plan.units), lang), set_id=set_id))
    return plan.report.exit_code


def observations_import(ws: api.Workspace, o: Options, lang: str) -> int:
    """``observations import FILE``: 0 all rows stored, 1 some refused, 2 nothing stored."""
    path = Path(o["file"])
    if path.is_file():
        api.check_upload_size(path.stat().st_size, lang)
    checked = api.check_upload(ws, read_file(path), path.name, sheet=o.get("sheet"), lang=lang,
                               actor=o["actor"])
    print(api.format_check(checked))
    if o.get("report") and len(checked.problems):
        write_bytes(Path(o["report"]), api.upload_error_report(checked), lang)
    result = api.store_upload(ws, checked, o["actor"],
                              all_or_nothing=o.get("all_or_nothing", False),
                              dry_run=o.get("dry_run", False),
                              progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(api.format_result(result, lang))
    # rows refused: 1, for a dry run, and for a file imported before, as for its first run
    return 1 if len(checked.refused) else 0


def observations_export(ws: api.Workspace, o: Options, lang: str) -> int:
    """``observations export``: CSV of the current values, contract columns."""
    write_csv(api.export_observations(ws, o.get("start"), o.get("end")), o.get("out"), lang)
    return 0


def observations_template(ws: api.Workspace, o: Options, lang: str) -> int:
    """``observations template --unit CODE --from D1 --to D2 [--out FILE]``."""
    data = api.observation_template(ws, o["unit"], o["start"], o["end"], lang)
    out = Path(o.get("out") or f"mau_{o['unit']}_{o['start']:%Y%m%d}_{o['end']:%Y%m%d}.xlsx")
    write_bytes(out, data, lang)
    return 0


def assess(ws: api.Workspace, o: Options, lang: str) -> int:
    """``assess --date D [--ruleset ID] [--level L] [--out FILE]``."""
    write_csv(api.assess(ws, o["date"], o["level"], o.get("ruleset"), lang), o.get("out"), lang)
    return 0


def transitions(ws: api.Workspace, o: Options, lang: str) -> int:
    """``transitions --from D1 --to D2 [--level L] [--out FILE]``."""
    moved = api.transitions(ws, o["start"], o["end"], o["level"], lang=lang)
    write_csv(moved.frame[api.TRANSITION_COLUMNS], o.get("out"), lang)
    return 0


def map_(ws: api.Workspace, o: Options, lang: str) -> int:
    """``map --date D [--level L] [--out FILE.html]``."""
    html = api.map_html(ws, o["date"], o["level"], palette=o.get("palette", "default"),
                        lang=lang, sites=o.get("sites", False))
    write_bytes(Path(o.get("out") or f"ban-do-cap-do_{o['date']:%Y%m%d}.html"),
                html.encode("utf-8"), lang)
    return 0


def briefing(ws: api.Workspace, o: Options, lang: str) -> int:
    """``briefing --date D [--unit CODE] [--level L] [--weeks N] --format F [--sites]
    --out FILE`` (``--sites``: the maps draw the safety map's sites)."""
    data = api.briefing(ws, o["date"], o.get("unit"), o.get("level"), o.get("weeks", 1),
                        o["fmt"], o.get("palette", "default"), lang, progress=say,
                        sites=o.get("sites", False))
    out = o.get("out") or f"giao-ban_{o.get('unit') or 'all'}_{o['date']:%Y%m%d}.{o['fmt']}"
    write_bytes(Path(out), data, lang)
    return 0


def declarations_add(ws: api.Workspace, o: Options, lang: str) -> int:
    """``declarations add --unit CODE --level N --from D [--to D] --decision TEXT
    [--by NAME]`` (NAME: who signed the decision; who entered it is the account)."""
    done = api.declare(ws, actor=o["actor"], unit_code=o["unit"], level=o["level"],
                       effective_from=o["start"], effective_to=o.get("end"),
                       decision_number=o["decision"], note=o.get("note"), lang=lang,
                       signed_by=o.get("signed_by"))
    for warning in done.warnings:
        say(warning)
    print(t("decl.cli_saved", lang, id=done.id))
    return 0


DECLARATION_COLUMNS = ["id", "unit_code", "unit_name", "level", "effective_from",
                       "effective_to", "decision_number", "entered_by", "entered_at", "note",
                       "signed_by", "status", "revoked_by", "revoked_at"]


def declarations_list(ws: api.Workspace, o: Options, lang: str) -> int:
    """``declarations list [--out F]``: every declaration, dates as dd/mm/yyyy; a revoked
    one stays listed (``status`` revoked, by whom, when)."""
    decl = api.declarations(ws)
    names = api.units(ws)["name"] if api.has_units(ws) else pd.Series(dtype=object)
    frame = pd.DataFrame({
        "id": decl["id"].astype("Int64"), "unit_code": decl["unit_code"],
        "unit_name": decl["unit_code"].map(names).fillna(""),
        "level": decl["level"].astype("Int64"),
        "effective_from": [fmt_date(pd.Timestamp(d).date()) for d in decl["effective_from"]],
        "effective_to": [fmt_date(pd.Timestamp(d).date()) if pd.notna(d) else ""
                         for d in decl["effective_to"]],
        "decision_number": decl["decision_number"], "entered_by": decl["entered_by"],
        "entered_at": [fmt_datetime(d) for d in decl["entered_at"]],
        "note": decl["note"].fillna(""),
        "signed_by": decl["signed_by"].fillna(""),
        "status": ["active" if pd.isna(d) else "revoked" for d in decl["revoked_at"]],
        "revoked_by": decl["revoked_by"].fillna(""),
        "revoked_at": [fmt_datetime(d)
                       for d in decl["revoked_at"]]}, columns=DECLARATION_COLUMNS)
    write_csv(frame, o.get("out"), lang)
    return 0


def declarations_revoke(ws: api.Workspace, o: Options, lang: str) -> int:
    """``declarations revoke ID``."""
    api.revoke(ws, o["id"], o["actor"], lang)
    print(t("decl.cli_revoked", lang, id=o["id"]))
    return 0


def _password(name: str, from_stdin: bool, lang: str) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ZonesError(msg("users.no_password"))
    first = getpass.getpass(t("users.password_prompt", lang, name=name))
    if getpass.getpass(t("users.password_again", lang)) != first:
        raise ZonesError(msg("users.password_mismatch"))
    return first


def users_add(ws: api.Workspace, o: Options, lang: str) -> int:
    """``users add NAME --role R [--unit CODE] [--password-stdin]``."""
    password = _password(o["name"], o.get("password_stdin", False), lang)
    api.add_user(ws, o["actor"], o["name"], password, o["role"], o.get("unit"),
                 o.get("no_export", False), lang)
    say(t("users.added", lang, name=o["name"], role=o["role"]))
    return 0


def users_list(ws: api.Workspace, o: Options, lang: str) -> int:
    """``users list [--out F]``: the accounts (never their passwords or hashes)."""
    write_csv(api.list_users(ws, o["actor"], lang), o.get("out"), lang)
    return 0


def users_disable(ws: api.Workspace, o: Options, lang: str) -> int:
    api.disable_user(ws, o["actor"], o["name"], lang)
    say(t("users.disabled_done", lang, name=o["name"]))
    return 0


def users_enable(ws: api.Workspace, o: Options, lang: str) -> int:
    api.enable_user(ws, o["actor"], o["name"], lang)
    say(t("users.enabled_done", lang, name=o["name"]))
    return 0


def users_reset(ws: api.Workspace, o: Options, lang: str) -> int:
    password = _password(o["name"], o.get("password_stdin", False), lang)
    api.reset_password(ws, o["actor"], o["name"], password, lang)
    say(t("users.reset_done", lang, name=o["name"]))
    return 0


def approve(ws: api.Workspace, o: Options, lang: str) -> int:
    """``approve --unit CODE --week D [--unlock] [--note T]``: lock (or unlock) a week."""
    name = api.units(ws)["name"].get(o["unit"], o["unit"])
    if o.get("unlock"):
        week = api.unlock_week(ws, o["actor"], o["unit"], o["day"], o.get("note"), lang)
        say(t("appr.unlocked", lang, week=fmt_date(week), unit=name))
    else:
        week = api.approve_week(ws, o["actor"], o["unit"], o["day"], o.get("note"), lang,
                                mark_silent=o.get("mark_silent", False))
        say(t("appr.done", lang, week=fmt_date(week), unit=name))
    return 0


def audit_export(ws: api.Workspace, o: Options, lang: str) -> int:
    """``audit [--from D] [--to D] [--unit CODE] [--user NAME] [--kind K] [--out F]``."""
    frame = api.audit_entries(ws, o["actor"], start=o.get("start"), end=o.get("end"),
                              unit=o.get("unit"), user=o.get("user"), action=o.get("kind"),
                              lang=lang)
    frame["at"] = [fmt_datetime(d, seconds=True) for d in frame["at"]]
    write_csv(frame, o.get("out"), lang)
    return 0


def rulesets_add(ws: api.Workspace, o: Options, lang: str) -> int:
    """``rulesets add FILE``: validated as a whole, kept in the database."""
    path = Path(o["file"])
    if path.is_file():  # bounded before it is read (the core checks the bytes again)
        api.check_ruleset_size(path.stat().st_size, path.name, lang)
    added = api.add_ruleset(ws, o["actor"], read_file(path), path.name, lang)
    key = "rs.unchanged" if added.unchanged else "rs.added"
    print(t(key, lang, id=added.ruleset_id, version=added.version, n=added.number))
    return 0


def rulesets_list(ws: api.Workspace, o: Options, lang: str) -> int:
    """``rulesets list [--out F]``: shipped, folder and stored rule sets, broken ones too."""
    write_csv(api.list_rulesets(ws, lang), o.get("out"), lang)
    return 0


def rulesets_show(ws: api.Workspace, o: Options, lang: str) -> int:
    """``rulesets show ID``: the rule set's YAML text (copy it, change the id, add it)."""
    sys.stdout.write(api.ruleset_text(ws, o["id"]))
    return 0


#: (command, action) -> handler
COMMANDS: dict[tuple[str, str | None], Callable[[api.Workspace, Options, str], int]] = {
    ("demo", None): demo,
    ("units", "import"): units_import,
    ("units", "export"): units_export,
    ("units", "download"): units_download,
    ("units", "sets"): units_sets,
    ("units", "activate"): units_activate,
    ("units", "history"): units_history,
    ("users", "add"): users_add,
    ("users", "list"): users_list,
    ("users", "disable"): users_disable,
    ("users", "enable"): users_enable,
    ("users", "reset-password"): users_reset,
    ("audit", None): audit_export,
    ("approve", None): approve,
    ("observations", "import"): observations_import,
    ("observations", "export"): observations_export,
    ("observations", "template"): observations_template,
    ("assess", None): assess,
    ("transitions", None): transitions,
    ("map", None): map_,
    ("briefing", None): briefing,
    ("declarations", "add"): declarations_add,
    ("declarations", "list"): declarations_list,
    ("declarations", "revoke"): declarations_revoke,
    ("rulesets", "add"): rulesets_add,
    ("rulesets", "list"): rulesets_list,
    ("rulesets", "show"): rulesets_show,
    **alerts_cli.COMMANDS,
    **ops.COMMANDS,
    **plan_commands.COMMANDS,
    ("compare", None): compare_cli.compare,
    **SITE_COMMANDS,
}
COMMANDS.update(interop.COMMANDS)
COMMANDS.update(outlook_cli.COMMANDS)  # the outlook's commands (issue 23)
