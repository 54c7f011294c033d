"""What every extractor yields and every parser returns.

Extractors (HTML, text, PDF, DOCX) turn bytes into an ``Extracted``: plain
text for metadata and prose, plus table grids where the format keeps cell
structure. Layout parsers turn an ``Extracted`` into a ``ParsedReport``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, NamedTuple

Format = Literal["html", "text", "pdf", "docx", "unknown"]


def _strict_eq(record: tuple[object, ...], other: object) -> Any:
    """``==`` of a record named tuple (Cell, Fact): equal only to one of its own class.

    Any other tuple is unequal (else the tuple would compare itself field by field);
    anything else is left to the other side.
    """
    if other.__class__ is record.__class__:
        return tuple.__eq__(record, other)
    if isinstance(other, tuple):
        return False
    return NotImplemented


def _strict_ne(record: tuple[object, ...], other: object) -> Any:
    same = _strict_eq(record, other)
    return same if same is NotImplemented else not same


class Cell(NamedTuple):
    """One table cell as read: immutable, hashable, equal only to a Cell with the same fields.

    A named tuple rather than a frozen dataclass because pages hold hundreds of cells
    and a tuple is several times cheaper to make (``tuple.__new__(Cell, (text, ref,
    spanned))`` makes one without a Python call). Equality and hashing are kept as the
    dataclass had them: a Cell never equals a plain tuple.
    """

    text: str
    ref: str  # where it was read, e.g. "table 3 row 5 col 2", "line 41", "page 3 line 12"
    spanned: bool = False  # a copy made by expanding rowspan/colspan

    # (the tuple's hash stays: setting __eq__ on a NamedTuple does not clear it)
    def __eq__(self, other: object) -> bool:
        return _strict_eq(self, other)

    def __ne__(self, other: object) -> bool:
        return _strict_ne(self, other)


Grid = list[list[Cell]]


@dataclass
class Extracted:
    format: Format
    text: str  # the document's text, one line per block/paragraph/table row
    tables: list[Grid] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # e.g. HTML <meta> name → content
    title: str | None = None
    encoding: str | None = None
    issues: list[Issue] = field(default_factory=list)


class Fact(NamedTuple):
    """One number read from a document, placed on the catalog.

    A named tuple like ``Cell`` and for the same reason: a report has ~130 of them,
    made by the parsers, sent from the parser process and read column by column by
    normalize; a tuple is made, pickled and unpacked several times faster than a
    frozen dataclass. Equal only to another Fact with the same fields.
    """

    block: str  # catalog block code: item1 … item9, applications, appeals, indicators, prose
    row_code: str
    col_code: str
    value: float | None
    raw: str
    source_ref: str
    unit: str | None = None

    def __eq__(self, other: object) -> bool:
        return _strict_eq(self, other)

    def __ne__(self, other: object) -> bool:
        return _strict_ne(self, other)


@dataclass(frozen=True)
class Issue:
    """Something the parser could not place or read; never silently dropped."""

    kind: str  # e.g. unmatched_label, unreadable_number, ambiguous_glue, missing_block
    message: str
    where: str = ""


@dataclass
class Metadata:
    title: str | None = None
    agency: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    region_code: str | None = None
    region_confidence: float | None = None
    region_evidence: str | None = None
    report_year: int | None = None
    published_on: date | None = None
    index_no: str | None = None  # 索引号
    doc_no: str | None = None  # 文号


@dataclass
class ParsedReport:
    format: Format
    template: str  # layout code, or "unknown"
    metadata: Metadata
    facts: list[Fact] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    encoding: str | None = None

    @property
    def status(self) -> str:
        """ok | partial (issues recorded) | empty (no figure read)."""
        if not self.facts:
            return "empty"
        return "partial" if self.issues else "ok"


@dataclass
class ReportRecord:
    """One ingested document, parsed or not: the unit the warehouse is written from."""

    report_id: str  # stable for the same content: first 16 hex digits of its sha256
    source: str  # path or URL as given
    content_sha256: str
    size_bytes: int
    parse_status: str  # ok | partial | empty | failed | not_a_report
    error: str | None
    parsed: ParsedReport | None
    raw_path: str | None = None  # where the raw bytes are kept (raw archive)
