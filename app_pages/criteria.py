"""Tiêu chí: the rule sets, their thresholds and their validation state; administrators
add a province's own rule set here (kept in the database, every version with who and
when), and anyone may download a rule set's YAML to read or adapt it."""

import streamlit as st

from ui import widgets
from ui.common import lang, md_text, show_error, tr, workspace
from ui.session import current_actor, sign_in_form
from ui.widgets import fmt_day, fmt_moment
from zones import api
from zones.errors import ZonesError

st.title(tr("crit.title"))
st.caption(tr("crit.intro"))
ws = workspace()
registry = api.rulesets(ws)
viewer = current_actor()


def _origin(key: str) -> str:
    """Where a rule set (or a broken file) comes from: the file and folder for an
    administrator, a neutral source for anyone else (no server path)."""
    return api.ruleset_origin(registry, key, viewer, lang())


for rs in sorted(registry.rulesets.values(), key=lambda r: r.effective_from or r.id):
    until = fmt_day(rs.effective_to) if rs.effective_to else tr("crit.open_ended")
    # titles, references, level names and file names come from rule-set files (custom
    # ones too): shown as written; the id is checked by the loader (rules.loader.ID_PATTERN)
    title = f"✅ {md_text(rs.title.get(lang()))} — `{rs.id}` v{md_text(rs.version)}"
    with st.expander(title, expanded=True):
        st.markdown(f"**{tr('crit.reference')}:** {md_text(rs.reference.get(lang()))}  \n"
                    f"**{tr('crit.in_force')}:** {fmt_day(rs.effective_from)} – {until}  \n"
                    f"**{tr('crit.file')}:** {md_text(_origin(rs.id))}")
        st.download_button(tr("crit.download"), api.ruleset_text(ws, rs.id),
                           file_name=f"{rs.id}.yaml", mime="application/x-yaml",
                           key=f"yaml_{rs.id}")
        names = rs.level_names(lang())
        st.markdown(" · ".join(f"{k}: {md_text(v)}" for k, v in names.items() if k))
        table = api.describe_ruleset(rs, lang())
        widgets.table(table.rename(columns=lambda c: tr(f"crit.col.{c}")), hide_index=True,
                     width="stretch")
        params = [{tr("crit.col.parameter"): name, tr("crit.col.value"): str(p.value),
                   tr("crit.col.configurable"): "✔" if p.configurable else "",
                   tr("crit.col.note"): p.note}
                  for name, p in rs.parameter_info.items()]
        st.markdown(f"**{tr('crit.parameters')}**")
        widgets.table(params, hide_index=True, width="stretch")

for path, problems in registry.errors.items():
    more = getattr(problems, "more", 0)  # at most 20 are listed, the others counted
    with st.expander(f"❌ {md_text(_origin(path))}", expanded=True):
        st.error(tr("crit.invalid", n=len(problems) + more))
        widgets.table([{tr("crit.col.rule"): p.rule_id or "", tr("crit.col.field"): p.field,
                       tr("crit.col.value"): str(p.value)[:200],
                       tr("crit.col.expected"): p.expected,
                       tr("crit.col.suggestion"): p.suggestion or ""} for p in problems],
                     hide_index=True, width="stretch")
        if more:
            st.caption(tr("rs.more_problems", n=more))


def _add_form() -> None:
    """Administrators add or update a rule set; the problems of a bad file are listed."""
    st.subheader(tr("crit.add_title"))
    actor = current_actor()
    if actor is None:
        with st.expander(tr("crit.sign_in_to_add")):
            sign_in_form()
        return
    if not actor.can(api.Right.RULESETS):
        st.info(tr("crit.admins_only"))
        return
    st.caption(tr("crit.add_hint"))
    with st.form("add_ruleset", clear_on_submit=True):
        file = widgets.uploader(tr("crit.add_file"), ["yaml", "yml"], "ruleset_file",
                                1)  # MB, before reading
        submitted = st.form_submit_button(tr("crit.add_submit"), type="primary")
    if not submitted:
        return
    if file is None:
        st.warning(tr("crit.add_none"))
        return
    try:
        api.check_ruleset_size(file.size, file.name, lang())
        with st.spinner(tr("crit.adding")):
            added = api.add_ruleset(ws, actor, file.getvalue(), file.name, lang())
    except ZonesError as err:
        show_error(err)
        return
    key = "rs.unchanged" if added.unchanged else "rs.added"
    st.session_state["_ruleset_added"] = (key, added.ruleset_id, added.version, added.number)
    st.rerun()  # the list above shows the new rule set


done = st.session_state.pop("_ruleset_added", None)
if done is not None:
    (st.info if done[0] == "rs.unchanged" else st.success)(
        tr(done[0], id=done[1], version=md_text(done[2]), n=done[3]))  # from the file
_add_form()
versions = api.ruleset_versions(ws)
if len(versions):
    with st.expander(tr("crit.versions", n=len(versions))):
        widgets.table([{tr("crit.col.id"): r.ruleset_id, tr("crit.col.version"): r.version,
                        tr("crit.col.file"): r.file_name, tr("crit.col.added_by"): r.added_by,
                        tr("crit.col.added_at"): fmt_moment(r.added_at)}
                       for r in versions.itertuples()], hide_index=True, width="stretch")
if ws.rulesets_dir is not None and viewer is not None and viewer.can(api.Right.RULESETS):
    st.caption(tr("crit.custom_hint", folder=md_text(ws.rulesets_dir)))  # a server path
