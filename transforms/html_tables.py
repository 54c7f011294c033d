"""HTML (often Word-exported) → text lines and expanded table grids.

Hostile pages are bounded before the tree builder sees them: nesting deeper than
``Limits.max_html_depth`` (tree builders go quadratic on 200,000 open <div>s) is
read as flat text without tables, with an Issue saying so. Entities are HTML's
own named/numeric ones only: no DTD is ever read, so nothing external is resolved.

Speed (about 7x the first version, same output): the depth guard counts '<'
before it scans any tag; valid UTF-8 goes to lexbor as the bytes it came as; the tree
is read in one walk that yields text lines, tables, rows, cells and their texts,
<meta>, <title> and the elements to drop, instead of one CSS query per kind (each
query walks the whole tree). Trees the walk cannot vouch for (no <body>, dropped
elements that hold elements, <head> inside <body>) are read query by query.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .decode import decode_bytes
from .document import Cell, Extracted, Grid, Issue
from .limits import DEFAULT_LIMITS, Limits

_BLOCK_TAGS = frozenset(
    "p div br tr li h1 h2 h3 h4 h5 h6 table section article header footer ul ol dd dt title".split()
)
_CELL_TAGS = frozenset(("td", "th"))
_SKIP_TAGS = frozenset(("script", "style", "noscript", "template", "head"))
_DROP_TAGS = ("script", "style", "noscript", "template")  # removed from the tree before reading
_WS_OTHER = "\t\r\f\v\u00a0\u3000\u2002\u2003\u200b"  # whitespace besides " "
_WS = re.compile(f"[ {_WS_OTHER}]+")
_MAX_SPAN = 200  # Word never spans more; hostile pages may claim millions
_CELL_SEP = "\x00"  # joins a table's cell texts so they are cleaned in one pass


def _ws_to_space(text: str) -> str:
    """``_WS.sub(" ", text)`` by plain string scans, several times faster than the regex.

    Every whitespace character becomes a space, then double spaces are replaced until
    none is left: each maximal run ends as one space, as with the regex.
    """
    for ch in _WS_OTHER:
        if ch in text:
            text = text.replace(ch, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def clean_cell_text(text: str) -> str:
    return _ws_to_space(text.replace("\n", "")).strip()


def _clean_cell_texts(raw: list[str]) -> list[str]:
    """``clean_cell_text`` of each, with one pass of each kind for the lot."""
    joined = _CELL_SEP.join(raw)
    if joined.count(_CELL_SEP) != len(raw) - 1:  # a cell holds the separator itself
        return [clean_cell_text(text) for text in raw]
    return [t.strip() for t in _ws_to_space(joined.replace("\n", "")).split(_CELL_SEP)]


def _span(attributes: dict[str, str | None], name: str) -> int:
    value = attributes.get(name)
    if not value:
        return 1
    raw = value.strip()
    try:
        return max(1, min(int(raw.split(".")[0] or 1), _MAX_SPAN))
    except ValueError:
        return 1


def _enclosing_table(node: LexborNode) -> LexborNode | None:
    parent = node.parent
    while parent is not None and parent.tag_id != _TABLE_ID:
        parent = parent.parent
    return parent


def _own_rows(table: LexborNode) -> list[LexborNode]:
    """<tr> elements that belong to this table, not to a nested one."""
    rows = []
    for tr in table.css("tr"):
        owner = _enclosing_table(tr)
        if owner is not None and owner.mem_id == table.mem_id:
            rows.append(tr)
    return rows


def _cell_text(td: LexborNode) -> str:
    return td.text(deep=True, separator="")


def _own_cells(tr: LexborNode) -> list[LexborNode]:
    return [td for td in tr.iter() if td.tag in _CELL_TAGS]


@dataclass
class _LeafTable:
    """A table holding no other table: its own rows, their cells and raw cell texts."""

    node: LexborNode
    rows: list[LexborNode]
    cells: list[list[LexborNode]]
    texts: list[list[str]]  # as read, before clean_cell_text


def _leaf_from_tree(table: LexborNode, rows: list[LexborNode]) -> _LeafTable:
    cells = [_own_cells(tr) for tr in rows]
    return _LeafTable(table, rows, cells, [[_cell_text(td) for td in row] for row in cells])


def expand_table(table: LexborNode, index: int) -> Grid:
    """Expand rowspan/colspan so every row has one Cell per grid column."""
    return _expand(_leaf_from_tree(table, _own_rows(table)), index)


def _spans(table: LexborNode) -> tuple[dict[int, tuple[int, int]], set[int]]:
    """(rowspan, colspan) by mem_id of each element carrying either, and their parents.

    One query over the table instead of reading every cell's attributes.
    """
    spans: dict[int, tuple[int, int]] = {}
    parents: set[int] = set()
    for el in table.css("[rowspan], [colspan]"):
        attributes = el.attributes
        spans[el.mem_id] = (_span(attributes, "rowspan"), _span(attributes, "colspan"))
        parent = el.parent
        if parent is not None:
            parents.add(parent.mem_id)
    return spans, parents


_COLUMN_NUMBERS = tuple(str(c) for c in range(1, 1025))


def _expand(table: _LeafTable, index: int) -> Grid:
    """The grid of a table: every row gets one Cell per grid column.

    A cell is placed at the first free column of its row; a later cell that spans
    over an earlier copy replaces it. Copies below the last row are dropped but
    still widen the grid. Holes are blank spanned Cells with their own ref. A row
    with no spanning cell of its own just fills the holes copies left, then goes on.
    """
    rows, cells = table.rows, table.cells
    raw = [text for row in table.texts for text in row]
    if not raw:
        return []
    clean = _clean_cell_texts(raw)
    spans, span_rows = _spans(table.node)
    # every column left of a placed cell is held by some cell's span, so the grid is
    # at most as wide as all cells side by side
    widest = len(raw) + sum(cs - 1 for _, cs in spans.values())
    numbers = (_COLUMN_NUMBERS if widest <= len(_COLUMN_NUMBERS)
               else tuple(str(c) for c in range(1, widest + 1)))
    n_rows = len(rows)
    grid: list[list[Cell | None]] = [[] for _ in range(n_rows)]
    width = 0
    k = 0
    for r, tr in enumerate(rows):
        row_cells = cells[r]
        texts = clean[k:k + len(row_cells)]
        k += len(row_cells)
        prefix = f"table {index} row {r + 1} col "
        line = grid[r]
        if tr.mem_id not in span_rows:
            n = len(line)
            if n:
                holes = [c for c, cell in enumerate(line) if cell is None]
                for c, text in zip(holes, texts, strict=False):
                    line[c] = Cell(text, prefix + numbers[c])
                texts = texts[len(holes):]
            line.extend(map(Cell, texts, map(prefix.__add__, numbers[n:n + len(texts)])))
            width = max(width, len(line))
            continue
        c = 0
        for td, text in zip(row_cells, texts, strict=True):
            n = len(line)
            while c < n and line[c] is not None:
                c += 1
            rs, cs = spans.get(td.mem_id, (1, 1))
            ref = prefix + numbers[c]
            cell = Cell(text, ref)
            if rs == 1 and cs == 1:
                if c == n:
                    line.append(cell)
                else:
                    line[c] = cell
                c += 1
                continue
            copy = Cell(text, ref, True)  # frozen: one object serves every copy
            end = c + cs
            if n < end:
                line.extend([None] * (end - n))
            line[c] = cell
            if cs > 1:
                line[c + 1:end] = [copy] * (cs - 1)
            below = [copy] * cs
            for target in grid[r + 1:r + rs]:
                if len(target) < end:
                    target.extend([None] * (end - len(target)))
                target[c:end] = below
            c = end
        width = max(width, c)
    out: Grid = []
    for r, line in enumerate(grid):
        if len(line) < width:
            line.extend([None] * (width - len(line)))
        out.append([cell if cell is not None
                    else Cell("", f"table {index} row {r + 1} col {numbers[c]}", True)
                    for c, cell in enumerate(line)])
    return out


def _lines(raw: str) -> str:
    """Raw text with block breaks → trimmed, non-empty lines (cell bars off the ends)."""
    lines = [line.strip().strip("|").strip() for line in _ws_to_space(raw).split("\n")]
    return "\n".join(filter(None, lines))


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
    return _lines("".join(parts))


# what the one-walk reading does with a node, by tag ("-text", "-comment" for those)
(_TEXT, _COMMENT, _BLOCK, _CELL, _TITLE, _TABLE, _ROW, _META, _DROP, _HEAD, _CAPTION,
 _FOREIGN) = range(12)
_ROLE_BY_TAG: dict[str, int] = {
    **dict.fromkeys(_BLOCK_TAGS, _BLOCK), **dict.fromkeys(_CELL_TAGS, _CELL),
    "title": _TITLE, "table": _TABLE, "tr": _ROW, "meta": _META,
    **dict.fromkeys(_DROP_TAGS, _DROP), "head": _HEAD, "caption": _CAPTION,
    "svg": _FOREIGN, "math": _FOREIGN,
}


def _lexbor_ids() -> tuple[int, int, dict[str, int]]:
    """lexbor's numeric tag ids: text, comment, and the id of each tag with a role.

    Reading ``tag_id`` costs a fraction of ``tag`` (no name string is built). Known
    tags have fixed ids, the same in every document and namespace; a name lexbor did
    not know would get a per-document id, so that is checked here once.
    """
    probes = [LexborHTMLParser("<p>x<!--c--></p>") for _ in range(2)]
    ids = [{tag: probe.create_node(tag).tag_id for tag in _ROLE_BY_TAG} for probe in probes]
    if ids[0] != ids[1]:
        raise RuntimeError("lexbor gives these tags per-document ids: " + ", ".join(
            tag for tag in _ROLE_BY_TAG if ids[0][tag] != ids[1][tag]))
    p = probes[0].css_first("p")
    kinds = [node.tag_id for node in p.iter(include_text=True)] if p is not None else []
    if len(kinds) != 2:
        raise RuntimeError("cannot read lexbor's text and comment ids")
    return kinds[0], kinds[1], ids[0]


_TEXT_ID, _COMMENT_ID, _ID_OF = _lexbor_ids()
_ROLE: dict[int, int] = {_TEXT_ID: _TEXT, _COMMENT_ID: _COMMENT,
                         **{_ID_OF[tag]: role for tag, role in _ROLE_BY_TAG.items()}}
_TABLE_ID = _ID_OF["table"]


@dataclass
class _Walk:
    """What one walk over the tree found, each list in document order."""

    metas: list[LexborNode] = field(default_factory=list)
    titles: list[LexborNode] = field(default_factory=list)
    tables: list[LexborNode] = field(default_factory=list)
    rows: list[LexborNode] = field(default_factory=list)
    dropped: list[LexborNode] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # body text with "\n" and " | " marks
    # every <td>/<th>: the last <tr> before it (index in ``rows``, -1: none) and where
    # its text sits in ``parts`` (from after its mark to the next cell, row, table or
    # caption mark; -1: none came)
    cells: list[LexborNode] = field(default_factory=list)
    cell_rows: list[int] = field(default_factory=list)
    row_tables: list[int] = field(default_factory=list)  # the last <table> before each <tr>
    cell_starts: list[int] = field(default_factory=list)
    cell_ends: list[int] = field(default_factory=list)
    # <svg>/<math> hold elements that may be named td, tr or caption without being
    # table parts: cell texts are then taken from the tree, one by one
    foreign: bool = False
    # a <head> inside <body> (its text must go by the parent test) or table parts
    # outside <body>: read by queries instead
    unusual: bool = False


def _collect(node: LexborNode, walk: _Walk) -> None:
    """The elements of interest outside <body> (no text is read there)."""
    for el in node.traverse():
        role = _ROLE.get(el.tag_id)
        if role is None or role in (_COMMENT, _BLOCK, _HEAD):
            continue
        if role == _META:
            walk.metas.append(el)
        elif role == _TITLE:
            walk.titles.append(el)
        elif role == _DROP:
            walk.dropped.append(el)
        else:
            walk.unusual = True


def _read_body(body: LexborNode, walk: _Walk) -> None:
    """Text parts of <body> plus its elements of interest, in one pre-order walk.

    Text inside a dropped element is not read: such an element (when it holds no
    elements, which the caller checks) has only text and comments as children, and
    they come right after it in pre-order, so only those few need a parent test.
    """
    parts = walk.parts
    append = parts.append
    role_of = _ROLE.get
    cells, cell_rows, rows = walk.cells, walk.cell_rows, walk.rows
    cell_starts, cell_ends = walk.cell_starts, walk.cell_ends
    open_cell = -1  # the cell whose text is being read, if any
    pending = 0  # mem_id of the dropped element whose children may come next
    for node in body.traverse(include_text=True):
        role = role_of(node.tag_id)
        if role is None:  # an element with no part in the reading
            pending = 0
        elif role == _TEXT:
            if pending:
                parent = node.parent
                if parent is not None and parent.mem_id == pending:
                    continue
                pending = 0
            append(node.text_content or "")
        elif role == _BLOCK:
            pending = 0
            append("\n")
        elif role == _COMMENT:
            continue
        else:
            pending = 0
            if open_cell >= 0 and role in (_CELL, _ROW, _TABLE, _CAPTION):
                cell_ends[open_cell] = len(parts)
                open_cell = -1
            if role == _CELL:
                append(" | ")
                open_cell = len(cells)
                cells.append(node)
                cell_rows.append(len(rows) - 1)
                cell_starts.append(len(parts))
                cell_ends.append(-1)
            elif role == _ROW:
                append("\n")
                rows.append(node)
                walk.row_tables.append(len(walk.tables) - 1)
            elif role == _TABLE:
                append("\n")
                walk.tables.append(node)
            elif role == _TITLE:
                append("\n")
                walk.titles.append(node)
            elif role == _META:
                walk.metas.append(node)
            elif role == _DROP:
                walk.dropped.append(node)
                pending = node.mem_id
            elif role == _FOREIGN:
                walk.foreign = True
            else:
                walk.unusual = True  # a <head> inside <body>


def _walk_tree(tree: LexborHTMLParser) -> _Walk | None:
    """One walk over <html>; None when there is no <body> under it to read."""
    root, body = tree.root, tree.body
    if root is None or body is None:
        return None
    walk = _Walk()
    body_id = body.mem_id
    seen_body = False
    for child in root.iter():
        if child.tag_id == _COMMENT_ID:
            continue
        if child.mem_id == body_id:
            seen_body = True
            _read_body(child, walk)
        else:
            _collect(child, walk)
    return walk if seen_body else None


def _has_element_child(node: LexborNode) -> bool:
    return any(child.tag_id != _COMMENT_ID for child in node.iter())


@dataclass
class _Found:
    metas: list[LexborNode]
    title: LexborNode | None
    tables: list[_LeafTable]  # in document order
    text: str


def _found_by_walk(walk: _Walk) -> _Found:
    """Leaf tables, their rows and cells from the walk: parent steps, no queries.

    With no table inside another and no <svg>/<math>, a row's table is the last
    <table> before it, a cell's row the last <tr> before it, and a cell's text what
    was read between its mark and the next cell, row, table or caption mark (only
    whitespace, which cleaning drops, can come between). Otherwise parents and texts
    are asked of the tree. The last cell of a table may be followed by anything, so
    its text always comes from the tree.
    """
    outer: set[int] = set()  # tables that hold another table: layout, not content
    for table in walk.tables:
        owner = _enclosing_table(table)
        if owner is not None:
            outer.add(owner.mem_id)
    cells, parts, starts, ends = walk.cells, walk.parts, walk.cell_starts, walk.cell_ends
    rows_of: dict[int, list[int]] = {}  # table mem_id → its rows (indices in ``rows``)
    cells_of: dict[int, list[int]] = {}  # row index → its cells (indices in ``cells``)
    if outer or walk.foreign:
        for i, tr in enumerate(walk.rows):
            owner = _enclosing_table(tr)
            if owner is not None:
                rows_of.setdefault(owner.mem_id, []).append(i)
        row_index = {tr.mem_id: i for i, tr in enumerate(walk.rows)}
        for j, td in enumerate(cells):
            parent = td.parent
            i = row_index.get(parent.mem_id, -1) if parent is not None else -1
            cells_of.setdefault(i, []).append(j)
    else:  # a row's table is the last one opened before it, a cell's row likewise
        table_ids = [table.mem_id for table in walk.tables]
        for i, t in enumerate(walk.row_tables):
            if t >= 0:
                rows_of.setdefault(table_ids[t], []).append(i)
        for j, i in enumerate(walk.cell_rows):
            cells_of.setdefault(i, []).append(j)
    leaves: list[_LeafTable] = []
    for table in walk.tables:
        if table.mem_id in outer:
            continue
        own = rows_of.get(table.mem_id, [])
        members = [cells_of.get(i, []) for i in own]
        last = max((row[-1] for row in members if row), default=-1)
        texts = [[_cell_text(cells[j]) if walk.foreign or j == last or ends[j] < 0
                  else "".join(parts[starts[j]:ends[j]]) for j in row] for row in members]
        leaves.append(_LeafTable(table, [walk.rows[i] for i in own],
                                 [[cells[j] for j in row] for row in members], texts))
    return _Found(walk.metas, walk.titles[0] if walk.titles else None, leaves,
                  _lines("".join(parts)))


def _found_by_queries(tree: LexborHTMLParser) -> _Found:
    """The same reading, one CSS query per kind (for trees the walk does not cover)."""
    leaves = []
    for table in tree.css("table"):
        if any(inner.mem_id != table.mem_id for inner in table.css("table")):
            continue  # a layout table wrapping content tables: its leaves are read instead
        leaves.append(_leaf_from_tree(table, _own_rows(table)))
    body = tree.body or tree.root
    text = _text_lines(body) if body is not None else ""
    return _Found(tree.css("meta"), tree.css_first("title"), leaves, text)


def _read_tree(tree: LexborHTMLParser) -> _Found:
    """Drop script/style/noscript/template, then read what is left."""
    walk = _walk_tree(tree)
    if walk is None:
        for node in tree.css(", ".join(_DROP_TAGS)):
            node.decompose()
        return _found_by_queries(tree)
    nested = any(_has_element_child(node) for node in walk.dropped)
    for node in walk.dropped:
        node.decompose()
    if nested or walk.unusual:
        return _found_by_queries(tree)
    return _found_by_walk(walk)


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_-]*)[^>]*(?:(?<=/)(>)|>)")
_HIDDEN = re.compile(r"<!--.*?-->|<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
# elements the parser closes by itself, or that never have content: they do not nest
_NO_DEPTH = frozenset(
    "p li dt dd tr td th thead tbody tfoot option optgroup colgroup caption rb rt rp html head "
    "body area base br col embed hr img input link meta param source track wbr".split())
# a '<' that may open an element nesting_depth counts: '<' then a name outside _NO_DEPTH
# (or a '<' that may become one once a comment or script after it is cut out)
_NO_DEPTH_NAMES = "|".join(sorted(_NO_DEPTH, key=len, reverse=True))
_MAY_NEST = re.compile(rf"<(?:<|(?!(?i:{_NO_DEPTH_NAMES})(?![A-Za-z0-9:_<-]))[A-Za-z])", re.A)
_CLOSE_CHUNK = 1 << 15


def nesting_depth(text: str, stop_at: int | None = None) -> int:
    """How deep elements nest, counting opens minus matching closes (cheap, no tree).

    Stops counting once ``stop_at`` is passed: the answer is then "too deep".
    """
    open_count: dict[str, int] = {}
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(_HIDDEN.sub("", text)):
        if self_closing:
            continue
        name = name.lower()
        if name in _NO_DEPTH:
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


def nests_deeper_than(text: str, limit: int) -> bool:
    """``nesting_depth(text) > limit``, usually without scanning tags at all.

    Every level is a '<' that is not '</' or '<!', so fewer such '<' than the limit
    settles it; closes are counted a chunk at a time from the end, only until there
    are enough. Then a count of the '<' that may open a counted element; only pages
    with more of those than the limit get the full scan.
    """
    excess = text.count("<") - limit
    if excess <= 0:
        return False
    end = len(text)
    while end > 0 and excess > 0:
        start = max(0, end - _CLOSE_CHUNK)
        # a '</' or '<!' straddling a chunk edge is missed: fewer closes, still a bound
        excess -= text.count("</", start, end) + text.count("<!", start, end)
        end = start
    if excess <= 0:
        return False
    if len(_MAY_NEST.findall(text)) <= limit:
        return False
    return nesting_depth(text, stop_at=limit) > limit


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
    """A whole page (it opens <html>) that never closes it: the download was cut short.

    Case-insensitive; the common spellings are looked for first, so ``lower()`` runs
    only when they are absent.
    """
    head = text[:4096]
    if "<html" not in head and "<HTML" not in head and "<html" not in head.lower():
        return False
    tail = text[-4096:]
    return "</html" not in tail and "</HTML" not in tail and "</html" not in tail.lower()


def read_html(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    text, encoding = decode_bytes(data)
    issues: list[Issue] = []
    if looks_truncated(text):
        issues.append(Issue("html_truncated", "the page opens <html> but never closes it: it "
                            "may be cut short, and figures after the cut are missing"))
    if nests_deeper_than(text, limits.max_html_depth):
        issues.append(Issue("html_too_deep", f"elements nest more than "
                            f"{limits.max_html_depth} levels deep; read as flat text, "
                            "without tables"))
        return Extracted("html", flat_text(text), [], {}, None, encoding, issues)
    # strictly valid UTF-8 is what lexbor would be fed anyway: skip re-encoding the text
    found = _read_tree(LexborHTMLParser(data if encoding == "utf-8" else text))
    meta: dict[str, str] = {}
    for m in found.metas:
        attributes = m.attributes
        name = attributes.get("name") or attributes.get("property")
        content = attributes.get("content")
        if name and content:
            meta[name.strip()] = content.strip()
    title = clean_cell_text(found.title.text()) if found.title is not None else None
    tables: list[Grid] = []
    for table in found.tables:
        grid = _expand(table, len(tables) + 1)
        if grid:
            tables.append(grid)
    return Extracted("html", found.text, tables, meta, title or None, encoding, issues)
