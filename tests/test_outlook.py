"""The outlook (issue 23): a hold-out of made-up units (rising, flat, falling; near and far
from thresholds), probabilities summing to 1, no look-ahead, the CLI contract."""

import csv
import io

import numpy as np
import pandas as pd
import pytest

import rules
from zones.cli import main
from zones.outlook import forecast, params, service
from zones.outlook.forecast import Frames

DAY = pd.Timestamp("2021-11-20")  # under QĐ 4800 on D and on D+7
START = pd.Timestamp("2021-09-01")


def series(kind: str, n: int) -> np.ndarray:
    """Daily community cases ending on DAY (n days)."""
    if kind == "rising":      # 2 cases, then 15 (per 100,000: level 1, cut 20), climbing
        out = np.zeros(n)
        out[-14:-7], out[-7:] = [0, 0, 0, 1, 0, 0, 1], [1, 1, 2, 2, 3, 3, 3]
        return out
    if kind == "zero":
        return np.zeros(n)
    if kind == "falling":     # 301 a week a fortnight ago, 28 last week
        out = np.zeros(n)
        out[-14:-7], out[-7:] = 43, 4
        return out
    if kind == "steady_high":  # ~ 420 per 100,000 a week, far above the top cut
        return np.full(n, 60.0)
    if kind == "one_below":   # 19 per 100,000 (cut 20): one case away
        out = np.zeros(n)
        out[-7:] = [3, 3, 3, 3, 3, 2, 2]
        return out
    raise ValueError(kind)


KINDS = {"R": ("rising", 100_000), "Z": ("zero", 10_000), "F": ("falling", 100_000),
         "H": ("steady_high", 100_000), "N": ("one_below", 100_000)}


def made_up(kinds=KINDS, after: float = 1.0):
    """Units (a province, a district, its communes) and their figures; ``after`` scales
    every figure dated after DAY (for the look-ahead test)."""
    rows = [("P", "Tỉnh", "province", None, np.nan), ("D", "Huyện", "district", "P", np.nan)]
    rows += [(c, f"Xã {c}", "commune", "D", pop) for c, (_, pop) in kinds.items()]
    units = pd.DataFrame(rows, columns=["code", "name", "level", "parent_code", "population"]
                         ).set_index("code")
    dates = pd.date_range(START, DAY + pd.Timedelta(days=10))
    n_past = int((DAY - START).days) + 1
    obs = []
    for c, (kind, _) in kinds.items():
        past = series(kind, n_past)
        future = np.full(len(dates) - n_past, past[-1] * 5 * after + 7 * (after != 1))
        obs.append(pd.DataFrame({"unit_code": c, "date": dates,
                                 "new_cases_community": np.r_[past, future]}))
    obs = pd.concat(obs, ignore_index=True)
    adjacency = pd.DataFrame({"code_a": ["R"], "code_b": ["H"]})
    return units, obs, adjacency, dates


def outlook_of(units, obs, adjacency, dates):
    reg = rules.load_rulesets()
    frames = Frames.build(units, adjacency, obs, dates, START)
    today_all = rules.assess(rules.Inputs(units, obs[obs["date"] <= DAY], adjacency),
                             reg.in_force(DAY.date()), [DAY]).frame().iloc[0]
    sel = np.flatnonzero((units["level"] == "commune").to_numpy())
    today = today_all[units.index[sel]].to_numpy(dtype=int)
    out = forecast.day_outlook(frames, reg, DAY, "commune", today, params.load(),
                               positions=sel)
    u, d, s, expected = service.scores(out, today)
    frame = pd.DataFrame({"level": today, "p_up": u / 1000, "p_down": d / 1000,
                          "p_same": s / 1000, "expected": expected, "near": out.near},
                         index=units.index[sel])
    return frame, u + d + s


@pytest.fixture(scope="module")
def held_out():
    return outlook_of(*made_up())


def test_hold_out_rise_flat_fall(held_out):
    frame, totals = held_out
    assert (totals == 1000).all()
    assert frame.loc["R", "level"] == 1 and frame.loc["R", "p_up"] > 0.5
    assert frame.loc["Z", "p_up"] < 0.1 and frame.loc["Z", "p_same"] > 0.9
    assert frame.loc["F", "level"] >= 2 and frame.loc["F", "p_down"] > 0.5
    assert frame.loc["H", "level"] == 4 and frame.loc["H", "p_up"] == 0  # nothing above
    assert frame.loc["H", "p_same"] > 0.9


def test_near_threshold_is_one_case_away(held_out):
    frame, _ = held_out
    assert frame.loc["N", "level"] == 1 and bool(frame.loc["N", "near"])
    assert not frame.loc["H", "near"] and not frame.loc["Z", "near"]


def test_no_look_ahead(held_out):
    """Figures dated after D (even wildly changed) do not change the outlook for D."""
    frame, _ = held_out
    changed, _ = outlook_of(*made_up(after=25.0))
    pd.testing.assert_frame_equal(frame, changed)


def test_params_are_checked():
    with pytest.raises(rules.errors.ProblemsError) as err:
        params.parse(params.PATH.read_text().replace("samples: 64", "samples: .nan"))
    assert "samples" in str(err.value)
    with pytest.raises(rules.errors.ProblemsError):
        params.parse(params.PATH.read_text() + "\nsurprise: 1\n")


# ---------------------------------------------------------------- the CLI contract

def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_outlook_csv(capsys, demo_url):
    code, out, err = run(capsys, "--db", demo_url, "outlook", "--date", "01/09/2021",
                         "--unit", "899")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["unit_code", "unit_name", "level", "p_up", "p_down", "p_same",
                             "expected_level", "near_threshold", "reason"]
    assert len(rows) > 5 and all(r["unit_code"].startswith("30") for r in rows)
    for r in rows:
        ps = [r["p_up"], r["p_down"], r["p_same"]]
        assert all(len(p.split(".")[1]) == 3 for p in ps)
        assert round(sum(float(p) for p in ps), 3) == 1.0
        assert r["near_threshold"] in ("0", "1")


@pytest.mark.parametrize("argv, words", [
    (["outlook"], "Thiếu ngày"),
    (["outlook", "--date", "31/02/2021"], "Ngày"),
    (["outlook", "--date", "01/01/2030"], "ngoài khoảng"),
    (["outlook", "--date", "01/09/2021", "--unit", "nope"], "Không có đơn vị mã nope"),
    (["outlook", "backtest", "--from", "01/09/2021"], "--from và --to"),
    (["outlook", "backtest", "--from", "10/09/2021", "--to", "01/09/2021"], "đổi lại"),
    (["outlook", "backtest", "--from", "30/12/2021", "--to", "31/12/2021"], "Không có ngày"),
])
def test_cli_outlook_refusals_exit_2(capsys, demo_url, argv, words):
    code, _, err = run(capsys, "--db", demo_url, *argv)
    assert code == 2
    assert words in err and "Traceback" not in err


def test_cli_backtest_prints_brier_beside_persistence(capsys, demo_url, tmp_path):
    out_csv = tmp_path / "bins.csv"
    code, out, err = run(capsys, "--db", demo_url, "--lang", "en", "outlook", "backtest",
                         "--from", "2021-08-31", "--to", "2021-09-01", "--unit", "899",
                         "--out", str(out_csv))
    assert code == 0, err
    assert "Brier P(up): model" in out and "persistence" in out and "recall" in out
    assert "Verdict" in out
    bins = pd.read_csv(out_csv, encoding="utf-8-sig")
    assert list(bins.columns) == ["bin", "forecasts", "mean_p", "observed"]
    assert bins["forecasts"].sum() > 0 and len(bins) == 10


# ---------------------------------------------------------------- the page and the panel

def test_outlook_page_map_list_and_backtest(demo_url, use_db):
    from datetime import date

    from tests.test_app import run_page

    use_db(demo_url)
    at = run_page("app_pages/outlook.py", out_day=date(2021, 9, 1),
                  out_bt_start=date(2021, 9, 1), out_bt_end=date(2021, 9, 1))
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "có xác suất tăng cấp từ 50%" in text
    at.button(key="out_bt_run").click().run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown).replace("\\", "")  # md_text escapes
    assert "Brier P(tăng): mô hình" in text and "giữ nguyên" in text


def test_panel_says_what_would_take_it_up(demo_url, use_db):
    from datetime import date

    from tests.test_app import run_page

    use_db(demo_url)
    at = run_page("app_pages/map.py", day=date(2021, 11, 20), selected="30787")
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "Điều gì sẽ làm tăng cấp" in text and "Số ca cộng đồng" in text


def test_short_engine_history_gives_the_same_outlook():
    units, obs, adjacency, dates = made_up()
    reg = rules.load_rulesets()
    frames = Frames.build(units, adjacency, obs, dates, START)
    sel = np.flatnonzero((units["level"] == "commune").to_numpy())
    today = np.ones(len(sel), dtype=int)
    p = params.load()
    full = params.Params({**p.values, "engine_hold_chain": 0.0})
    for day in (DAY, pd.Timestamp("2021-10-08")):  # QĐ 4800; QĐ 2686 -> 4800 in the week
        a = forecast.day_outlook(frames, reg, day, "commune", today, p, positions=sel)
        b = forecast.day_outlook(frames, reg, day, "commune", today, full, positions=sel)
        np.testing.assert_array_equal(a.probs, b.probs)
        np.testing.assert_array_equal(a.near, b.near)


@pytest.mark.parametrize("level, day", [("district", "01/09/2021"), ("province", "20/11/2021")])
def test_cli_outlook_higher_tiers(capsys, demo_url, level, day):
    code, out, err = run(capsys, "--db", demo_url, "--lang", "en", "outlook", "--date", day,
                         "--level", level)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and all(round(sum(float(r[c]) for c in ("p_up", "p_down", "p_same")), 3)
                        == 1.0 for r in rows)
    assert all("in 7 days (sum of the communes)" in r["reason"] for r in rows)


def test_every_outlook_message_exists_in_both_languages():
    import re
    from pathlib import Path

    from zones.i18n import catalogue

    root = Path(__file__).resolve().parent.parent
    sources = [*root.glob("zones/outlook/*.py"), root / "zones/cli/outlook.py",
               root / "zones/api/outlooks.py", root / "app_pages/outlook.py",
               root / "ui/outlook_view.py", root / "ui/panel.py"]
    keys = set()
    for path in sources:
        keys |= set(re.findall(r"""["'](out\.[a-z_.0-9]+[a-z0-9_])["']""",
                               path.read_text(encoding="utf-8")))
    keys |= {f"out.class.{i}" for i in range(5)} | {f"out.bins.{c}" for c in
                                                      service.BIN_COLUMNS}
    assert len(keys) > 40
    for key in sorted(keys):
        entry = catalogue().get(key)
        assert entry is not None and entry.get("vi") and entry.get("en"), key
