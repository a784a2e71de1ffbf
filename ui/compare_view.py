"""The page "So sánh": the two sides chosen (two rule sets on one day, or two days under
one rule set; a draft rule set opened from a file), the two maps in step (one component
instance, ``zones/maps/frontend/compare.js``) and the list of the units that differ."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from ui import links, map_component, maps, mapstate, widgets
from ui.common import lang, md_text, show_error, tr, workspace
from ui.session import current_actor
from zones import api
from zones.errors import ZonesError
from zones.maps.mapview import level_string, look

MAP_KEY = "compare-map"
MODES = ("rulesets", "days")
IN_FORCE = ""  # the choice "the rule set in force on the day"
DRAFT = "__draft__"  # the choice "the draft opened from a file"
_DRAFT = "cmp_draft"  # session: {"file": upload id, "ruleset": RuleSet}
_NEW_DRAFT = "_cmp_new_draft"
_LINK = "_cmp_link"  # the address as this page last read or wrote it
#: the levels right after the unit (what a phone shows first), the places and the long
#: reasons after them, at widths (pixels) that fit 1366 px beside the sidebar: one line
#: a row, a long reason cut short (the whole of it in the CSV download)
LIST_COLUMNS = ["unit_name", "level_name_a", "level_name_b", "parents", "reasons_a",
                "reasons_b"]
LIST_WIDTHS = {"unit_name": 145, "level_name_a": 115, "level_name_b": 165, "parents": 150,
               "reasons_a": 160, "reasons_b": 160}


def read_link(rulesets) -> None:
    """The sides from the address when it is not the one this page wrote last (a link
    followed, e.g. from the map's rule-set switch): ``?date=2021-10-11&a=qd2686&b=qd4800``,
    ``?mode=days&date=…&date_b=…&ruleset=…``; values that do not exist are ignored."""
    q = st.query_params
    if st.session_state.get(_LINK) == q.to_dict():
        return
    st.session_state[_LINK] = q.to_dict()
    mode = q.get("mode") if q.get("mode") in MODES else ("rulesets" if "b" in q else None)
    if mode:
        st.session_state["cmp_mode"] = mode
    for name, key in (("date", "cmp_day_a"), ("date_b", "cmp_day_b")):
        day = _date(q.get(name))
        if day:
            st.session_state[key] = day
    for name, key in (("a", "cmp_a"), ("b", "cmp_b"), ("ruleset", "cmp_rs")):
        if q.get(name) in rulesets or q.get(name) == IN_FORCE:
            st.session_state[key] = q[name]
    if q.get("level") in ("province", "district", "commune", "hamlet"):
        st.session_state["cmp_level"] = q["level"]


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def apply_new_draft() -> None:
    """A draft just opened goes on map B, beside the rule set it would replace (called
    before the controls are drawn: a control's value cannot change once drawn)."""
    if st.session_state.pop(_NEW_DRAFT, False):
        st.session_state["cmp_b"] = DRAFT
        st.session_state["cmp_mode"] = "rulesets"


def held_draft():
    """The draft rule set opened in this session (only while its user is signed in)."""
    held = st.session_state.get(_DRAFT)
    return held["ruleset"] if held is not None and current_actor() is not None else None


def draft_ui(ws: api.Workspace) -> None:
    """Open a draft rule set from a file (signed-in users): checked as on the Criteria
    page, never stored; a new one is put on map B at once (the page runs again)."""
    with st.expander(tr("cmp.draft_upload"), icon=":material/science:",
                     expanded=st.session_state.get(_DRAFT) is not None):
        actor = current_actor()
        if actor is None:
            st.caption(tr("cmp.draft_sign_in"))
            return
        file = widgets.uploader(tr("crit.add_file"), ["yaml", "yml"], "cmp_draft_file", 1)
        held = st.session_state.get(_DRAFT)
        if file is not None and (held is None or held["file"] != file.file_id):
            try:
                api.check_ruleset_size(file.size, file.name, lang())
                rs = api.open_draft(ws, actor, file.getvalue(), file.name, lang())
            except ZonesError as err:
                show_error(err)
                st.session_state.pop(_DRAFT, None)
                return
            st.session_state[_DRAFT] = {"file": file.file_id, "ruleset": rs}
            st.session_state[_NEW_DRAFT] = True  # the next run puts it on map B
            st.rerun()
        if held is not None:
            rs = held["ruleset"]
            st.success(tr("cmp.draft_opened", id=rs.id, version=md_text(rs.version)))


def sides_ui(dates: pd.DatetimeIndex, default: date, rulesets, draft) -> tuple[api.Side, api.Side]:
    """The mode, the day(s) and the rule set(s) of the two maps."""
    names = {IN_FORCE: tr("cmp.in_force"),
             **{rid: rs.title.get(lang()) for rid, rs in sorted(rulesets.items())}}
    if draft is not None:
        names[DRAFT] = tr("cmp.draft_option", title=draft.title.get(lang()))
    choices = list(names)
    ids = [c for c in choices if c not in (IN_FORCE, DRAFT)]
    for key, fallback in (("cmp_a", ids[0] if ids else IN_FORCE),
                          ("cmp_b", ids[-1] if ids else IN_FORCE), ("cmp_rs", IN_FORCE)):
        if st.session_state.get(key) not in choices:
            st.session_state[key] = fallback
    mode = st.session_state.get("cmp_mode") or MODES[0]
    # switched from one day to two days: day A a week before day B, not the same day
    # (the day of the one-day mode carried over made both maps the same)
    switched = st.session_state.get("cmp_shown_mode") == "rulesets" and mode == "days"
    st.session_state["cmp_shown_mode"] = mode
    pick = {"format_func": lambda c: names[c]}  # a select box shows plain text
    if mode == "rulesets":
        st.caption(tr("cmp.day"))
        day = widgets.date_ui(dates, default, key="cmp_day_a")
        col_a, col_b = st.columns(2)
        a = col_a.selectbox(tr("cmp.ruleset_a"), choices, key="cmp_a", **pick)
        b = col_b.selectbox(tr("cmp.ruleset_b"), choices, key="cmp_b", **pick)
        return _side(day, a, draft), _side(day, b, draft)
    rs = st.selectbox(tr("cmp.ruleset"), choices, key="cmp_rs", **pick)
    col_a, col_b = st.columns(2)
    with col_a:
        st.caption(tr("cmp.day_a"))
        day_b = st.session_state.get("cmp_day_b", default)
        before = max(dates[0].date(), day_b - timedelta(days=7))
        if switched and st.session_state.get("cmp_day_a") == day_b:
            st.session_state["cmp_day_a"] = before
        day_a = widgets.date_ui(dates, before, key="cmp_day_a")
    with col_b:
        st.caption(tr("cmp.day_b"))
        day_b = widgets.date_ui(dates, default, key="cmp_day_b")
    return _side(day_a, rs, draft), _side(day_b, rs, draft)


def take_click(units) -> None:
    """A unit clicked on either map opens it (its own units shown), as on the map page;
    the area is the map page's, so both pages show the same."""
    code = map_component.clicked_unit(map_component.new_message(MAP_KEY, "click"))
    if code in units.index and mapstate.levels_inside(units, code):
        mapstate.open_unit(code)


def level_ui(units, view: str | None) -> str:
    """The level of the units compared inside the open area."""
    levels = mapstate.levels_inside(units, view)
    if st.session_state.get("cmp_level") not in levels:
        st.session_state["cmp_level"] = mapstate.default_level(levels, view)
    return st.segmented_control(tr("ui.show_level"), levels, key="cmp_level", width="content",
                                format_func=lambda lv: tr(f"ui.level.{lv}")) \
        or mapstate.default_level(levels, view)


def mode_ui() -> None:
    """Two rule sets on one day, or two days under one rule set."""
    if st.session_state.get("cmp_mode") not in MODES:  # no default= beside the key: a
        st.session_state["cmp_mode"] = MODES[0]         # link's mode would warn
    st.segmented_control(tr("cmp.mode"), MODES, key="cmp_mode", width="content",
                         format_func=lambda m: tr(f"cmp.mode.{m}"))


def _side(day: date, choice: str, draft) -> api.Side:
    if choice == DRAFT:
        return api.Side(day, None, draft)
    return api.Side(day, choice or None)


def write_link(a: api.Side, b: api.Side, level: str) -> None:
    """The address keeps the two sides (never a draft: it is not stored) and the level."""
    mode = st.session_state.get("cmp_mode") or MODES[0]
    if mode == "rulesets":
        values = {"date": a.day, "a": _choice(a), "b": _choice(b)}
    else:
        values = {"mode": mode, "date": a.day, "date_b": b.day, "ruleset": _choice(a)}
    links.write(**values, level=level)
    st.session_state[_LINK] = st.query_params.to_dict()


def _choice(side: api.Side) -> str | None:
    return None if side.draft is not None else (side.ruleset or IN_FORCE)


def pair_map(cmp: api.Comparison, layer_url: str, edges: list[dict]) -> None:
    """The two maps in step, each headed by its rule set and day, the units that differ
    outlined on both."""
    heads = st.columns(2)
    for col, name, side in ((heads[0], "A", cmp.a), (heads[1], "B", cmp.b)):
        col.markdown(f"**{name}** · {md_text(side.title)} · {widgets.fmt_day(side.day)}")
    texts = {"rate": "", "differ": tr("cmp.differ_tip"),
             "differLegend": tr("cmp.differ_legend") if cmp.differ.any() else ""}
    colours = widgets.palette()
    differ = level_string(cmp.differ.astype("int8"))
    spec = look([cmp.a.level_names[i] for i in range(5)], tr("ui.legend_title"), colours,
                texts, api.notices(workspace(), lang())) | {
        "layer": layer_url, "bounds": cmp.bounds, "outlines": edges, "timeline": None,
        "tiles": map_component.OSM if st.session_state.get("tiles", False) else None,
        "rates": [], "marks": "", "pending": "", "selected": None, "clicks": True,
        "height": maps.MAP_HEIGHT,
        "compare": {k: {"levels": level_string(side.levels), "differ": differ,
                        "names": [side.level_names[i] for i in range(5)],
                        "label": f"{k.upper()} · {widgets.fmt_day(side.day)}"}
                    for k, side in (("a", cmp.a), ("b", cmp.b))}}
    map_component.levels_map(spec, MAP_KEY)


def summary_ui(cmp: api.Comparison) -> None:
    """How many units differ, and which way."""
    n = int(cmp.differ.sum())
    if n == 0:
        st.success(tr("cmp.none"))
        return
    st.markdown(tr("cmp.summary", n=n, up=cmp.higher, down=cmp.lower,
                   data=n - cmp.higher - cmp.lower))


def list_ui(cmp: api.Comparison) -> None:
    """The units that differ: unit, level A, level B, parents, the reasons of each."""
    if cmp.table.empty:
        return
    st.subheader(tr("cmp.list"))
    frame = cmp.table[LIST_COLUMNS].rename(columns=lambda c: tr(f"cmp.col.{c}"))
    widths = {tr(f"cmp.col.{c}"): st.column_config.Column(width=w)
              for c, w in LIST_WIDTHS.items()}
    widgets.table(frame, hide_index=True, width="stretch", key="cmp_list", column_config=widths)


def csv_bytes(cmp: api.Comparison) -> bytes:
    """The download: every column of the list, as the core writes them, UTF-8 with BOM."""
    return api.safe_frame(cmp.table[api.COMPARE_COLUMNS]).to_csv(index=False).encode(
        "utf-8-sig")
