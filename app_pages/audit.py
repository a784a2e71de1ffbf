"""Nhật ký: the append-only audit trail, filtered, for administrators and leaders."""

import json
import re
from datetime import date, timedelta

import streamlit as st

from ui import widgets
from ui.common import lang, show_error, tr, workspace
from ui.session import require_actor
from zones import api
from zones.errors import ZonesError

st.title(tr("ui.page.audit"))
st.caption(tr("audit.intro"))
actor = require_actor(api.Right.AUDIT)
ws = workspace()

c1, c2, c3, c4, c5 = st.columns(5)
start = c1.date_input(tr("audit.from"), value=date.today() - timedelta(days=7),
                      format="DD/MM/YYYY", key="audit_from")
end = c2.date_input(tr("audit.to"), value=date.today(), format="DD/MM/YYYY", key="audit_to")
user = c3.text_input(tr("audit.user"), key="audit_user").strip() or None
unit = c4.text_input(tr("audit.unit"), key="audit_unit").strip() or None
kinds = ["", "upload", "declared", "revoked", "approved", "unlocked", "boundaries_imported",
         "boundary_set_activated", "sign_in", "sign_out", "user_added", "user_disabled",
         "user_enabled",
         "user_password_reset", "demo", "act_as"]


def label(action: str) -> str:
    """An action in words (its code when it has no message, e.g. export_assess)."""
    key = f"audit.action.{action}"
    text = tr(key)
    return action if text == key else text


def _value(value) -> str:
    if isinstance(value, bool):
        return tr("audit.yes" if value else "audit.no")
    if value is None or value == "" or value == {} or value == []:
        return "—"
    if isinstance(value, dict):
        return "(" + "; ".join(f"{_field(k)}: {_value(v)}" for k, v in value.items()) + ")"
    if isinstance(value, list):
        return "; ".join(_change(v) if isinstance(v, dict) else _value(v) for v in value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return widgets.fmt_day(value)  # a day as the page writes days
    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z ]{2,30}", value):
        key = "audit.reason." + value.replace(" ", "_")  # a sign-in's reason code in words
        text = tr(key)
        return value if text == key else text
    return str(value)


def _field(name: str) -> str:
    key = f"audit.field.{name}"
    text = tr(key)
    return name if text == key else text


def _change(row: dict) -> str:
    """One replaced value of an upload ("unit date metric: old → new")."""
    if "old" in row and "new" in row:
        where = " ".join(str(v) for k, v in row.items() if k not in ("old", "new"))
        return f"{where}: {_value(row['old'])} → {_value(row['new'])}"
    return _value(row)


def details(detail) -> list[str]:
    """An entry's details as people read them: "field: value" (and "field: old → new"
    for a value replaced), in the reader's language; shown as data, never as Markdown."""
    if not isinstance(detail, str) or not detail:
        return []
    try:
        fields = json.loads(detail)
    except ValueError:
        return [detail]
    if not isinstance(fields, dict):
        return [_value(fields)]
    fields = dict(fields)
    parts = []
    if "old" in fields and "new" in fields and not isinstance(fields["old"], dict):
        parts.append(f"{_field('set_id')}: {_value(fields.pop('old'))} → "
                     f"{_value(fields.pop('new'))}")
    for name, value in fields.items():
        before = fields.get(f"previous_{name}", ...)
        if name.startswith("previous_") and name[9:] in fields:
            continue
        shown = _value(value) if before is ... else f"{_value(before)} → {_value(value)}"
        parts.append(f"{_field(name)}: {shown}")
    return parts


kind = c5.selectbox(tr("audit.kind"), kinds, key="audit_kind",
                    format_func=lambda k: label(k) if k else tr("audit.all")) or None
try:
    trail = api.audit_entries(ws, actor, start=start, end=end, unit=unit, user=user,
                              action=kind, lang=lang())
except ZonesError as err:
    show_error(err)
    st.stop()
if trail.empty:
    st.info(tr("audit.none"))
    st.stop()
shown = trail.assign(at=trail["at"].map(lambda d: widgets.fmt_moment(d, seconds=True)))
# on screen in the reader's language; the CSV keeps the codes as the CLI writes them
readable = shown.assign(
    role=shown["role"].map(lambda r: tr(f"role.{r}") if r else ""),
    action=shown["action"].map(label),
    outcome=shown["outcome"].map(lambda o: tr(f"audit.outcome.{o}")),
    via=shown["via"].map(lambda v: tr(f"audit.via.{v}") if v else ""),
    unit_code=shown["unit_code"].fillna(""),
    upload_id=shown["upload_id"].map(lambda u: "" if u is None or u != u else str(int(u))),
    detail=shown["detail"].map(lambda d: " · ".join(details(d))))
picked = widgets.table(
    api.safe_frame(readable).rename(columns={c: tr(f"audit.col.{c}") for c in readable.columns}),
    hide_index=True, width="stretch", key="audit_grid", on_select="rerun",
    selection_mode="single-row",
    column_config={tr("audit.col.at"): st.column_config.TextColumn(width=140),
                   tr("audit.col.id"): st.column_config.TextColumn(width=50),
                   tr("audit.col.upload_id"): st.column_config.TextColumn(width=60),
                   tr("audit.col.unit_code"): st.column_config.TextColumn(width=70),
                   tr("audit.col.detail"): st.column_config.TextColumn(width="large")})
chosen = picked.selection.rows if picked is not None else []
if chosen:  # the whole of a long entry, a field a line (plain text: data, not Markdown)
    entry = shown.iloc[chosen[0]]
    st.text("\n".join([f"{tr('audit.col.id')} {entry['id']} — {label(entry['action'])}",
                        *details(entry["detail"])]))
else:
    st.caption(tr("audit.pick"))
st.download_button(tr("audit.download"),
                   api.safe_frame(shown).to_csv(index=False).encode("utf-8-sig"),
                   file_name="nhat-ky.csv",
                   mime="text/csv", key="audit_csv", on_click="ignore")
