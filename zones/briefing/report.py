"""The briefing as a printable report (PDF, A4, page numbers) with reportlab. The fonts
(DejaVu Sans, shipped with matplotlib) are embedded, so every Vietnamese letter prints on
any machine."""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    Image,
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from zones.briefing.sections import Section

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
MARGIN = 15 * mm


def _register() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


def _styles() -> dict[str, ParagraphStyle]:
    return {"h1": ParagraphStyle("h1", fontName=BOLD, fontSize=17, leading=21, spaceAfter=6),
            "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=13, leading=16, spaceBefore=8,
                                 spaceAfter=5, keepWithNext=1),
            "body": ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=13.5),
            "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=8, leading=10),
            "head": ParagraphStyle("head", fontName=BOLD, fontSize=8, leading=10)}


def report(parts: list[Section], title: str, footer: str, page_word: str) -> bytes:
    """An A4 report of the sections, 'page X/Y' and ``footer`` on every page."""
    _register()
    st = _styles()
    width = A4[0] - 2 * MARGIN
    story = []
    for part in parts:
        style = st["h1"] if part.key == "title" else st["h2"]
        head = [Paragraph(escape(part.title), style)]
        head += [Paragraph(escape(line), st["body"]) for line in part.lines]
        pictures = [([Paragraph(escape(caption), st["head"])] if caption else []) +
                    [_image(png, width), Spacer(1, 4 * mm)] for caption, png in part.pictures]
        if pictures:  # the heading, and a caption, never part from the picture
            story.append(KeepTogether(head + pictures[0]))
            story += [KeepTogether(p) for p in pictures[1:]]
        else:
            story += head  # headings keep with the table that follows (keepWithNext)
        if part.header and part.rows:
            story.append(_table(part, width, st))
        story.append(Spacer(1, 3 * mm))
        if part.key in ("title", "maps", "trends"):
            story.append(PageBreak())
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm, title=title,
                            author="Bản đồ cấp độ dịch")
    doc.build(story, canvasmaker=_numbered(footer, page_word))
    return buf.getvalue()


def _image(png: bytes, width: float) -> Image:
    img = Image(io.BytesIO(png))
    scale = min(width / img.imageWidth, (A4[1] * 0.62) / img.imageHeight)
    img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
    return img


def _table(part: Section, width: float, st) -> LongTable:
    weights = part.widths or [1] * len(part.header)
    widths = [width * w / sum(weights) for w in weights]
    data = [[Paragraph(escape(h), st["head"]) for h in part.header]]
    data += [[Paragraph(escape(str(c)), st["cell"]) for c in row] for row in part.rows]
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f7f7")])]))
    return table


def _numbered(footer: str, page_word: str):
    """A canvas that writes 'page X/Y' once the number of pages is known."""
    class Numbered(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(REGULAR, 8)
                self.setFillColor(colors.HexColor("#555555"))
                self.drawString(MARGIN, 9 * mm, footer)
                self.drawRightString(A4[0] - MARGIN, 9 * mm,
                                     f"{page_word} {self._pageNumber}/{total}")
                super().showPage()
            super().save()
    return Numbered
