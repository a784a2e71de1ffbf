"""The briefing on a page: build with progress, preview, and a download per format."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

from ui.common import data_version, lang, md_text, show_error, tr, workspace
from zones import api
from zones.errors import ZonesError

PAGES = Path(__file__).resolve().parent.parent / "app_pages"


def opened_at() -> str:
    """The address the app was opened at, without the page's own part
    ("http://10.0.0.5:8501/briefing" -> "http://10.0.0.5:8501"): the base of the map
    link when ZONES_PUBLIC_URL is not set ("" when unknown)."""
    try:
        parts = urlsplit(st.context.url or "")
    except (AttributeError, ValueError):
        return ""
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last and (PAGES / f"{last}.py").is_file():
        path = head
    return f"{parts.scheme}://{parts.netloc}{path}" if parts.netloc else ""


def _key(day, unit, level, weeks) -> tuple:
    return (workspace().url, data_version(), str(day), unit, level, weeks, lang(),
            st.session_state.get("palette", "default"))


def prepare(day, unit, level, weeks) -> api.Briefing | None:
    """The prepared briefing (kept in the session), built with visible progress."""
    key = _key(day, unit, level, weeks)
    cached = st.session_state.get("briefing")
    if cached and cached[0] == key:
        return cached[1]
    try:
        with st.status(tr("brief.ui.building"), expanded=False) as status:
            prepared = api.prepare_briefing(workspace(), day, unit, level, weeks, lang(),
                                            progress=status.write, opened_at=opened_at())
            status.update(label=tr("brief.ui.ready"), state="complete")
    except ZonesError as err:
        show_error(err)
        return None
    st.session_state["briefing"] = (key, prepared)
    return prepared


def files(prepared, sites: bool = False) -> dict[str, bytes]:
    """The three formats of a prepared briefing (rendered once per briefing and choice
    of ``sites``: the maps with the safety map's sites)."""
    key = ("files", id(prepared), bool(sites))
    cached = st.session_state.get("briefing_files")
    if cached and cached[0] == key:
        return cached[1]
    palette = st.session_state.get("palette", "default")
    out = {}
    with st.status(tr("brief.ui.rendering"), expanded=False) as status:
        for fmt in api.BRIEFING_FORMATS:
            status.write(tr("brief.step.render", fmt=fmt.upper()))
            out[fmt] = api.render_briefing(workspace(), prepared, fmt, palette,
                                           sites=bool(sites))
        status.update(label=tr("brief.ui.files_ready"), state="complete")
    st.session_state["briefing_files"] = (key, out)
    return out


def download_buttons(prepared, data: dict[str, bytes]) -> None:
    stem = f"giao-ban_{prepared.unit or 'ca-nuoc'}_{prepared.end:%Y%m%d}"
    for col, fmt in zip(st.columns(len(data)), data, strict=True):
        col.download_button(tr(f"brief.ui.download.{fmt}"), data[fmt],
                            file_name=f"{stem}.{fmt}", mime=api.BRIEFING_MIME[fmt],
                            icon=":material/download:", key=f"brief-dl-{fmt}")


def at_a_glance(prepared) -> None:
    """The briefing's first page on the page: the three numbers with their change, the
    targets, the hot spots and the decisions to take."""
    part = prepared.summary
    st.subheader(md_text(part.title))
    st.caption(md_text(part.lines[0]))
    for col, kpi in zip(st.columns(len(part.kpis)), part.kpis, strict=True):
        col.metric(kpi.label, kpi.value, kpi.change if kpi.change else None,
                   delta_color="inverse" if kpi.worse_up else "normal", border=True)
        col.caption(md_text(kpi.note))
    for line in part.lines[1:]:
        st.markdown(f"**{md_text(line)}**")
    for col, (heading, lines) in zip(st.columns(len(part.blocks)), part.blocks, strict=True):
        col.markdown(f"**{md_text(heading)}**")
        col.markdown("\n".join(_item(line) for line in lines))


def _item(line: str) -> str:
    """A line of a block as a Markdown list item; an indented dash line (a protected
    commune that rose, under the count of them) nested under the line before it."""
    if line.startswith("  –"):  # brief.glance.slipped_one
        return f"    - {md_text(line.removeprefix('  –').strip())}"
    return f"- {md_text(line.lstrip('• ').strip())}"


def moves_download(prepared) -> None:
    """The full list of the moves, with reasons (what the appendix prints), as CSV."""
    if len(prepared.up) + len(prepared.down):
        st.download_button(tr("brief.ui.download.moves"), prepared.moves_csv(),
                           file_name=f"chuyen-cap_{prepared.unit or 'ca-nuoc'}_"
                                     f"{prepared.end:%Y%m%d}.csv", mime="text/csv",
                           icon=":material/table:", key="brief-dl-moves")


def download_for(day, unit, level, weeks) -> None:
    """One button: the PDF briefing of the period shown (built when asked)."""
    if st.button(tr("brief.ui.make_pdf"), icon=":material/picture_as_pdf:",
                 key="brief-make-pdf"):
        prepared = prepare(day, unit, level, weeks)
        if prepared is not None:
            data = api.render_briefing(workspace(), prepared, "pdf",
                                       st.session_state.get("palette", "default"))
            st.download_button(tr("brief.ui.download.pdf"), data, mime="application/pdf",
                               file_name=f"giao-ban_{prepared.end:%Y%m%d}.pdf",
                               key="brief-dl-pdf-tr")
