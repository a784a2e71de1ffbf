"""Widgets that return plain values, and small render helpers used by the pages."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from ui.common import lang, tr
from ui.session import may_export
from zones.i18n import fmt_date, fmt_datetime, fmt_int, fmt_num
from zones.maps.palettes import PALETTES
from zones.safe import md_text, safe_frame, text


def palette() -> dict[int, str]:
    """The colours of the palette chosen in the sidebar."""
    return dict(PALETTES[st.session_state.get("palette", "default")])



def date_ui(dates: pd.DatetimeIndex, default: date, key: str = "day") -> date:
    """Date picker (dd/mm/yyyy) with previous/next day and week buttons."""
    first, last = dates[0].date(), dates[-1].date()
    if key not in st.session_state or not (first <= st.session_state[key] <= last):
        st.session_state[key] = default

    def shift(days: int) -> None:
        new = st.session_state[key] + pd.Timedelta(days=days)
        st.session_state[key] = min(max(new.date() if hasattr(new, "date") else new, first),
                                    last)

    def latest() -> None:
        st.session_state[key] = last

    # one row that wraps on a phone instead of stacking six full-width controls
    row = st.container(horizontal=True, gap="small", vertical_alignment="center",
                       key=f"{key}-row")
    row.button("« 7", on_click=shift, args=(-7,), help=tr("ui.week_back"), key=f"{key}-back7")
    row.button("‹ 1", on_click=shift, args=(-1,), help=tr("ui.day_back"), key=f"{key}-back1")
    row.date_input(tr("ui.date"), min_value=first, max_value=last, key=key,
                   format="DD/MM/YYYY", label_visibility="collapsed", width=140)
    row.button("1 ›", on_click=shift, args=(1,), help=tr("ui.day_forward"), key=f"{key}-fwd1")
    row.button("7 »", on_click=shift, args=(7,), help=tr("ui.week_forward"), key=f"{key}-fwd7")
    row.button(tr("ui.latest.short"), on_click=latest, icon=":material/last_page:",
               help=tr("ui.latest", date=fmt_day(last)), key=f"{key}-latest",
               disabled=st.session_state[key] == last)
    return st.session_state[key]


#: the map page keeps its map, date control and legend on the first screen; on a phone
#: the title, the date row (the latest-day button as its icon, its words left to screen
#: readers) and the demo notice (one line) are compact, so the map and its legend fit a 390x844 screen
COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"] {padding-top: 3rem; padding-bottom: 1rem;}
[data-testid="stMainBlockContainer"] h1 {font-size: 1.75rem; padding: 0.1rem 0;}
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] {padding-top: 3.75rem;}
  [data-testid="stMainBlockContainer"] h1 {font-size: 1.3rem; padding: 0;}
  [data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {gap: 0.5rem;}
  .st-key-day-row {flex-wrap: nowrap; gap: 0.3rem;}
  .st-key-day-row button {padding: 0 0.45rem; min-height: 2.2rem;}
  .st-key-day-latest [data-testid="stMarkdownContainer"] {position: absolute; width: 1px;
    height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap;}
  .st-key-map-notice p {white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}
}
</style>"""


def _css_text(value: str) -> str:
    """A CSS string holding ``value`` (our catalogue's words) as text."""
    return '"' + "".join(c if c.isalnum() or c in " .,:;•()-–/" else f"\\{ord(c):x} "
                         for c in value) + '"'


#: Enter in a date box applies the date typed and closes the calendar (Streamlit's field
#: would open its calendar, or keep it open, and keep the typed date until the box loses
#: focus); Enter on a day of the calendar still picks it. No "<" (Streamlit's sanitiser)
DATE_ENTER_JS = """<script>(function () {
  if (window.__zonesDateEnter) { return; }
  window.__zonesDateEnter = true;
  window.addEventListener("keydown", function (e) {
    var field = e.key === "Enter" && e.target.closest
      ? e.target.closest("[data-testid='stDateInputField']") : null;
    if (!field) { return; }
    // focus moves out to a throw-away element: the field commits as on a click outside
    var away = document.createElement("span");
    away.tabIndex = -1;
    document.body.appendChild(away);
    e.preventDefault(); e.stopPropagation(); away.focus(); away.remove();
  }, true);
})();</script>"""


#: the first hint of a text box (Streamlit's English "Press Enter to …"; a length counter,
#: when there is one, follows in its own span)
HINT = "[data-testid='InputInstructions'] > span:first-child"


def streamlit_texts() -> None:
    """Streamlit's own words that no argument sets, in the UI's language (a CSS
    replacement keyed on Streamlit's test ids): an uploader's button and drop zone, a
    list's "No results", a text box's "Press Enter to submit form"; and Enter in a date box applies the typed date. Every page run
    draws it once (the app's sidebar)."""
    # the sidebar's scripts take no room (this one, the language's, a sign-in's redirect)
    css = ("<style>[data-testid='stSidebar'] [data-testid='stElementContainer']:has(script)"
           " {display: none}</style>")
    if lang() != "en":
        zone = "[data-testid='stFileUploaderDropzone']"
        css += (f"<style>{zone} button [data-testid='stMarkdownContainer'] p {{display: none}}"
               f"{zone} button [data-testid='stMarkdownContainer']::after "
               f"{{content: {_css_text(tr('ui.upload.button'))}}}"
               f"{zone} > input + div:not([data-testid]) > * {{display: none}}"
               f"{zone} > input + div:not([data-testid])::after "
               f"{{content: {_css_text(tr('ui.upload.drop'))}}}"
               "[role='listbox'] > [role='option'][style*='contents'] > span {display: none}"
               "[role='listbox'] > [role='option'][style*='contents']::after "
               f"{{content: {_css_text(tr('ui.no_results'))}; padding: 0.5rem 1rem; "
               "display: block; opacity: 0.6}"
               # a text box's "Press Enter to submit form / to apply" hint
               f"{HINT} {{font-size: 0}}"
               f"{HINT}::after {{content: {_css_text(tr('ui.enter_apply'))}; font-size: 12px}}"
               f"[data-testid='stForm'] {HINT}::after "
               f"{{content: {_css_text(tr('ui.enter_submit'))}}}</style>")
    st.html(css + DATE_ENTER_JS, unsafe_allow_javascript=True)


def uploader(label: str, types: list[str], key: str, max_mb: int | None = None, **kwargs):
    """``st.file_uploader`` whose limit line ("20MB per file • CSV, XLSX" in Streamlit's
    English) is written in the UI's language; ``max_mb``: None for the server's limit."""
    if lang() != "en":
        mb = max_mb or st.get_option("server.maxUploadSize")
        limit = tr("ui.upload.limit", mb=mb) + " • " + ", ".join(t.upper() for t in types)
        where = f".st-key-{key} [data-testid='stFileUploaderDropzoneInstructions']"
        st.html(f"<style>{where} span {{display: none}} {where} > div::after "
                f"{{content: {_css_text(limit)}; opacity: 0.6; font-size: 0.875rem}}</style>")
    return st.file_uploader(label, type=types, key=key, max_upload_size=max_mb, **kwargs)


def compact_page() -> None:
    """Less space above the content (the map page: everything above the fold)."""
    st.html(COMPACT_CSS)


def summary_ui(table: pd.DataFrame, names: dict[int, str], colours: dict[int, str]) -> None:
    """Units and population at each level: one compact row per level."""
    rows = "".join(
        f"<tr><td><span style='display:inline-block;width:12px;height:12px;"
        f"background:{colours[r.level]};border:1px solid #777;margin-right:6px'></span>"
        f"{text(names[r.level])}</td><td style='text-align:right;font-weight:600'>"
        f"{fmt_int(r.units, lang())}</td><td style='text-align:right;color:#555'>"
        f"{fmt_int(r.population, lang())}</td></tr>" for r in table.itertuples())
    head = (f"<tr><th></th><th style='text-align:right'>{tr('ui.col.units')}</th>"
            f"<th style='text-align:right'>{tr('ui.population')}</th></tr>")
    st.html(f"<table style='width:100%;font-size:0.9rem;border-collapse:collapse'>{head}"
            f"{rows}</table>")


def badge(level: int, names: dict[int, str], colours: dict[int, str]) -> str:
    """An inline coloured badge for a level (HTML inside st.markdown: the name, from the
    rule set's file, is escaped for both)."""
    text_colour = "#000" if level in (0, 2) else "#fff"
    return (f"<span style='background:{colours[level]};color:{text_colour};padding:2px 8px;"
            f"border-radius:10px;font-weight:600'>{md_text(names[level], html=True)}</span>")


def fmt_day(d) -> str:
    """dd/mm/yyyy for dates and timestamps."""
    return fmt_date(d)


def fmt_moment(when, seconds: bool = False) -> str:
    """dd/mm/yyyy HH:MM (``:SS`` with ``seconds``) for timestamps; empty for none."""
    return fmt_datetime(when, seconds=seconds)


#: sprintf formats of whole numbers in the grid: 12.345 (vi) and 12,345 (en)
INT_FORMATS = {"vi": "%'.,d", "en": "%,d"}
#: above this many rows, decimals are left to the grid (the styled display costs ~50 µs a row)
STYLED_ROWS = 2000


#: the grid's own "Download as CSV" button, hidden from whoever may not export
NO_GRID_DOWNLOAD = ("<style>[data-testid='stElementToolbarButton']:has("
                    "button[aria-label^='Download as CSV']) {display: none;}</style>")


def table(frame, **kwargs):
    """``st.dataframe`` with numbers as the UI's language writes them: whole numbers by the
    grid's own format (still sorted as numbers), decimals by their displayed text.

    Text a spreadsheet would run as a formula is shown neutralised ("'=…"), so the grid's
    own CSV download (made in the browser, never through the front door) is as safe as
    the pages' downloads; an observer without the export right is not offered it."""
    language = lang()
    if not may_export():
        st.html(NO_GRID_DOWNLOAD)
    frame = safe_frame(frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame))
    config = dict(kwargs.pop("column_config", None) or {})
    decimals = []
    for col in frame.columns:
        if col in config or not pd.api.types.is_numeric_dtype(frame[col]) \
                or pd.api.types.is_bool_dtype(frame[col]):
            continue
        values = frame[col].dropna()
        if values.empty or (values == values.round()).all():
            config[col] = st.column_config.NumberColumn(format=INT_FORMATS[language])
        else:
            decimals.append(col)
    data = frame
    if decimals and len(frame) <= STYLED_ROWS:
        data = frame.style.format(lambda v: fmt_num(v, 2, language).rstrip("0").rstrip(",.")
                                  if v == v else "", subset=decimals)
    return st.dataframe(data, column_config=config or None, **kwargs)


def pick_to_confirm(label: str, options: list, list_key: str, button: str, button_key: str,
                    placeholder: str, format_func) -> object | None:
    """A row picked in a list (``list_key``) and a button (``button_key``) that asks for
    it to be confirmed: the picked row waiting for confirmation (kept across runs in
    ``{button_key}_pending``; dropped when another row is picked), or None."""
    victim = st.selectbox(label, options, index=None, key=list_key,
                          placeholder=placeholder, format_func=format_func)
    pending = st.session_state.get(f"{button_key}_pending")
    if pending is not None and pending != victim:
        st.session_state.pop(f"{button_key}_pending")
        pending = None
    if st.button(button, key=button_key, disabled=victim is None):
        pending = st.session_state[f"{button_key}_pending"] = victim
    return pending


def confirm_or_cancel(confirm: str, cancel: str, key: str, pending: str) -> bool:
    """The second step of a one-shot decision: two buttons side by side (``key``_confirm,
    ``key``_cancel). Cancel forgets the pending step (session key ``pending``) and reruns;
    True when confirm is pressed."""
    left, right = st.columns(2)
    if right.button(cancel, key=f"{key}_cancel"):
        st.session_state.pop(pending, None)
        st.rerun()
    return left.button(confirm, key=f"{key}_confirm", type="primary")
