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
    Table,
    TableStyle,
)

from zones.briefing.parts import Section

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
            "head": ParagraphStyle("head", fontName=BOLD, fontSize=8, leading=10),
            "note": ParagraphStyle("note", fontName=REGULAR, fontSize=8.5, leading=11,
                                   textColor=colors.HexColor("#555555")),
            "item": ParagraphStyle("item", fontName=REGULAR, fontSize=10, leading=13,
                                   leftIndent=8, spaceAfter=3),
            "kpi_label": ParagraphStyle("kl", fontName=BOLD, fontSize=10, leading=12),
            "lead": ParagraphStyle("lead", fontName=BOLD, fontSize=11, leading=14,
                                   spaceBefore=4, spaceAfter=2),
            "kpi": ParagraphStyle("kv", fontName=BOLD, fontSize=24, leading=28),
            "center": ParagraphStyle("c", fontName=REGULAR, fontSize=10, leading=13,
                                     alignment=1),
            "center_bold": ParagraphStyle("cb", fontName=BOLD, fontSize=11, leading=14,
                                          alignment=1)}


def report(parts: list[Section], title: str, footer: str, page_word: str) -> bytes:
    """An A4 report of the sections, 'page X/Y' and ``footer`` on every page."""
    _register()
    st = _styles()
    width = A4[0] - 2 * MARGIN
    story = []
    for part in parts:
        if part.appendix:
            story.append(PageBreak())
        if part.key == "glance":
            story += _glance(part, width, st)
            story.append(PageBreak())
            continue
        if part.key == "signature":
            story.append(KeepTogether(_signature(part, width, st)))
            continue
        style = st["h1"] if part.key == "title" else st["h2"]
        head = [Paragraph(escape(part.title), style)]
        head += [Paragraph(escape(line), st["body"]) for line in part.lines]
        tall = 0.62 if len(part.pictures) < 2 else 0.37  # two maps share a page
        pictures = [([Paragraph(escape(caption), st["head"])] if caption else []) +
                    [_image(png, width, tall), Spacer(1, 4 * mm)]
                    for caption, png in part.pictures]
        if pictures:  # the heading, and a caption, never part from the picture
            story.append(KeepTogether(head + pictures[0]))
            story += [KeepTogether(p) for p in pictures[1:]]
        else:
            story += head  # headings keep with the table that follows (keepWithNext)
        if part.header and part.rows:
            story.append(_table(part, width, st))
        story += [Paragraph(escape(line), st["note"]) for line in part.notes]
        story.append(Spacer(1, 3 * mm))
        if part.key in ("maps", "trends"):
            story.append(PageBreak())
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm, title=title,
                            author="Bản đồ cấp độ dịch")
    doc.build(story, canvasmaker=_numbered(footer, page_word))
    return buf.getvalue()


def _glance(part: Section, width: float, st) -> list:
    """The first page: title, the big numbers in cells edged with the level colours,
    the targets, the hot spots and the decisions."""
    out = [Paragraph(escape(part.title), st["h1"]),
           Paragraph(escape(part.lines[0]), st["body"]), Spacer(1, 2 * mm)]
    cells = [[Paragraph(escape(k.label), st["kpi_label"]), Paragraph(escape(k.value), st["kpi"]),
              Paragraph(escape(k.note), st["note"])] for k in part.kpis]
    if cells:
        table = Table([cells], colWidths=[width / len(cells)] * len(cells))
        style = [("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f3f5f7")),
                 ("LEFTPADDING", (0, 0), (-1, -1), 8)]
        for i, k in enumerate(part.kpis):
            style.append(("LINEBEFORE", (i, 0), (i, 0), 5, colors.HexColor(k.colour)))
        table.setStyle(TableStyle(style))
        out += [table, Spacer(1, 3 * mm)]
    out += [Paragraph(escape(line), st["lead"]) for line in part.lines[1:]]
    for heading, lines in part.blocks:
        out.append(Paragraph(escape(heading), st["h2"]))
        out += [Paragraph(escape(line), st["item"]) for line in lines]
    out.append(Spacer(1, 3 * mm))
    out += [Paragraph(escape(line), st["note"]) for line in part.notes]
    return out


def _signature(part: Section, width: float, st) -> list:
    """Place and date, then the two signatures side by side (no grid)."""
    when = [[Paragraph("", st["center"]), Paragraph(escape(" ".join(part.lines)),
                                                    st["center"])]]
    heads = [[Paragraph(escape(h), st["center_bold"]) for h, _lines in part.blocks]]
    body = [[[Paragraph(escape(line) or "&nbsp;", st["center"]) for line in lines]
             for _h, lines in part.blocks]]
    table = Table(when + heads + body, colWidths=[width / 2, width / 2])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("TOPPADDING", (0, 1), (-1, 1), 10)]))
    return [Spacer(1, 8 * mm), table]


def _image(png: bytes, width: float, tall: float = 0.62) -> Image:
    img = Image(io.BytesIO(png))
    scale = min(width / img.imageWidth, (A4[1] * tall) / img.imageHeight)
    img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
    return img


def _table(part: Section, width: float, st) -> LongTable:
    weights = part.widths or [1] * len(part.header)
    widths = [width * w / sum(weights) for w in weights]
    data = [[Paragraph(escape(h), st["head"]) for h in part.header]]
    data += [[Paragraph(escape(str(c)), st["cell"]) for c in row] for row in part.rows]
    if part.total_row and len(data) > 1:
        data[-1] = [Paragraph(escape(str(c)), st["head"]) for c in part.rows[-1]]
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
