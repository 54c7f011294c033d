"""Which layout a document uses, decided by the labels it prints (report-formats.md §1).

The anchors are the catalog's (``Layout.anchors``): a body may use an old
form late, so the year only breaks ties and covers documents whose tables are
missing or unlabelled.
"""

from __future__ import annotations

from .catalog import LAYOUTS
from .catalog.labels import norm_label
from .document import Extracted
from .metadata import read_report_year
from .nfkc import nfkc_plain
from .numbers import is_number_like

NOT_A_REPORT = "not_a_report"
NARRATIVE = "narrative"

# An annual OGI report says so, and talks about at least two of its standard subjects.
_REPORT_WORDS = ("年度报告", "年报", "工作报告", "公开报告")
_SUBJECTS = ("主动公开", "依申请", "政府信息公开申请", "行政复议", "行政诉讼", "总体情况", "概述")


_NEWLINES_DROPPED = norm_label("a\nb") == "ab"


def _searchable(doc: Extracted) -> str:
    """All text of the document, tables included, folded by norm_label once."""
    cells = "\n".join([c.text for grid in doc.tables for row in grid for c in row
                       if not c.spanned])
    text = doc.text + "\n" + cells
    folded = nfkc_plain(text)
    if folded is None or not _NEWLINES_DROPPED:
        return norm_label(text)
    # NFKC is per character here, so norm_label's own NFKC finds nothing left to do, and
    # the newlines it drops (one per line and cell) can go first, more cheaply
    return norm_label(folded.replace("\n", ""))


def anchor_hits(doc: Extracted) -> dict[str, list[str]]:
    """Layout code → the catalog anchors found in the document (only layouts with a hit)."""
    key = _searchable(doc)
    return _hits(key)


def _hits(key: str) -> dict[str, list[str]]:
    out = {}
    for code, anchors in _anchor_keys():
        found = [a for a, k in anchors if k in key]
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
    if "政府信息公开" not in key and "信息公开" not in key:
        return False
    if not any(w in key for w in _REPORT_WORDS):
        return False
    return sum(s in key for s in _SUBJECTS) >= 2


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
    key = _searchable(doc)
    hits = _hits(key)
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
    if not looks_like_report(key):
        return NOT_A_REPORT
    year = read_report_year(doc)[0]
    if year is not None and _has_data_tables(doc):
        by_year = _layout_for_year(year)
        if by_year is not None:
            return by_year
    return NARRATIVE
