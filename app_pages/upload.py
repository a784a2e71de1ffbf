"""Nhập số liệu: template download, upload with a row-by-row check, store, history.

Thin page: reading, checking, storing and formatting live in the core (``zones.api``). Tables
shown are capped (PREVIEW_ROWS, HISTORY_ROWS) so the page stays light on slow links.
"""

import dataclasses
import time
from datetime import date, timedelta

import streamlit as st

from ui import widgets
from ui.common import (
    data_version,
    lang,
    md_text,
    require_units,
    show_error,
    tr,
    workspace,
)
from ui.session import current_actor, require_actor
from zones import api
from zones.errors import ZonesError

PREVIEW_ROWS = 200
HISTORY_ROWS = 100
UNIT_CHOICES = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_resource(show_spinner=False, max_entries=2)
def _index(version: str):
    return api.unit_index(workspace(), lang())


def unit_picker(key: str) -> str | None:
    """A search box and a short list of matching units; the chosen code."""
    index = _index(data_version())
    query = st.text_input(tr("ingest.page.unit_search"), key=f"{key}_query")
    codes = api.find_units(workspace(), query, UNIT_CHOICES)
    if not codes:
        st.caption(tr("ingest.page.no_match"))
        return None
    return st.selectbox(tr("ingest.page.unit_pick"), codes, key=f"{key}_unit",
                        format_func=lambda c: f"{index.label[c]} – {c}")


def template_ui() -> None:
    st.subheader(tr("ingest.page.template_header"))
    code = unit_picker("tpl")
    left, right = st.columns(2)
    start = left.date_input(tr("ingest.page.from"), date.today() - timedelta(days=6),
                            format="DD/MM/YYYY", key="tpl_from")
    end = right.date_input(tr("ingest.page.to"), date.today(), format="DD/MM/YYYY",
                           key="tpl_to")
    if code and st.button(tr("ingest.page.make_template"), key="tpl_make"):
        try:
            data = api.observation_template(workspace(), code, start, end, lang())
            st.session_state["tpl_file"] = (f"mau_{code}_{start:%Y%m%d}_{end:%Y%m%d}.xlsx", data)
        except ZonesError as err:
            show_error(err)
    if "tpl_file" in st.session_state:
        name, data = st.session_state["tpl_file"]
        st.download_button(tr("ingest.page.download_template"), data, file_name=name,
                           mime=XLSX, key="tpl_download", on_click="ignore")


def checked_upload(name: str, data: bytes, sheet: str | None, actor):
    """The check of an uploaded file, kept in the session while the file stays the same."""
    key = (api.sha256(data), sheet, lang(), data_version(), actor.name)
    cached = st.session_state.get("ingest_checked")
    if cached and cached[0] == key:
        return cached[1]
    checked = api.check_upload(workspace(), data, name, sheet=sheet, lang=lang(),
                               index=_index(data_version()), actor=actor)
    st.session_state["ingest_checked"] = (key, checked)
    return checked


def summary_ui(checked) -> None:
    counts = checked.counts()
    for col, label, value in zip(st.columns(4), ("rows", "good", "refused", "blank"),
                                 (counts["rows"], counts["good"], counts["refused"],
                                  counts["blank"]), strict=True):
        col.metric(tr(f"ingest.page.{label}"), value)
    if checked.table.ignored:
        ignored = ", ".join(md_text(c) for c in checked.table.ignored)  # the file's headers
        st.caption(tr("ingest.ignored", columns=ignored))


def problems_ui(checked) -> None:
    if checked.problems.empty:
        st.success(tr("ingest.page.all_ok"))
    only = st.toggle(tr("ingest.page.only_problems"), value=not checked.problems.empty,
                     key="only_problems")
    table = api.upload_preview(checked, only_problems=only, limit=PREVIEW_ROWS)
    if len(table):
        # the reasons beside the row number: the file's own columns may run far to the right
        row, why = tr("ingest.report.row"), tr("ingest.report.reasons")
        table = table[[row, why, *(c for c in table.columns if c not in (row, why))]]
        widgets.table(table, hide_index=True, column_config={
            why: st.column_config.TextColumn(width="large")})
        st.caption(tr("ingest.page.preview_note", limit=PREVIEW_ROWS))
    if not checked.problems.empty:
        st.download_button(tr("ingest.page.download_report"), api.upload_error_report(checked),
                           file_name=f"loi_{checked.filename.rsplit('.', 1)[0]}.xlsx",
                           mime=XLSX, key="report_download", on_click="ignore")


def store_ui(checked, actor) -> None:
    counts = checked.counts()
    strict = st.checkbox(tr("ingest.page.all_or_nothing"), key="all_or_nothing")
    blocked = counts["good"] == 0 or (strict and counts["refused"] > 0)
    if st.button(tr("ingest.page.confirm", good=counts["good"]), type="primary",
                 disabled=blocked, key="confirm"):
        try:
            result = api.store_upload(workspace(), checked, actor, all_or_nothing=strict,
                                      background=True)
        except ZonesError as err:
            show_error(err)
            return
        st.session_state["ingest_stored"] = result
        st.session_state["recompute_started"] = time.time() if result.recomputing else None
    stored = st.session_state.get("ingest_stored")
    if stored is None:
        return
    st.success(api.format_result(stored, lang()))
    if stored.recomputing:
        recompute_status()
    elif st.session_state.get("recompute_started"):
        st.success(tr("ingest.page.recompute_done"))


@st.fragment(run_every=1.0)
def recompute_status() -> None:
    """The levels' recomputation after this upload, followed each second without
    rerunning the page; when it is done the whole page reruns once."""
    stored = st.session_state.get("ingest_stored")
    if stored is None or not stored.recomputing:
        return
    progress = api.recompute_progress(workspace())
    if progress.owed is None:  # the message now says "recomputed from …"
        st.session_state["ingest_stored"] = dataclasses.replace(stored, recomputing=False)
        st.rerun()
    seconds = int(time.time() - st.session_state["recompute_started"])
    key = "ingest.page.recompute_running" if progress.running_here else \
        "ingest.page.recompute_elsewhere"
    with st.status(tr(key, first=widgets.fmt_day(stored.first_date), seconds=seconds),
                   state="running"):
        st.caption(tr("ingest.page.recompute_note"))


def upload_ui() -> None:
    st.subheader(tr("ingest.page.upload_header"))
    actor = require_actor(api.Right.SEND)  # the form to sign in first, where it is needed
    where = api.upload_area(workspace(), actor, lang())
    st.caption(tr("auth.area", area=md_text(where)) if where else tr("auth.area_all"))
    upload = widgets.uploader(tr("ingest.page.file"), ["csv", "xlsx"], "upload_file", 20)
    sheet = st.text_input(tr("ingest.page.sheet"), key="upload_sheet").strip() or None
    if upload is None:
        st.session_state.pop("ingest_stored", None)
        return
    try:
        checked = checked_upload(upload.name, upload.getvalue(), sheet, actor)
    except ZonesError as err:
        show_error(err)
        return
    summary_ui(checked)
    problems_ui(checked)
    store_ui(checked, actor)


def history_ui() -> None:
    st.subheader(tr("ingest.page.history_header"))
    code = unit_picker("hist")
    if code is None:
        return
    history = api.unit_history(workspace(), code, limit=HISTORY_ROWS)
    if history.empty:
        st.info(tr("ingest.page.history_empty"))
        return
    widgets.table(api.history_table(history, lang()), hide_index=True)


def approval_ui() -> None:
    """Approve (lock) or unlock a week of a district or province, for those who may."""
    actor = current_actor()
    if actor is None or not actor.can(api.Right.APPROVE):
        return
    st.divider()
    st.subheader(tr("appr.ui.header"))
    st.caption(tr("appr.ui.intro"))
    units = api.units(workspace())
    choices = api.approvable_units(workspace(), actor)
    if not choices:
        return
    c1, c2 = st.columns(2)
    code = c1.selectbox(tr("decl.unit"), choices, key="appr_unit",
                        format_func=lambda c: f"{units.at[c, 'name']} ({c})")
    dates = api.computed_levels(workspace()).dates  # the last week with figures
    last = dates[-1].date() if len(dates) else date.today()
    day = c2.date_input(tr("appr.ui.week"), value=last, format="DD/MM/YYYY", key="appr_day")
    state = api.week_approval(workspace(), code, day)
    if "appr_msg" in st.session_state:
        st.success(st.session_state.pop("appr_msg"))
    if state:
        st.info(tr("appr.ui.locked", by=md_text(state["by"]), at=widgets.fmt_moment(state['at'])))
    silent = st.checkbox(tr("appr.ui.mark_silent"), key="appr_silent", disabled=bool(state))
    b1, b2 = st.columns(2)
    approve = b1.button(tr("appr.ui.approve"), key="appr_go", disabled=bool(state),
                        type="primary")
    unlock = b2.button(tr("appr.ui.unlock"), key="appr_unlock", disabled=not state)
    try:
        if approve:
            week = api.approve_week(workspace(), actor, code, day, lang=lang(),
                                    mark_silent=silent)
            st.session_state["appr_msg"] = tr("appr.done", week=widgets.fmt_day(week),
                                              unit=md_text(units.at[code, "name"]))
            st.rerun()
        if unlock:
            week = api.unlock_week(workspace(), actor, code, day, lang=lang())
            st.session_state["appr_msg"] = tr("appr.unlocked", week=widgets.fmt_day(week),
                                              unit=md_text(units.at[code, "name"]))
            st.rerun()
    except ZonesError as err:
        show_error(err)
st.title(tr("ingest.page.title"))
require_units()
st.caption(tr("ingest.page.intro"))
template_ui()
st.divider()
upload_ui()
st.divider()
history_ui()
approval_ui()
