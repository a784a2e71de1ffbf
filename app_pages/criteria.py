"""Tiêu chí: the rule sets, their thresholds and their validation state (read-only)."""

import streamlit as st

from ui import widgets
from ui.common import apply_lang, lang, md_text, tr, workspace
from ui.widgets import fmt_day
from zones import api

apply_lang()
st.title(tr("crit.title"))
st.caption(tr("crit.intro"))
ws = workspace()
registry = api.rulesets(ws)


def _origin(rs) -> str:
    """The file a rule set came from; for one kept in the database, who added it and when."""
    kept = registry.stored.get(rs.id)
    if kept is None:
        return rs.path.name if rs.path else "–"
    return tr("crit.stored", file=kept["file"], by=kept["added_by"],
              at=f"{kept['added_at']:%d/%m/%Y %H:%M}")


for rs in sorted(registry.rulesets.values(), key=lambda r: r.effective_from or r.id):
    until = fmt_day(rs.effective_to) if rs.effective_to else tr("crit.open_ended")
    # titles, references, level names and file names come from rule-set files (custom
    # ones too): shown as written; the id is checked by the loader (rules.loader.ID_PATTERN)
    title = f"✅ {md_text(rs.title.get(lang()))} — `{rs.id}` v{md_text(rs.version)}"
    with st.expander(title, expanded=True):
        st.markdown(f"**{tr('crit.reference')}:** {md_text(rs.reference.get(lang()))}  \n"
                    f"**{tr('crit.in_force')}:** {fmt_day(rs.effective_from)} – {until}  \n"
                    f"**{tr('crit.file')}:** {md_text(_origin(rs))}")
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
    with st.expander(f"❌ {md_text(path)}", expanded=True):
        st.error(tr("crit.invalid", n=len(problems)))
        widgets.table([{tr("crit.col.rule"): p.rule_id or "", tr("crit.col.field"): p.field,
                       tr("crit.col.value"): str(p.value), tr("crit.col.expected"): p.expected,
                       tr("crit.col.suggestion"): p.suggestion or ""} for p in problems],
                     hide_index=True, width="stretch")
st.caption(tr("crit.custom_hint", folder=md_text(ws.rulesets_dir)))
