"""The 第二十条 tables (fmt2019 / fmt2021: 二 items, 三 applications, 四 appeals) → Facts.

Two readers share one catalog index and one sink:

* the grid reader walks table grids (HTML, DOCX, PDF). Each block is mapped by
  ITS OWN header row, by grid position: a value cell lands in the column whose
  header covers the cell's first grid column, so colspan copies (which carry
  their origin's ref) are read once even where a header and its data row merge
  different columns. Without a usable header, the distinct value cells are read
  in catalog order.
* the stream reader walks text extractions as a sequence of cells: ` | `-cut
  lines (one row per line, or one cell per line) and, where cells are glued
  together without separators, tokens cut at the catalog's own labels. After a
  row label it reads that row's cells in order; a glued digit run is split only
  when the column count and the catalog identities (A3, A4, then A1/A2 across
  rows) leave exactly one split.

Everything that cannot be placed or read becomes an Issue; nothing is guessed.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from .catalog.labels import norm_label
from .catalog.model import Block, Column, Layout, Row
from .document import Cell, Extracted, Fact, Grid, Issue
from .numbers import read_number
from .numbers import remembered as _remembered_number

# ---------------------------------------------------------------------------
# catalog index

_NUMERALS = "一二三四五六七八九十"
_CAPTION = re.compile(r"第二十条第([一二三四五六七八九十]+)项")
_CAPTION_WORD = "第二十条第"  # a key without it cannot match _CAPTION (cheap pre-check)
_ENUM = re.compile(r"^(?:[一二三四五六七八九十]+|\d+)")
_RULE_PREFIX = "本列数据的勾稽关系"
# printed section headings of every post-2019 report (report-formats.md §1)
_SECTIONS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
             "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
             "六、其他需要报告的事项")
_APP_ANCHORS = ("申请人情况", "法人或其他组织")
_APPEALS_ANCHORS = ("行政诉讼",)
_MIN_FUZZY = 4  # shortest normalized fragment matched by prefix (wrapped PDF labels)
_GLUE_BUDGET = 200_000  # search nodes per glued run before giving up as ambiguous
_CROSS_ROW_BUDGET = 20_000  # combinations of ambiguous rows checked against A1/A2


def _keys(labels: Iterable[str]) -> list[str]:
    return [k for k in (norm_label(t) for t in labels) if k]


@dataclass
class _Index:
    """Lookup tables for one layout, built once: label keys → catalog entries."""

    layout: Layout
    items: tuple[Block, ...]
    item_by_numeral: dict[str, Block]
    item_rows: dict[str, tuple[Block, Row]]
    item_col_keys: dict[str, dict[str, Column]]  # block code → key → column
    app: Block | None
    app_rows: dict[str, Row]
    app_cols: dict[str, Column]
    app_groups: set[str]
    appeals: Block | None
    appeal_groups: dict[str, Row]
    appeal_cols: dict[str, Column]
    sections: set[str]
    row_keys: dict[tuple[str, str], tuple[str, ...]]  # (block, row) → its keys
    token_re: re.Pattern[str]
    item_row_table: dict[str, Row] = field(default_factory=dict)
    item_of_row: dict[int, tuple[Block, Row]] = field(default_factory=dict)
    item_cols_all: dict[str, Column] = field(default_factory=dict)
    # memoized lookups per key: the catalog tables never change, and a document (and a
    # run) asks about the same few hundred keys again and again. Bounded by _memo.
    _app_header: dict[str, bool] = field(default_factory=dict)
    _app_row: dict[str, Row | None] = field(default_factory=dict)
    _item: dict[str, tuple[Block, Row] | None] = field(default_factory=dict)
    _col: dict[tuple[str, str], Column | None] = field(default_factory=dict)
    _row_cols: dict[tuple[str, str], list[Column]] = field(default_factory=dict)
    _row_units: dict[tuple[str, str], list[tuple[str, str | None, bool]]] = field(
        default_factory=dict)
    _row_codes: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)

    def app_header_key(self, key: str) -> bool:
        """Keys that only a table-三 header prints (其他/总计 are not enough)."""
        hit = self._app_header.get(key)
        if hit is None:
            hit = _memo(self._app_header, key, self._app_header_key(key))
        return hit

    def _app_header_key(self, key: str) -> bool:
        if key.startswith(_RULE_PREFIX) or key in _APP_ANCHORS:
            return True
        col = self.app_cols.get(key)
        return col is not None and col.code not in ("other_org", "total")

    def row_columns(self, block: Block, row: Row) -> list[Column]:
        """The columns a row has cells in (the form's absent cells left out), memoized."""
        mk = (block.code, row.code)
        hit = self._row_cols.get(mk)
        if hit is None:
            hit = self._row_cols[mk] = [c for c in block.columns
                                        if (row.code, c.code) not in block.absent]
        return hit

    def row_units(self, block: Block, row: Row) -> list[tuple[str, str | None, bool]]:
        """(code, unit, is a row total) of ``row_columns``, memoized."""
        mk = (block.code, row.code)
        hit = self._row_units.get(mk)
        if hit is None:
            totals = _row_totals(self.layout)
            hit = self._row_units[mk] = [(c.code, c.unit, (block.code, c.code) in totals)
                                         for c in self.row_columns(block, row)]
        return hit

    def row_codes(self, block: Block, row: Row) -> frozenset[str]:
        """Codes of ``row_columns``, memoized."""
        mk = (block.code, row.code)
        hit = self._row_codes.get(mk)
        if hit is None:
            hit = self._row_codes[mk] = frozenset(c.code for c in self.row_columns(block, row))
        return hit

    def app_row(self, key: str) -> Row | None:
        """The table-三 row a label key names (``_lookup`` on app_rows, memoized)."""
        if key in self._app_row:
            return self._app_row[key]
        return _memo(self._app_row, key, _lookup(key, self.app_rows, self.app_cols))

    def item(self, key: str) -> tuple[Block, Row] | None:
        """The table-二 block and row a label key names (memoized ``_lookup_item``)."""
        if key in self._item:
            return self._item[key]
        return _memo(self._item, key, _lookup_item(self, key))

    def column(self, key: str, block: str) -> Column | None:
        """``_lookup_column`` on one item block's columns ("*": all of them), memoized."""
        mk = (block, key)
        if mk in self._col:
            return self._col[mk]
        table = self.item_cols_all if block == "*" else self.item_col_keys[block]
        return _memo(self._col, mk, _lookup_column(key, table))

    def appeals_header_key(self, key: str) -> bool:
        return key in self.appeal_cols or key in self.appeal_groups or key in _APPEALS_ANCHORS

    def appeals_anchor(self, key: str) -> bool:
        """A table-四 header word that no other table prints (总计 is shared with 三)."""
        return key in self.appeal_cols and key not in self.app_cols

    def app_anchor(self, key: str) -> bool:
        """Words that open table 三 even in running text (自然人 alone occurs in prose)."""
        return key.startswith(_RULE_PREFIX) or key == "申请人情况"


_INDEX_CACHE: dict[int, tuple[Layout, _Index]] = {}
_MEMO_MAX = 1 << 14  # entries per memo table; a hostile page of distinct labels resets it

_K = TypeVar("_K")
_V = TypeVar("_V")
_T = TypeVar("_T")


_MEMO_KEY_LEN = 128  # longer keys (prose cut out of running text) are not kept


def _memo(table: dict[_K, _V], key: _K, value: _V) -> _V:
    size = len(key[-1] if isinstance(key, tuple) else key)  # type: ignore[arg-type]
    if size <= _MEMO_KEY_LEN:
        if len(table) >= _MEMO_MAX:
            table.clear()
        table[key] = value
    return value


def _index(layout: Layout) -> _Index:
    hit = _INDEX_CACHE.get(id(layout))
    if hit is not None and hit[0] is layout:
        return hit[1]
    idx = _build_index(layout)
    _INDEX_CACHE[id(layout)] = (layout, idx)
    return idx


def _build_index(layout: Layout) -> _Index:
    items = tuple(b for b in layout.blocks if b.table == "disclosure")
    by_num: dict[str, Block] = {}
    item_rows: dict[str, tuple[Block, Row]] = {}
    item_cols: dict[str, dict[str, Column]] = {}
    row_keys: dict[tuple[str, str], tuple[str, ...]] = {}
    for b in items:
        m = _CAPTION.search(norm_label(b.title))
        if m:
            by_num[m.group(1)] = b
        for r in b.rows:
            ks = _keys(r.labels)
            row_keys[(b.code, r.code)] = tuple(ks)
            for k in ks:
                item_rows.setdefault(k, (b, r))
        item_cols[b.code] = {k: c for c in b.columns for k in _keys(c.labels)}
    app = next((b for b in layout.blocks if b.table == "applications"), None)
    appeals = next((b for b in layout.blocks if b.table == "appeals"), None)
    app_cols = {k: c for c in (app.columns if app else ()) for k in _keys(c.labels)}
    app_rows: dict[str, Row] = {}
    groups: set[str] = set()
    for r in app.rows if app else ():
        ks = _keys(r.labels)
        row_keys[("applications", r.code)] = tuple(ks)
        for k in ks:
            if k not in app_cols:  # bare 其他 / 总计 are column headers, not rows
                app_rows.setdefault(k, r)
        if r.group:
            g = norm_label(r.group)
            groups.update((g, _ENUM.sub("", g)))
    groups -= set(app_rows)
    appeal_groups = {k: r for r in (appeals.rows if appeals else ()) for k in _keys(r.labels)}
    appeal_cols = {k: c for c in (appeals.columns if appeals else ()) for k in _keys(c.labels)}
    sections = set(_keys(_SECTIONS))
    sections.update(_ENUM.sub("", k) for k in list(sections))
    vocab = {*item_rows, *(k for d in item_cols.values() for k in d), *app_rows, *app_cols,
             *groups, *appeal_groups, *appeal_cols, *sections, *_keys(_APP_ANCHORS),
             *_keys(_APPEALS_ANCHORS), "信息内容",
             *(f"第二十条第{n}项" for n in _NUMERALS)}
    if app is not None:
        vocab.add(norm_label("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"))
    pattern = "|".join(re.escape(k) for k in sorted(vocab, key=len, reverse=True))
    return _Index(layout, items, by_num, item_rows, item_cols, app, app_rows, app_cols, groups,
                  appeals, appeal_groups, appeal_cols, sections, row_keys, re.compile(pattern),
                  item_row_table={k: r for k, (_, r) in item_rows.items()},
                  item_of_row={id(r): (b, r) for b, r in item_rows.values()},
                  item_cols_all={k: c for d in item_cols.values() for k, c in d.items()})


def _lookup(key: str, table: dict[str, Row], banned: Iterable[str] = ()) -> Row | None:
    """Exact key, then without its enumerator, then unique prefix (labels wrapped in PDFs)."""
    if not key:
        return None
    hit = table.get(key)
    if hit is not None:
        return hit
    stripped = _ENUM.sub("", key)
    if stripped != key and stripped not in banned:
        hit = table.get(stripped)
        if hit is not None:
            return hit
    found: set[str] = set()
    rows: dict[str, Row] = {}
    for cand in {key, stripped}:
        if len(cand) < _MIN_FUZZY:
            continue
        for k, r in table.items():
            if (k.startswith(cand) or (len(k) >= _MIN_FUZZY and cand.startswith(k))):
                found.add(r.code)
                rows[r.code] = r
    return rows[found.pop()] if len(found) == 1 else None


def _lookup_item(idx: _Index, key: str) -> tuple[Block, Row] | None:
    hit = idx.item_rows.get(key)
    if hit is not None:
        return hit
    row = _lookup(key, idx.item_row_table)
    return None if row is None else idx.item_of_row[id(row)]


def _lookup_column(key: str, table: dict[str, Column]) -> Column | None:
    hit = table.get(key)
    if hit is not None:
        return hit
    found = {c.code: c for k, c in table.items()
             if len(key) >= _MIN_FUZZY and (k.startswith(key) or key.startswith(k))}
    return next(iter(found.values())) if len(found) == 1 else None


# ---------------------------------------------------------------------------
# tokens


class _Tok:
    """One cell (or a piece cut out of a text line) with its key and whether it reads as a value."""

    __slots__ = ("col", "copy", "cut", "glued", "is_value", "key", "line", "ref", "rule", "span",
                 "text")

    def __init__(self, text: str, key: str, ref: str, line: int = 0, col: int = -1,
                 span: int = 1, copy: bool = False, glued: bool = False, cut: bool = False,
                 rule: bool = False) -> None:
        self.text = text  # as printed, stripped
        self.key = key  # norm_label(text)
        self.ref = ref
        self.line = line  # grid row or text line number (stream reader)
        self.col = col  # first grid column (grid reader), -1 when unknown
        self.span = span
        self.copy = copy  # rowspan copy from a row above: its number was printed there
        self.glued = glued  # a number cut out of text without separators: cells unknown
        self.cut = cut  # cut out of running text at a label, not a cell of its own
        self.rule = rule  # from a pipes-only line ("|||"): a row closer of a cell-per-line dump
        # blank, or a number the strict reader accepts (read_number memoizes the text)
        self.is_value = text == "" or read_number(text).ok

    @property
    def blank(self) -> bool:
        return self.text == ""


# cell text as extracted → (stripped text, its key, is_value, kind bits): a document repeats
# the same few hundred labels and numbers, and so does a run. Bounded like the other memos.
_NUMBER_CELL, _LABEL_CELL, _CAPTION_CELL = 1, 2, 4  # kind bits (_CAPTION_CELL: key may caption)
_CellInfo = tuple[str, str, bool, int]
_CELL_INFO: dict[str, _CellInfo] = {}
_CELL_INFO_MAX = 1 << 14
_CELL_INFO_LEN = 128


def _cell_info(raw: str) -> _CellInfo:
    text = raw.strip()
    key = norm_label(text)
    value = text == "" or read_number(text).ok
    kind = (0 if not text else _NUMBER_CELL if value else _LABEL_CELL) | (
        _CAPTION_CELL if _CAPTION_WORD in key else 0)
    info = (text, key, value, kind)
    if len(raw) <= _CELL_INFO_LEN:
        if len(_CELL_INFO) >= _CELL_INFO_MAX:
            _CELL_INFO.clear()
        _CELL_INFO[raw] = info
    return info


def _row_tokens(cells: Sequence[Cell], line: int) -> tuple[list[_Tok], int]:
    """Distinct cells of one grid row (colspan copies merged into their origin's span), and
    the kind bits of those cells OR-ed together.

    A copy is known by its origin's ref (HTML, DOCX) or, where the extractor gives
    each grid position its own ref (PDF), as a spanned cell repeating its left
    neighbour's text.
    """
    toks: list[_Tok] = []
    by_ref: dict[str, _Tok] = {}
    last: _Tok | None = None
    info_get = _CELL_INFO.get
    new = _Tok.__new__
    kinds = 0
    j = -1
    for cell in cells:
        j += 1
        ref = cell.ref
        prev = by_ref.get(ref)
        if prev is not None:
            if prev.col + prev.span == j:
                prev.span += 1
            continue
        raw = cell.text
        info = info_get(raw)
        if info is None:
            info = _cell_info(raw)
        text = info[0]
        spanned = cell.spanned
        if spanned and last is not None and last.col + last.span == j and last.text == text:
            last.span += 1  # a colspan copy under its own ref (PDF grids): one cell
            continue
        # _Tok.__init__ inlined: this runs for every cell of every grid
        last = by_ref[ref] = tok = new(_Tok)
        tok.text, tok.key, tok.is_value, kind = info
        tok.ref, tok.line, tok.col, tok.span, tok.copy = ref, line, j, 1, spanned
        tok.glued = tok.cut = tok.rule = False
        toks.append(tok)
        kinds |= kind
    return toks, kinds


_FOLD_CACHE: dict[str, str] = {}
_NUM_RUN = re.compile(r"[+\-−－]?\d[\d,.]*(?:万元|亿元|元)?|[/／]|—+|－+")


def _fold_char(ch: str) -> str:
    hit = _FOLD_CACHE.get(ch)
    if hit is None:
        hit = norm_label(unicodedata.normalize("NFKC", ch))
        _FOLD_CACHE[ch] = hit
    return hit


def _cut_glued(line: str, line_no: int, idx: _Index) -> list[_Tok]:
    """Cut a separator-less line at catalog labels; the gaps are values or prose."""
    folded: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(line):
        for c in _fold_char(ch):
            folded.append(c)
            origin.append(i)
    norm = "".join(folded)
    toks: list[_Tok] = []
    pos = 0  # position in the original line
    for m in idx.token_re.finditer(norm):
        start, end = origin[m.start()], origin[m.end() - 1] + 1
        toks.extend(_gap_tokens(line, pos, start, line_no))
        toks.append(_Tok(line[start:end].strip(), m.group(0),
                         f"line {line_no} chars {start + 1}-{end}", line_no, cut=True))
        pos = end
    toks.extend(_gap_tokens(line, pos, len(line), line_no))
    return toks


def _gap_tokens(line: str, a: int, b: int, line_no: int) -> list[_Tok]:
    """Numbers between two labels (each run a glued token); other text as prose."""
    toks: list[_Tok] = []
    gap = line[a:b]
    last = 0
    for m in _NUM_RUN.finditer(gap):
        prose = gap[last:m.start()]
        if norm_label(prose):
            toks.append(_Tok(prose.strip(), norm_label(prose), f"line {line_no} chars "
                             f"{a + last + 1}-{a + m.start()}", line_no, cut=True))
        s, e = a + m.start(), a + m.end()
        toks.append(_Tok(m.group(0), norm_label(m.group(0)), f"line {line_no} chars {s + 1}-{e}",
                         line_no, glued=True, cut=True))
        last = m.end()
    prose = gap[last:]
    if norm_label(prose):
        toks.append(_Tok(prose.strip(), norm_label(prose),
                         f"line {line_no} chars {a + last + 1}-{b}", line_no, cut=True))
    return toks


def _text_tokens(text: str, idx: _Index) -> list[_Tok]:
    """Every line as cells: ` | `/` |` lines split on '|', other lines cut at labels."""
    toks: list[_Tok] = []
    for no, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        if "|" in line:
            parts = line.split("|")
            if line.endswith("|"):
                parts = parts[:-1]
            # "|||" flush left closes a row; " |" (indented) is a blank cell of its own
            rule = raw.rstrip() == line and not line.strip("|")
            for k, p in enumerate(parts, 1):
                t = p.strip()
                toks.append(_Tok(t, norm_label(t), f"line {no} cell {k}", no, rule=rule))
        else:
            toks.extend(_cut_glued(line, no, idx))
    return toks


# ---------------------------------------------------------------------------
# glued digit runs


def split_glued(run: str, sizes: Sequence[int],
                checks: Sequence[Callable[[list[int]], bool] | None],
                budget: int = _GLUE_BUDGET) -> list[list[str]] | None:
    """All ways to cut a digit run into sum(sizes) cells, segment by segment.

    A cell is one or more digits without a leading zero (a blank cell leaves no
    trace in glued text, so it cannot be recovered and is assumed absent). A
    segment (one catalog row) is kept only if its check passes. Returns None when
    the search exceeds ``budget`` nodes.
    """
    n = sum(sizes)
    if not run.isdigit() or len(run) < n:
        return []
    ends = list(itertools.accumulate(sizes))
    out: list[list[str]] = []
    nodes = 0

    def walk(pos: int, parts: list[str]) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > budget:
            return False
        k = len(parts)
        if k == n:
            if pos == len(run):
                out.append(parts.copy())
            return True
        left = n - k
        for ln in range(1, len(run) - pos - (left - 1) + 1):
            piece = run[pos:pos + ln]
            if ln > 1 and piece[0] == "0":
                break
            parts.append(piece)
            seg = ends.index(k + 1) if (k + 1) in ends else -1
            ok = True
            if seg >= 0 and checks[seg] is not None:
                start = ends[seg - 1] if seg else 0
                ok = checks[seg]([int(p) for p in parts[start:]])  # type: ignore[misc]
            if ok and not walk(pos + ln, parts):
                return False
            parts.pop()
        return True

    if not walk(0, []):
        return None
    return out


def _row_check(layout: Layout, block: Block) -> Callable[[list[int]], bool] | None:
    """The block's per-row identities (A3, A4) as a check on one row's values in order."""
    codes = [c.code for c in block.columns]
    rules = [(codes.index(i.lhs[0]), [codes.index(c) for c in i.rhs])
             for i in layout.identities
             if i.block == block.code and i.over == "rows" and i.op == "eq"
             and all(c in codes for c in (*i.lhs, *i.rhs)) and len(i.lhs) == 1]
    if not rules:
        return None

    def check(vals: list[int]) -> bool:
        return all(vals[t] == sum(vals[p] for p in parts) for t, parts in rules)

    return check


# ---------------------------------------------------------------------------
# sink: rows read → facts

_fact = Fact


@dataclass
class _RowRead:
    block: Block
    row: Row
    where: str
    cells: dict[str, _Tok | None]  # column code → cell (None: row ended before it: blank)
    glued: _Tok | None = None
    candidates: list[list[str]] = field(default_factory=list)


@dataclass
class _Sink:
    idx: _Index
    rows: dict[tuple[str, str], _RowRead] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    seen_blocks: set[str] = field(default_factory=set)
    # a fact of a row-total column with raw "" was made: unfilled_totals_as_null has work
    blank_total: bool = False

    def issue(self, kind: str, message: str, where: str = "") -> None:
        self.issues.append(Issue(kind, message, where))

    def add(self, read: _RowRead) -> None:
        key = (read.block.code, read.row.code)
        self.seen_blocks.add(read.block.code)
        old = self.rows.get(key)
        if old is None:
            self.rows[key] = read
            return
        if _texts(old) != _texts(read):
            self.issue("duplicate_row", f"{read.block.code}/{read.row.code} read twice with "
                       f"different cells; the first one is kept", read.where)

    def facts(self) -> list[Fact]:
        self._resolve_glue()
        out: list[Fact] = []
        layout = self.idx.layout
        for block in layout.blocks:
            if block.table not in ("disclosure", "applications", "appeals"):
                continue
            if block.code not in self.seen_blocks:
                self.issue("missing_block", f"{block.code} ({block.title}) not found")
                continue
            for row in block.rows:
                read = self.rows.get((block.code, row.code))
                if read is None:
                    self.issue("missing_row", f"{block.code}/{row.code} ({row.label}) not found")
                    continue
                out.extend(self._row_facts(read))
        return out

    def _row_facts(self, read: _RowRead) -> list[Fact]:
        b, r = read.block, read.row
        cols = self.idx.row_columns(b, r)
        if read.glued is not None:
            g = read.glued
            if len(read.candidates) != 1:
                self.issue("ambiguous_glue", f"{b.code}/{r.code}: digits {g.text!r} can be cut "
                           f"into {len(cols)} cells in {_count(read.candidates)} ways", g.ref)
                return [_fact(b.code, r.code, c.code, None, g.text, g.ref, c.unit) for c in cols]
            return [_fact(b.code, r.code, c.code, float(v), v, g.ref, c.unit)
                    for c, v in zip(cols, read.candidates[0], strict=True)]
        out: list[Fact] = []
        bc, rc, where = b.code, r.code, read.where
        cells_get = read.cells.get
        number = _remembered_number
        for code, unit, total in self.idx.row_units(b, r):
            tok = cells_get(code)
            if tok is None:
                self.blank_total = self.blank_total or total
                out.append(_fact(bc, rc, code, 0.0, "", f"{where} (blank)", unit))
                continue
            text = tok.text
            if tok is _MISSING:
                self.blank_total = self.blank_total or total
                out.append(_fact(bc, rc, code, None, "", where, unit))
                continue
            if tok.copy and text:
                self.issue("spanned_value", f"{bc}/{rc}/{code}: {text!r} is a "
                           "merged cell printed on another row", tok.ref)
                out.append(_fact(bc, rc, code, None, text, tok.ref, unit))
                continue
            cv = number(text) or read_number(text)
            if not cv.ok:
                self.issue("unreadable_number", f"{bc}/{rc}/{code}: {text!r}", tok.ref)
                out.append(_fact(bc, rc, code, None, text, tok.ref, unit))
                continue
            if total and not text:
                self.blank_total = True
            out.append(_fact(bc, rc, code, cv.value, text, tok.ref, cv.unit or unit))
        return out

    def _resolve_glue(self) -> None:
        """Ambiguous glued rows of table 三: keep the one combination A1/A2 accept."""
        app = self.idx.app
        if app is None:
            return
        reads = [self.rows.get(("applications", r.code)) for r in app.rows]
        open_ = [x for x in reads if x is not None and x.glued is not None
                 and len(x.candidates) > 1]
        if not open_ or any(x is None for x in reads):
            return
        fixed: dict[str, list[float]] = {}
        for x in reads:
            assert x is not None
            if x.glued is None:
                vals = [read_number(t.text).value if t is not None else 0.0
                        for t in (x.cells.get(c.code) for c in app.columns)]
                if any(v is None for v in vals):
                    return
                fixed[x.row.code] = [float(v) for v in vals if v is not None]
            elif len(x.candidates) == 1:
                fixed[x.row.code] = [float(v) for v in x.candidates[0]]
            elif x not in open_:
                return
        if len([x for x in reads if x is not None and x.glued and not x.candidates]):
            return
        rules = [i for i in self.idx.layout.identities
                 if i.block == "applications" and i.over == "columns" and i.op == "eq"]
        total = 1
        for x in open_:
            total *= len(x.candidates)
        if not rules or total > _CROSS_ROW_BUDGET:
            return
        survivors = []
        for combo in itertools.product(*(x.candidates for x in open_)):
            values = dict(fixed)
            for x, cand in zip(open_, combo, strict=True):
                values[x.row.code] = [float(v) for v in cand]
            if all(_column_rule_holds(values, i.lhs, i.rhs, len(app.columns)) for i in rules):
                survivors.append(combo)
        if len(survivors) == 1:
            for x, cand in zip(open_, survivors[0], strict=True):
                x.candidates = [cand]


def _column_rule_holds(values: dict[str, list[float]], lhs: Sequence[str], rhs: Sequence[str],
                       n: int) -> bool:
    return all(abs(sum(values[r][c] for r in lhs) - sum(values[r][c] for r in rhs)) < 1e-9
               for c in range(n))


def _count(cands: list[list[str]]) -> str:
    return "more than a few" if not cands else str(len(cands))


def _texts(read: _RowRead) -> tuple[str, ...]:
    if read.glued is not None:
        return (read.glued.text,)
    return tuple("" if t is None else t.text for t in read.cells.values())


def _place_in_order(sink: _Sink, block: Block, row: Row, where: str, values: list[_Tok],
                    layout: Layout) -> None:
    """Cells in printed order → catalog columns; one glued run is cut by the identities."""
    cols = [c for c in block.columns if (row.code, c.code) not in block.absent]
    n = len(cols)
    if len(values) == 1 and n > 1 and values[0].glued and values[0].text.isdigit():
        g = values[0]
        if len(g.text) == n:
            cands: list[list[str]] | None = [list(g.text)]
        else:
            cands = split_glued(g.text, [n], [_row_check(layout, block)])
        sink.add(_RowRead(block, row, where, {}, g, cands or []))
        return
    cells: dict[str, _Tok | None] = {c.code: None for c in cols}
    for c, tok in zip(cols, values, strict=False):
        cells[c.code] = tok
    extra = [t for t in values[n:] if not t.blank]
    if extra:
        sink.issue("extra_cells", f"{block.code}/{row.code}: {len(extra)} more cells than the "
                   f"form's {n}: {', '.join(t.text for t in extra[:5])}", extra[0].ref)
    sink.add(_RowRead(block, row, where, cells))


# ---------------------------------------------------------------------------
# grid reader


@dataclass
class _GridReader:
    idx: _Index
    sink: _Sink
    ctx: str | None = None  # items | applications | appeals
    header: list[list[_Tok]] = field(default_factory=list)
    header_width: int = 0
    last_was_header: bool = False
    caption: Block | None = None
    app_map: dict[int, str] | None = None
    appeal_map: dict[int, tuple[str, str]] | None = None
    # the header row _item_colmap last mapped (held, so identity is safe), block code → map
    _colmaps: tuple[list[_Tok], dict[str, dict[int, str] | None]] | None = None

    def run(self, tables: Sequence[Grid]) -> None:
        line = 0
        for grid in tables:
            width = max((len(r) for r in grid), default=0)
            if width != self.header_width:
                self.header, self.app_map, self.appeal_map = [], None, None
            for cells in grid:
                line += 1
                toks, kinds = _row_tokens(cells, line)
                if kinds:  # a cell that is not blank
                    self.row(toks, width, kinds)
                elif toks and self.ctx == "appeals" and self.last_was_header:
                    self.last_was_header = False
                    self.read_appeals(toks)  # table 四 left entirely blank
                    self.ctx = None

    def set_header(self, ctx: str, toks: list[_Tok], width: int) -> None:
        if self.ctx != ctx or not self.last_was_header:
            self.header = []
        self.header.append(toks)
        self.header_width = width
        self.ctx, self.last_was_header = ctx, True
        self.app_map = self.appeal_map = None

    def row(self, toks: list[_Tok], width: int, kinds: int) -> None:
        """One grid row with a cell that is not blank; ``kinds``: its cells' kind bits."""
        idx = self.idx
        for t in toks if kinds & _CAPTION_CELL else ():
            m = _CAPTION.search(t.key) if _CAPTION_WORD in t.key else None
            if m and len(t.key) <= len(m.group(0)) + 2:
                self.ctx, self.header, self.last_was_header = "items", [], False
                self.caption = idx.item_by_numeral.get(m.group(1))
                if self.caption is None:
                    self.sink.issue("unmatched_label", f"{t.text!r}: not a block of "
                                    f"{idx.layout.code}", t.ref)
                return
        if toks[0].key.startswith("信息内容"):
            self.ctx, self.last_was_header = "items", False
            self.set_header("items", toks, width)
            return
        has_number = kinds & _NUMBER_CELL
        if not has_number and any(idx.app_header_key(t.key) for t in toks):
            self.set_header("applications", toks, width)
            return
        if not has_number and any(idx.appeals_anchor(t.key) or t.key in idx.appeal_groups
                                  or t.key in _APPEALS_ANCHORS for t in toks):
            self.set_header("appeals", toks, width)
            return
        was_header, self.last_was_header = self.last_was_header, False
        if self.ctx == "appeals":
            if was_header:
                self.read_appeals(toks)
                self.ctx = None
            return
        if self.ctx == "applications" or (self.ctx is None and self._app_row(toks)):
            self.ctx = self.ctx or "applications"
            self.read_application(toks)
            return
        self.read_item(toks)

    # -- table 二

    def read_item(self, toks: list[_Tok]) -> None:
        idx = self.idx
        header = self.header[0] if (self.ctx == "items" and self.header) else None
        label_end = (header[0].col + header[0].span) if header else -1
        labels, values = _split_labels(toks, label_end)
        hit = _rightmost(labels, idx.item)
        if hit is None:
            if self.ctx == "items" and labels:
                self.sink.issue("unmatched_label", f"row {labels[-1].text!r} is no row of table "
                                "二", labels[-1].ref)
            return
        block, row = hit
        if self.caption is not None and self.caption.code != block.code:
            self.sink.issue("block_mismatch", f"row {row.label} under caption "
                            f"{self.caption.title}", labels[-1].ref)
        colmap = self._item_colmap(header, block) if header else None
        if colmap is not None:
            self._place_by_position(block, row, labels[-1].ref, values, colmap, True)
        else:
            _place_in_order(self.sink, block, row, labels[-1].ref, values, idx.layout)

    def _item_colmap(self, header: list[_Tok], block: Block) -> dict[int, str] | None:
        """Grid column → column code of ``block`` under this header row (memoized per header)."""
        cached = self._colmaps
        if cached is None or cached[0] is not header:
            cached = self._colmaps = (header, {})
        if block.code not in cached[1]:
            cached[1][block.code] = self._make_item_colmap(header, block)
        return cached[1][block.code]

    def _make_item_colmap(self, header: list[_Tok], block: Block) -> dict[int, str] | None:
        out: dict[int, str] = {}
        for t in header[1:]:
            col = self.idx.column(t.key, block.code)
            if col is None:
                if not t.blank:
                    return None
                continue
            for j in range(t.col, t.col + t.span):
                out[j] = col.code
        return out if set(out.values()) == {c.code for c in block.columns} else None

    # -- table 三

    def _app_row(self, toks: list[_Tok]) -> bool:
        labels, values = _split_labels(toks, -1)
        return bool(values) and any(
            self.idx.app_row(t.key) for t in labels)

    def read_application(self, toks: list[_Tok]) -> None:
        idx = self.idx
        app = idx.app
        if app is None:
            return
        if self.app_map is None and self.header:
            self.app_map = _header_map(self.header, lambda k: (
                idx.app_cols[k].code if k in idx.app_cols else None))
            if set(self.app_map.values()) != {c.code for c in app.columns}:
                self.app_map = {}
        colmap = self.app_map or None
        label_end = min(colmap) if colmap else -1
        labels, values = _split_labels(toks, label_end)
        row = _rightmost(labels, idx.app_row)
        if row is None:
            if labels and not self._label_fragment(labels, values):
                self.sink.issue("unmatched_label", f"row {labels[-1].text!r} is no row of "
                                "table 三", labels[-1].ref)
            return
        where = labels[-1].ref
        if colmap:
            self._place_by_position(app, row, where, values, colmap, True)
        else:
            _place_in_order(self.sink, app, row, where, values, idx.layout)

    def _label_fragment(self, labels: list[_Tok], values: list[_Tok]) -> bool:
        """A wrapped piece of a label (PDF) or a group label: no values, part of a known label."""
        if any(not v.blank for v in values):
            return False
        keys = [t.key for t in labels]
        return all(k in self.idx.app_groups or any(k in full for full in
                   (*self.idx.app_rows, *self.idx.app_groups)) for k in keys)

    # -- table 四

    def read_appeals(self, toks: list[_Tok]) -> None:
        idx = self.idx
        appeals = idx.appeals
        if appeals is None:
            return
        if self.appeal_map is None:
            groups = _header_map(self.header, lambda k: (
                idx.appeal_groups[k].code if k in idx.appeal_groups else None))
            cols = _header_map(self.header, lambda k: (
                idx.appeal_cols[k].code if k in idx.appeal_cols else None))
            both = {j: (groups[j], cols[j]) for j in cols if j in groups}
            want = {(r.code, c.code) for r in appeals.rows for c in appeals.columns}
            self.appeal_map = both if set(both.values()) == want else {}
        values = [t for t in toks if t.is_value]
        if len(values) != len(toks):
            bad = next(t for t in toks if not t.is_value)
            self.sink.issue("unreadable_number", f"table 四 data row holds {bad.text!r}", bad.ref)
        if self.appeal_map:
            self._report_unplaced(values, self.appeal_map)
            by_group: dict[str, dict[int, str]] = {}
            for j, (g, c) in self.appeal_map.items():
                by_group.setdefault(g, {})[j] = c
            for r in appeals.rows:
                self._place_by_position(appeals, r, toks[0].ref, values, by_group[r.code])
        else:
            _place_appeals_in_order(self.sink, appeals, toks, idx.layout)

    # -- shared

    def _report_unplaced(self, values: list[_Tok], colmap: Mapping[int, object]) -> None:
        for t in values:
            if t.col not in colmap and not t.blank:
                self.sink.issue("unplaced_cell", f"{t.text!r} sits under no column header",
                                t.ref)

    def _place_by_position(self, block: Block, row: Row, where: str, values: list[_Tok],
                           colmap: dict[int, str], report_unplaced: bool = False) -> None:
        """Each distinct cell goes to the column whose header covers its first grid column.

        ``report_unplaced``: first report the filled cells under no header at all
        (``_report_unplaced``, done in the same pass).
        """
        cells: dict[str, _Tok | None] = {}
        unplaced: list[_Tok] = []
        ambiguous: list[tuple[str, _Tok, _Tok]] = []
        colmap_get = colmap.get
        for t in values:
            code = colmap_get(t.col)
            if code is None:
                if report_unplaced and t.text:
                    unplaced.append(t)
                continue  # another group's cell (table 四) or one reported as unplaced
            prev = cells.get(code)
            if prev is None or not prev.text:
                cells[code] = t
            elif t.text:
                ambiguous.append((code, prev, t))
        sink = self.sink
        for t in unplaced:
            sink.issue("unplaced_cell", f"{t.text!r} sits under no column header", t.ref)
        for code, prev, t in ambiguous:
            sink.issue("ambiguous_cell", f"{block.code}/{row.code}/{code}: two cells "
                       f"{prev.text!r} and {t.text!r} under one header", t.ref)
        if not cells.keys() >= self.idx.row_codes(block, row):
            missing: dict[str, _Tok | None] = {}
            for c in block.columns:
                if c.code not in cells and (row.code, c.code) not in block.absent:
                    sink.issue("missing_cell", f"{block.code}/{row.code}/{c.code}: no cell "
                               "starts under its header", where)
                    missing[c.code] = _MISSING
            missing.update(cells)
            cells = missing
        sink.add(_RowRead(block, row, where, cells))


_MISSING = _Tok("", "", "")  # no cell under a header: a null fact (the issue is recorded)


def _rightmost(labels: list[_Tok], lookup: Callable[[str], _T | None]) -> _T | None:
    """The most specific label cell that matches: rowspan groups stand to the left."""
    for t in reversed(labels):
        hit = lookup(t.key)
        if hit:
            return hit
    return None


def _header_map(header: list[list[_Tok]], code_of: Callable[[str], str | None]) -> dict[int, str]:
    """Grid column → code, the lowest header row that names one winning (rowspan-safe)."""
    out: dict[int, str] = {}
    for hrow in reversed(header):
        for t in hrow:
            code = code_of(t.key)
            if code is None:
                continue
            for j in range(t.col, t.col + t.span):
                out.setdefault(j, code)
    return out


def _split_labels(toks: list[_Tok], label_end: int) -> tuple[list[_Tok], list[_Tok]]:
    """Label cells then value cells: by grid position when known, else leading non-values."""
    if label_end >= 0:
        return [t for t in toks if t.col < label_end], [t for t in toks if t.col >= label_end]
    k = 0
    while k < len(toks) and not toks[k].is_value:
        k += 1
    return toks[:k], toks[k:]


def _place_appeals_in_order(sink: _Sink, appeals: Block, values: list[_Tok],
                            layout: Layout) -> None:
    """15 cells (3 groups × 5) in printed order; one glued run is cut group by group (A4)."""
    rows, cols = appeals.rows, appeals.columns
    n = len(rows) * len(cols)
    where = values[0].ref if values else ""
    if len(values) == 1 and values[0].glued and values[0].text.isdigit() and n > 1:
        g = values[0]
        check = _row_check(layout, appeals)
        cands = ([list(g.text)] if len(g.text) == n else
                 split_glued(g.text, [len(cols)] * len(rows), [check] * len(rows)))
        for i, r in enumerate(rows):
            per_row = sorted({tuple(c[i * len(cols):(i + 1) * len(cols)]) for c in cands or []})
            unique = [list(per_row[0])] if len(per_row) == 1 else [list(p) for p in per_row]
            sink.add(_RowRead(appeals, r, where, {}, g, unique))
        return
    for i, r in enumerate(rows):
        _place_in_order(sink, appeals, r, where, values[i * len(cols):(i + 1) * len(cols)], layout)
    extra = [t for t in values[n:] if not t.blank]
    if extra:
        sink.issue("extra_cells", f"table 四: {len(extra)} cells beyond its {n}", extra[0].ref)


# ---------------------------------------------------------------------------
# stream reader


def _read_stream(toks: list[_Tok], idx: _Index, sink: _Sink) -> None:
    """Label-anchored reading of a cell stream: a row label, then that row's cells in order."""
    ctx: str | None = None
    appeals_armed = False
    header_lines: set[int] = set()
    i = 0
    n = len(toks)
    while i < n:
        t = toks[i]
        k = t.key
        m = _CAPTION.search(k) if _CAPTION_WORD in k else None
        if m and len(k) <= len(m.group(0)) + 2 and (not t.cut or _next_key(toks, i).startswith(
                "信息内容")):
            ctx = "items"
            if m.group(1) not in idx.item_by_numeral:
                sink.issue("unmatched_label", f"{t.text!r}: not a block of {idx.layout.code}",
                           t.ref)
            i += 1
            continue
        if k in idx.sections:
            ctx, appeals_armed = None, False
            i += 1
            continue
        if k.startswith("信息内容") and (not t.cut or idx.column(
                _next_key(toks, i), "*") is not None):
            ctx = "items"
            i += 1
            continue
        if ctx != "appeals" and (idx.app_anchor(k) or (
                not t.cut and idx.app_header_key(k) and ctx in (None, "applications"))):
            ctx = "applications"
            i += 1
            continue
        if ctx == "applications" and (k in idx.app_cols or k in _APP_ANCHORS):
            i += 1  # header words of table 三 (其他, 总计 included)
            continue
        if (idx.appeals_anchor(k) and (not t.cut or idx.appeals_header_key(_next_key(toks, i)))) \
                or (ctx == "appeals" and idx.appeals_header_key(k)):
            ctx, appeals_armed = "appeals", True
            header_lines.add(t.line)
            i += 1
            continue
        if idx.appeals_header_key(k) and ctx != "appeals":
            header_lines.add(t.line)  # 行政复议 / 行政诉讼 before 结果维持
            i += 1
            continue
        if ctx == "appeals" and appeals_armed:
            if t.is_value:
                limit = len(idx.appeals.rows) * len(idx.appeals.columns) if idx.appeals else 0
                start = _appeals_start(toks, i, header_lines, limit)
                if start is None:
                    i += 1
                    continue
                j = start
                while j < n and toks[j].is_value and j - start < limit:
                    j += 1
                if idx.appeals is not None:
                    _place_appeals_in_order(sink, idx.appeals, toks[start:j], idx.layout)
                ctx, appeals_armed = None, False
                i = j
                continue
            i += 1
            continue
        block: Block | None = None
        row: Row | None = None
        if ctx == "items":
            hit = idx.item(k) if not t.is_value else None
            if hit:
                block, row = hit
        elif ctx == "applications" and not t.is_value:
            row = idx.app_row(k)
            block = idx.app if row else None
        if block is not None and row is not None:
            j = i + 1
            full = idx.row_keys.get((block.code, row.code), ())
            while j < n and not toks[j].is_value and toks[j].key and any(
                    toks[j].key in f for f in full) and toks[j].key not in idx.app_groups:
                j += 1  # the rest of a wrapped label
            start = j
            ncols = len(block.columns)
            while j < n and toks[j].is_value and (j - start) < max(ncols, 1):
                j += 1
            vals = toks[start:j]
            if vals:
                _place_in_order(sink, block, row, t.ref, vals, idx.layout)
            i = j
            continue
        if ctx in ("items", "applications") and not t.is_value and t.key \
                and t.key not in idx.app_groups and t.key not in idx.app_cols \
                and idx.column(t.key, "*") is None:
            sink.issue("unmatched_label", f"{t.text[:40]!r} inside table "
                       f"{'二' if ctx == 'items' else '三'}", t.ref)
            ctx = None if len(t.key) > 40 else ctx  # prose: the table is over
        i += 1


def _next_key(toks: list[_Tok], i: int) -> str:
    for t in toks[i + 1:i + 4]:
        if t.key:
            return t.key
    return ""


def _appeals_start(toks: list[_Tok], i: int, header_lines: set[int],
                   width: int) -> int | None:
    """First cell of table 四's data, skipping header padding and row closers.

    A blank cell starts the data when it is a cell of its own (one cell per
    line), when its line also holds a number, or when its line holds all
    ``width`` cells of a data row printed blank and no number follows in the run.
    """
    j = i
    n = len(toks)
    end = i
    while end < n and toks[end].is_value:
        end += 1
    any_number = any(not t.blank for t in toks[i:end])
    while j < end:
        t = toks[j]
        if not t.blank:
            # back up to the first value cell on this line
            s = j
            while s > i and toks[s - 1].line == t.line and toks[s - 1].is_value:
                s -= 1
            return s
        if t.line in header_lines or t.rule:
            j += 1
            continue
        on_line = [x for x in toks[max(i, j - width):min(end, j + width + 1)]
                   if x.line == t.line and not x.rule]
        if len(on_line) == 1:
            return j  # a blank cell on a line of its own
        if any(not x.blank for x in on_line):
            return j
        if not any_number and len(on_line) >= width:
            return j  # a whole data row printed blank
        j += 1
    return None


# ---------------------------------------------------------------------------
# entry point


def read_national_tables(doc: Extracted, layout: Layout) -> tuple[list[Fact], list[Issue]]:
    """Facts of the 第二十条 tables of ``layout`` read from any extraction.

    Grids are read first (format other than "text"); when they place nothing,
    or the document is a text dump, the text is read as a cell stream.
    """
    idx = _index(layout)
    sink = _Sink(idx)
    if doc.format != "text" and doc.tables:
        _GridReader(idx, sink).run(doc.tables)
    if not sink.rows:
        sink = _Sink(idx)
        _read_stream(_text_tokens(doc.text, idx), idx, sink)
    facts = sink.facts()
    if sink.blank_total:
        facts = unfilled_totals_as_null(facts, layout)
    return facts, sink.issues


_TOTALS_CACHE: dict[int, tuple[Layout, frozenset[tuple[str, str]]]] = {}


def _row_totals(layout: Layout) -> frozenset[tuple[str, str]]:
    hit = _TOTALS_CACHE.get(id(layout))
    if hit is not None and hit[0] is layout:
        return hit[1]
    totals = frozenset((b.code, c.code) for b in layout.blocks for c in b.columns if c.row_total)
    _TOTALS_CACHE[id(layout)] = (layout, totals)
    return totals


def unfilled_totals_as_null(facts: list[Fact], layout: Layout) -> list[Fact]:
    """A blank row total beside filled cells was left unfilled, not stated as 0 (Shanghai 2019)."""
    totals = _row_totals(layout)
    if not totals or not any(f.raw == "" and (f.block, f.col_code) in totals for f in facts):
        return facts  # no blank row total: nothing to turn into null
    filled_rows = {(f.block, f.row_code) for f in facts
                   if (f.block, f.col_code) not in totals and f.raw.strip() and f.value}
    return [f._replace(value=None) if (f.block, f.col_code) in totals and f.raw == ""
            and (f.block, f.row_code) in filled_rows else f for f in facts]
