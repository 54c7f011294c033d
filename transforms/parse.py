"""One document, bytes in, ParsedReport out: sniff → extract → classify → read."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from .catalog import get_layout
from .classify import classify_layout
from .document import Extracted, Format, Issue, ParsedReport, ReportRecord
from .docx_tables import read_docx
from .html_tables import read_html
from .legacy_tables import read_legacy_tables
from .limits import DEFAULT_LIMITS, Limits, mib
from .metadata import read_metadata
from .national_tables import read_national_tables
from .pdf_text import read_pdf
from .prose import read_prose_figures
from .text_tables import read_text

PARSER_VERSION = "0.1.0"

TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml"})
SUPPORTED_SUFFIXES = frozenset({*TEXT_SUFFIXES, *HTML_SUFFIXES, ".pdf", ".docx"})


class UnsupportedFormat(ValueError):
    """The bytes are not a format the pipeline reads (e.g. legacy binary .doc, images)."""


def sniff_format(data: bytes, name: str = "") -> Format:
    """Decide by content first (sites mislabel files), by suffix second."""
    head = data[:1024].lstrip()
    suffix = PurePath(name).suffix.lower()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if b"word/" in data[:65536] or suffix == ".docx":
            return "docx"
        raise UnsupportedFormat("a ZIP archive that is not a Word .docx document")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedFormat("legacy binary Word/Excel (.doc/.xls) is recorded but not parsed")
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise UnsupportedFormat("an image: tables printed as images are not read")
    if suffix == ".pdf":
        raise UnsupportedFormat("named .pdf but the bytes are not a PDF (no %PDF- header)")
    if suffix == ".docx":
        raise UnsupportedFormat("named .docx but the bytes are not a ZIP/Word document")
    lowered = head[:512].lower()
    if suffix in HTML_SUFFIXES or lowered.startswith((b"<!doctype", b"<html", b"<?xml")) or (
        suffix not in TEXT_SUFFIXES and b"<" in lowered and b">" in lowered
    ):
        return "html"
    return "text"


def extract(data: bytes, fmt: Format, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    if fmt == "html":
        return read_html(data, limits)
    if fmt == "pdf":
        return read_pdf(data)
    if fmt == "docx":
        return read_docx(data, limits)
    return read_text(data)


def check_size(data: bytes, fmt: Format, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse documents whose size alone would cost minutes and gigabytes to parse."""
    cap = limits.max_markup_bytes if fmt in ("html", "text") else limits.max_document_bytes
    if len(data) > cap:
        kind = "an HTML/text" if fmt in ("html", "text") else f"a {fmt.upper()}"
        raise ValueError(f"document larger than the {mib(cap)} limit for {kind} document "
                         f"({len(data)} bytes): raw bytes kept, not parsed")


def report_id_for(sha256_hex: str) -> str:
    return sha256_hex[:16]


def parse_bytes(data: bytes, name: str = "", limits: Limits = DEFAULT_LIMITS) -> ParsedReport:
    """Parse one document. Raises on unreadable input; callers turn that into a failed row."""
    if not data[:65536].strip() and not data.strip():
        raise ValueError("empty document (0 bytes or whitespace only)")
    fmt = sniff_format(data, name)
    check_size(data, fmt, limits)
    doc = extract(data, fmt, limits)
    template = classify_layout(doc)
    metadata, meta_issues = read_metadata(doc, name)
    issues: list[Issue] = [*doc.issues, *meta_issues]
    report = ParsedReport(fmt, template, metadata, encoding=doc.encoding)
    if template == "not_a_report":
        report.issues = issues
        return report
    if template in ("fmt2019", "fmt2021"):
        facts, table_issues = read_national_tables(doc, get_layout(template))
    elif template in ("stat2014", "local2008"):
        facts, table_issues = read_legacy_tables(doc, get_layout(template))
    else:
        facts, table_issues = [], []
    prose_facts, prose_issues = read_prose_figures(doc.text)
    report.facts = [*facts, *prose_facts]
    report.issues = [*issues, *table_issues, *prose_issues]
    return report


OUT_OF_MEMORY = "parser ran out of memory"
NOT_A_REPORT = "no 政府信息公开 annual-report wording or table anchors found"
# extraction issues that explain why a page reads as no report at all
_EXPLAINS_NOT_A_REPORT = ("html_too_deep", "html_truncated")


def describe_error(exc: BaseException) -> str:
    """The ``error`` column: the reason itself for refusals, the type too for anything else."""
    if isinstance(exc, MemoryError):
        return f"{OUT_OF_MEMORY} (the document needs more than the parse memory limit)"
    if isinstance(exc, RecursionError):
        return "document nests too deeply to parse (RecursionError)"
    if type(exc) in (ValueError, UnsupportedFormat):
        return str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


def ingest(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS,
           digest: str | None = None) -> ReportRecord:
    """Parse and wrap as a record; never raises for bad input — the error is the record.

    Anything a parser raises (a refusal, a damaged file, a parser bug) becomes a ``failed``
    record whose error names it: one document never stops a run. ``digest`` is the
    bytes' sha256 when the caller already has it.
    """
    digest = digest or hashlib.sha256(data).hexdigest()
    rid = report_id_for(digest)
    try:
        parsed = parse_bytes(data, source, limits)
    except Exception as exc:  # recorded as the document's error, never swallowed
        return ReportRecord(rid, source, digest, len(data), "failed", describe_error(exc), None)
    if parsed.template == "not_a_report":
        why = [i.message for i in parsed.issues if i.kind in _EXPLAINS_NOT_A_REPORT]
        error = NOT_A_REPORT + (f" ({'; '.join(why)})" if why else "")
        return ReportRecord(rid, source, digest, len(data), "not_a_report", error, parsed)
    return ReportRecord(rid, source, digest, len(data), parsed.status, None, parsed)
