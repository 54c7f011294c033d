"""Truth → a PDF with a text layer, like a Word/WPS export attached to a report page.

Uses reportlab's built-in CID font STSong-Light (no font file, no system
package); pypdfium2 extracts its characters back as the right Unicode, with
one catch: without a CJK font on the machine pdfium drops a text run that is a
single CJK character (its box is empty). Lines are therefore broken here, never
leaving one CJK character alone on a line. Tables
are drawn as grids with merged cells; long labels wrap inside their cell and
the narrow rowspan label (三、本年度办理结果) prints a few characters per line,
which is what makes real PDF tables hard to read back.
"""

from __future__ import annotations

import io
import random
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .body import Heading, Para, build_body
from .printed import PrintedTable
from .truth import Truth

FONT = "STSong-Light"
_PAGE_WIDTH = A4[0] - 2 * 56  # points between the margins


@cache
def _register_font() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=24,
                                alignment=TA_CENTER, spaceAfter=10),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12.5, leading=22,
                                  spaceBefore=4),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5,
                               alignment=TA_CENTER),
        "cell_left": ParagraphStyle("cell_left", parent=base, fontSize=7.5, leading=9.5),
    }


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def _tokens(text: str) -> list[str]:
    """Characters, except that runs of digits and Latin letters stay whole (numbers never split)."""
    out: list[str] = []
    for ch in text:
        if (out and ch.isascii() and ch.isalnum() and out[-1][-1:].isascii() \
                and out[-1][-1:].isalnum()) or (out and ch in ".,%" and out[-1][-1:].isdigit()):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def wrap_lines(text: str, font_size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (character wrap, as CJK text does).

    Numbers stay on one line. A line holding a single CJK character takes one
    more from the line before (or joins it), so that every run survives
    extraction by pdfium.
    """
    _register_font()
    lines: list[str] = []
    current = ""
    for tok in _tokens(text):
        trial = current + tok
        if current and pdfmetrics.stringWidth(trial, FONT, font_size) > width:
            lines.append(current)
            current = tok
        else:
            current = trial
    if current:
        lines.append(current)
    i = 1
    while i < len(lines):
        if len(lines[i]) == 1 and _is_cjk(lines[i]):
            if len(lines[i - 1]) >= 3:
                lines[i - 1], lines[i] = lines[i - 1][:-1], lines[i - 1][-1] + lines[i]
            else:  # too narrow to borrow: the line runs a little over, as in Word
                lines[i - 1] += lines.pop(i)
                continue
        i += 1
    if len(lines) == 1 and len(lines[0]) == 1 and _is_cjk(lines[0]):
        lines[0] += "\u3000"
    return lines


def _para(text: str, style: ParagraphStyle, width: float, first_indent: float = 0.0) -> Paragraph:
    """A Paragraph with explicit breaks from ``wrap_lines``."""
    if first_indent:
        text = "\u3000\u3000" + text  # the indent, as Word's 2-character first-line indent
    lines = wrap_lines(text, style.fontSize, width - 0.5)
    return Paragraph("<br/>".join(escape(line) for line in lines), style)


def _table_flowable(table: PrintedTable) -> Table:
    styles = _styles()
    widths = table.widths or [1.0] * table.n_cols
    scale = _PAGE_WIDTH / sum(widths)
    col_widths = [w * scale for w in widths]
    grid = table.grid()
    data: list[list[object]] = [[""] * table.n_cols for _ in table.rows]
    commands: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            style = styles["cell_left"] if cell.kind == "label" else styles["cell"]
            width = sum(col_widths[c:c + cell.colspan]) - 4  # minus the paddings
            if cell.wrap:
                data[r][c] = Paragraph(f"{escape(cell.text[:2])}<br/>{escape(cell.text[2:])}",
                                       style)
            else:
                data[r][c] = _para(cell.text, style, width)
            if cell.rowspan > 1 or cell.colspan > 1:
                commands.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
    return Table(data, colWidths=col_widths, style=TableStyle(commands), repeatRows=0)


def render_pdf(truth: Truth) -> bytes:
    """A4 pages: title, the body paragraphs, the tables as grids. Same truth → same bytes."""
    _register_font()
    styles = _styles()
    rng = random.Random(f"pdf:{truth.layout}:{truth.seed}")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=56, rightMargin=56, topMargin=64, bottomMargin=56,
        title=truth.meta.title, author=truth.meta.agency,
        creator=rng.choice(("Microsoft Word", "WPS 文字", "WPS Office")),
        invariant=True,  # no timestamp or random document id: deterministic bytes
    )
    story: list[object] = [_para(truth.meta.title, styles["title"], _PAGE_WIDTH)]
    for part in build_body(truth):
        if isinstance(part, PrintedTable):
            story.append(Spacer(1, 4))
            story.append(_table_flowable(part))
            story.append(Spacer(1, 6))
        elif isinstance(part, Heading):
            story.append(_para(part.text, styles["heading"], _PAGE_WIDTH, first_indent=1))
        elif isinstance(part, Para):
            story.append(_para(part.text, styles["body"], _PAGE_WIDTH, first_indent=1))
    doc.build(story)
    return buf.getvalue()
