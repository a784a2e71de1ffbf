"""The parts of plans on the pages (issue 22): the progress and at-risk tables, the
form with its confirmation step, revoking, measures marked done, the emulation table
with its downloads, the unit panel's targets and streak, and the map coloured by plan
status. Everything comes from the front door; names and texts are shown as written."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from ui import map_component, mapstate, widgets
from ui.common import lang, md_text, show_error, tr, workspace
from ui.session import may_export
from zones import api
from zones.errors import ZonesError
from zones.i18n import fmt_num
from zones.maps.mapview import look

#: the digit each status has on the plan map (0: no plan), and its colour
STATUS_DIGITS = {"met": 1, "on_track": 2, "at_risk": 3, "missed": 4, "pending": 5}
STATUS_COLOURS = ["#d9d9d9", "#1a9850", "#91cf60", "#fc8d59", "#d73027", "#9ecae1"]
#: the worst status of a unit's plans colours it
SEVERITY = {"missed": 4, "at_risk": 3, "on_track": 2, "pending": 1, "met": 0}
#: the plan tables fit the page at 1366 px (about 900 px beside the sidebar): the long
#: texts (target, reason) wrap in taller rows instead of the grid scrolling sideways
#: (Streamlit's grid wraps text in rows taller than 64 px); widths in pixels per column
WRAP_ROW = 66
PROGRESS_WIDTHS = {"plan.col.id": 56, "plan.col.unit": 140, "plan.col.status": 120,
                   "plan.col.value": 110, "plan.col.target": 260, "plan.col.since": 90,
                   "plan.col.decision": 110}
BREACH_WIDTHS = {"plan.col.id": 56, "plan.col.unit": 140, "plan.col.day": 100,
                 "plan.col.rise": 190, "plan.col.reason": 400}
#: the emulation table's ten columns at 1366 px, one line a row (short headers, the full
#: meaning as the header's help)
EMULATION_WIDTHS = {"emu.col.rank": 52, "emu.col.unit": 140, "emu.col.green_days": 80,
                    "emu.col.streak": 80, "emu.col.from": 105, "emu.col.to": 105,
                    "emu.col.improvement": 72, "emu.col.regressions": 90,
                    "emu.col.reporting": 80, "emu.col.targets_met": 85}
EMULATION_HELP = ("emu.col.green_days", "emu.col.streak", "emu.col.from", "emu.col.to",
                  "emu.col.reporting")
FORM = {"plan_unit": None, "plan_kind": "share", "plan_level": 1, "plan_share": 80,
        "plan_hold": None, "plan_from": None, "plan_by": None, "plan_decision": "",
        "plan_note": "", "plan_measures": ""}


def status_word(status: str) -> str:
    return tr(f"plan.status.{status}")


def target_words(row, names: dict[int, str], esc=md_text) -> str:
    """A target as a leader reads it (``esc``: md_text for Markdown, str for a grid)."""
    values = {"level": esc(names.get(int(row["level"]), str(row["level"]))),
              "start": widgets.fmt_day(row["from"]), "by": widgets.fmt_day(row["by"])}
    if row["kind"] == "share":
        return tr("plan.target.share", share=f"{row['share'] * 100:.0f}", **values)
    if row["kind"] == "reach":
        return tr("plan.target.reach", hold=int(row["hold"]), **values)
    return tr("plan.target.protect", **values)


def value_words(row, names: dict[int, str]) -> str:
    """The value on the day as a grid shows it (plain text)."""
    if pd.isna(row["value"]):
        return "–"
    if row["kind"] == "share":
        return f"{fmt_num(row['value'] * 100, 1, lang())} %"
    if row["kind"] == "reach":
        return names.get(int(row["value"]), str(int(row["value"])))
    return tr("plan.value.protect", n=int(row["value"]))


def hint(key: str) -> str | None:
    """The full meaning of a short column header (its catalogue key + ".help")."""
    return tr(f"{key}.help") if key in EMULATION_HELP else None


def grid(frame: pd.DataFrame, widths: dict[str, int], wrap: bool = True) -> None:
    """A plan table at the widths given (catalogue key -> pixels), its texts wrapped."""
    config = {tr(key): (st.column_config.NumberColumn(width=w, format="%d", help=hint(key))
                        if pd.api.types.is_integer_dtype(frame[tr(key)])
                        else st.column_config.Column(width=w, help=hint(key)))
              for key, w in widths.items()}
    # every row shown up to ten (the grid's header is 35 px high), then it scrolls
    height = 35 + 2 + min(len(frame), 10) * WRAP_ROW if wrap else "auto"
    widgets.table(frame, hide_index=True, width="stretch", column_config=config,
                  row_height=WRAP_ROW if wrap else None, height=height)


def progress_table(progress: pd.DataFrame, plans: pd.DataFrame, names) -> pd.DataFrame:
    """The progress rows in words (the page's columns: the status right after the unit,
    so it shows first on a phone)."""
    rows = progress.merge(plans[["id", "hold", "note", "entered_by"]], left_on="plan_id",
                          right_on="id", how="left", validate="one_to_one")
    return pd.DataFrame({
        tr("plan.col.id"): rows["plan_id"].astype(int),
        tr("plan.col.unit"): rows["unit_name"],
        tr("plan.col.status"): [status_word(s) for s in rows["status"]],
        tr("plan.col.value"): [value_words(r, names) for _, r in rows.iterrows()],
        tr("plan.col.target"): [target_words(r, names, str) for _, r in rows.iterrows()],
        tr("plan.col.since"): [widgets.fmt_day(s) if s is not None else "" for s in rows["since"]],
        tr("plan.col.decision"): rows["decision"]})


def at_risk_ui(progress: pd.DataFrame, plans: pd.DataFrame, breaches: pd.DataFrame,
               names) -> None:
    """What needs a decision first: targets at risk or missed, protected communes that
    slipped (the day and the reason of the rise)."""
    st.subheader(tr("plan.ui.at_risk"))
    bad = progress[progress["status"].isin(["at_risk", "missed"])]
    bad = bad.assign(order=bad["status"].map({"missed": 0, "at_risk": 1})).sort_values(
        ["order", "since"])
    if bad.empty:
        st.success(tr("plan.ui.none_at_risk"))
    else:
        grid(progress_table(bad, plans, names), PROGRESS_WIDTHS)
    if not breaches.empty:
        st.markdown(f"**{tr('plan.ui.breaches', n=len(breaches))}**")
        grid(pd.DataFrame({
            tr("plan.col.id"): breaches["plan_id"], tr("plan.col.unit"): breaches["unit_name"],
            tr("plan.col.day"): [widgets.fmt_day(d) for d in breaches["day"]],
            tr("plan.col.rise"): [f"{names.get(int(a), a)} → {names.get(int(b), b)}" for a, b
                                  in zip(breaches["level_before"], breaches["level"],
                                         strict=True)],
            tr("plan.col.reason"): breaches["reason"]}), BREACH_WIDTHS)


def measures_ui(ws, actor, plans: pd.DataFrame, day: date) -> None:
    """The measures of the plans shown; the unit's officials mark one done, with a date."""
    st.subheader(tr("plan.ui.measures"))
    done = st.session_state.pop("plan_measure_done", None)
    if done:
        st.success(tr("plan.ui.measure_saved", text=md_text(done)))
    measures = api.plan_measures(ws, plans["id"].tolist(), lang())
    if measures.empty:
        st.caption(tr("plan.ui.no_measures"))
        return
    unit_of = dict(zip(plans["id"], plans["unit_name"], strict=True))
    widgets.table(pd.DataFrame({
        tr("plan.col.id"): measures["plan_id"], tr("plan.col.unit"):
        measures["plan_id"].map(unit_of), tr("plan.col.measure"): measures["text"],
        tr("plan.col.done_on"): [widgets.fmt_day(d) if pd.notna(d) else "" for d in
                                 measures["done_on"]],
        tr("plan.col.done_by"): measures["done_by"].fillna("")}), hide_index=True,
        width="stretch")
    if actor is None or not actor.can(api.Right.SEND):
        return
    # offered: the open measures of plans of the actor's own area (the core refuses the
    # others; a commune's official is not offered the district's measures to be refused)
    units = api.units(ws)
    mine = [pid for pid, code in zip(plans["id"], plans["unit_code"], strict=True)
            if not actor.unit or actor.unit in api.ancestors(units, code)]
    open_ = measures[measures["done_on"].isna() & measures["plan_id"].isin(mine)]
    open_ = open_.set_index("id")
    if open_.empty:
        return
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    pick = c1.selectbox(tr("plan.ui.measure_pick"), open_.index.tolist(), index=None,
                        key="plan_measure", placeholder=tr("plan.ui.measure_placeholder"),
                        format_func=lambda i: f"{unit_of.get(open_.at[i, 'plan_id'], '')}: "
                                              f"{open_.at[i, 'text']}")
    when = c2.date_input(tr("plan.ui.done_on"), value=day, format="DD/MM/YYYY",
                         key="plan_measure_day")
    if c3.button(tr("plan.ui.mark_done"), key="plan_mark_done", disabled=pick is None):
        try:
            api.mark_measure_done(ws, int(pick), when, actor, lang())
        except ZonesError as err:
            show_error(err)
            return
        st.session_state["plan_measure_done"] = str(open_.at[pick, "text"])
        st.rerun()


def _confirmation(ws, actor, p, names) -> None:
    with st.container(border=True, key="plan-confirm"):
        st.subheader(tr("plan.ui.confirm_title"))
        where = ", ".join(md_text(n) for n in p.parents)
        st.markdown(tr("plan.ui.confirm_unit", name=md_text(p.unit_name),
                       code=md_text(p.unit_code), parents=where or "–"))
        row = {"kind": p.kind, "level": p.level, "share": p.share, "from": p.date_from,
               "by": p.date_by, "hold": p.hold}
        st.markdown(f"{tr('plan.kind.' + p.kind)}: {target_words(row, names)}")
        st.markdown(tr("plan.ui.confirm_decision", decision=md_text(p.decision)))
        if p.note:
            st.markdown(tr("plan.ui.confirm_note", note=md_text(p.note)))
        for text in p.measures:
            st.markdown(f"- {md_text(text)}")
        if widgets.confirm_or_cancel(tr("plan.ui.confirm"), tr("plan.ui.cancel"), "plan",
                                     "plan_pending"):
            try:
                plan_id = api.add_plan(
                    ws, actor=actor, unit_code=p.unit_code, kind=p.kind, level=p.level,
                    share=p.share, date_from=p.date_from, date_by=p.date_by, hold=p.hold,
                    decision=p.decision, note=p.note, measures=p.measures, lang=lang())
            except ZonesError as err:
                show_error(err)
                return
            st.session_state.pop("plan_pending", None)
            st.session_state["plan_saved"] = (plan_id, p.unit_name)
            st.session_state["plan_reset"] = True
            st.rerun()


def form_ui(ws, actor, units: pd.DataFrame, names, day: date) -> None:
    """A new target for a unit of the actor's subtree, checked, repeated, then stored."""
    st.subheader(tr("plan.ui.new"))
    if st.session_state.pop("plan_reset", False):
        st.session_state.update(FORM)
    for key in ("plan_kind", "plan_share"):  # a share target of 80 % until changed
        st.session_state.setdefault(key, FORM[key])
    saved = st.session_state.pop("plan_saved", None)
    if saved:
        st.success(tr("plan.ui.saved", id=saved[0], unit=md_text(saved[1])))
    codes = [c for c in units.index if units.at[c, "level"] != "hamlet"
             and (not actor.unit or actor.unit in api.ancestors(units, c))]
    c1, c2, c3 = st.columns([2, 1, 1])
    code = c1.selectbox(tr("plan.ui.unit"), codes, index=None, key="plan_unit",
                        placeholder=tr("plan.ui.unit_placeholder"),
                        format_func=lambda c: f"{units.at[c, 'name']} ({c})")
    kind = c2.selectbox(tr("plan.ui.kind"), list(api.PLAN_KINDS), key="plan_kind",
                        format_func=lambda k: tr(f"plan.kind.{k}"))
    level = c3.selectbox(tr("plan.ui.level"), [1, 2, 3, 4], key="plan_level",
                         format_func=lambda v: names.get(v, str(v)))
    c4, c5, c6 = st.columns(3)
    start = c4.date_input(tr("plan.ui.from"), value=None, format="DD/MM/YYYY", key="plan_from")
    by = c5.date_input(tr("plan.ui.by"), value=None, format="DD/MM/YYYY", key="plan_by")
    share = hold = None
    if kind == "share":
        # in per cent as people say it ("80 %"), stored as the share the core takes
        share = c6.number_input(tr("plan.ui.share"), min_value=1, max_value=100, step=5,
                                key="plan_share") / 100
    elif kind == "reach":
        hold = c6.number_input(tr("plan.ui.hold"), min_value=1, step=1, value=None,
                               key="plan_hold", placeholder="7")
    decision = st.text_input(tr("plan.ui.decision"), key="plan_decision",
                             placeholder="6777/VP-KGVX")
    note = st.text_input(tr("plan.ui.note"), key="plan_note")
    measures = [m for m in st.text_area(tr("plan.ui.measures_input"), key="plan_measures",
                                        placeholder=tr("plan.ui.measures_hint")).splitlines()
                if m.strip()]
    fields = (code, kind, level, start, by, share, hold, decision.strip(), note.strip(),
              tuple(measures))
    pending = st.session_state.get("plan_pending")
    if pending is not None and pending[0] != fields:
        st.session_state.pop("plan_pending")
        pending = None
    if st.button(tr("plan.ui.save"), key="plan_save", type="secondary" if pending else "primary"):
        try:
            proposal = api.check_plan(ws, actor=actor, unit_code=code, kind=kind, level=level,
                                      share=share, date_from=start, date_by=by, hold=hold,
                                      decision=decision, note=note.strip() or None,
                                      measures=measures, lang=lang())
        except ZonesError as err:
            st.session_state.pop("plan_pending", None)
            pending = None
            show_error(err)
        else:
            pending = st.session_state["plan_pending"] = (fields, proposal)
    if pending is not None:
        _confirmation(ws, actor, pending[1], names)


def revoke_ui(ws, actor, plans: pd.DataFrame, names) -> None:
    """Revoke a plan, asked the same way as setting it."""
    st.subheader(tr("plan.ui.revoke_title"))
    done = st.session_state.pop("plan_revoked", None)
    if done:
        st.success(tr("plan.ui.revoked", id=done))
    live = plans[plans["status"] == "active"].set_index("id")
    if live.empty:
        st.caption(tr("plan.ui.none"))
        return
    pending = widgets.pick_to_confirm(
        tr("plan.ui.revoke_pick"), live.index.tolist(), "plan_victim", tr("plan.ui.revoke"),
        "plan_revoke", tr("plan.ui.revoke_placeholder"),
        lambda i: f"{i} — {live.at[i, 'unit_name']}: {tr('plan.kind.' + live.at[i, 'kind'])}, "
                  f"{live.at[i, 'decision']}")
    if pending is None:
        return
    with st.container(border=True):
        st.markdown(tr("plan.ui.revoke_what", id=pending,
                       unit=md_text(live.at[pending, "unit_name"]),
                       decision=md_text(live.at[pending, "decision"])))
        if widgets.confirm_or_cancel(tr("plan.ui.revoke_confirm"), tr("plan.ui.cancel"),
                                     "plan_revoke", "plan_revoke_pending"):
            try:
                api.revoke_plan(ws, int(pending), actor, lang())
            except ZonesError as err:
                show_error(err)
                return
            st.session_state.pop("plan_revoke_pending", None)
            st.session_state["plan_revoked"] = int(pending)
            st.rerun()


def emulation_ui(ws, units: pd.DataFrame, scope: str, dates: pd.DatetimeIndex, day: date,
                 names) -> None:
    """The emulation table of ``scope``'s children, its rule, the streaks called out,
    and its CSV/XLSX downloads."""
    st.subheader(tr("plan.ui.emulation", unit=md_text(units.at[scope, "name"])))
    first = max(dates[0].date(), day - timedelta(days=13))
    c1, c2 = st.columns(2)
    start = c1.date_input(tr("emu.ui.from"), value=first, min_value=dates[0].date(),
                          max_value=dates[-1].date(), format="DD/MM/YYYY", key="emu_from")
    end = c2.date_input(tr("emu.ui.to"), value=day, min_value=dates[0].date(),
                        max_value=dates[-1].date(), format="DD/MM/YYYY", key="emu_to")
    try:
        frame = api.emulation(ws, scope, start, end, lang())
    except ZonesError as err:
        show_error(err)
        return
    for days in sorted(api.streak_callouts(), reverse=True):
        hit = frame[frame["streak_callout"] == days]
        if not hit.empty:
            st.success(tr("plan.ui.callout", days=days, n=len(hit),
                          units=", ".join(md_text(n) for n in hit["unit_name"])))

    def lv(v):
        return "–" if pd.isna(v) else names.get(int(v), str(v))
    shown = pd.DataFrame({
        tr("emu.col.rank"): frame["rank"], tr("emu.col.unit"): frame["unit_name"],
        tr("emu.col.green_days"): frame["green_days"],
        tr("emu.col.streak"): [f"{s} ★" if c else str(s) for s, c in
                               zip(frame["green_streak"], frame["streak_callout"], strict=True)],
        tr("emu.col.from"): [lv(v) for v in frame["level_from"]],
        tr("emu.col.to"): [lv(v) for v in frame["level_to"]],
        tr("emu.col.improvement"): frame["improvement"].astype("Int64"),
        tr("emu.col.regressions"): frame["regressions"],
        tr("emu.col.reporting"): [f"{fmt_num(v * 100, 1, lang())} %" if pd.notna(v) else "–"
                                  for v in frame["reporting_rate"]],
        tr("emu.col.targets_met"): frame["targets_met"]})
    grid(shown, EMULATION_WIDTHS, wrap=False)
    st.caption(tr("plan.cli_rule") + " " + tr("plan.ui.callout_rule",
                                              days=" / ".join(map(str, api.streak_callouts()))))
    if may_export():
        _downloads(frame, scope, start, end)


def _downloads(frame: pd.DataFrame, scope: str, start: date, end: date) -> None:
    out = api.safe_frame(frame[list(api.EMULATION_COLUMNS)])
    name = f"thi-dua_{scope}_{start:%Y%m%d}_{end:%Y%m%d}"
    buffer = io.BytesIO()
    out.to_excel(buffer, index=False, sheet_name="thi-dua")
    row = st.container(horizontal=True, gap="small")
    row.download_button(tr("plan.ui.download_csv"), out.to_csv(index=False).encode("utf-8-sig"),
                        file_name=f"{name}.csv", mime="text/csv", width="content")
    row.download_button(tr("plan.ui.download_xlsx"), buffer.getvalue(),
                        file_name=f"{name}.xlsx", width="content",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def unit_block(code: str, day: date) -> None:
    """The unit panel's part: the unit's targets (status, since) and its green streak."""
    ws = workspace()
    streak = int(api.unit_streaks(ws, [code], day)[0])
    st.caption(tr("plan.ui.streak", n=streak))
    progress = api.plan_progress(ws, day, code, lang())
    own = progress[progress["unit_code"] == code]
    if own.empty:
        return
    names = api.level_names(ws, day, lang())
    plans = api.list_plans(ws, code, lang())
    st.markdown(f"**{tr('plan.ui.targets')}**")
    rows = own.merge(plans[["id", "hold"]], left_on="plan_id", right_on="id", how="left",
                     validate="one_to_one")
    for _, r in rows.iterrows():
        since = f" ({tr('plan.col.since').lower()} {widgets.fmt_day(r['since'])})" \
            if r["since"] is not None else ""
        st.markdown(f"- {target_words(r, names)}: **{status_word(r['status'])}**{since}")


def plan_digits(ws, dv: api.DayView) -> str:
    """Per unit of the view, the digit of the worst status of its own plans, else of its
    nearest ancestor's; a protected commune that slipped is ``missed``."""
    progress = api.plan_progress(ws, dv.day, None, lang())
    worst = {}
    for code, status in zip(progress["unit_code"], progress["status"], strict=True):
        if code not in worst or SEVERITY[status] > SEVERITY[worst[code]]:
            worst[code] = status
    for code in api.protect_breaches(ws, dv.day, None, lang())["unit_code"]:
        worst[code] = "missed"
    parent = api.units(ws)["parent_code"]
    codes = pd.Index(dv.codes)
    found = pd.Series(codes.map(worst), index=codes, dtype=object)
    above = pd.Series(codes.to_numpy(dtype=object), index=codes)
    for _ in range(4):  # hamlet -> commune -> district -> province
        above = above.map(parent)
        found = found.fillna(above.map(worst))
    digits = found.map(STATUS_DIGITS).fillna(0).astype(int)
    return "".join(map(str, digits))


def plan_map(lay, dv: api.DayView, edges, height: int, key: str) -> None:
    """The map coloured by plan status on the day (no player: statuses are of one day)."""
    code = map_component.clicked_unit(map_component.new_message(key, "click"))
    if code is not None and code in lay.codes:
        mapstate.select(code)
    names = [tr("plan.map.none"), *(status_word(s) for s in STATUS_DIGITS)]
    texts = {"rate": "", "play": "", "pause": "", "day": "", "week": "", "declared": "",
             "computed": "", "marked": "", "pending": ""}
    spec = look(names, tr("plan.map.legend"), STATUS_COLOURS, texts, dv.notices) | {
            "layer": lay.url, "bounds": lay.bounds, "outlines": list(edges),
            "timeline": None, "tiles": None, "levels": plan_digits(workspace(), dv),
            "rates": [], "label": widgets.fmt_day(dv.day), "marks": "", "pending": "",
            "notes": {}, "selected": st.session_state.get("selected"), "clicks": True,
            "height": height}
    map_component.levels_map(spec, key)
