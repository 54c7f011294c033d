"""HTML (often Word-exported) → text lines and expanded table grids.

Hostile pages are bounded before the tree builder sees them: nesting deeper than
``Limits.max_html_depth`` (tree builders go quadratic on 200,000 open <div>s) is
read as flat text without tables, with an Issue saying so. Entities are HTML's
own named/numeric ones only: no DTD is ever read, so nothing external is resolved.
"""

from __future__ import annotations

import html
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .decode import decode_bytes
from .document import Cell, Extracted, Grid, Issue
from .limits import DEFAULT_LIMITS, Limits

_BLOCK_TAGS = frozenset(
    "p div br tr li h1 h2 h3 h4 h5 h6 table section article header footer ul ol dd dt title".split()
)
_CELL_TAGS = frozenset(("td", "th"))
_SKIP_TAGS = frozenset(("script", "style", "noscript", "template", "head"))
_WS = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u200b]+")
_MAX_SPAN = 200  # Word never spans more; hostile pages may claim millions


def clean_cell_text(text: str) -> str:
    return _WS.sub(" ", text.replace("\n", "")).strip()


def _span(node: LexborNode, name: str) -> int:
    raw = (node.attributes.get(name) or "1").strip()
    try:
        return max(1, min(int(raw.split(".")[0] or 1), _MAX_SPAN))
    except ValueError:
        return 1


def _own_rows(table: LexborNode) -> list[LexborNode]:
    """<tr> elements that belong to this table, not to a nested one."""
    rows = []
    for tr in table.css("tr"):
        parent = tr.parent
        while parent is not None and parent.tag != "table":
            parent = parent.parent
        if parent is not None and parent.mem_id == table.mem_id:
            rows.append(tr)
    return rows


def expand_table(table: LexborNode, index: int) -> Grid:
    """Expand rowspan/colspan so every row has one Cell per grid column."""
    grid: dict[tuple[int, int], Cell] = {}
    n_rows = 0
    for r, tr in enumerate(_own_rows(table)):
        c = 0
        for td in tr.iter():
            if td.tag not in _CELL_TAGS:
                continue
            while (r, c) in grid:
                c += 1
            text = clean_cell_text(td.text(deep=True, separator=""))
            rs, cs = _span(td, "rowspan"), _span(td, "colspan")
            for dr in range(rs):
                for dc in range(cs):
                    ref = f"table {index} row {r + 1} col {c + 1}"
                    grid[(r + dr, c + dc)] = Cell(text, ref, spanned=bool(dr or dc))
            c += cs
        n_rows = r + 1
    if not grid:
        return []
    n_cols = max(c for _, c in grid) + 1
    out: Grid = []
    for r in range(n_rows):
        out.append([grid.get((r, c), Cell("", f"table {index} row {r + 1} col {c + 1}", True))
                    for c in range(n_cols)])
    return out


def _text_lines(root: LexborNode) -> str:
    parts: list[str] = []
    for node in root.traverse(include_text=True):
        tag = node.tag
        if tag == "-text":
            parent = node.parent
            if parent is not None and parent.tag in _SKIP_TAGS:
                continue
            parts.append(node.text_content or "")
        elif tag in _BLOCK_TAGS:
            parts.append("\n")
        elif tag in _CELL_TAGS:
            parts.append(" | ")
    lines = []
    for line in "".join(parts).split("\n"):
        line = _WS.sub(" ", line).strip().strip("|").strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_-]*)[^>]*?(/?)>")
_HIDDEN = re.compile(r"<!--.*?-->|<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
# elements the parser closes by itself, or that never have content: they do not nest
_NO_DEPTH = frozenset(
    "p li dt dd tr td th thead tbody tfoot option optgroup colgroup caption rb rt rp html head "
    "body area base br col embed hr img input link meta param source track wbr".split())


def nesting_depth(text: str, stop_at: int | None = None) -> int:
    """How deep elements nest, counting opens minus matching closes (cheap, no tree).

    Stops counting once ``stop_at`` is passed: the answer is then "too deep".
    """
    open_count: dict[str, int] = {}
    depth = deepest = 0
    for m in _TAG.finditer(_HIDDEN.sub("", text)):
        closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        if name in _NO_DEPTH or self_closing:
            continue
        if closing:
            if open_count.get(name, 0) > 0:
                open_count[name] -= 1
                depth -= 1
            continue
        open_count[name] = open_count.get(name, 0) + 1
        depth += 1
        if depth > deepest:
            deepest = depth
            if stop_at is not None and deepest > stop_at:
                break
    return deepest


_BLOCK_NAMES = "|".join(sorted(_BLOCK_TAGS))
_FLAT_BLOCK = re.compile(rf"<(?:/?(?:{_BLOCK_NAMES})\b[^>]*|br\s*/?)>", re.I)
_FLAT_CELL = re.compile(r"<(?:td|th)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")


def flat_text(text: str) -> str:
    """Text lines of a page without building a tree: blocks → lines, cells → ' | '."""
    text = _HIDDEN.sub("", text)
    text = _FLAT_CELL.sub(" | ", _FLAT_BLOCK.sub("\n", text))
    text = html.unescape(_ANY_TAG.sub("", text))
    lines = (_WS.sub(" ", line).strip().strip("|").strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def looks_truncated(text: str) -> bool:
    """A whole page (it opens <html>) that never closes it: the download was cut short."""
    head = text[:4096].lower()
    return "<html" in head and "</html" not in text[-4096:].lower()


def read_html(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    text, encoding = decode_bytes(data)
    issues: list[Issue] = []
    if looks_truncated(text):
        issues.append(Issue("html_truncated", "the page opens <html> but never closes it: it "
                            "may be cut short, and figures after the cut are missing"))
    depth = nesting_depth(text, stop_at=limits.max_html_depth)
    if depth > limits.max_html_depth:
        issues.append(Issue("html_too_deep", f"elements nest more than "
                            f"{limits.max_html_depth} levels deep; read as flat text, "
                            "without tables"))
        return Extracted("html", flat_text(text), [], {}, None, encoding, issues)
    tree = LexborHTMLParser(text)
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    meta: dict[str, str] = {}
    for m in tree.css("meta"):
        name = m.attributes.get("name") or m.attributes.get("property")
        content = m.attributes.get("content")
        if name and content:
            meta[name.strip()] = content.strip()
    title_node = tree.css_first("title")
    title = clean_cell_text(title_node.text()) if title_node else None
    tables: list[Grid] = []
    for table in tree.css("table"):
        if any(inner.mem_id != table.mem_id for inner in table.css("table")):
            continue  # a layout table wrapping content tables: its leaves are read instead
        grid = expand_table(table, len(tables) + 1)
        if grid:
            tables.append(grid)
    body = tree.body or tree.root
    lines = _text_lines(body) if body is not None else ""
    return Extracted("html", lines, tables, meta, title or None, encoding, issues)
