"""HTML (often Word-exported) → text lines and expanded table grids.

Hostile pages are bounded before the tree builder sees them: nesting deeper than
``Limits.max_html_depth`` (tree builders go quadratic on 200,000 open <div>s) is
read as flat text without tables, with an Issue saying so. Entities are HTML's
own named/numeric ones only: no DTD is ever read, so nothing external is resolved.

Speed (a quarter fewer instructions than the one-walk version, same output; the
lexbor parse itself is about a third of what is left): UTF-8 and GB18030
pages reach lexbor as UTF-8 bytes with no text made (GB18030 transcoded only where a
piece of the page is not ASCII), and the truncation and depth checks read those
bytes. The tree is read by marks (``_read_marked``): one pass over <body> turns each
node into a code character; lexbor joins all text in one call; the text lines and
the cell texts are then cut out of the codes and texts with string methods, and
the few nodes still needed come from lexbor's tag index. Trees that reading does not
cover (no <body>, dropped elements that hold elements, <head> inside <body>, a table
inside another, <svg>/<math>) are read node by node (``_found_by_walk``) or query by
query, as before. Cells come from tuple.__new__ mapped over zips, with each row's
refs and blank hole cells made once per process.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate, chain, count, repeat
from operator import attrgetter, is_

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .decode import decode_bytes, utf8_of
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


# (rowspan, colspan) of a row's cells by their index in the row; None for a row with no
# element carrying either attribute (its cells just fill the columns left free)
_RowSpans = dict[int, tuple[int, int]] | None


@dataclass
class _Table:
    """A leaf table as read: raw cell texts by row and the spans of each row."""

    texts: list[list[str]]
    spans: list[_RowSpans]


def _table_of_leaf(leaf: _LeafTable) -> _Table:
    spans, span_rows = _spans(leaf.node)
    return _Table(leaf.texts, [
        {k: spans[td.mem_id] for k, td in enumerate(cells) if td.mem_id in spans}
        if tr.mem_id in span_rows else None
        for tr, cells in zip(leaf.rows, leaf.cells, strict=True)])


def expand_table(table: LexborNode, index: int) -> Grid:
    """Expand rowspan/colspan so every row has one Cell per grid column."""
    leaf = _table_of_leaf(_leaf_from_tree(table, _own_rows(table)))
    raw = [text for row in leaf.texts for text in row]
    return _expand(_split_rows(_clean_cell_texts(raw), leaf.texts), leaf.spans, index)


def _split_rows(flat: list[str], shape: list[list[str]]) -> list[list[str]]:
    """``flat`` cut into rows as long as those of ``shape``."""
    out = []
    k = 0
    for row in shape:
        out.append(flat[k:k + len(row)])
        k += len(row)
    return out


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
# Cells by the row, made in C: tuple.__new__(Cell, (text, ref, spanned)) mapped over zips
_NEW = tuple.__new__
_CELLS, _FALSE, _TRUE, _BLANK, _NONES = (
    repeat(Cell), repeat(False), repeat(True), repeat(""), repeat(None))
# Every page has a "table 1 row 3 col 2": the refs of a row and the blank Cells of its
# holes are made once per process and kept (up to these bounds, some 10 MB at most)
_REFS_KEPT, _MAX_KEPT_TABLE, _MAX_KEPT_ROW = 32, 16, 256
_ROW_REFS: dict[tuple[int, int], tuple[tuple[str, ...], tuple[Cell, ...]]] = {}


def _row_refs(index: int, row: int, need: int) -> tuple[tuple[str, ...], tuple[Cell, ...]]:
    """The refs of a row's columns 1, 2, … (at least ``need`` of them) and their blank Cells."""
    kept = _ROW_REFS.get((index, row))
    if kept is not None and len(kept[0]) >= need:
        return kept
    n = max(need, _REFS_KEPT)
    numbers = (_COLUMN_NUMBERS if n <= len(_COLUMN_NUMBERS)
               else tuple(str(c) for c in range(1, n + 1)))
    refs = tuple(map(f"table {index} row {row} col ".__add__, numbers[:n]))
    made = refs, tuple(map(_NEW, _CELLS, zip(_BLANK, refs, _TRUE, strict=False)))
    if n == _REFS_KEPT and index <= _MAX_KEPT_TABLE and row <= _MAX_KEPT_ROW:
        _ROW_REFS[index, row] = made
    return made


def _expand(rows: list[list[str]], spans: list[_RowSpans], index: int) -> Grid:
    """The grid of a table (cell texts already cleaned): one Cell per grid column.

    A cell is placed at the first free column of its row; a later cell that spans
    over an earlier copy replaces it. Copies below the last row are dropped but
    still widen the grid. Holes are blank spanned Cells with their own ref. A row
    with no spanning cell of its own just fills the holes copies left, then goes on.
    """
    if not any(rows):
        return []
    if not any(spans):  # no spans at all: each row as it comes, padded to the widest
        width = max(map(len, rows))
        out: Grid = []
        for r, texts in enumerate(rows, 1):
            refs, blanks = _row_refs(index, r, width)
            line: list[Cell] = list(map(_NEW, _CELLS, zip(texts, refs, _FALSE, strict=False)))
            if len(line) < width:
                line += blanks[len(line):width]
            out.append(line)
        return out
    grid: list[list[Cell | None]] = [[] for _ in rows]
    width = 0
    for r, texts in enumerate(rows):
        line_: list[Cell | None] = grid[r]
        refs, _ = _row_refs(index, r + 1, len(line_) + len(texts))
        row_spans = spans[r]
        if row_spans is None:
            n = len(line_)
            if n:
                holes = [c for c, cell in enumerate(line_) if cell is None]
                for c, text in zip(holes, texts, strict=False):
                    line_[c] = _NEW(Cell, (text, refs[c], False))
                texts = texts[len(holes):]
            line_ += map(_NEW, _CELLS, zip(texts, refs[n:], _FALSE, strict=False))
            width = max(width, len(line_))
            continue
        c = 0
        for k, text in enumerate(texts):
            n = len(line_)
            while c < n and line_[c] is not None:
                c += 1
            if c >= len(refs):
                refs, _ = _row_refs(index, r + 1, c + 1)
            span = row_spans.get(k)
            if span is None or span == (1, 1):
                if c == n:
                    line_.append(_NEW(Cell, (text, refs[c], False)))
                else:
                    line_[c] = _NEW(Cell, (text, refs[c], False))
                c += 1
                continue
            rs, cs = span
            copy = _NEW(Cell, (text, refs[c], True))  # immutable: one object serves every copy
            end = c + cs
            if n < end:
                line_.extend([None] * (end - n))
            line_[c] = _NEW(Cell, (text, refs[c], False))
            if cs > 1:
                line_[c + 1:end] = [copy] * (cs - 1)
            below = [copy] * cs
            for target in grid[r + 1:r + rs]:
                if len(target) < end:
                    target.extend([None] * (end - len(target)))
                target[c:end] = below
            c = end
        width = max(width, c)
    for r, line_ in enumerate(grid, 1):
        if len(line_) < width:
            line_.extend([None] * (width - len(line_)))
        if any(map(is_, line_, _NONES)):
            _, blanks = _row_refs(index, r, width)
            grid[r - 1] = [cell if cell is not None else blanks[c] for c, cell in enumerate(line_)]
    return grid  # type: ignore[return-value]  # no None is left


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
    tables: list[_Table]  # leaf tables in document order
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
    return _Found(walk.metas, walk.titles[0] if walk.titles else None,
                  list(map(_table_of_leaf, leaves)), _lines("".join(parts)))


def _found_by_queries(tree: LexborHTMLParser) -> _Found:
    """The same reading, one CSS query per kind (for trees the walk does not cover)."""
    leaves = []
    for table in tree.css("table"):
        if any(inner.mem_id != table.mem_id for inner in table.css("table")):
            continue  # a layout table wrapping content tables: its leaves are read instead
        leaves.append(_leaf_from_tree(table, _own_rows(table)))
    body = tree.body or tree.root
    text = _text_lines(body) if body is not None else ""
    return _Found(tree.css("meta"), tree.css_first("title"), list(map(_table_of_leaf, leaves)),
                  text)


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


# The marked reading: one code byte per node of <body> (by lexbor tag id, all below
# 256 for the tags with a role), so that which elements come between two text nodes
# is read off a string instead of node by node.
_CODE_OF_ROLE = {  # the code characters, "\n" for a block as in the text; th: see below
    _TEXT: "\x01", _COMMENT: "\x00", _BLOCK: "\n", _CELL: "\x02", _ROW: "\x03",
    _TABLE: "\x04", _CAPTION: "\x05", _TITLE: "\x06", _META: "\x07", _DROP: "\x08",
    _HEAD: "\x0e", _FOREIGN: "\x0e",
}
_NOTHING_C, _TEXT_C, _CELL_C, _ROW_C, _TABLE_C, _CAPTION_C = "\x00\x01\x02\x03\x04\x05"
_TITLE_C, _META_C, _DROP_C, _ODD_C = "\x06\x07\x08\x0e"
if max(_ROLE) > 255:
    raise RuntimeError("lexbor tag ids above 255: the marked reading needs them below")
_TH_C = "\x0f"  # a <th> is a cell too; its own code tells whether the page has any
_CODES = bytes(ord(_TH_C) if i == _ID_OF["th"] else ord(_CODE_OF_ROLE[_ROLE[i]]) if i in _ROLE
               else 0 for i in range(256))
# in strings that also hold text, the structure marks are lone surrogates: lexbor's
# text is UTF-8, which cannot hold them
_CELL_MARK, _ROW_MARK, _TABLE_MARK, _CAPTION_MARK = "\ud801", "\ud802", "\ud803", "\ud804"
# text nodes are joined by NUL: the tree builder drops or replaces every NUL of the input
_TEXT_SEP = "\x00"
_MEM_ID = attrgetter("mem_id")
_DROP_QUERY = ", ".join(_DROP_TAGS)


def _positions(codes: str, code: str) -> list[int]:
    """Where ``code`` occurs in ``codes`` (few times: found by str.find, not a loop per node)."""
    out = []
    at = codes.find(code)
    while at >= 0:
        out.append(at)
        at = codes.find(code, at + 1)
    return out


def _interleave(skeleton: str, pieces: list[str]) -> str:
    """``skeleton`` with its text marks replaced by ``pieces`` in order, in one C call.

    The skeleton holds only marks, "\n" and " | ", never a '%'.
    """
    return skeleton.replace(_TEXT_C, "%s") % tuple(pieces)


def _body_codes(body: LexborNode) -> str:
    """One code character per node of ``body`` in pre-order (``_CODES`` by tag id)."""
    ids = bytes([i if (i := node.tag_id) < 256 else 0
                 for node in body.traverse(include_text=True)])
    return ids.translate(_CODES).decode("latin-1")


def _read_marked(tree: LexborHTMLParser) -> _Found | None:
    """The one-walk reading (``_found_by_walk``) with the per-node work moved to C.

    One pass over <body> gives each node's code; lexbor joins all text in one call;
    the codes and the texts are then interleaved and split with string methods. Text
    lines are the texts with "\n" and " | " marks, as in the walk; a cell's text is
    what comes between its mark and the next cell, row, table or caption mark, except
    the last cell of each table, which is asked of the tree. The few nodes needed
    (tables, cells) come from lexbor's tag index, checked against the codes. Covers
    the trees the walk covers with no table inside another and no <svg>/<math>; None
    for the others, before anything in the tree is changed.
    """
    root, body = tree.root, tree.body
    if root is None or body is None:
        return None
    parent = body.parent
    if parent is None or parent.mem_id != root.mem_id:
        return None
    body_id = body.mem_id
    before, after = _Walk(), _Walk()  # the elements of interest outside <body>
    side = before
    for child in root.iter():
        if child.mem_id == body_id:
            side = after
        elif child.tag_id != _COMMENT_ID:
            _collect(child, side)
    if before.unusual or after.unusual:
        return None
    codes = _body_codes(body)
    if _ODD_C in codes:  # <head> inside <body>, or <svg>/<math>
        return None
    has_th = _TH_C in codes
    if has_th:
        codes = codes.replace(_TH_C, _CELL_C)
    drops = _positions(codes, _DROP_C)
    inside = body.css(_DROP_QUERY) if drops else []
    if len(inside) != len(drops):
        return None
    dropped = before.dropped + inside + after.dropped
    if any(map(_has_element_child, dropped)):
        return None
    tables: list[LexborNode] = []
    cells: list[LexborNode] = []
    if _TABLE_C in codes:
        tables = tree.tags("table")
        cells = body.css("td, th") if has_th else tree.tags("td")
        if len(tables) != codes.count(_TABLE_C) or len(cells) != codes.count(_CELL_C):
            return None
        if any(_enclosing_table(table) is not None for table in tables):
            return None
    metas = before.metas + (body.css("meta") if _META_C in codes else []) + after.metas
    titles = before.titles + (body.css("title") if _TITLE_C in codes else []) + after.titles
    if drops:  # a dropped element's texts and comments come right after it: blank them
        chunks, start = [], 0
        for at, node in zip(drops, inside, strict=True):
            n_children = sum(1 for _ in node.iter(include_text=True))
            chunks.append(codes[start:at + 1])
            chunks.append(_NOTHING_C * n_children)
            start = at + 1 + n_children
        chunks.append(codes[start:])
        codes = "".join(chunks)
    for node in dropped:
        node.decompose()
    n_text = codes.count(_TEXT_C)
    pieces = body.text(separator=_TEXT_SEP).split(_TEXT_SEP) if n_text else []
    if len(pieces) != n_text:
        return None  # only the dropped elements are gone, which the other readings drop too
    skeleton = codes.replace(_NOTHING_C, "")
    for gone in (_META_C, _DROP_C):
        if gone in skeleton:
            skeleton = skeleton.replace(gone, "")
    if _TITLE_C in skeleton:
        skeleton = skeleton.replace(_TITLE_C, "\n")
    lines = (skeleton.replace(_CELL_C, " | ").replace(_ROW_C, "\n")
             .replace(_TABLE_C, "\n").replace(_CAPTION_C, ""))
    text = _lines(_interleave(lines, pieces))
    found_tables: list[_Table] = []
    if tables:
        structure = (skeleton.replace(_CELL_C, _CELL_MARK).replace(_ROW_C, _ROW_MARK)
                     .replace(_TABLE_C, _TABLE_MARK).replace(_CAPTION_C, _CAPTION_MARK))
        parts = _interleave(structure, pieces).split(_TABLE_MARK)[1:]
        k = 0  # the cells of the tables before
        for table, part in zip(tables, parts, strict=True):
            texts = [row.split(_CELL_MARK)[1:] for row in part.split(_ROW_MARK)[1:]]
            if _CAPTION_MARK in part:
                texts = [[cell.partition(_CAPTION_MARK)[0] for cell in row] for row in texts]
            n_cells = sum(map(len, texts))
            if not n_cells:
                found_tables.append(_Table(texts, [None] * len(texts)))
                continue
            own = cells[k:k + n_cells]
            k += n_cells
            # what follows the last cell may lie outside the table: ask the tree
            row = next(row for row in reversed(texts) if row)
            row[-1] = _cell_text(own[-1])
            found_tables.append(_Table(texts, _marked_spans(table, own, texts)))
    return _Found(metas, titles[0] if titles else None, found_tables, text)


def _marked_spans(table: LexborNode, cells: list[LexborNode],
                  texts: list[list[str]]) -> list[_RowSpans]:
    """The spans of each row of a leaf table; ``cells`` are its cells in document order."""
    spans: list[_RowSpans] = [None] * len(texts)
    spanning = table.css("[rowspan], [colspan]")
    if not spanning:
        return spans
    flat = dict(zip(map(_MEM_ID, cells), count()))
    starts = list(accumulate(map(len, texts), initial=0))
    for el in spanning:
        k = flat.get(el.mem_id)
        if k is None:
            continue
        r = bisect_right(starts, k) - 1  # the last row starting at or before k: the one
        # holding k (rows with no cells share their start with the next)
        attributes = el.attributes
        row_spans = spans[r]
        if row_spans is None:
            row_spans = spans[r] = {}
        row_spans[k - starts[r]] = (_span(attributes, "rowspan"), _span(attributes, "colspan"))
    return spans


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
    return _opens_html(text[:4096]) and not _closes_html(text[-4096:])


def _opens_html(head: str) -> bool:
    return "<html" in head or "<HTML" in head or "<html" in head.lower()


def _closes_html(tail: str) -> bool:
    return "</html" in tail or "</HTML" in tail or "</html" in tail.lower()


def _looks_truncated_utf8(page: bytes) -> bool:
    """``looks_truncated`` of the text these UTF-8 bytes hold, decoding at most 32 KB.

    The first 4,096 characters lie within the first 16,384 bytes and hold the first
    4,096 bytes (likewise at the end), so a spelling found among those bytes is
    found in the text; otherwise the characters are decoded and looked at.
    """
    head = page[:4096]
    if (b"<html" not in head and b"<HTML" not in head
            and not _opens_html(page[:16384].decode("utf-8", "ignore")[:4096])):
        return False
    tail = page[-4096:]
    if b"</html" in tail or b"</HTML" in tail:
        return False
    return not _closes_html(page[-16384:].decode("utf-8", "ignore")[-4096:])


def _nests_deeper_utf8(page: bytes, limit: int) -> bool:
    """``nests_deeper_than`` of the text these UTF-8 bytes hold.

    '<', '</' and '<!' are as many in the bytes as in the text (UTF-8 keeps ASCII
    as it is), and bytes are counted faster: '<' by how much shorter the page is
    without them. The text is made only for the scans that need it.
    """
    excess = len(page) - len(page.replace(b"<", b"")) - limit
    end = len(page)
    while end > 0 and excess > 0:
        start = max(0, end - _CLOSE_CHUNK)
        # a '</' straddling a chunk edge is missed: fewer closes, still a bound
        excess -= page.count(b"</", start, end)
        end = start
    if excess > 0:
        excess -= page.count(b"<!")
    if excess <= 0:
        return False
    text = page.decode("utf-8")
    if len(_MAY_NEST.findall(text)) <= limit:
        return False
    return nesting_depth(text, stop_at=limit) > limit


def read_html(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    issues: list[Issue] = []
    text: str | None = None
    as_utf8 = utf8_of(data)
    if as_utf8 is not None:  # UTF-8 or GB18030: the checks read UTF-8 bytes, no text made
        source, encoding = as_utf8
        truncated = _looks_truncated_utf8(source)
        too_deep = _nests_deeper_utf8(source, limits.max_html_depth)
    else:
        text, encoding = decode_bytes(data)
        truncated = looks_truncated(text)
        too_deep = nests_deeper_than(text, limits.max_html_depth)
    if truncated:
        issues.append(Issue("html_truncated", "the page opens <html> but never closes it: it "
                            "may be cut short, and figures after the cut are missing"))
    if too_deep:
        issues.append(Issue("html_too_deep", f"elements nest more than "
                            f"{limits.max_html_depth} levels deep; read as flat text, "
                            "without tables"))
        flat = flat_text(text if text is not None else source.decode("utf-8"))
        return Extracted("html", flat, [], {}, None, encoding, issues)
    # lexbor is fed UTF-8 bytes: as they came, transcoded, or (other pages) the text
    tree = LexborHTMLParser(source if text is None else data if encoding == "utf-8" else text)
    found = _read_marked(tree) or _read_tree(tree)
    return _extracted(found, encoding, issues)


def _extracted(found: _Found, encoding: str, issues: list[Issue]) -> Extracted:
    """The Extracted of a page read either way: <meta> names, title, expanded grids."""
    meta: dict[str, str] = {}
    for m in found.metas:
        attributes = m.attributes
        name = attributes.get("name") or attributes.get("property")
        content = attributes.get("content")
        if name and content:
            meta[name.strip()] = content.strip()
    title = clean_cell_text(found.title.text()) if found.title is not None else None
    tables: list[Grid] = []
    if found.tables:  # all cell texts of the page cleaned in one pass
        clean = _clean_cell_texts(list(chain.from_iterable(
            chain.from_iterable(table.texts for table in found.tables))))
        k = 0
        for table in found.tables:
            rows = []
            for row in table.texts:
                rows.append(clean[k:k + len(row)])
                k += len(row)
            grid = _expand(rows, table.spans, len(tables) + 1)
            if grid:
                tables.append(grid)
    return Extracted("html", found.text, tables, meta, title or None, encoding, issues)
