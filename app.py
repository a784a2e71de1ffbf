"""Bản đồ cấp độ dịch: the Streamlit entry point (page config, sidebar, navigation)."""

from pathlib import Path

import streamlit as st

from ui import session, widgets
from ui.common import recompute_notice, show_failure, tr, workspace
from ui.navigation import visibility
from zones import api

st.set_page_config(page_title="Bản đồ cấp độ dịch", page_icon=str(Path(__file__).parent / "ui" / "icon.png"), layout="wide")

with st.sidebar:
    session.start_lang()  # a new session: the language this browser chose last
    st.radio("Ngôn ngữ / Language", ["vi", "en"], key="lang", horizontal=True,
             format_func=lambda v: {"vi": "Tiếng Việt", "en": "English"}[v],
             on_change=session.lang_chosen)
    session.keep_lang()
    widgets.streamlit_texts()
    # the widget key carries the language so its labels follow a language switch
    palettes = ["default", "colourblind"]
    st.session_state.palette = st.selectbox(
        tr("ui.palette"), palettes, key=f"palette-{st.session_state.lang}",
        index=palettes.index(st.session_state.get("palette", "default")),
        format_func=lambda v: tr(f"ui.palette.{v}"))
    session.sidebar()

try:
    actor = session.current_actor()  # pages it cannot use are not listed (still refused there)
    pages = [
        st.Page("app_pages/map.py", title=tr("ui.page.map"), icon=":material/map:", default=True),
        st.Page("app_pages/transitions.py", title=tr("ui.page.transitions"), icon=":material/swap_vert:"),
        st.Page("app_pages/compare.py", title=tr("cmp.page"), icon=":material/compare:"),
        st.Page("app_pages/outlook.py", title=tr("out.page.title"), icon=":material/trending_up:"),
        st.Page("app_pages/briefing.py", title=tr("ui.page.briefing"), icon=":material/slideshow:"),
        st.Page("app_pages/criteria.py", title=tr("ui.page.criteria"), icon=":material/rule:"),
        st.Page("app_pages/plans.py", title=tr("ui.page.plans"), icon=":material/flag:"),
        st.Page("app_pages/declarations.py", title=tr("ui.page.declarations"), icon=":material/gavel:"),
        st.Page("app_pages/sites.py", title=tr("ui.page.sites"), icon=":material/location_on:"),
        st.Page("app_pages/upload.py", title=tr("ui.page.upload"), icon=":material/upload_file:", visibility=visibility("upload", actor)),
        st.Page("app_pages/boundaries.py", title=tr("ui.page.boundaries"), icon=":material/layers:", visibility=visibility("boundaries", actor)),
        st.Page("app_pages/audit.py", title=tr("ui.page.audit"), icon=":material/history:", visibility=visibility("audit", actor)),
        st.Page("app_pages/accounts.py", title=tr("ui.page.accounts"), icon=":material/group:", visibility=visibility("accounts", actor)),
        st.Page("app_pages/tokens.py", title=tr("ui.page.tokens"), icon=":material/key:", visibility=visibility("tokens", actor)),
        st.Page("app_pages/alerts.py", title=tr("alerts.ui.title"), icon=":material/notifications:", visibility=visibility("alerts", actor)),
    ]
    page = st.navigation(pages, expanded=True)  # every page listed (no "View more")
    if session.current_actor() is None and not api.public_read(workspace()):
        session.sign_in_form(tr("auth.needed"))  # reading needs an account here
        st.stop()
    # levels being recomputed: say so, and rerun once they are (the upload page has its own)
    following = getattr(st.session_state.get("ingest_stored"), "recomputing", False)
    if not following and api.levels_owed(workspace()):
        recompute_notice()
    # the data version behind every cached reading is read once in the page's run
    with (api.log_context(page=page.url_path or "map", user=actor.name if actor else None),
          api.versions_pinned()):
        page.run()
except Exception as err:  # the last resort: a message in the user's language, no traceback
    show_failure(err)
