"""Kế hoạch: plans with targets per unit and their progress (issue 22).

The unit and its subtree on a day: what needs a decision first (targets at risk or
missed, protected communes that slipped, with the day and the reason), then every
target's progress (computed, never typed), the measures (the unit's officials mark them
done), the form for leaders (checked, repeated, then stored: confirm or cancel),
revoking, and the emulation table of the unit's children with its downloads.
"""

import streamlit as st

from ui import plans_view
from ui.common import lang, md_text, require_units, tr, workspace
from ui.session import current_actor, sign_in_form
from zones import api

st.title(tr("plan.ui.title"))
st.caption(tr("plan.ui.intro"))
require_units()
ws = workspace()
actor = current_actor()
units = api.units(ws)
table = api.levels_in_force(ws)
if len(table.dates) == 0:
    st.info(tr("ui.no_assessments"))
    st.stop()

scopes = [c for c in units.index if units.at[c, "level"] in ("province", "district")]
# an official starts at their own district (a commune's, a hamlet's), not the province
own = [c for c in api.ancestors(units, actor.unit) if c in scopes] \
    if actor is not None and actor.unit in units.index else []
home = own[-1] if own else scopes[0]
c1, c2 = st.columns([2, 1])
scope = c1.selectbox(tr("plan.ui.scope"), scopes, index=scopes.index(home), key="plan_scope",
                     format_func=lambda c: f"{units.at[c, 'name']} ({c})")
day = c2.date_input(tr("plan.ui.day"), value=api.default_day(ws), format="DD/MM/YYYY",
                    min_value=table.dates[0].date(), max_value=table.dates[-1].date(),
                    key="plan_day")
names = api.level_names(ws, day, lang())
progress = api.plan_progress(ws, day, scope, lang())
plans = api.list_plans(ws, scope, lang())

plans_view.at_risk_ui(progress, plans, api.protect_breaches(ws, day, scope, lang()), names)
st.subheader(tr("plan.ui.progress", unit=md_text(units.at[scope, "name"])))
if progress.empty:
    st.info(tr("plan.ui.none_scope", unit=md_text(units.at[scope, "name"])))
else:
    plans_view.grid(plans_view.progress_table(progress, plans, names),
                    plans_view.PROGRESS_WIDTHS)
    st.caption(tr("plan.ui.statuses"))
plans_view.measures_ui(ws, actor, plans[plans["status"] == "active"], day)

if actor is None:
    with st.expander(tr("plan.ui.sign_in")):
        sign_in_form()
elif actor.can(api.Right.PLAN):
    plans_view.form_ui(ws, actor, units, names, day)
    plans_view.revoke_ui(ws, actor, plans, names)
else:
    st.info(tr("plan.ui.leaders_only"))

plans_view.emulation_ui(ws, units, scope, table.dates, day, names)
