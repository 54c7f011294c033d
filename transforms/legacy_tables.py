"""Pre-2019 indicator lists (stat2014, local2008) → facts on the catalog.

The tables are one list of 指标 | 单位 | value(s). They reach us as HTML grids,
as text with one cell per line (`` |``-terminated), one row per line, cells
separated by single spaces, or cells glued together with no separator at all
("主动公开信息数条20263542"). Every shape is first cut into records
(label, printed unit, value cells); the records are then placed on the
catalog block with the rows above them as context, so a repeated label such
as （二）被依法纠错数 lands under the right parent.

Glued digit runs are split only when exactly one split satisfies the layout's
identities of strength I (本年度 ≤ 历年累计, 其中 sums); otherwise the cells
are left null with an ``ambiguous_glue`` issue. When several splits survive
and exactly one agrees best with figures stated in the prose (identity C4),
that one is taken and a ``glue_resolved_by_prose`` issue records it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .catalog.labels import norm_label
from .catalog.model import Block, Identity, Layout, Row
from .document import Extracted, Fact, Grid, Issue
from .numbers import read_number

BLOCK = "indicators"
UNITS: frozenset[str] = frozenset(
    {"条", "件", "个", "次", "人", "人次", "篇", "项", "万元", "元", "亿元", "份", "起", "场",
     "期", "家", "个次"}
)
_DASHES = frozenset({"——", "—", "-", "--", "－", "─", "/", "／", "\\"})
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
_HEADER_ANCHORS = ("指标名称", "统计指标", "指标")
_IGNORED_COLUMNS = frozenset({"代码", "序号", "行次", "栏次", "编号", "备注"})
_MAX_COMBINATIONS = 200_000
_HEADER_ENDS = ("—", "-", "－", "情况", "/")  # how a glued figureless header row ends

_PREFIX = re.compile(
    r"^\s*(?:其中\s*[:：]?\s*)?"
    r"(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]"
    r"|\d{1,2}\s*[、.．)）]|[.．、])?"
    r"\s*(?:其中\s*[:：]?\s*)?"
)
_ORDINAL = re.compile(r"^\s*(?:其中\s*[:：]?\s*)?(\d{1,2})\s*[、.．]")
_TRAILING_NOTE = re.compile(r"[（(][^（()）]*[)）]\s*$")
_YEAR_COLUMN = re.compile(r"^(?:\d{4}|[〇零一二三四五六七八九]{4})年度?$")
_PROSE_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")


def wan_factor(unit: str | None) -> float | None:
    """Factor turning an amount printed in ``unit`` into 万元 (harmonized ``fees``)."""
    if unit is None:
        return None
    return {"万元": 1.0, "元": 1e-4, "亿元": 1e4}.get(unit.strip())


# Keys are memoized per distinct label text: a document asks for the same labels again
# and again (matching, then group context). Bounded against pages of distinct labels.
_KEYS: dict[str, str] = {}
_SHORT_KEYS: dict[str, str] = {}
_KEYS_MAX = 1 << 14


def _remember(table: dict[str, str], label: str, key: str) -> str:
    if len(label) <= 128:
        if len(table) >= _KEYS_MAX:
            table.clear()
        table[label] = key
    return key


def _key(label: str) -> str:
    hit = _KEYS.get(label)
    if hit is None:
        hit = _remember(_KEYS, label, norm_label(_PREFIX.sub("", label, count=1)))
    return hit


def _short_key(label: str) -> str:
    """The key without a trailing parenthetical note such as （不包括…）."""
    hit = _SHORT_KEYS.get(label)
    if hit is None:
        hit = _remember(_SHORT_KEYS, label, _key(_TRAILING_NOTE.sub("", label.strip())))
    return hit


def _ordinal(label: str) -> int | None:
    m = _ORDINAL.match(label)
    return int(m.group(1)) if m else None


def _is_unit(text: str) -> bool:
    return text.strip() in UNITS


def _is_dash(text: str) -> bool:
    return text.strip().replace(" ", "") in _DASHES


def _is_value(text: str) -> bool:
    """A value cell: a strictly read number, a not-applicable mark, or blank."""
    return read_number(text).ok


def _is_label(text: str) -> bool:
    t = text.strip()
    return bool(t) and not _is_unit(t) and not _is_dash(t) and not _is_value(t)


# --- records -------------------------------------------------------------------------------


@dataclass
class _Cell:
    raw: str
    ref: str
    unknown: bool = False  # a glued cell no split could decide: a null fact, not a 0


@dataclass
class _Record:
    label: str
    ref: str
    unit: str | None = None  # printed unit cell ("" blank, "——" for header rows)
    cells: list[_Cell] = field(default_factory=list)
    run: str | None = None  # glued digit run, split later against the identities
    truncated: bool = False  # the text ends inside this record


_ROW_INDEX: dict[int, tuple[Block, dict[str, list[Row]]]] = {}


def _row_index(block: Block) -> dict[str, list[Row]]:
    """Label key → catalog rows of ``block``, built once per block."""
    hit = _ROW_INDEX.get(id(block))
    if hit is not None and hit[0] is block:
        return hit[1]
    index: dict[str, list[Row]] = {}
    for row in block.rows:
        for label in row.labels:
            for k in {_key(label), _short_key(label)}:
                rows = index.setdefault(k, [])
                if row not in rows:
                    rows.append(row)
    _ROW_INDEX[id(block)] = (block, index)
    return index


class _Matcher:
    """Label → catalog row, using the rows and headers above as group context."""

    def __init__(self, block: Block) -> None:
        self.index = _row_index(block)  # shared, read only
        self.context: list[str] = []

    def candidates(self, label: str) -> list[Row]:
        return self.index.get(_key(label)) or self.index.get(_short_key(label)) or []

    def match(self, label: str) -> tuple[Row | None, list[Row]]:
        """The row, or None with the candidates when the context cannot decide."""
        rows = self.candidates(label)
        if len(rows) <= 1:
            return (rows[0] if rows else None), rows
        best: Row | None = None
        best_pos = -1
        tie = False
        for row in rows:
            pos = self._last_seen(row.group) if row.group else -1
            if pos > best_pos:
                best, best_pos, tie = row, pos, False
            elif pos == best_pos:
                tie = True
        if best_pos < 0 or tie:
            return None, rows
        return best, rows

    def _last_seen(self, group: str) -> int:
        keys = {_key(group), _short_key(group)}
        for pos in range(len(self.context) - 1, -1, -1):
            if self.context[pos] in keys:
                return pos
        return -1

    def see(self, label: str, row: Row | None) -> None:
        self.context.extend([_key(label), _short_key(label)])
        if row is not None:
            self.context.extend([_key(row.label), _short_key(row.label)])


# --- headers -------------------------------------------------------------------------------


def _spaced(word: str) -> str:
    return r"[\s|]*".join(re.escape(ch) for ch in word)


def _column_patterns(block: Block) -> list[tuple[str, str]]:
    pats = [(c.code, _spaced(label)) for c in block.columns for label in c.labels]
    pats.append((block.columns[0].code, r"(?:\d[\s|]*){4}年[\s|]*(?:度)?"))
    return sorted(pats, key=lambda p: len(p[1]), reverse=True)


@dataclass
class _Header:
    start: int
    end: int
    columns: list[str]


def _find_header(text: str, block: Block) -> _Header | None:
    cols = _column_patterns(block)
    col_alt = "|".join(f"(?:{p})" for _, p in cols)
    anchor = "|".join(_spaced(a) for a in _HEADER_ANCHORS)
    header = re.compile(
        rf"(?:{anchor})[\s|]*(?:{_spaced('计量')}[\s|]*)?{_spaced('单位')}[\s|]*"
        rf"(?P<cols>(?:(?:{col_alt})[\s|]*)+)"
    )
    m = header.search(text)
    if not m:
        return None
    names: list[str] = []
    pos = 0
    body = m.group("cols")
    while pos < len(body):
        if body[pos] in " \t\r\n|\u3000":
            pos += 1
            continue
        for code, pat in cols:
            cm = re.compile(pat).match(body, pos)
            if cm and cm.end() > pos:
                names.append(code)
                pos = cm.end()
                break
        else:
            break
    return _Header(m.start(), m.end(), names)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


# --- text shapes → records -----------------------------------------------------------------


def _pipe_records(text: str, start: int) -> list[_Record]:
    """One cell per line, each ending in " |" (blank cells are kept: they read as 0)."""
    first_line = _line_of(text, start)
    cells: list[_Cell] = []
    for n, line in enumerate(text[start:].split("\n"), start=first_line):
        if "|" not in line:
            if line.strip():
                break
            continue
        pieces = line.split("|")
        if line.rstrip().endswith("|"):
            pieces = pieces[:-1]
        cells.extend(_Cell(p.strip(), f"line {n}") for p in pieces)
    records: list[_Record] = []
    for cell in cells:
        if _is_label(cell.raw):
            records.append(_Record(cell.raw, cell.ref))
        elif not records:
            continue  # stray cells between the header and the first label
        elif records[-1].unit is None:
            records[-1].unit = cell.raw
        else:
            records[-1].cells.append(cell)
    if records:
        records[-1].truncated = True
    return records


def _row_records(text: str, start: int) -> list[_Record]:
    """One row per line, cells joined by " | " (trailing blank cells may have been trimmed)."""
    records: list[_Record] = []
    first_line = _line_of(text, start)
    for n, line in enumerate(text[start:].split("\n"), start=first_line):
        if "|" not in line:
            if line.strip():
                break
            continue
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if not parts or not _is_label(parts[0]):
            continue
        rec = _Record(parts[0], f"line {n}")
        rest = parts[1:]
        if rest and (_is_unit(rest[0]) or _is_dash(rest[0]) or not _is_value(rest[0])):
            rec.unit, rest = rest[0], rest[1:]
        rec.cells = [_Cell(p, f"line {n}") for p in rest]
        records.append(rec)
    return records


def _spaced_records(text: str, start: int, matcher: _Matcher) -> list[_Record]:
    """Cells separated by whitespace: labels may be split into several words."""
    tokens = [(m.group(), m.start()) for m in re.finditer(r"\S+", text[start:])]
    records: list[_Record] = []

    def ref(offset: int) -> str:
        pos = start + offset
        return f"line {_line_of(text, pos)} char {pos - text.rfind(chr(10), 0, pos)}"

    i = 0
    while i < len(tokens):
        words: list[tuple[str, int]] = []
        while i < len(tokens) and _is_label(tokens[i][0]):
            words.append(tokens[i])
            i += 1
        if not words:
            i += 1  # a stray value with no label: nothing to place it on
            continue
        # consecutive label-only rows (section headers) run together: keep the
        # longest suffix that names a catalog row as the row, the rest as headers
        split = 0
        if not matcher.candidates("".join(w for w, _ in words)):
            for j in range(1, len(words)):
                if matcher.candidates("".join(w for w, _ in words[j:])):
                    split = j
                    break
        if split:
            records.append(_Record("".join(w for w, _ in words[:split]), ref(words[0][1])))
        rec = _Record("".join(w for w, _ in words[split:]), ref(words[split][1]))
        if i < len(tokens) and (_is_unit(tokens[i][0]) or _is_dash(tokens[i][0])):
            rec.unit = tokens[i][0]
            i += 1
        while i < len(tokens) and not _is_label(tokens[i][0]):
            rec.cells.append(_Cell(tokens[i][0], ref(tokens[i][1])))
            i += 1
        records.append(rec)
    if records:
        records[-1].truncated = True
    return records


_GLUED = re.compile(rf"(?P<label>.+?)(?P<unit>{_UNIT_ALT})(?P<run>\d+(?:\.\d+)?)", re.S)


def _glued_records(text: str, start: int) -> tuple[list[_Record], list[Issue]]:
    """Cells glued together: label + unit + one digit run holding every value column.

    A numbered label's ordinal ("2.") sticks to the previous run; it is taken
    back only when it is the next number in sequence.
    """
    records: list[_Record] = []
    issues: list[Issue] = []
    ordinals: list[int | None] = []
    body = text[start:]
    pos = 0
    while True:
        m = _GLUED.match(body, pos)
        if not m or "\n" in m.group("label"):
            break
        label = m.group("label").strip()
        abs_pos = start + m.start()
        where = f"line {_line_of(text, abs_pos)} char {abs_pos - text.rfind(chr(10), 0, abs_pos)}"
        ordinal = _ordinal(label)
        if re.match(r"^[.．、]", label) and records:
            prev = records[-1]
            expected = str((ordinals[-1] or 0) + 1)
            if prev.run is not None and prev.run.endswith(expected) and len(prev.run) > len(
                    expected):
                prev.run = prev.run[: -len(expected)]
                ordinal = int(expected)
            else:
                issues.append(Issue("ambiguous_glue", f"cannot take the ordinal {expected} of "
                                    f"{label!r} back from the run {prev.run!r}", prev.ref))
                prev.run = None
        records.append(_Record(label, where, unit=m.group("unit"), run=m.group("run")))
        ordinals.append(ordinal)
        pos = m.end()
    return records, issues


def _text_records(text: str, header: _Header, matcher: _Matcher,
                  ) -> tuple[list[_Record], list[Issue]]:
    start = header.end
    probe = text[start:start + 400]
    if "|" in probe:
        lines = [ln for ln in text[start:].split("\n")[:40] if "|" in ln]
        cells_per_line = max(
            (sum(1 for p in ln.split("|") if p.strip()) for ln in lines), default=0)
        if cells_per_line <= 1:
            return _pipe_records(text, start), []
        return _row_records(text, start), []
    if re.search(rf"[\u4e00-\u9fff](?:{_UNIT_ALT})\d", probe):
        return _glued_records(text, start)
    return _spaced_records(text, start, matcher), []


# --- grids → records -----------------------------------------------------------------------


@dataclass
class _GridMap:
    label_cols: list[int]
    unit_col: int | None
    value_cols: list[tuple[int, str]]


def _map_header(row: list[str], block: Block) -> tuple[_GridMap | None, list[str]]:
    keys = [norm_label(t) for t in row]
    if not any(k.startswith(_HEADER_ANCHORS) for k in keys):
        return None, []
    labels: list[int] = []
    unit: int | None = None
    values: list[tuple[int, str]] = []
    unknown: list[str] = []
    col_keys = {norm_label(lab): c.code for c in block.columns for lab in c.labels}
    for i, k in enumerate(keys):
        if k.startswith(_HEADER_ANCHORS):
            labels.append(i)
        elif k in ("计量单位", "单位"):
            unit = i
        elif k in col_keys:
            values.append((i, col_keys[k]))
        elif _YEAR_COLUMN.match(k):
            values.append((i, block.columns[0].code))
        elif k in _IGNORED_COLUMNS or k == "":
            continue
        else:
            unknown.append(row[i])
    # a colspan header copies its code onto every spanned column: keep the first
    firsts: dict[str, int] = {}
    for i, c in values:
        firsts.setdefault(c, i)
    values = [(i, c) for c, i in firsts.items()]
    if not values:
        return None, []
    return _GridMap(labels, unit, values), unknown


def _grid_records(grid: Grid, gmap: _GridMap, first: int) -> list[_Record]:
    records: list[_Record] = []
    for row in grid[first:]:
        label_cells = [row[i] for i in gmap.label_cols if i < len(row)]
        own = [c for c in label_cells if c.text and not c.spanned]
        parts = own or [c for c in label_cells if c.text][:1]
        label = "".join(dict.fromkeys(c.text for c in parts))
        if not label:
            continue
        rec = _Record(label, parts[0].ref)
        if gmap.unit_col is not None and gmap.unit_col < len(row):
            rec.unit = row[gmap.unit_col].text
        rec.cells = [_Cell(row[i].text, row[i].ref) for i, _ in gmap.value_cols if i < len(row)]
        records.append(rec)
    return records


# --- placing records -----------------------------------------------------------------------


@dataclass
class _Placed:
    record: _Record
    row: Row | None


def _place(records: Sequence[_Record], matcher: _Matcher) -> tuple[list[_Placed], list[Issue]]:
    placed: list[_Placed] = []
    issues: list[Issue] = []
    for rec in records:
        if rec.run is not None and not matcher.candidates(rec.label):
            # glued text runs a header row with no figure into the next label
            for cut in range(1, len(rec.label) - 1):
                if rec.label[:cut].rstrip().endswith(_HEADER_ENDS) and matcher.candidates(
                        rec.label[cut:]):
                    matcher.see(rec.label[:cut], None)
                    rec.label = rec.label[cut:]
                    break
        row, candidates = matcher.match(rec.label)
        if row is None and candidates:
            codes = ", ".join(r.code for r in candidates)
            issues.append(Issue("ambiguous_label", f"{rec.label!r} could be {codes}; the rows "
                                "above do not say which", rec.ref))
        matcher.see(rec.label, row)
        placed.append(_Placed(rec, row))
    return placed, issues


def _looks_like_indicator(rec: _Record) -> bool:
    if rec.unit is not None and _is_unit(rec.unit):
        return True
    if rec.run is not None:
        return True
    return any(c.raw.strip() and not _is_dash(c.raw) and _is_value(c.raw) for c in rec.cells)


def _emit(placed: Sequence[_Placed], columns: Sequence[str], block: Block,
          ) -> tuple[list[Fact], list[Issue]]:
    facts: list[Fact] = []
    issues: list[Issue] = []
    done: dict[str, str] = {}
    for item in placed:
        rec, row = item.record, item.row
        if row is None:
            if _looks_like_indicator(rec):
                issues.append(Issue("unmatched_label", f"indicator row {rec.label!r} is not in "
                                    f"the catalog block {block.code!r}", rec.ref))
            continue
        if row.code in done:
            issues.append(Issue("duplicate_row", f"{row.code} already read at {done[row.code]}; "
                                f"{rec.label!r} ignored", rec.ref))
            continue
        done[row.code] = rec.ref
        printed_unit = rec.unit.strip() if rec.unit and _is_unit(rec.unit) else None
        for i, col in enumerate(columns):
            if i >= len(rec.cells):
                why = "the text ends before it" if rec.truncated else "no cell for it"
                issues.append(Issue("missing_value", f"{row.code}/{col}: {why}", rec.ref))
                continue
            cell = rec.cells[i]
            if cell.unknown:
                facts.append(Fact(BLOCK, row.code, col, None, cell.raw, cell.ref,
                                  printed_unit or row.unit))
                continue
            got = read_number(cell.raw)
            if not got.ok:
                issues.append(Issue("unreadable_number", f"{row.code}/{col}: {cell.raw!r}",
                                    cell.ref))
                continue
            unit = printed_unit or got.unit or row.unit
            facts.append(Fact(BLOCK, row.code, col, got.value, cell.raw, cell.ref, unit))
        extra = rec.cells[len(columns):]
        if any(c.raw.strip() for c in extra):
            issues.append(Issue("extra_cells", f"{row.code}: cells beyond the "
                                f"{len(columns)} value columns: {[c.raw for c in extra]}",
                                rec.ref))
    return facts, issues


# --- glued runs against the identities -----------------------------------------------------


def _valid_part(part: str) -> bool:
    if not part or part.startswith(".") or part.endswith("."):
        return False
    if part.count(".") > 1:
        return False
    whole = part.split(".")[0]
    return whole == "0" or not whole.startswith("0")


def _splits(run: str, n: int) -> list[tuple[str, ...]]:
    """Every way to cut a digit run into n numbers without leading zeros."""
    out = []
    for cuts in itertools.combinations(range(1, len(run)), n - 1):
        bounds = (0, *cuts, len(run))
        parts = tuple(run[a:b] for a, b in itertools.pairwise(bounds))
        if all(_valid_part(p) for p in parts):
            out.append(parts)
    return out


def _holds(ident: Identity, get: Callable[[str], float | None]) -> bool:
    """Whether an identity holds on the terms present (absent rows are left out)."""
    lhs = [v for v in (get(c) for c in ident.lhs) if v is not None]
    rhs = [v for v in (get(c) for c in ident.rhs) if v is not None]
    if not lhs or not rhs:
        return True
    left, right = sum(lhs), sum(rhs)
    if ident.op == "eq":
        return abs(left - right) < 1e-9
    if ident.op == "ge":
        return left >= right - 1e-9
    if ident.op == "le":
        return left <= right + 1e-9
    if ident.op == "between_max_and_sum":
        return max(rhs) - 1e-9 <= left <= right + 1e-9
    return True


def _column_getter(assign: dict[str, tuple[str, ...]], ci: int,
                   ) -> Callable[[str], float | None]:
    def get(code: str) -> float | None:
        parts = assign.get(code)
        return float(parts[ci]) if parts is not None else None
    return get


def _prose_numbers(text: str) -> set[float]:
    return {float(m.group()) for m in _PROSE_NUMBER.finditer(text)}


def _resolve_glue(placed: Sequence[_Placed], columns: Sequence[str], layout: Layout,
                  prose: set[float]) -> list[Issue]:
    """Split every glued run into its value cells, or leave it null with an issue."""
    issues: list[Issue] = []
    idents = [i for i in layout.identities if i.block == BLOCK and i.strength != "C"
              and i.op != "nonneg" and i.over != "previous_year"]
    per_row = [i for i in idents if i.over == "rows"]
    per_col = [i for i in idents if i.over == "columns" or i.over.startswith("column:")]
    glued = {p.row.code: p for p in placed if p.row is not None and p.record.run is not None}
    options: dict[str, list[tuple[str, ...]]] = {}
    for code, p in glued.items():
        run = p.record.run or ""
        cands = []
        for parts in _splits(run, len(columns)):
            vals = dict(zip(columns, (float(x) for x in parts), strict=True))
            if all(_holds(i, vals.get) for i in per_row):
                cands.append(parts)
        options[code] = cands
    # rows tied together by an identity are solved together
    parent = {code: code for code in options}

    def find(c: str) -> str:
        while parent[c] != c:
            c = parent[c]
        return c

    for ident in per_col:
        present = [c for c in (*ident.lhs, *ident.rhs) if c in parent]
        for a, b in itertools.pairwise(present):
            parent[find(a)] = find(b)
    components: dict[str, list[str]] = {}
    for code in options:
        components.setdefault(find(code), []).append(code)

    for codes in components.values():
        chosen = _solve(codes, options, columns, per_col, prose, glued, issues)
        for code in codes:
            rec = glued[code].record
            parts = chosen.get(code) or ("",) * len(columns)
            rec.cells = [_Cell(x, rec.ref) if x else _Cell(rec.run or "", rec.ref, unknown=True)
                         for x in parts]
    for p in placed:
        if p.row is not None and p.record.run is None and not p.record.cells and p.record.unit:
            # the run was spoilt by an ordinal that could not be taken back
            p.record.cells = [_Cell("", p.record.ref, unknown=True) for _ in columns]
    return issues


def _solve(codes: list[str], options: dict[str, list[tuple[str, ...]]], columns: Sequence[str],
           idents: Iterable[Identity], prose: set[float], glued: dict[str, _Placed],
           issues: list[Issue]) -> dict[str, tuple[str, ...] | None]:
    """The unique assignment for one group of rows, cell by cell where they agree."""
    idents = [i for i in idents if any(c in codes for c in (*i.lhs, *i.rhs))]
    where = glued[codes[0]].record.ref
    runs = ", ".join(f"{c}={glued[c].record.run}" for c in codes)
    total = 1
    for c in codes:
        total *= max(1, len(options[c]))
    if any(not options[c] for c in codes) or total > _MAX_COMBINATIONS:
        bad = [c for c in codes if not options[c]]
        why = (f"no split of {', '.join(bad)} fits the layout" if bad
               else f"{total} combinations to try")
        issues.append(Issue("ambiguous_glue", f"glued runs {runs}: {why}; cells left null",
                            where))
        return {c: None for c in codes}
    solutions: list[dict[str, tuple[str, ...]]] = []
    for combo in itertools.product(*(options[c] for c in codes)):
        assign = dict(zip(codes, combo, strict=True))
        if all(_holds(i, _column_getter(assign, ci)) for ci, col in enumerate(columns)
               for i in idents if i.over in ("columns", f"column:{col}")):
            solutions.append(assign)
    if not solutions:
        issues.append(Issue("ambiguous_glue", f"glued runs {runs}: no split satisfies the "
                            "identities; cells left null", where))
        return {c: None for c in codes}
    if len(solutions) == 1:
        return dict(solutions[0])
    scored = sorted(((sum(float(x) in prose for c in codes for x in s[c]
                          if len({t[c] for t in solutions}) > 1), i)
                     for i, s in enumerate(solutions)), reverse=True)
    options_text = "; ".join(
        " ".join(f"{c}={'·'.join(s[c])}" for c in codes
                 if len({t[c] for t in solutions}) > 1) for s in solutions[:6])
    if scored[0][0] > 0 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        issues.append(Issue("glue_resolved_by_prose", f"glued runs {runs} split several ways "
                            f"({options_text}); the one whose figures the prose states is "
                            "taken", where))
        return dict(solutions[scored[0][1]])
    issues.append(Issue("ambiguous_glue", f"glued runs {runs} split several ways "
                        f"({options_text}); undecided cells left null", where))
    out: dict[str, tuple[str, ...] | None] = {}
    for c in codes:
        first = solutions[0][c]
        if all(s[c] == first for s in solutions):
            out[c] = first
        else:
            out[c] = tuple("" if len({s[c][i] for s in solutions}) > 1 else first[i]
                           for i in range(len(columns)))
    return out


# --- entry point ---------------------------------------------------------------------------


def read_legacy_tables(doc: Extracted, layout: Layout) -> tuple[list[Fact], list[Issue]]:
    """Read a stat2014 or local2008 indicator table from grids, or else from the text."""
    block = layout.block(BLOCK)
    issues: list[Issue] = []
    known = _Matcher(block)

    gmap: _GridMap | None = None
    grid_records: list[_Record] = []
    for grid in doc.tables:
        for r, row in enumerate(grid):
            found, unknown = _map_header([c.text for c in row], block)
            if found is not None:
                if gmap is not None and [c for _, c in found.value_cols] != [
                        c for _, c in gmap.value_cols]:
                    issues.append(Issue("extra_table", "a second indicator table with other "
                                        "columns is not read", row[0].ref))
                    break
                gmap = found
                issues.extend(Issue("unmatched_column", f"header cell {u!r} is not a column "
                                    f"of {layout.code}", row[0].ref) for u in unknown)
                grid_records.extend(_grid_records(grid, found, r + 1))
                break
        else:
            if gmap is not None and grid and len(grid[0]) > max(i for i, _ in gmap.value_cols):
                more_rows = _grid_records(grid, gmap, 0)
                if any(known.candidates(rec.label) for rec in more_rows):
                    grid_records.extend(more_rows)  # the table continues in the next grid

    if gmap is not None:
        placed, more = _place(grid_records, _Matcher(block))
        columns = [c for _, c in gmap.value_cols]
        facts, emitted = _emit(placed, columns, block)
        if facts:
            return facts, issues + more + emitted
        issues = []  # the grids held no figure: the text is read instead

    text = doc.text
    header = _find_header(text, block)
    if header is None:
        # without the 指标 · 单位 · value header the figures cannot be told from prose
        issues.append(Issue("missing_header", f"no {layout.code} table header "
                            "(指标名称/统计指标 · 单位 · value columns) found"))
        issues.append(Issue("missing_block", f"no {layout.code} indicator figure found"))
        return [], issues
    columns = header.columns
    records, more = _text_records(text, header, _Matcher(block))
    issues.extend(more)
    placed, more = _place(records, _Matcher(block))
    issues.extend(more)
    if any(p.record.run is not None for p in placed):
        prose = text[: header.start]
        issues.extend(_resolve_glue(placed, columns, layout, _prose_numbers(prose)))
    facts, emitted = _emit(placed, columns, block)
    issues.extend(emitted)
    if not facts:
        issues.append(Issue("missing_block", f"no {layout.code} indicator figure found"))
    return facts, issues
