"""``plans add|list|revoke|progress|measures|done`` and ``emulation`` through the CLI:
the contract's columns, exit codes, every problem at once, rights (a commune official
sets no plan, a leader only inside their subtree), the audit, and a plan judged on the
level in force (declared levels written by hand)."""

from __future__ import annotations

import csv
import io

import pytest

from zones import api
from zones.cli import main

PHAO_DAI, VINH_LAC = "30775", "30745"  # communes of 900 Hà Tiên / 899 Rạch Giá
PASSWORD = "mật-khẩu-rất-bí-mật-2021"


def run(capsys, url, *argv):
    code = main(["--db", url, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def rows(out: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(out)))


@pytest.fixture
def accounts(demo_copy, monkeypatch):
    for name, role, unit in [("xa.vinhlac", "commune", VINH_LAC),
                             ("huyen.rachgia", "district", "899"),
                             ("tinh", "province", "91"),
                             ("lanhdao.hatien", "leader", "900")]:
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        assert main(["--db", demo_copy, "users", "add", name, "--role", role, "--unit", unit,
                     "--password-stdin"]) == 0
    return demo_copy


def declare(url, level, start, end):
    assert main(["--db", url, "declarations", "add", "--unit", PHAO_DAI, "--level",
                 str(level), "--from", start, "--to", end, "--decision", "x/QĐ"]) == 0


def test_reach_judged_on_the_declared_level_in_force(capsys, demo_copy):
    declare(demo_copy, 1, "01/09/2021", "20/09/2021")
    declare(demo_copy, 3, "12/09/2021", "12/09/2021")  # entered later: it wins that day
    for hold in ("3", "4"):
        code, out, _ = run(capsys, demo_copy, "plans", "add", "--unit", PHAO_DAI, "--kind",
                           "reach", "--level", "1", "--from", "05/09/2021", "--by",
                           "2021-09-15", "--hold", hold, "--decision", "6777/VP-KGVX")
        assert code == 0
    expected = {"2021-09-04": [("pending", "1", ""), ("pending", "1", "")],
                "2021-09-05": [("on_track", "1", "2021-09-05")] * 2,
                "2021-09-12": [("at_risk", "3", "2021-09-12")] * 2,
                "2021-09-14": [("on_track", "1", "2021-09-13")] * 2,
                "2021-09-15": [("met", "1", "2021-09-15"), ("missed", "1", "2021-09-15")],
                "2021-09-20": [("met", "1", "2021-09-15"), ("missed", "1", "2021-09-15")]}
    for day, want in expected.items():
        code, out, _ = run(capsys, demo_copy, "plans", "progress", "--date", day,
                           "--unit", "900")
        got = [r for r in rows(out) if r["unit_code"] == PHAO_DAI]  # not the demo's
        assert code == 0 and [(r["status"], r["value"], r["since"]) for r in got] == want, day
    assert list(got[0]) == ["plan_id", "unit_code", "unit_name", "kind", "level", "share",
                            "from", "by", "decision", "value", "target", "status", "since"]
    assert (got[0]["from"], got[0]["by"], got[0]["target"]) == ("2021-09-05", "2021-09-15",
                                                                 "1")


def test_every_problem_at_once_exit_2(capsys, demo_copy):
    code, out, err = run(capsys, demo_copy, "--lang", "en", "plans", "add", "--unit", "99999",
                         "--kind", "share", "--level", "5", "--share", "1.5",
                         "--from", "10/09/2021", "--by", "01/09/2021")
    assert code == 2 and out == "" and "Traceback" not in err
    for part in ("99999", "«5»", "«1.5»", "01/09/2021", "decision"):
        assert part in err, part
    code, _, err = run(capsys, demo_copy, "plans", "add", "--unit", "900", "--kind", "reach",
                       "--level", "2", "--from", "01/09/2021", "--by", "30/09/2021",
                       "--hold", "0", "--decision", "x")
    assert code == 2 and "«0»" in err and "--hold" in err
    code, _, err = run(capsys, demo_copy, "plans", "add", "--unit", "900", "--kind", "share",
                       "--level", "2", "--share", "nan", "--from", "01/09/2021", "--by",
                       "30/09/2021", "--decision", "x")
    assert code == 2 and "«nan»" in err
    code, _, err = run(capsys, demo_copy, "plans", "add", "--unit", "900", "--kind", "reach",
                       "--level", "2", "--from", "31/02/2021", "--by", "30/09/2021",
                       "--decision", "x")
    assert code == 2 and "31/02/2021" in err
    code, out, _ = run(capsys, demo_copy, "plans", "list")
    assert code == 0 and {r["entered_by"] for r in rows(out)} == {"demo"}  # nothing stored
    code, _, err = run(capsys, demo_copy, "plans", "progress", "--date", "01/01/2030")
    assert code == 2 and "01/01/2030" in err
    assert run(capsys, demo_copy, "emulation", "--unit", "nope", "--from", "01/09/2021",
               "--to", "02/09/2021")[0] == 2
    code, _, err = run(capsys, demo_copy, "emulation", "--unit", "900", "--from", "09/09/2021",
                       "--to", "02/09/2021")
    assert code == 2 and "02/09/2021" in err


def test_rights_revoke_and_measures(capsys, accounts):
    url = accounts
    base = ["plans", "add", "--kind", "share", "--level", "1", "--share", "0.8",
            "--from", "01/09/2021", "--by", "30/09/2021", "--decision", "6777/VP-KGVX"]
    assert run(capsys, url, "--as", "xa.vinhlac", *base, "--unit", VINH_LAC)[0] == 2
    assert run(capsys, url, "--as", "huyen.rachgia", *base, "--unit", "899")[0] == 2
    assert run(capsys, url, "--as", "lanhdao.hatien", *base, "--unit", "899")[0] == 2
    code, out, _ = run(capsys, url, "--as", "lanhdao.hatien", *base, "--unit", "900",
                       "--measure", "chốt kiểm soát ra vào")
    assert code == 0
    hatien = out.split()[-1].rstrip(".")
    code, out, _ = run(capsys, url, "--as", "tinh", *base, "--unit", "899", "--measure",
                       "tổ COVID cộng đồng hoạt động")
    assert code == 0
    rachgia = out.split()[-1].rstrip(".")
    assert run(capsys, url, "--as", "lanhdao.hatien", "plans", "revoke", rachgia)[0] == 2
    # measures: the officials of the plan's unit mark them done, with a date
    code, out, _ = run(capsys, url, "plans", "measures")
    measures = {r["text"]: r["id"] for r in rows(out)}
    theirs = measures["tổ COVID cộng đồng hoạt động"]
    assert run(capsys, url, "--as", "xa.vinhlac", "plans", "done", theirs, "--date",
               "05/09/2021")[0] == 2  # a commune official: the district's plan is not theirs
    assert run(capsys, url, "--as", "huyen.rachgia", "plans", "done", theirs, "--date",
               "05/09/2021")[0] == 0
    code, _, err = run(capsys, url, "--as", "huyen.rachgia", "plans", "done", theirs,
                       "--date", "06/09/2021")
    assert code == 2 and "05/09/2021" in err
    assert run(capsys, url, "plans", "done", "999", "--date", "06/09/2021")[0] == 2
    code, out, _ = run(capsys, url, "plans", "measures", "--plan", rachgia)
    assert [(r["done_on"], r["done_by"]) for r in rows(out)] == [("2021-09-05",
                                                                  "huyen.rachgia")]
    # revoke: stays listed, counts nowhere; twice or unknown: 2
    assert run(capsys, url, "--as", "lanhdao.hatien", "plans", "revoke", hatien)[0] == 0
    assert run(capsys, url, "plans", "revoke", hatien)[0] == 2
    assert run(capsys, url, "plans", "revoke", "777")[0] == 2
    code, out, _ = run(capsys, url, "plans", "list")
    listed = [r for r in rows(out) if r["entered_by"] != "demo"]
    assert [(r["id"], r["status"], r["revoked_by"]) for r in listed] == [
        (hatien, "revoked", "lanhdao.hatien"), (rachgia, "active", "")]
    code, out, _ = run(capsys, url, "plans", "progress", "--date", "2021-09-10")
    assert hatien not in [r["plan_id"] for r in rows(out)]
    assert rachgia in [r["plan_id"] for r in rows(out)]
    # ids are never reused: the revoked one's neither
    assert run(capsys, url, "--as", "tinh", *base, "--unit", "899")[0] == 0
    code, out, _ = run(capsys, url, "plans", "list")
    assert [r["id"] for r in rows(out)][-3:] == [hatien, rachgia, str(int(rachgia) + 1)]
    ws = api.open_workspace(url)
    trail = api.audit_entries(ws, api.LOCAL_ADMIN)
    done = trail[trail["action"].isin(["plan_added", "plan_revoked", "measure_done"])]
    assert {(a, o) for a, o in zip(done["action"], done["outcome"], strict=True)} == {
        ("plan_added", "ok"), ("plan_added", "refused"), ("plan_revoked", "ok"),
        ("plan_revoked", "refused"), ("measure_done", "ok"), ("measure_done", "refused")}


def test_emulation_csv(capsys, demo_copy):
    code, out, err = run(capsys, demo_copy, "emulation", "--unit", "902", "--from",
                         "01/09/2021", "--to", "2021-10-15")
    got = rows(out)
    assert code == 0 and list(got[0]) == [
        "rank", "unit_code", "unit_name", "green_days", "green_streak", "level_from",
        "level_to", "improvement", "regressions", "reporting_rate"]
    assert [int(r["rank"]) for r in got] == list(range(1, len(got) + 1))
    keys = [(-int(r["green_days"]), -int(r["improvement"] or -99), int(r["regressions"]),
             -float(r["reporting_rate"]), r["unit_code"]) for r in got]
    assert keys == sorted(keys)
    assert all(len(r["reporting_rate"].split(".")[1]) == 3 for r in got)
    assert "14" in err and "20" in err  # the streaks called out


def test_parallel_writes_have_one_outcome(demo_copy):
    """Six officials marking the same measure at once, six leaders revoking the same plan:
    one each succeeds, the others are told it is done already; the audit agrees."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import date

    from zones.errors import ZonesError

    ws = api.open_workspace(demo_copy)
    plan_id = api.add_plan(ws, actor=api.LOCAL_ADMIN, unit_code="900", kind="reach", level=2,
                           date_from=date(2021, 9, 1), date_by=date(2021, 9, 30),
                           decision="x", measures=["Tổ COVID cộng đồng"])
    measure = int(api.plan_measures(ws, [plan_id])["id"].iloc[0])
    officials = [api.Actor(f"huyen{i}", api.Role.DISTRICT, "900") for i in range(6)]

    def attempt(fn):
        try:
            fn()
            return "ok"
        except ZonesError as err:
            return str(err)

    with ThreadPoolExecutor(6) as pool:
        marked = list(pool.map(lambda a: attempt(lambda: api.mark_measure_done(
            ws, measure, date(2021, 9, 5), a)), officials))
        revoked = list(pool.map(lambda a: attempt(lambda: api.revoke_plan(
            ws, plan_id, a)), [api.LOCAL_ADMIN] * 6))
    assert marked.count("ok") == 1 and revoked.count("ok") == 1
    assert all("05/09/2021" in m for m in marked if m != "ok")
    trail = api.audit_entries(ws, api.LOCAL_ADMIN)
    assert (trail["action"] == "measure_done").sum() == 1
    assert (trail["action"] == "plan_revoked").sum() == 1


def test_ids_are_never_reused(capsys, demo_copy):
    """Even a last row deleted behind the application's back leaves its id unused."""
    import sqlalchemy as sa

    argv = ["plans", "add", "--unit", "900", "--kind", "reach", "--level", "2", "--from",
            "01/09/2021", "--by", "30/09/2021", "--decision", "x"]
    first = run(capsys, demo_copy, *argv)[1].split()[-1].rstrip(".")
    engine = sa.create_engine(demo_copy)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM plans WHERE id = :i"), {"i": int(first)})
    engine.dispose()
    second = run(capsys, demo_copy, *argv)[1].split()[-1].rstrip(".")
    assert int(second) == int(first) + 1
