"""Địa giới hành chính: upload a boundary file, check it, confirm; list boundary sets."""

import folium
import streamlit as st
from streamlit_folium import st_folium

from ui import widgets
from ui.common import lang, md_text, show_error, tr, workspace
from ui.session import require_actor
from zones import api
from zones.errors import ZonesError

st.title(tr("ui.page.boundaries"))
st.caption(tr("bnd.ui.intro"))
actor = require_actor(api.Right.BOUNDARIES)
AUTO = tr("bnd.ui.auto")


def pick(label: str, choices: list, key: str, fmt=str):
    return st.selectbox(label, [None, *choices], key=key,
                        format_func=lambda v: AUTO if v is None else fmt(v))


def options_ui(path) -> api.ImportOptions:
    opts = api.ImportOptions(display_payload=False)
    with st.expander(tr("bnd.ui.options")):
        layers = api.boundary_file_layers(path)
        c1, c2, c3 = st.columns(3)
        opts.layer = c1.selectbox(tr("bnd.ui.layer"), layers, key="bnd_layer") if layers else None
        opts.level = pick(tr("bnd.ui.level"), ["province", "district", "commune", "hamlet"],
                          "bnd_level", lambda v: tr(f"ui.level.{v}"))
        with c2:
            opts.structure = pick(tr("bnd.ui.structure"), ["2021", "2025"], "bnd_structure",
                                  lambda v: tr(f"bnd.ui.structure.{v}"))
        opts.crs = c3.text_input(tr("bnd.ui.crs"), key="bnd_crs").strip() or None
        columns = api.boundary_file_columns(workspace(), path, opts)
        cols = st.columns(5)
        for col, field in zip(cols, ("code", "name", "parent", "parent_name", "population"),
                              strict=True):
            with col:
                setattr(opts, f"{field}_field", pick(tr(f"bnd.ui.field.{field}"), columns,
                                                     f"bnd_f_{field}"))
        opts.set_name = st.text_input(tr("bnd.ui.set_name"), key="bnd_set").strip() or None
    return opts


def preview_ui(plan) -> None:
    layer = api.boundary_preview(plan)
    if layer.empty:
        return
    m = folium.Map(tiles=None, prefer_canvas=True)
    m.default_js = [("leaflet", "/app/static/vendor/leaflet.js")]
    m.default_css = [("leaflet_css", "/app/static/vendor/leaflet.css")]
    folium.GeoJson(layer.to_json(), tooltip=folium.GeoJsonTooltip(["code", "name"]),
                   style_function=lambda _f: {"weight": 1, "color": "#444",
                                              "fillColor": "#7aa6c2"}).add_to(m)
    x0, y0, x1, y1 = layer.total_bounds
    m.fit_bounds([[y0, x0], [y1, x1]])
    st.subheader(tr("bnd.ui.preview"))
    st_folium(m, height=420, returned_objects=[], key="bnd_map")


upload = widgets.uploader(tr("bnd.ui.upload"), ["geojson", "json", "zip", "gpkg", "parquet",
                                               "csv", "xlsx"], "bnd_file")
done = st.session_state.get("bnd_done")
if upload is not None and done and done[0] == api.sha256(upload.getvalue()):
    st.success(tr("bnd.ui.done", n=done[1], set_id=done[2]))  # imported: nothing to redo
elif upload is not None:
    path = api.stage_boundary_upload(upload.name, upload.getvalue())
    opts = options_ui(path)
    key = (str(path), repr(opts))
    cached = st.session_state.get("bnd_plan")
    try:
        plan = cached[1] if cached and cached[0] == key else api.plan_boundaries(
            workspace(), path, opts, lang(), actor=actor)
    except ZonesError as err:
        show_error(err)
    else:
        st.session_state["bnd_plan"] = (key, plan)
        same = api.already_imported(workspace(), plan)
        if same is not None:
            st.info(tr("bnd.ui.same_file", set_id=same["id"], name=md_text(same["name"])))
        st.subheader(tr("bnd.ui.report"))
        # the report quotes the file (its name, layer, fields, codes): each line as written
        st.markdown("\n".join(f"- {md_text(line.strip())}"
                               for line in api.boundary_report_lines(plan.report, lang())))
        if plan.report.rejected:
            st.warning(tr("bnd.ui.rejected", n=len(plan.report.rejected)))
        preview_ui(plan)
        if st.button(tr("bnd.ui.confirm"), type="primary", key="bnd_confirm"):
            try:
                set_id = api.import_boundaries(workspace(), plan, actor, lang())
            except ZonesError as err:
                show_error(err)
            else:
                api.discard_boundary_upload(path)  # no copy of the file stays on disk
                st.session_state.pop("bnd_plan", None)
                # units added and units updated (an attribute table), as the CLI counts
                n = len(plan.units) + (0 if plan.updates is None else len(plan.updates))
                st.session_state["bnd_done"] = (api.sha256(upload.getvalue()), n, set_id)
                st.success(tr("bnd.ui.done", n=n, set_id=set_id))

st.subheader(tr("bnd.ui.sets"))
sets = api.boundary_sets(workspace())
if sets.empty:
    st.info(tr("bnd.ui.no_sets"))
else:
    labels = {c: tr(f"bnd.ui.col.{c}") for c in sets.columns if not c.startswith(
        ("province", "district", "commune", "hamlet"))}
    labels.update({lv: tr(f"ui.level.{lv}") for lv in ("province", "district", "commune",
                                                         "hamlet")})
    widgets.table(sets.rename(columns=labels), hide_index=True, width="stretch")
    ids = sets["id"].tolist()
    active = sets.loc[sets["is_active"].astype(bool), "id"]
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    chosen = c1.selectbox(tr("bnd.ui.activate_pick"), ids,
                          index=ids.index(active.iloc[0]) if len(active) else 0,
                          format_func=lambda i: f"#{i} — {sets.set_index('id').at[i, 'name']}",
                          key="bnd_activate_pick")
    if c2.button(tr("bnd.ui.activate"), key="bnd_activate",
                 disabled=len(active) > 0 and chosen == active.iloc[0]):
        try:
            api.activate_boundary_set(workspace(), chosen, actor, lang())
        except ZonesError as err:
            show_error(err)
        else:
            st.success(tr("bnd.ui.activated", set_id=chosen))
            st.rerun()

changes = api.unit_changes(workspace(), lang=lang())
if not changes.empty:
    with st.expander(tr("bnd.ui.history", n=len(changes))):
        when = changes["changed_at"].map(widgets.fmt_moment)
        shown = changes.assign(changed_at=when)
        widgets.table(api.safe_frame(shown).rename(
            columns={c: tr(f"bnd.ui.hist.{c}") for c in shown.columns}),
            hide_index=True, width="stretch")
