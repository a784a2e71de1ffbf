"""Interoperability: the PostGIS views QGIS opens, API tokens, the read-only HTTP API
(with a token, without, outside its subtree, revoked, over its rate, concurrently), the
DHIS2 export and ``db upgrade``."""

from __future__ import annotations

import io
import json
import threading
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import date, datetime

import pandas as pd
import pytest

from tests.browser import streamlit_server
from zones import api
from zones.cli import main
from zones.interop import tokens
from zones.storage import interop_sql, postgis

VINH_LAC, RACH_GIA, KIEN_LUONG, PROVINCE = "30745", "899", "906", "91"
LAST_DAY = date(2021, 12, 31)


def _token(url: str, name: str = "portal", unit: str | None = None) -> str:
    ws = api.open_workspace(url)
    return api.add_token(ws, api.LOCAL_ADMIN, name, unit)[1]


def _get(ws, path: str, token: str | None, lang: str = "vi", **params):
    header = f"Bearer {token}" if token else None
    return api.api_answer(ws, path, params, header, lang)


def _csv(answer) -> pd.DataFrame:
    assert answer.status == 200, answer.body
    return pd.read_csv(io.BytesIO(answer.body), dtype={"unit_code": str, "parent_code": str,
                                                       "code": str})


# --- the PostGIS views --------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_views_give_the_level_in_force_as_the_app_does(demo_copy):
    ws = api.open_workspace(demo_copy)
    leader = api.Actor("lanh.dao", api.Role.LEADER, None, "cli")
    # one declaration in force on the last day, one revoked, one over by then
    api.declare(ws, actor=leader, unit_code=VINH_LAC, level=4, effective_from=date(2021, 12, 1),
                decision_number="12/QĐ-UBND")
    gone = api.declare(ws, actor=leader, unit_code="30733", level=4,
                       effective_from=date(2021, 12, 1), decision_number="13/QĐ-UBND")
    api.revoke(ws, gone.id, leader)
    api.declare(ws, actor=leader, unit_code="30736", level=3, effective_from=date(2021, 9, 1),
                effective_to=date(2021, 9, 30), decision_number="9/QĐ-UBND")
    ws = api.open_workspace(demo_copy)
    with ws.engine.connect() as conn:
        geom = postgis.has_geom(conn)
    rows = pd.DataFrame(interop_sql.view_rows(ws.engine, "v_levels_in_force"))
    app = api.assess(ws, LAST_DAY, "commune")
    mine = rows[rows["unit_level"] == "commune"].set_index("unit_code")
    assert set(mine.index) == set(app["unit_code"]) and len(rows) == len(api.units(ws))
    app = app.set_index("unit_code")
    assert (rows["date"] == LAST_DAY).all()
    for col in ("level", "computed_level", "declared_level"):
        assert mine[col].astype("Int64").equals(app[col].astype("Int64").reindex(mine.index)), col
    assert (mine["level_name"] == app["level_name"].reindex(mine.index)).all()
    assert mine.at[VINH_LAC, "decision"] == "12/QĐ-UBND" and mine.at[VINH_LAC, "level"] == 4
    assert pd.isna(mine.at["30733", "declared_level"])  # revoked: never counts
    assert mine["level_name_en"].str.len().gt(0).all()
    by_day = pd.DataFrame(interop_sql.view_rows(ws.engine, "v_levels_by_day",
                                                order="date, unit_code"))
    sept = by_day[(by_day["date"] == date(2021, 9, 15)) & (by_day["unit_code"] == "30736")]
    assert sept["level"].tolist() == [3] and sept["decision"].tolist() == ["9/QĐ-UBND"]
    units = pd.DataFrame(interop_sql.view_rows(ws.engine, "v_units_active"))
    assert len(units) == len(api.units(ws)) and units["fid"].is_unique
    if geom:  # the layers QGIS opens: real geometries
        assert units["geom"].notna().all() and rows["geom"].notna().all()
    assert interop_sql.ensure_views is not None
    with ws.engine.begin() as conn:  # checked on every open: nothing to redo
        assert not interop_sql.ensure_views(conn)


# --- tokens -------------------------------------------------------------------------------

def test_tokens_are_shown_once_hashed_at_rest_listed_and_revoked(demo_copy, capsys):
    db = ["--db", demo_copy]
    assert main([*db, "tokens", "add", "dhis2-tinh", "--unit", RACH_GIA]) == 0
    out = capsys.readouterr()
    token = out.out.strip()
    assert token.startswith("zt_") and len(token) > 40 and "899" in out.err
    assert main([*db, "tokens", "list"]) == 0
    listed = capsys.readouterr().out
    assert "dhis2-tinh" in listed and token not in listed and tokens.hashed(token) not in listed
    with open(demo_copy.removeprefix("sqlite:///"), "rb") as f:
        assert token.encode() not in f.read()  # only its hash is stored
    assert main([*db, "tokens", "revoke", "1"]) == 0
    assert main([*db, "--lang", "en", "tokens", "revoke", "1"]) == 2
    assert "revoked already" in capsys.readouterr().err
    assert main([*db, "tokens", "revoke", "7"]) == 2
    assert main([*db, "tokens", "add", "x", "--unit", "nope"]) == 2
    assert main([*db, "tokens", "add", "\x07bell"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "nope" in err
    ws = api.open_workspace(demo_copy)
    audit = api.audit_entries(ws, api.LOCAL_ADMIN)
    assert {"token_add", "token_revoke"} <= set(audit["action"])
    officer = api.Actor("xa", api.Role.COMMUNE, VINH_LAC, "cli")
    with pytest.raises(api.AccessError):
        api.add_token(ws, officer, "mine")
    # a demo reset keeps the tokens of other systems, as it keeps accounts
    from zones.demo.build import KEPT
    from zones.storage import demo_sql

    with ws.engine.begin() as conn:
        demo_sql.clear(conn, KEPT)
    assert len(interop_sql.tokens(ws.engine)) == 1


# --- the API ------------------------------------------------------------------------------

def test_api_answers_with_a_token_within_its_subtree_and_refuses_otherwise(demo_copy):
    token = _token(demo_copy, "dhis2-tinh", RACH_GIA)
    ws = api.open_workspace(demo_copy)
    # without a token, with a wrong one
    assert _get(ws, "levels", None).status == 401
    wrong = _get(ws, "levels", "zt_" + "x" * 43, lang="en")
    assert wrong.status == 401 and b"not valid" in wrong.body
    # with it: the levels in force of its subtree, as assess gives them
    got = _csv(_get(ws, "levels", token, date="01/09/2021"))
    app = api.assess(ws, date(2021, 9, 1), "commune").set_index("unit_code")
    assert len(got) > 5 and set(got["parent_code"]) == {RACH_GIA}
    assert (got["level"].to_numpy() == app.loc[got["unit_code"], "level"].to_numpy()).all()
    assert list(got.columns) == ["unit_code", "unit_name", "level", "level_name",
                                 "computed_level", "declared_level", "decision", "ruleset",
                                 "parent_code", "date"]
    assert (got["date"] == "2021-09-01").all()
    red = _csv(_get(ws, "levels", token, date="2021-09-01", zone="4"))
    assert set(red["level"]) == {4} and len(red) < len(got)
    geo = _get(ws, "levels", token, unit=VINH_LAC, format="geojson", lang="en")
    features = json.loads(geo.body)["features"]
    assert geo.media_type == "application/geo+json" and len(features) == 1
    assert features[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert features[0]["properties"]["level_name"].startswith("Level")
    # outside its subtree
    outside = _get(ws, "levels", token, unit=KIEN_LUONG)
    assert outside.status == 403 and "899" in json.loads(outside.body)["error"]
    units = _csv(_get(ws, "units", token))
    assert set(units["code"]) <= set(_subtree(ws, RACH_GIA)) and RACH_GIA in set(units["code"])
    assert _get(ws, "units", token, unit=PROVINCE).status == 403
    moved = _csv(_get(ws, "transitions", token, **{"from": "2021-08-20", "to": "01/09/2021"}))
    assert len(moved) and set(moved["unit_code"]) <= set(_subtree(ws, RACH_GIA))
    assert list(moved.columns) == list(api.TRANSITION_COLUMNS)
    # bad requests are messages, never tracebacks
    for path, params, status in [("levels", {"date": "31/02/2021"}, 400),
                                 ("levels", {"date": "2030-01-01"}, 400),
                                 ("levels", {"level": "planet"}, 400),
                                 ("levels", {"sql": "1"}, 400),
                                 ("transitions", {"from": "2021-09-01"}, 400),
                                 ("nothing", {}, 404)]:
        done = _get(ws, path, token, **params)
        assert done.status == status and "error" in json.loads(done.body), (path, params)
    # revoked: refused at once, and the attempt audited
    api.revoke_token(ws, api.LOCAL_ADMIN, 1)
    assert _get(ws, "levels", token).status == 401
    refused = api.audit_entries(ws, api.LOCAL_ADMIN, action="api_request")
    assert (refused["outcome"] == "refused").any()


def _subtree(ws, code: str) -> set[str]:
    parents = api.units(ws)["parent_code"]
    out, todo = set(), [code]
    while todo:
        c = todo.pop()
        out.add(c)
        todo.extend(parents.index[parents == c])
    return out


def test_a_formula_in_a_unit_name_is_neutralised_in_csv_answers(demo_copy):
    token = _token(demo_copy)
    ws = api.open_workspace(demo_copy)
    from zones.storage.db import open_db
    engine = open_db(demo_copy)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE units SET name = '=HYPERLINK(\"x\")' WHERE code = '30745'")
    ws = api.open_workspace(demo_copy)
    api.finish_owed_work(ws)
    got = _get(api.open_workspace(demo_copy), "units", token, unit=VINH_LAC)
    assert b"'=HYPERLINK" in got.body


@pytest.mark.both_stores
def test_rate_limit_holds_under_concurrent_requests(demo_copy, backend):
    """Twenty requests of one token at once with a limit of five: exactly five pass."""
    token = _token(demo_copy)
    ws = api.open_workspace(demo_copy)
    minute = datetime(2026, 12, 7, 10, 30, 5)
    results: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    def one():
        barrier.wait()
        try:
            tokens.authorise(ws.engine, token, 5, now=minute)
            outcome = "ok"
        except tokens.RefusedError as err:
            outcome = str(err.status)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert sorted(results) == ["429"] * 15 + ["ok"] * 5
    # the next minute starts afresh
    tokens.authorise(ws.engine, token, 5, now=minute.replace(minute=31))
    # through the API: the settings' limit, answered 429 with Retry-After
    limited = replace(ws.settings, api_rate_per_minute=2)
    ws2 = api.Workspace.at(demo_copy, limited)
    for _attempt in range(2):  # a minute may turn between two requests: then once more
        answers = [_get(ws2, "units", token, level="province") for _ in range(3)]
        if answers[-1].status == 429:
            break
    assert [a.status for a in answers] == [200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) <= 60


def test_the_web_server_serves_the_api(demo_copy):
    token = _token(demo_copy, "portal")
    with streamlit_server(demo_copy) as base:
        req = urllib.request.Request(f"{base}/zones-api/v1/levels?level=district",
                                     headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=60) as r:
            body = r.read().decode("utf-8")
            assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
        assert "Thành phố Rạch Giá" in body
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/zones-api/v1/levels?lang=en", timeout=60)
        assert refused.value.code == 401
        assert "token is needed" in json.loads(refused.value.read())["error"]


# --- DHIS2 --------------------------------------------------------------------------------

MAPPING = """\
dhis2_mapping: 1
data_set: pQzGJDHFQgL
org_units:
  "30745": DiszpKrYNg8
  "899": ImspTQPwCqd
data_elements:
  new_cases_community: fbfJHSPpUQD
  vaccinated_1dose_18plus: cYeuwXTCPkU
  level: Jtf34kNZhzP
level_values: {1: XANH, 2: VANG, 3: CAM, 4: DO}
"""


def test_dhis2_export_sums_weeks_and_gives_levels_in_force(demo_copy, tmp_path, capsys):
    mapping = tmp_path / "dhis2.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    out = tmp_path / "values.json"
    assert main(["--db", demo_copy, "dhis2", "export", "--from", "30/08/2021", "--to",
                 "2021-09-05", "--mapping", str(mapping), "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["dataSet"] == "pQzGJDHFQgL"
    values = pd.DataFrame(doc["dataValues"])
    assert set(values["period"]) == {"2021W35"}  # Monday 30/08 to Sunday 05/09
    ws = api.open_workspace(demo_copy)
    obs = api.export_observations(ws, date(2021, 8, 30), date(2021, 9, 5))
    mine = obs[obs["unit_code"] == VINH_LAC]
    cases = values[(values["orgUnit"] == "DiszpKrYNg8") & (values["dataElement"] == "fbfJHSPpUQD")]
    assert cases["value"].tolist() == [str(int(mine["new_cases_community"].sum()))]
    vacc = values[(values["orgUnit"] == "DiszpKrYNg8") & (values["dataElement"] == "cYeuwXTCPkU")]
    last = mine.sort_values("date")["vaccinated_1dose_18plus"].dropna().iloc[-1]
    assert vacc["value"].tolist() == [str(int(last))]  # cumulative: the week's last value
    communes = api.units(ws)
    communes = communes[(communes["parent_code"] == RACH_GIA) & (communes["level"] == "commune")]
    district = obs[obs["unit_code"].isin(communes.index)]["new_cases_community"].sum()
    rg = values[(values["orgUnit"] == "ImspTQPwCqd") & (values["dataElement"] == "fbfJHSPpUQD")]
    assert rg["value"].tolist() == [str(int(district))]
    level = api.assess(ws, date(2021, 9, 5), "commune").set_index("unit_code").at[VINH_LAC,
                                                                                  "level"]
    lv = values[(values["orgUnit"] == "DiszpKrYNg8") & (values["dataElement"] == "Jtf34kNZhzP")]
    assert lv["value"].tolist() == [{1: "XANH", 2: "VANG", 3: "CAM", 4: "DO"}[int(level)]]
    assert "2021W35" in capsys.readouterr().err
    # a commune official exports its own commune only
    ws_as = ["--db", demo_copy]
    echo = api.add_user(ws, api.LOCAL_ADMIN, "xa.vinhlac", "mat-khau-dai-1234", "commune",
                        VINH_LAC)
    del echo
    assert main([*ws_as, "--as", "xa.vinhlac", "dhis2", "export", "--from", "2021-08-30",
                 "--to", "2021-09-05", "--mapping", str(mapping), "--out", str(out)]) == 0
    scoped = json.loads(out.read_text(encoding="utf-8"))["dataValues"]
    assert {v["orgUnit"] for v in scoped} == {"DiszpKrYNg8"}


def test_dhis2_mapping_is_checked_strictly_every_problem_at_once(demo_copy, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("""\
dhis2_mapping: 1
org_unit: {}
org_units:
  30745: DiszpKrYNg8
  "99999": ImspTQPwCqd
  "899": not-a-uid
  "906": DiszpKrYNg8
  "907": DiszpKrYNg8
data_elements:
  new_cases_comunity: fbfJHSPpUQD
level_values: {1: XANH, 2: VANG}
""", encoding="utf-8")
    out = tmp_path / "x.json"
    assert main(["--db", demo_copy, "--lang", "en", "dhis2", "export", "--from", "2021-09-01",
                 "--to", "2021-09-05", "--mapping", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    for expected in ("org_unit", "did you mean 'org_units'", "quotes", "99999", "not-a-uid",
                     "org_units.906", "new_cases_comunity", "new_cases_community", "level_values",
                     "bad.yaml"):
        assert expected in err, expected
    assert not out.exists() and "Traceback" not in err
    twice = tmp_path / "twice.yaml"
    twice.write_text(MAPPING + 'data_set: ImspTQPwCqd\n', encoding="utf-8")
    assert main(["--db", demo_copy, "--lang", "en", "dhis2", "export", "--from", "2021-09-01",
                 "--to", "2021-09-05", "--mapping", str(twice)]) == 2
    assert "line 2 and again on line 11" in capsys.readouterr().err
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"#" * (6 * 2**20))
    assert main(["--db", demo_copy, "dhis2", "export", "--from", "2021-09-01", "--to",
                 "2021-09-05", "--mapping", str(huge)]) == 2
    assert "KB" in capsys.readouterr().err


# --- db upgrade ---------------------------------------------------------------------------

def test_db_upgrade_migrates_a_new_database_as_a_step(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    from alembic.script import ScriptDirectory

    from zones.storage.db import alembic_config
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert head in capsys.readouterr().out
    assert main(["--db", url, "--lang", "en", "db", "upgrade"]) == 0
    assert head in capsys.readouterr().out


def test_a_database_with_levels_gets_its_level_names_on_upgrade(demo_copy):
    """A database from before 0017 owes one recomputation, which writes the names."""
    from alembic import command

    from zones.storage.db import alembic_config, open_db

    engine = open_db(demo_copy)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0013")
    open_db.cache_clear()
    assert main(["--db", demo_copy, "db", "upgrade"]) == 0
    ws = api.open_workspace(demo_copy)
    names = interop_sql.stored_level_names(ws.engine)
    assert {(n["level"], n["lang"]) for n in names if n["ruleset_id"] == "qd4800"} == {
        (lvl, lang) for lvl in range(5) for lang in ("vi", "en")}
    assert not api.levels_owed(ws)


# --- the page -----------------------------------------------------------------------------

def test_an_administrator_makes_and_revokes_tokens_on_the_page(demo_copy, use_db):
    from tests.test_app import run_page

    use_db(demo_copy)
    admin = api.Actor("quantri", api.Role.ADMIN, None, "page")
    at = run_page("app_pages/tokens.py", _actor=admin)
    assert not at.exception and any("Chưa có mã" in i.value and "Tạo mã mới" in i.value
                                    for i in at.info)  # what to do
    at.text_input(key="tok_name").input("cổng *quốc gia*")
    at.selectbox(key="tok_unit").set_value(RACH_GIA)
    next(b for b in at.button if b.key == "tok_add").click()
    at = at.run()
    assert not at.exception
    token = at.code[0].value
    assert token.startswith("zt_") and any("\\*quốc gia\\*" in s.value for s in at.success)
    ws = api.open_workspace(demo_copy)
    assert _get(ws, "units", token, unit=RACH_GIA).status == 200
    at = at.run()  # shown once: gone from the next run
    assert not at.code and at.dataframe[0].value.iloc[0]["Phạm vi"].endswith("(899)")
    next(b for b in at.button if b.key == "tok_revoke").click()
    at = at.run()
    assert any("không hoàn tác" in w.value for w in at.warning)
    next(b for b in at.button if b.key == "tok_rv_confirm").click()
    at = at.run()
    assert not at.exception and any("Đã thu hồi" in s.value for s in at.success)
    assert _get(ws, "units", token).status == 401
    officer = api.Actor("xa", api.Role.COMMUNE, VINH_LAC, "page")
    refused = run_page("app_pages/tokens.py", _actor=officer)
    assert not refused.exception and refused.error and not refused.text_input
