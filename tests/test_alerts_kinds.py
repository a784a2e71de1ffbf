"""The alerts' kinds built on plans (issue 22) and the outlook (issue 23): a plan target
that becomes at risk or missed, next week's risk (P(up) >= alerts.yaml's p_up), each told
once; alerts.yaml read strictly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rules.errors import ProblemsError
from zones import api
from zones.alerts import config
from zones.workspace import Workspace

DAY = date(2021, 8, 26)


def test_a_plan_at_risk_is_told_once(demo_copy):
    ws = Workspace.at(demo_copy)
    api.add_user(ws, api.LOCAL_ADMIN, "huyen.hatien", "mat-khau-ha-tien", "district", "900")
    api.add_user(ws, api.LOCAL_ADMIN, "huyen.rachgia", "mat-khau-rach-gia", "district", "899")
    for user in ("huyen.hatien", "huyen.rachgia"):
        api.subscribe_alerts(ws, api.LOCAL_ADMIN, user, kinds="plan")
    plans = api.plan_progress(ws, DAY)
    hatien = plans[plans["unit_code"] == "900"].iloc[0]
    assert hatien["status"] == "at_risk"  # the demo's example plan of Hà Tiên, on 26/08
    done = api.run_alerts(ws, api.LOCAL_ADMIN, DAY)
    mine = [d for d in done.digests if d.user_name == "huyen.hatien"]
    assert len(mine) == 1
    text = mine[0].text
    assert "Thành phố Hà Tiên" in text and "đúng tiến độ → có nguy cơ không đạt" in text
    assert f"Kế hoạch {hatien['plan_id']}" in text and "85,7%" in text and "90,0%" in text
    assert "Hà Tiên" not in "".join(d.text for d in done.digests if d is not mine[0])
    assert api.run_alerts(ws, api.LOCAL_ADMIN, DAY).digests == []  # told once


OUTLOOK = "outlook:\n  p_up: 0.5\n  levels: [commune]\n"


@pytest.mark.parametrize(("text", "field"), [
    (OUTLOOK + "plan:\n  statuses: [at_risk, late]\n", "plan.statuses"),
    (OUTLOOK + "plan:\n  statuses: []\n", "plan.statuses"),
    (OUTLOOK + "plan:\n  statuses: [missed]\n  colour: red\n", "plan.colour"),
    ("outlook:\n  p_up: .nan\n  levels: [commune]\nplan:\n  statuses: [missed]\n",
     "outlook.p_up"),
    ("outlook:\n  p_up: 1.5\n  levels: [ward]\nplan:\n  statuses: [missed]\n",
     "outlook.levels"),
    ("plan:\n  statuses: [missed]\n", ""),
])
def test_alerts_yaml_is_read_strictly(text, field):
    with pytest.raises(ProblemsError) as err:
        config.parse(text)
    assert any(p.field == field for p in err.value.problems)


def test_next_weeks_risk_names_only_units_newly_at_or_over_the_threshold(demo_copy):
    ws = Workspace.at(demo_copy)
    api.add_user(ws, api.LOCAL_ADMIN, "huyen.hondat", "mat-khau-hon-dat", "district", "903")
    api.subscribe_alerts(ws, api.LOCAL_ADMIN, "huyen.hondat", kinds="outlook", lang="en")
    done = api.run_alerts(ws, api.LOCAL_ADMIN, DAY)
    feed = api.alert_feed(ws, api.actor_named(ws, "huyen.hondat", "page", "en"))
    p_up = config.load().p_up
    today = api.outlook(ws, DAY, "commune", "903")
    before = api.outlook(ws, DAY - timedelta(days=1), "commune", "903")
    risky = set(today.loc[today["p_up"] >= p_up, "unit_code"])
    was = set(before.loc[before["p_up"] >= p_up, "unit_code"])
    told = set(feed["unit_code"]) & set(today["unit_code"])  # the communes of 903
    assert told == risky - was and told  # the first run compares with the day before
    assert "Risk of a higher level next week" in done.digests[0].text
    assert api.run_alerts(ws, api.LOCAL_ADMIN, DAY).digests == []
