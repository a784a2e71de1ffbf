"""Output safety, in one place: text that came from users (unit names, uploaded cells,
decision numbers) is data, never markup (HTML or Markdown), script or a spreadsheet
formula."""

from __future__ import annotations

import html
import re

import pandas as pd

#: a cell starting with one of these is read by Excel/LibreOffice as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A cell value that a spreadsheet will not read as a formula ("=cmd|…" -> "'=cmd|…")."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and headers) cannot run as formulas."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def text(value: object) -> str:
    """Text for HTML: ``<img onerror=…>`` shows as those characters."""
    return html.escape("" if value is None else str(value), quote=True)


#: ASCII punctuation. CommonMark lets a backslash escape any of it, and every Markdown
#: construct Streamlit renders starts or ends with some: **bold**, [links](…), `code`,
#: # headings, - lists, > quotes, | tables, ~~strike~~, $math$, <html>, &entities;,
#: :red[colour] and :material/icon: directives.
MARKDOWN_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
#: What Streamlit still rewrites in the text once Markdown has read it, which no backslash
#: can stop: bare addresses become links (http://…, www.…, name@host.vn, GFM's autolink
#: literals), ":streamlit:" its logo, a lone "->", "--", ">=", … an arrow, a dash, "≥".
#: An invisible word joiner (U+2060) inside each keeps it as written.
_REWRITTEN = re.compile(r"(?i:(?<=https:)|(?<=http:))(?=//)"  # http://x.vn
                        r"|(?i:(?<=www))(?=\.)"  # www.x.vn
                        r"|(?<=[-.\w+])(?=@[-\w]+\.)"  # ten@x.vn
                        r"|(?<=:)(?=streamlit:)"
                        r"|(?<=(?<!\S)<)(?=->(?!\S))|(?<=(?<!\S)<-)(?=>(?!\S))"  # <->
                        r"|(?<=(?<!\S)[-<>~])(?=[->=](?!\S))")  # -> <- -- >= <= ~=
WORD_JOINER = "\u2060"


def md_text(value: object, *, html: bool = False) -> str:
    """Text for Streamlit's Markdown (st.markdown, captions, titles, st.info/error/…,
    widget, button, tab and expander labels, help): ``**x**``, ``[a](http://…)``, ``$x$``,
    ``:red[x]`` show as those characters. Every ASCII punctuation character gets a
    backslash; line breaks become spaces, so a value never starts a heading, a list or a
    quote of its own; a word joiner (invisible) keeps bare addresses from becoming links.
    ``html=True`` for Markdown that also allows HTML (``unsafe_allow_html``): character
    references (``&#42;``) instead of backslashes, literal for both.

    Not for what Streamlit shows as plain text (st.dataframe cells, select box options,
    st.text, st.code), where a backslash would show."""
    plain = " ".join(("" if value is None else str(value)).splitlines())
    plain = _REWRITTEN.sub(WORD_JOINER, plain)
    if html:
        return "".join(f"&#{ord(c)};" if c in MARKDOWN_PUNCTUATION else c for c in plain)
    return "".join("\\" + c if c in MARKDOWN_PUNCTUATION else c for c in plain)


def script_json(text_json: str) -> str:
    """JSON text to embed inside ``<script>``: ``</script>`` and comment openers in the
    data can no longer close or confuse the script (``<`` becomes ``\\u003c``; still JSON)."""
    return (text_json.replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
