"""The alerts' ``plan`` kind (plans, issue 22): a target that becomes at risk or missed
is told once, with the plan, its target and where it stands; alerts.yaml read strictly."""

from __future__ import annotations

from datetime import date

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


@pytest.mark.parametrize(("text", "field"), [
    ("plan:\n  statuses: [at_risk, late]\n", "plan.statuses"),
    ("plan:\n  statuses: []\n", "plan.statuses"),
    ("plan:\n  statuses: [missed]\n  colour: red\n", "plan.colour"),
    ("outlook: {}\n", ""),
])
def test_alerts_yaml_is_read_strictly(text, field):
    with pytest.raises(ProblemsError) as err:
        config.parse(text)
    assert any(p.field == field for p in err.value.problems)
