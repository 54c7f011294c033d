"""PDF (Word/WPS export with a text layer) → visual text lines and ruled table grids.

Why pypdfium2 and loose character boxes: see docs/adr/001-pdf-extractor.md. Loose
boxes span each glyph's advance width and the font's ascent/descent, so gaps
between boxes are real spacing (letter-spaced headers, "2024 年") and not glyph
shape, and every character of a line shares one vertical band.

Tables come from the ruling lines Word and WPS draw for cell borders: the lines
give the row and column bands, which band a character falls in gives its cell,
and a border that does not cross a band boundary makes a merged cell (rowspan or
colspan), exactly as HTML spans do. Each row is then laid out for a mapper that
matches row labels and reads values left to right:

- ``[label, v1, v2, …]`` when the table has label columns (left of the first
  column holding a number), else ``[v1, v2, …]`` (table 四). A label wrapped over
  several lines of its cell is one label.
- Value cells copied from a colspan/rowspan are ``spanned=True`` (as in
  ``read_html``); a blank value cell is ``Cell("")``.
- Rowspan group labels (``三、本年度办理结果`` printed one character per line,
  ``（三）不予公开``) never enter a row label: each becomes a one-cell row of its own
  just before the first row it covers. A group label cut by a page break is
  joined back (``（四）无`` + ``法提供``).
- A table that runs on at the top of the next page with the same outer edges is
  one grid.

Tables printed without ruling lines are not reconstructed; lines that look like
one are reported as an Issue so that nothing is dropped silently.
"""

from __future__ import annotations

import ctypes
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .document import Cell, Extracted, Grid, Issue
from .numbers import is_number_like, read_number

MAX_PAGES = 200  # a report runs 3–30 pages; past this the bytes are not one report
_LINE_TOL = 0.45  # chars whose vertical centres differ by < this × height share a line
_SPACE_GAP = 0.15  # a horizontal gap > this × line height is a word space
_RULE_THICK = 2.5  # paths thinner than this (pt) are ruling lines
_RULE_MIN = 3.0  # …and at least this long
_SNAP = 2.0  # ruling positions closer than this (pt) are one line
_MARGIN = 0.1  # page-number lines sit in the top/bottom tenth of the page
_PAGE_NO = re.compile(
    r"^[-—–－\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[-—–－\s]*$"
)
_ASCII_WORD = re.compile(r"[0-9A-Za-z.,%]")


class _Char(NamedTuple):
    """One glyph's loose box; a tuple because a page has thousands of them."""

    ch: str
    x0: float
    x1: float
    top: float  # distance from the page top, so y grows downwards like reading order
    bottom: float
    cy: float  # vertical centre
    space_before: bool  # the text layer has a space (real or pdfium's) just before it

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class _Line:
    chars: list[_Char]
    number: int = 0  # 1-based visual line number on its page

    @cached_property
    def top(self) -> float:
        return min(c.top for c in self.chars)

    @cached_property
    def bottom(self) -> float:
        return max(c.bottom for c in self.chars)

    @cached_property
    def text(self) -> str:
        return _join_chars(self.chars, sep_any=True)


@dataclass(frozen=True)
class _Rule:
    horizontal: bool
    pos: float  # y of a horizontal rule, x of a vertical one
    lo: float  # extent along the rule
    hi: float


@dataclass
class _Part:
    """One ruled table on one page, laid out as output rows."""

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    label_bands: int
    text_above: bool  # body text above the table on its page
    text_below: bool
    rows: Grid = field(default_factory=list)
    # label band → index in rows of a group row whose cell reaches the part's last row
    open_groups: dict[int, int] = field(default_factory=dict)
    # label band → index in rows of a group row whose cell starts at the part's first row
    head_groups: dict[int, int] = field(default_factory=dict)


def read_pdf(data: bytes, max_pages: int = MAX_PAGES) -> Extracted:
    """Read a PDF's text layer. Raises ValueError with the reason when it cannot be read."""
    pdf = _open(data)
    issues: list[Issue] = []
    try:
        n_pages = len(pdf)
        if n_pages > max_pages:
            issues.append(Issue("pdf_truncated",
                                f"{n_pages} pages; only the first {max_pages} were read",
                                f"page {max_pages + 1}"))
        text_lines: list[str] = []
        parts: list[_Part] = []
        n_chars = 0
        for index in range(min(n_pages, max_pages)):
            try:
                page = pdf[index]
            except pdfium.PdfiumError as exc:  # a damaged page object: the others may read
                issues.append(Issue("pdf_page_unreadable", f"page cannot be loaded: {exc}",
                                    f"page {index + 1}"))
                continue
            try:
                width, height = page.get_size()
                chars = _read_chars(page, height)
                rules = _read_rules(page, height, width)
            finally:
                page.close()
            n_chars += len(chars)
            if not chars:
                issues.append(Issue("pdf_page_without_text",
                                    "page has no text layer (an image?)", f"page {index + 1}"))
                continue
            lines = _group_lines(chars)
            lines = [ln for ln in lines if not _is_page_number(ln, height)]
            for number, line in enumerate(lines, 1):
                line.number = number
                text_lines.append(line.text)
            page_parts = _read_tables(index + 1, lines, rules)
            parts.extend(page_parts)
            issues.extend(_unruled_table_issues(index + 1, lines, page_parts))
    finally:
        pdf.close()
    if n_chars == 0:
        raise ValueError(f"no text layer (scanned PDF?): {min(n_pages, max_pages)} page(s), "
                         "no characters")
    return Extracted("pdf", "\n".join(text_lines), _join_parts(parts), issues=issues)


def _open(data: bytes) -> pdfium.PdfDocument:
    if not data.lstrip()[:5] == b"%PDF-":
        raise ValueError("not a PDF: the bytes do not start with %PDF-")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ValueError("PDF is encrypted: a password is required to read it") from exc
        if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise ValueError("PDF is encrypted with an unsupported security handler") from exc
        raise ValueError(f"broken PDF: {exc}") from exc


def _read_chars(page: pdfium.PdfPage, height: float) -> list[_Char]:
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range()
        one_to_one = len(text) == count  # false only with surrogate pairs
        rect = pdfium_c.FS_RECTF()
        ref = ctypes.byref(rect)
        loose_box = pdfium_c.FPDFText_GetLooseCharBox
        out: list[_Char] = []
        space = False
        for i in range(count):
            ch = text[i] if one_to_one else chr(pdfium_c.FPDFText_GetUnicode(textpage, i))
            if ch.isspace() or not ch.isprintable():
                space = ch in " \t\u3000\xa0"  # line breaks separate lines, not words
                continue  # the boxes of spaces are not reliable; the flag and gaps are
            loose_box(textpage, i, ref)
            top, bottom = height - rect.top, height - rect.bottom
            out.append(_Char(ch, rect.left, rect.right, top, bottom, (top + bottom) / 2, space))
            space = False
        return out
    finally:
        textpage.close()


def _read_rules(page: pdfium.PdfPage, height: float, width: float) -> list[_Rule]:
    """Thin paths (and the edges of small rectangles) become horizontal/vertical rules.

    Uses the raw API: wrapping every page object in a Python helper object costs
    more than the rest of the page. Paths inside form XObjects are not read.
    """
    rules: list[_Rule] = []
    bounds = [ctypes.c_float() for _ in range(4)]
    box = [ctypes.byref(v) for v in bounds]
    path = pdfium_c.FPDF_PAGEOBJ_PATH
    for i in range(pdfium_c.FPDFPage_CountObjects(page)):
        obj = pdfium_c.FPDFPage_GetObject(page, i)
        if pdfium_c.FPDFPageObj_GetType(obj) != path:
            continue
        if not pdfium_c.FPDFPageObj_GetBounds(obj, *box):
            continue
        left, bottom, right, top = (v.value for v in bounds)
        w, h = right - left, top - bottom
        y_top, y_bottom = height - top, height - bottom
        if h <= _RULE_THICK and w >= _RULE_MIN:
            rules.append(_Rule(True, (y_top + y_bottom) / 2, left, right))
        elif w <= _RULE_THICK and h >= _RULE_MIN:
            rules.append(_Rule(False, (left + right) / 2, y_top, y_bottom))
        elif (w > _RULE_THICK and h > _RULE_THICK and w * h < 0.5 * width * height
              and pdfium_c.FPDFPath_CountSegments(obj) in (4, 5)):
            # a cell drawn or shaded as a rectangle: its edges are borders
            rules += [_Rule(True, y_top, left, right), _Rule(True, y_bottom, left, right),
                      _Rule(False, left, y_top, y_bottom), _Rule(False, right, y_top, y_bottom)]
    return rules


def _group_lines(chars: list[_Char]) -> list[_Line]:
    """Visual lines: characters whose vertical centres are close, left to right."""
    lines: list[_Line] = []
    current: list[_Char] = []
    anchor = limit = 0.0
    for c in sorted(chars, key=lambda c: (c.cy, c.x0)):
        if current and abs(c.cy - anchor) > max(limit, _LINE_TOL * (c.bottom - c.top)):
            lines.append(_Line(sorted(current, key=lambda c: c.x0)))
            current = []
        if not current:
            anchor, limit = c.cy, _LINE_TOL * (c.bottom - c.top)
        current.append(c)
    if current:
        lines.append(_Line(sorted(current, key=lambda c: c.x0)))
    return lines


def _join_chars(chars: list[_Char], sep_any: bool) -> str:
    """Join one line's characters; a wide gap is a space (between ASCII words only
    unless ``sep_any``: inside a table cell, letter-spaced CJK is one word)."""
    if not chars:
        return ""
    space = _SPACE_GAP * max(c.bottom - c.top for c in chars)
    out = [chars[0].ch]
    for prev, c in pairwise(chars):
        if (c.space_before or c.x0 - prev.x1 > space) and (
            sep_any or (_ASCII_WORD.match(prev.ch) and _ASCII_WORD.match(c.ch))
        ):
            out.append(" ")
        out.append(c.ch)
    return "".join(out)


def _is_page_number(line: _Line, height: float) -> bool:
    in_margin = line.bottom < _MARGIN * height or line.top > (1 - _MARGIN) * height
    return in_margin and bool(_PAGE_NO.match(line.text))


# ---------------------------------------------------------------- ruled tables


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= _SNAP:
            continue
        out.append(v)
    return out


def _covers(rules: list[_Rule], pos: float, at: float) -> bool:
    return any(abs(r.pos - pos) <= _SNAP and r.lo - _SNAP <= at <= r.hi + _SNAP for r in rules)


def _table_groups(rules: list[_Rule]) -> list[list[_Rule]]:
    """Connected sets of crossing rules: one set per table."""
    parent = list(range(len(rules)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, r in enumerate(rules) if r.horizontal]
    vs = [i for i, r in enumerate(rules) if not r.horizontal]
    for i in hs:
        h = rules[i]
        for j in vs:
            v = rules[j]
            if (h.lo - _SNAP <= v.pos <= h.hi + _SNAP) and (v.lo - _SNAP <= h.pos <= v.hi + _SNAP):
                parent[find(i)] = find(j)
    groups: dict[int, list[_Rule]] = {}
    for i, r in enumerate(rules):
        groups.setdefault(find(i), []).append(r)
    return [g for g in groups.values()
            if sum(r.horizontal for r in g) >= 2 and sum(not r.horizontal for r in g) >= 2]


def _read_tables(page_no: int, lines: list[_Line], rules: list[_Rule]) -> list[_Part]:
    parts: list[_Part] = []
    for group in sorted(_table_groups(rules), key=lambda g: min(r.pos for r in g if r.horizontal)):
        part = _read_table(page_no, lines, group)
        if part is not None:
            parts.append(part)
    return parts


def _read_table(page_no: int, lines: list[_Line], rules: list[_Rule]) -> _Part | None:
    h_rules = [r for r in rules if r.horizontal]
    v_rules = [r for r in rules if not r.horizontal]
    ys = _snap([r.pos for r in h_rules])
    xs = _snap([r.pos for r in v_rules])
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 2:
        return None  # one column: a shaded or framed paragraph, not a table

    # merged cells: union bands whose shared border is not drawn
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        cy = (ys[r] + ys[r + 1]) / 2
        for c in range(n_cols):
            cx = (xs[c] + xs[c + 1]) / 2
            if c + 1 < n_cols and not _covers(v_rules, xs[c + 1], cy):
                parent[find(r * n_cols + c + 1)] = find(r * n_cols + c)
            if r + 1 < n_rows and not _covers(h_rules, ys[r + 1], cx):
                parent[find((r + 1) * n_cols + c)] = find(r * n_cols + c)
    extent: dict[int, tuple[int, int, int, int]] = {}  # root → (r0, c0, r1, c1)
    for r in range(n_rows):
        for c in range(n_cols):
            root = find(r * n_cols + c)
            r0, c0, r1, c1 = extent.get(root, (r, c, r, c))
            extent[root] = (min(r0, r), min(c0, c), max(r1, r), max(c1, c))

    # characters → cells, remembering the first visual line each cell and row touches
    cell_chars: dict[int, list[_Char]] = {}
    cell_line: dict[int, int] = {}
    row_line: dict[int, int] = {}
    for line in lines:
        for ch in line.chars:
            if not (xs[0] < ch.cx < xs[-1] and ys[0] < ch.cy < ys[-1]):
                continue
            r = bisect_right(ys, ch.cy) - 1
            c = bisect_right(xs, ch.cx) - 1
            root = find(r * n_cols + c)
            cell_chars.setdefault(root, []).append(ch)
            cell_line.setdefault(root, line.number)
            row_line.setdefault(r, line.number)
    if not cell_chars:
        return None
    text = {root: _cell_text(chs) for root, chs in cell_chars.items()}

    def origin(r: int, c: int) -> bool:
        r0, c0, _, _ = extent[find(r * n_cols + c)]
        return (r0, c0) == (r, c)

    # Label bands: left of the first value column. A column of blank cells is still a
    # value column (table 四 with nothing but 尚未审结 filled in), so the boundary is set
    # by the rightmost label text that precedes a number in a row holding numbers.
    first_value = 0
    data_rows: set[int] = set()
    for r in range(n_rows):
        row_text = [text.get(find(r * n_cols + c), "") for c in range(n_cols)]
        numbers = [c for c, t in enumerate(row_text) if origin(r, c) and is_number_like(t)]
        if not numbers:
            continue
        data_rows.add(r)
        labels = [c for c in range(numbers[0]) if row_text[c] and not read_number(row_text[c]).ok]
        if labels:
            first_value = max(first_value, labels[-1] + 1)

    part = _Part(page_no, xs[0], xs[-1], ys[0], ys[-1], first_value,
                 text_above=any(ln.bottom < ys[0] for ln in lines),
                 text_below=any(ln.top > ys[-1] for ln in lines))
    emitted_groups: set[int] = set()
    for r in range(n_rows):
        line_no = row_line.get(r)
        where = f"page {page_no} line {line_no}" if line_no else f"page {page_no} row {r + 1}"
        label_roots: list[int] = []
        for c in range(first_value):
            root = find(r * n_cols + c)
            if root not in label_roots and text.get(root):
                label_roots.append(root)
        own: int | None = None
        for root in reversed(label_roots):
            r0, _, r1, _ = extent[root]
            if sum(1 for d in data_rows if r0 <= d <= r1) <= 1:
                own = root
                break
        for root in label_roots:
            if root == own or root in emitted_groups:
                continue
            emitted_groups.add(root)
            r0, c0, r1, _ = extent[root]
            ref = f"page {page_no} line {cell_line[root]} col {c0 + 1}"
            part.rows.append([Cell(text[root], ref)])
            if r1 == n_rows - 1:
                part.open_groups[c0] = len(part.rows) - 1
            if r0 == 0:
                part.head_groups[c0] = len(part.rows) - 1
        row: list[Cell] = []
        if first_value:
            if own is None:
                row.append(Cell("", f"{where} col 1"))
            else:
                ref = f"page {page_no} line {cell_line[own]} col 1"
                r0 = extent[own][0]
                row.append(Cell(text[own], ref, spanned=r0 != r))
        for c in range(first_value, n_cols):
            root = find(r * n_cols + c)
            col = len(row) + 1
            line_ref = cell_line.get(root, line_no)
            ref = f"page {page_no} line {line_ref} col {col}" if line_ref else f"{where} col {col}"
            row.append(Cell(text.get(root, ""), ref, spanned=not origin(r, c)))
        part.rows.append(row)  # an all-blank row is still a row: blank cells read as 0
    return part


def _cell_text(chars: list[_Char]) -> str:
    """A cell's lines joined without a break: Chinese labels wrap mid-word."""
    return "".join(_join_chars(line.chars, sep_any=False) for line in _group_lines(chars))


def _join_parts(parts: list[_Part]) -> list[Grid]:
    """Parts continuing on the next page (same outer edges, nothing between) become one grid."""
    grids: list[Grid] = []
    open_groups: dict[int, int] = {}  # label band → row index in grids[-1]
    prev: _Part | None = None
    for part in parts:
        if prev is not None and _continues(prev, part):
            grid = grids[-1]
            skip: set[int] = set()
            if part.label_bands == prev.label_bands:
                for band, idx in part.head_groups.items():
                    if band in open_groups:
                        target = grid[open_groups[band]]
                        target[0] = Cell(target[0].text + part.rows[idx][0].text, target[0].ref)
                        skip.add(idx)
            moved: dict[int, int] = {}
            for idx, row in enumerate(part.rows):
                if idx not in skip:
                    moved[idx] = len(grid)
                    grid.append(list(row))
            open_groups = {band: open_groups[band] if idx in skip else moved[idx]
                           for band, idx in part.open_groups.items()}
        else:
            grids.append([list(row) for row in part.rows])
            open_groups = dict(part.open_groups)
        prev = part
    return [g for g in grids if g]


def _continues(prev: _Part, part: _Part) -> bool:
    return (part.page == prev.page + 1 and not prev.text_below and not part.text_above
            and abs(part.x0 - prev.x0) <= 2 * _SNAP and abs(part.x1 - prev.x1) <= 2 * _SNAP)


def _unruled_table_issues(page_no: int, lines: list[_Line], parts: list[_Part]) -> list[Issue]:
    """Lines outside every ruled table with ≥3 numbers set apart by wide gaps."""
    issues: list[Issue] = []
    for line in lines:
        cy = (line.top + line.bottom) / 2
        if any(p.top <= cy <= p.bottom for p in parts):
            continue
        words = _join_chars(line.chars, sep_any=True).split(" ")
        h = line.bottom - line.top
        wide = [b.x0 - a.x1 for a, b in pairwise(line.chars)
                if b.x0 - a.x1 > 1.5 * h]
        if len(wide) >= 2 and sum(is_number_like(w) for w in words) >= 3:
            issues.append(Issue("pdf_unruled_table",
                                "numbers laid out in columns without ruling lines; "
                                "no grid was built for them", f"page {page_no} line {line.number}"))
    return issues
