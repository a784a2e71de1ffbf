"""Điểm an toàn: the safety map's sites (issue 25). The leaders' lists of a day (facilities
that must stop, full quarantine sites) with CSV downloads; for officials, a template per
kind, an upload checked row by row before it is stored, and one facility at a time in a
form; the facility scoring schemes. Thin page: everything is the core's (``zones.api``)."""

from datetime import date

import pandas as pd
import streamlit as st

from ui import widgets
from ui.common import (
    lang,
    md_text,
    plain_message,
    require_units,
    show_error,
    tr,
    workspace,
)
from ui.session import current_actor, may_export, require_actor
from zones import api
from zones.errors import ZonesError

PREVIEW_ROWS = 200
require_units()
ws = workspace()
st.title(tr("sites.page.title"))
st.caption(tr("sites.page.intro"))
if tr("ui.notice.simulated") in api.notices(ws, lang()):
    st.caption(f":material/warning: {tr('sites.page.simulated')}")

day = st.date_input(tr("sites.page.day"), api.default_day(ws), format="DD/MM/YYYY",
                    key="sites_day")


def _csv(frame: pd.DataFrame) -> bytes:
    return api.safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def lists_ui(day: date) -> None:
    """The leaders' lists of the day, each with its CSV."""
    lists = api.site_lists(ws, day, None, lang())
    for key, title in (("must_stop", "sites.page.must_stop"), ("full", "sites.page.full")):
        frame = lists[key]
        st.markdown(f"**{tr(title, n=len(frame))}**")
        if frame.empty:
            st.caption(tr("sites.page.empty"))
            continue
        shown = frame.rename(columns={c: tr(f"sites.col.{c}") for c in frame.columns})
        widgets.table(shown, hide_index=True, width="stretch",
                      height=min(320, 38 + 35 * len(frame)), key=f"sites-{key}")
        if may_export():
            st.download_button(tr("sites.page.download_csv"), _csv(frame),
                               file_name=f"{key}_{day:%Y%m%d}.csv", mime="text/csv",
                               key=f"sites-{key}-csv", on_click="ignore",
                               icon=":material/download:")


def templates_ui() -> None:
    cols = st.columns(len(api.SITE_KINDS))
    for col, kind in zip(cols, api.SITE_KINDS, strict=True):
        col.download_button(tr("sites.page.template", kind=tr(f"sites.kind.{kind}")),
                            api.site_template(ws, kind, lang()), file_name=f"mau_{kind}.csv",
                            mime="text/csv", key=f"sites-tpl-{kind}", on_click="ignore")


def report_ui(checked) -> None:
    counts = checked.counts()
    for col, label in zip(st.columns(3), ("rows", "good", "refused"), strict=True):
        col.metric(tr(f"ingest.page.{label}"), counts[label])
    if checked.problems.empty:
        st.success(tr("ingest.page.all_ok"))
        return
    table = checked.problems[["row", "column", "value", "reason", "fix"]].head(PREVIEW_ROWS)
    widgets.table(table.rename(columns={
        "row": tr("ingest.report.row"), "column": tr("sites.page.column"),
        "value": tr("sites.page.value"), "reason": tr("ingest.report.reasons"),
        "fix": tr("sites.page.fix")}), hide_index=True, width="stretch")


def upload_ui(actor) -> None:
    st.subheader(tr("sites.page.upload"))
    kind = st.selectbox(tr("sites.page.kind"), api.SITE_KINDS, key="sites_kind",
                        format_func=lambda k: tr(f"sites.kind.{k}"))
    upload = widgets.uploader(tr("sites.page.file"), ["csv", "xlsx", "geojson", "json"],
                              "sites_file", 20)
    if upload is None:
        st.session_state.pop("sites_stored", None)
        return
    data = upload.getvalue()
    key = (api.sha256(data), kind, lang(), actor.name)
    cached = st.session_state.get("sites_checked")
    try:
        if cached and cached[0] == key:
            checked = cached[1]
        else:
            checked = api.check_sites(ws, data, upload.name, kind, lang=lang(), actor=actor)
            st.session_state["sites_checked"] = (key, checked)
            st.session_state.pop("sites_stored", None)
    except ZonesError as err:
        show_error(err)
        return
    report_ui(checked)
    good = checked.counts()["good"]
    if st.button(tr("sites.page.store", n=good), type="primary", disabled=good == 0,
                 key="sites_store"):
        try:
            st.session_state["sites_stored"] = api.format_site_check(
                checked, api.store_sites(ws, checked, actor), lang()).splitlines()[-1]
        except ZonesError as err:
            show_error(err)
    if st.session_state.get("sites_stored"):
        st.success(plain_message(st.session_state["sites_stored"]))


def form_ui(actor) -> None:
    st.subheader(tr("sites.page.form"))
    st.caption(tr("sites.page.form_intro"))
    with st.form("site_form", clear_on_submit=False):
        c1, c2 = st.columns(2)
        fields = {"site_id": c1.text_input("site_id", key="sf_id"),
                  "name": c2.text_input(tr("sites.col.name"), key="sf_name"),
                  "unit_code": c1.text_input(tr("sites.page.unit_code"), key="sf_unit"),
                  "sector": c2.text_input(tr("sites.page.sector"), key="sf_sector"),
                  "lat": c1.text_input(tr("sites.page.lat"), key="sf_lat"),
                  "lon": c2.text_input(tr("sites.page.lon"), key="sf_lon"),
                  "score": c1.text_input(tr("sites.page.score"), key="sf_score")}
        start = c2.date_input(tr("sites.col.from"), day, format="DD/MM/YYYY", key="sf_from")
        end = c1.date_input(tr("sites.col.to"), None, format="DD/MM/YYYY", key="sf_to")
        sent = st.form_submit_button(tr("sites.page.form_save"), type="primary")
    if not sent:
        return
    fields |= {"from": start.isoformat() if start else "", "to": end.isoformat() if end else ""}
    try:
        checked, stored = api.add_site(ws, actor, "facility", fields, lang())
    except ZonesError as err:
        show_error(err)
        return
    if stored is None:
        report_ui(checked)
    else:
        st.success(plain_message(api.format_site_check(checked, stored, lang())
                                 .splitlines()[-1]))


def schemes_ui(day: date) -> None:
    st.subheader(tr("sites.page.schemes"))
    st.caption(tr("sites.page.schemes_intro"))
    frame = api.site_schemes(ws, day, lang())
    frame["effective_from"] = [widgets.fmt_day(d) if d else "" for d in frame["effective_from"]]
    widgets.table(frame, hide_index=True, width="stretch")


tabs = st.tabs([tr("sites.page.tab_lists"), tr("sites.page.tab_send"),
                tr("sites.page.tab_schemes")])
with tabs[0]:
    lists_ui(day)
with tabs[2]:
    schemes_ui(day)
with tabs[1]:
    templates_ui()
    me = current_actor()
    if me is not None and me.can(api.Right.SEND):
        where = api.upload_area(ws, me, lang())
        st.caption(tr("auth.area", area=md_text(where)) if where else tr("auth.area_all"))
    actor = require_actor(api.Right.SEND)
    upload_ui(actor)
    form_ui(actor)
