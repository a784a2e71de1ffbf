"""The briefing on a page: build with progress, preview, and a download per format."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st
from PIL import Image

from ui.common import data_version, lang, md_text, show_error, tr, workspace
from zones import api
from zones.errors import ZonesError

PAGES = Path(__file__).resolve().parent.parent / "app_pages"
#: the files built on request (the PNG map is the page's preview, built with it)
FILES = tuple(fmt for fmt in api.BRIEFING_FORMATS if fmt != "png")
#: the widest picture Streamlit shows unshrunk (its MAXIMUM_CONTENT_WIDTH)
PREVIEW_WIDTH = 1460


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


def _palette() -> str:
    return st.session_state.get("palette", "default")


def prepare(day, unit, level, weeks) -> api.Briefing | None:
    """The prepared briefing, built with visible progress (the core keeps it once per
    data version: a later visit, anyone's, shows it at once)."""
    try:
        with st.status(tr("brief.ui.building"), expanded=False) as status:
            prepared = api.prepare_briefing(workspace(), day, unit, level, weeks, lang(),
                                            progress=status.write, opened_at=opened_at())
            status.update(label=tr("brief.ui.ready"), state="complete")
    except ZonesError as err:
        show_error(err)
        return None
    return prepared


def picture(prepared, sites: bool = False) -> bytes:
    """The map at the end of the period (PNG): the page's preview and its download;
    with ``sites``, the safety map's sites on it (kept by the core like the briefing)."""
    return api.render_briefing(workspace(), prepared, "png", _palette(), sites=bool(sites))


@st.cache_data(show_spinner=False, max_entries=16)
def preview(png: bytes) -> bytes:
    """The map picture as wide as the page shows it: Streamlit would shrink a wider one
    on every run (decode, resize, encode: half a second); this does it once."""
    image = Image.open(io.BytesIO(png))
    if image.width <= PREVIEW_WIDTH:
        return png
    small = image.resize((PREVIEW_WIDTH, round(image.height * PREVIEW_WIDTH / image.width)),
                         resample=Image.BILINEAR)
    out = io.BytesIO()
    small.save(out, format="PNG")
    return out.getvalue()


def _files_key(prepared, sites: bool) -> tuple:
    return (data_version(), prepared.lang, prepared.unit, prepared.level, prepared.start,
            prepared.end, _palette(), bool(sites))


def files(prepared, sites: bool = False) -> dict[str, bytes] | None:
    """The slides (PPTX) and the printable report (PDF) of a prepared briefing, built
    with visible progress (None, the reason shown, when they could not be)."""
    out = {}
    try:
        with st.status(tr("brief.ui.rendering"), expanded=False) as status:
            for fmt in FILES:
                status.write(tr("brief.step.render", fmt=fmt.upper()))
                out[fmt] = api.render_briefing(workspace(), prepared, fmt, _palette(),
                                               sites=bool(sites))
            status.update(label=tr("brief.ui.files_ready"), state="complete")
    except ZonesError as err:
        show_error(err)
        return None
    return out


def _ask_files(key: tuple) -> None:
    """The button's callback: this briefing's files are wanted (built in the run it
    starts, offered until the data or a choice changes)."""
    st.session_state["brief_files"] = key


def downloads(prepared, sites: bool = False) -> None:
    """The downloads: the map picture at once; the slides and the report (which take
    seconds to draw) built when asked for, then offered (for this briefing, until the
    data or a choice changes)."""
    key = _files_key(prepared, sites)
    asked = st.session_state.get("brief_files") == key
    made = files(prepared, sites) if asked else None
    data = {**(made or {}), "png": picture(prepared, sites)}
    cols = st.columns(len(data) + (0 if made else 1))
    if not made:
        cols[0].button(tr("brief.ui.make_files"), icon=":material/slideshow:",
                       key="brief-make-files", help=tr("brief.ui.make_files_help"),
                       on_click=_ask_files, args=(key,))
        cols = cols[1:]
    stem = f"giao-ban_{prepared.unit or 'ca-nuoc'}_{prepared.end:%Y%m%d}"
    for col, fmt in zip(cols, data, strict=True):
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
        st.download_button(tr("brief.ui.download.moves"), prepared.moves_csv,
                           file_name=f"chuyen-cap_{prepared.unit or 'ca-nuoc'}_"
                                     f"{prepared.end:%Y%m%d}.csv", mime="text/csv",
                           icon=":material/table:", key="brief-dl-moves")


def download_for(day, unit, level, weeks) -> None:
    """One button: the PDF briefing of the period shown (built when asked)."""
    if st.button(tr("brief.ui.make_pdf"), icon=":material/picture_as_pdf:",
                 key="brief-make-pdf"):
        prepared = prepare(day, unit, level, weeks)
        if prepared is not None:
            data = api.render_briefing(workspace(), prepared, "pdf", _palette())
            st.download_button(tr("brief.ui.download.pdf"), data, mime="application/pdf",
                               file_name=f"giao-ban_{prepared.end:%Y%m%d}.pdf",
                               key="brief-dl-pdf-tr")
