"""The briefing as editable slides (PPTX, 16:9, one message per slide), with python-pptx.
Long tables continue on further slides; every text stays a text box or a table cell, so
the staff can edit the deck before the meeting."""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from zones.briefing.sections import Section

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
ROWS_PER_SLIDE = 10  # short rows (counts, districts); rows with long reasons: WIDE_ROWS
WIDE_ROWS = 7
FONT = "DejaVu Sans"
DARK = RGBColor(0x22, 0x22, 0x22)


def deck(parts: list[Section], footer: str) -> bytes:
    """Slides of the sections; ``footer`` (unit and period) on every slide."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    blank = prs.slide_layouts[6]
    for part in parts:
        per = WIDE_ROWS if part.key in ("up", "down", "declared") else ROWS_PER_SLIDE
        chunks = [part.rows[i:i + per] for i in range(0, len(part.rows), per)] or [[]]
        for k, rows in enumerate(chunks):
            title = part.title if k == 0 else f"{part.title} ({k + 1}/{len(chunks)})"
            _slide(prs.slides.add_slide(blank), part, title, rows, footer, first=k == 0)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _text(slide, left, top, width, height, lines: list[str], size: int, bold=False):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
        run.font.color.rgb = DARK
    return box


def _slide(slide, part: Section, title: str, rows, footer: str, first: bool) -> None:
    _text(slide, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.8), [title],
          30 if part.key == "title" else 24, bold=True)
    _text(slide, MARGIN, HEIGHT - Inches(0.45), WIDTH - 2 * MARGIN, Inches(0.35), [footer], 10)
    top = Inches(1.2)
    if part.lines and first:
        size = 18 if part.key == "title" else 14
        height = Inches(0.42) * len(part.lines) if part.key != "title" else Inches(5.5)
        _text(slide, MARGIN, top, WIDTH - 2 * MARGIN, height, part.lines, size)
        top += height + Inches(0.1)
    if part.pictures and first:
        _pictures(slide, part, top)
    if part.header and rows:
        _table(slide, part, rows, top)


def _pictures(slide, part: Section, top) -> None:
    n = len(part.pictures)
    gap = Inches(0.2)
    cell_w = (WIDTH - 2 * MARGIN - gap * (n - 1)) / n
    room = HEIGHT - top - Inches(0.9)
    for i, (caption, png) in enumerate(part.pictures):
        left = MARGIN + (cell_w + gap) * i
        pic = slide.shapes.add_picture(io.BytesIO(png), left, top + Inches(0.35))
        scale = min(cell_w / pic.width, room / pic.height)
        pic.width, pic.height = Emu(int(pic.width * scale)), Emu(int(pic.height * scale))
        pic.left = Emu(int(left + (cell_w - pic.width) / 2))
        if caption:
            _text(slide, left, top, cell_w, Inches(0.35), [caption], 14, bold=True)


def _table(slide, part: Section, rows, top) -> None:
    width = WIDTH - 2 * MARGIN
    height = Inches(0.4) * (len(rows) + 1)
    shape = slide.shapes.add_table(len(rows) + 1, len(part.header), MARGIN, top, width,
                                   height)
    table = shape.table
    weights = part.widths or [1] * len(part.header)
    for j, w in enumerate(weights):
        table.columns[j].width = Emu(int(width * w / sum(weights)))
    size = 12 if len(part.header) <= 4 else 10
    for j, text in enumerate(part.header):
        _cell(table.cell(0, j), text, size, bold=True)
    for i, row in enumerate(rows, start=1):
        for j, text in enumerate(row):
            _cell(table.cell(i, j), text, size)


def _cell(cell, text: str, size: int, bold: bool = False) -> None:
    cell.text = ""
    run = cell.text_frame.paragraphs[0].add_run()
    run.text = str(text)
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
    cell.text_frame.word_wrap = True
