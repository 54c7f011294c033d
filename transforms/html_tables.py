"""HTML (often Word-exported) → text lines and expanded table grids."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .decode import decode_bytes
from .document import Cell, Extracted, Grid

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


def read_html(data: bytes) -> Extracted:
    text, encoding = decode_bytes(data)
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
    return Extracted("html", lines, tables, meta, title or None, encoding)
