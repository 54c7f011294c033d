"""Which layout a document uses, decided by the labels it prints (report-formats.md §1).

The anchors are the catalog's (``Layout.anchors``): a body may use an old
form late, so the year only breaks ties and covers documents whose tables are
missing or unlabelled.
"""

from __future__ import annotations

from collections.abc import Callable

from .catalog import LAYOUTS
from .catalog.labels import norm_label
from .document import Extracted
from .fold_search import FoldedFinder, finder
from .metadata import read_report_year
from .nfkc import nfkc_plain, note_plain
from .numbers import is_number_like

NOT_A_REPORT = "not_a_report"
NARRATIVE = "narrative"

# An annual OGI report says so, and talks about at least two of its standard subjects.
_REPORT_WORDS = ("年度报告", "年报", "工作报告", "公开报告")
_SUBJECTS = ("主动公开", "依申请", "政府信息公开申请", "行政复议", "行政诉讼", "总体情况", "概述")


_NEWLINES_DROPPED = norm_label("a\nb") == "ab"


def _joined(doc: Extracted) -> str:
    """All text of the document, tables included (the cells one per line)."""
    cells = "\n".join([t for grid in doc.tables for row in grid for t, _, spanned in row
                       if not spanned])
    return doc.text + "\n" + cells


def _fold(text: str) -> str:
    folded = nfkc_plain(text)
    if folded is None or not _NEWLINES_DROPPED:
        return norm_label(text)
    # NFKC is per character here, so norm_label's own NFKC finds nothing left to do, and
    # the newlines it drops (one per line and cell) can go first, more cheaply
    return norm_label(folded.replace("\n", ""))


def _searchable(doc: Extracted) -> str:
    """All text of the document, tables included, folded by norm_label once."""
    return _fold(_joined(doc))


def _key_test(doc: Extracted, known: frozenset[str] = frozenset()) -> Callable[[str], bool]:
    """``k in _searchable(doc)`` for the keys classify asks about, folding only if it must.

    The keys are searched for in the raw text by fold_search's patterns, whose
    answers are those of the folded text (proved there); text they cannot answer
    for (characters outside the per-character NFKC path) is folded. ``known`` keys
    were already found in a part of the text.
    """
    text = _joined(doc)
    found = _finder()
    if found is None or found.unsafe.search(text) is not None:
        return _fold(text).__contains__
    contains = found.contains
    return lambda k: k in known or contains(text, k)


def _finder() -> FoldedFinder | None:
    keys = (*{k: None for _, pairs in _anchor_keys() for _, k in pairs}, *_REPORT_KEYS)
    return finder(keys)


def _decided_by_text(doc: Extracted) -> tuple[str | None, frozenset[str]]:
    """The layout when the anchors in the text alone decide it, and the anchor keys found there.

    The folded text is a prefix of the folded whole (text, newline, cells), so what it
    holds the whole holds; a layout whose anchors found here outnumber all the anchors
    of every other layout is the only one with the most hits whatever the cells hold.
    """
    found = _finder()
    text = doc.text
    if found is None or found.unsafe.search(text) is not None:
        return None, frozenset()
    note_plain(text)  # what unsafe does not find is on the per-character path: prose folds it
    contains = found.contains
    keys = _anchor_keys()
    known = frozenset(k for _, pairs in keys for _, k in pairs if contains(text, k))
    for code, pairs in keys:
        n = sum(k in known for _, k in pairs)
        if n and all(n > len(other) for c, other in keys if c != code):
            return code, known
    return None, known


def anchor_hits(doc: Extracted) -> dict[str, list[str]]:
    """Layout code → the catalog anchors found in the document (only layouts with a hit)."""
    return _hits(_key_test(doc))


def _hits(has: Callable[[str], bool]) -> dict[str, list[str]]:
    out = {}
    for code, anchors in _anchor_keys():
        found = [a for a, k in anchors if has(k)]
        if found:
            out[code] = found
    return out


_ANCHOR_KEYS: tuple[dict[str, object], tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = (
    {}, ())


def _anchor_keys() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """(layout code, ((anchor, its key), …)) for every layout: built once, rebuilt only if
    the LAYOUTS registry is changed (tests register layouts of their own)."""
    global _ANCHOR_KEYS
    seen, keys = _ANCHOR_KEYS
    if seen.keys() != LAYOUTS.keys() or any(seen[c] is not v for c, v in LAYOUTS.items()):
        keys = tuple((code, tuple((a, norm_label(a)) for a in layout.anchors))
                     for code, layout in LAYOUTS.items())
        _ANCHOR_KEYS = (dict(LAYOUTS), keys)
    return keys


def looks_like_report(key: str) -> bool:
    """``key`` is norm_label'd text: report wording plus two standard subjects."""
    return _looks_like_report(key.__contains__)


def _looks_like_report(has: Callable[[str], bool]) -> bool:
    if not has("政府信息公开") and not has("信息公开"):
        return False
    if not any(has(w) for w in _REPORT_WORDS):
        return False
    return sum(has(s) for s in _SUBJECTS) >= 2


# the words looks_like_report asks about (folded labels already: finder checks)
_REPORT_KEYS = ("政府信息公开", "信息公开", *_REPORT_WORDS, *_SUBJECTS)


def _has_data_tables(doc: Extracted) -> bool:
    """A grid with rows of numbers (not a page-layout or navigation table)."""
    for grid in doc.tables:
        numbers = sum(1 for row in grid for c in row if not c.spanned and c.text.strip()
                      and is_number_like(c.text))
        if len(grid) >= 4 and numbers >= 6:
            return True
    return False


def _layout_for_year(year: int) -> str | None:
    """The table layout in force for a data year; the latest-starting one wins overlaps."""
    fitting = [(layout.years[0], code) for code, layout in LAYOUTS.items()
               if code != NARRATIVE and layout.blocks
               and layout.years[0] <= year <= layout.years[1]]
    return max(fitting)[1] if fitting else None


def classify_layout(doc: Extracted) -> str:
    """fmt2021 | fmt2019 | stat2014 | local2008 | narrative | not_a_report."""
    decided, known = _decided_by_text(doc)
    if decided is not None:
        return decided
    has = _key_test(doc, known)
    hits = _hits(has)
    if hits:
        year: int | None = None
        best = max(len(v) for v in hits.values())
        tied = [code for code, v in hits.items() if len(v) == best]
        if len(tied) == 1:
            return tied[0]
        year = read_report_year(doc)[0]
        for code in tied:
            lo, hi = LAYOUTS[code].years
            if year is not None and lo <= year <= hi:
                return code
        # still tied: the layout whose anchors are most completely present
        return max(tied, key=lambda c: (best / len(LAYOUTS[c].anchors), c))
    if not _looks_like_report(has):
        return NOT_A_REPORT
    year = read_report_year(doc)[0]
    if year is not None and _has_data_tables(doc):
        by_year = _layout_for_year(year)
        if by_year is not None:
            return by_year
    return NARRATIVE
