"""The briefing as editable slides (PPTX, 16:9, one message per slide), with python-pptx.
Long tables continue on further slides; every text stays a text box or a table cell, so
the staff can edit the deck before the meeting."""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt

from zones.briefing.parts import Section

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
FONT = "DejaVu Sans"
DARK = RGBColor(0x22, 0x22, 0x22)
GREY = RGBColor(0x55, 0x55, 0x55)


def deck(parts: list[Section], footer: str) -> bytes:
    """Slides of the sections; ``footer`` (unit and period) on every slide."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    blank = prs.slide_layouts[6]
    for part in parts:
        if part.key == "glance":
            _glance(prs.slides.add_slide(blank), part, footer)
            continue
        if part.key == "signature":
            _signature(prs.slides.add_slide(blank), part, footer)
            continue
        per = part.per_slide
        chunks = [part.rows[i:i + per] for i in range(0, len(part.rows), per)] or [[]]
        for k, rows in enumerate(chunks):
            title = part.title if k == 0 else f"{part.title} ({k + 1}/{len(chunks)})"
            last = k == len(chunks) - 1
            total = part.total_row and last
            _slide(prs.slides.add_slide(blank), part, title, rows, footer, first=k == 0,
                   last=last, total=total)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _text(slide, left, top, width, height, lines: list[str], size: int, bold=False,
          colour: RGBColor = DARK, align=None, space: int = 0):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if align is not None:
            para.alignment = align
        if space:
            para.space_after = Pt(space)
        run = para.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
        run.font.color.rgb = colour
    return box


def _head(slide, title: str, footer: str, size: int = 24) -> None:
    size = size if len(title) <= 62 else size - 4  # one line, clear of what follows
    _text(slide, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.8), [title], size,
          bold=True)
    _text(slide, MARGIN, HEIGHT - Inches(0.45), WIDTH - 2 * MARGIN, Inches(0.35), [footer], 10,
          colour=GREY)


def _slide(slide, part: Section, title: str, rows, footer: str, first: bool,
           last: bool = True, total: bool = False) -> None:
    _head(slide, title, footer)
    top = Inches(1.2)
    if part.lines and first:
        height = Inches(0.36) * len(part.lines)
        _text(slide, MARGIN, top, WIDTH - 2 * MARGIN, height, part.lines, 14 if len(
            part.lines) < 8 else 13, space=0 if len(part.lines) < 8 else 5)
        top += height + Inches(0.1)
    if part.pictures and first:
        _pictures(slide, part, top)
    if part.header and rows:
        _table(slide, part, rows, top, total)
    if part.notes and last:
        _text(slide, MARGIN, HEIGHT - Inches(0.55) - Inches(0.3) * len(part.notes),
              WIDTH - 2 * MARGIN, Inches(0.3) * len(part.notes), part.notes, 11, colour=GREY)


def _glance(slide, part: Section, footer: str) -> None:
    """The week at a glance: the big numbers in boxes of the level colours, the targets,
    then the hot spots and the decisions side by side."""
    _head(slide, part.title, footer, 22)
    width = WIDTH - 2 * MARGIN
    _text(slide, MARGIN, Inches(1.0), width, Inches(0.35), part.lines[:1], 14, colour=GREY)
    gap = Inches(0.25)
    box_w = (width - gap * (len(part.kpis) - 1)) / max(len(part.kpis), 1)
    top, box_h = Inches(1.45), Inches(1.25)
    for i, kpi in enumerate(part.kpis):
        left = MARGIN + (box_w + gap) * i
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, Inches(0.18), box_h)
        band.fill.solid()
        band.fill.fore_color.rgb = RGBColor.from_string(kpi.colour.lstrip("#"))
        band.line.fill.background()
        frame = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left + Inches(0.18), top,
                                       box_w - Inches(0.18), box_h)
        frame.fill.solid()
        frame.fill.fore_color.rgb = RGBColor(0xF3, 0xF5, 0xF7)
        frame.line.fill.background()
        inner = left + Inches(0.35)
        _text(slide, inner, top + Inches(0.05), box_w - Inches(0.4), Inches(0.35),
              [kpi.label], 14, bold=True)
        _text(slide, inner, top + Inches(0.35), box_w - Inches(0.4), Inches(0.6),
              [kpi.value], 32, bold=True)
        _text(slide, inner, top + Inches(0.88), box_w - Inches(0.4), Inches(0.3),
              [kpi.note], 12, colour=GREY)
    top += box_h + Inches(0.12)
    if len(part.lines) > 1:
        _text(slide, MARGIN, top, width, Inches(0.35), part.lines[1:], 13, bold=True)
        top += Inches(0.4)
    col_w = (width - gap) / 2
    bottom = HEIGHT - Inches(0.55) - Inches(0.26) * len(part.notes)
    for i, (heading, lines) in enumerate(part.blocks):
        left = MARGIN + (col_w + gap) * i
        _text(slide, left, top, col_w, Inches(0.4), [heading], 16, bold=True)
        size = 12 if sum(len(line) for line in lines) < 650 else 10
        _text(slide, left, top + Inches(0.4), col_w, bottom - top - Inches(0.4), lines, size,
              space=3)
    _text(slide, MARGIN, bottom, width, Inches(0.26) * len(part.notes), part.notes, 10,
          colour=GREY)


def _signature(slide, part: Section, footer: str) -> None:
    """Place and date, then who made the briefing and who approves it, side by side."""
    _head(slide, part.title, footer)
    width = WIDTH - 2 * MARGIN
    half = width / 2
    _text(slide, MARGIN + half, Inches(1.6), half, Inches(0.4), part.lines, 14,
          align=PP_ALIGN.CENTER)
    for i, (heading, lines) in enumerate(part.blocks):
        left = MARGIN + half * i
        _text(slide, left, Inches(2.2), half, Inches(0.4), [heading], 16, bold=True,
              align=PP_ALIGN.CENTER)
        _text(slide, left, Inches(2.6), half, Inches(2.5), lines, 13, align=PP_ALIGN.CENTER)


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


def _table(slide, part: Section, rows, top, total: bool = False) -> None:
    width = WIDTH - 2 * MARGIN
    row_h = Inches(0.27) if part.compact else Inches(0.3) if part.appendix else Inches(0.4)
    height = row_h * (len(rows) + 1)
    shape = slide.shapes.add_table(len(rows) + 1, len(part.header), MARGIN, top, width,
                                   height)
    table = shape.table
    for i in range(1, len(rows) + 1):
        table.rows[i].height = row_h
    weights = part.widths or [1] * len(part.header)
    for j, w in enumerate(weights):
        table.columns[j].width = Emu(int(width * w / sum(weights)))
    size = 12 if len(part.header) <= 4 else 10
    size = 10 if part.compact else 9 if part.appendix else size
    for j, text in enumerate(part.header):
        _cell(table.cell(0, j), text, size, bold=True)
    for i, row in enumerate(rows, start=1):
        bold = total and i == len(rows)
        for j, text in enumerate(row):
            _cell(table.cell(i, j), text, size, bold=bold, tight=part.compact)


def _cell(cell, text: str, size: int, bold: bool = False, tight: bool = False) -> None:
    cell.text = ""
    if tight:
        cell.margin_top = cell.margin_bottom = Inches(0.02)
    run = cell.text_frame.paragraphs[0].add_run()
    run.text = str(text)
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
    cell.text_frame.word_wrap = True
