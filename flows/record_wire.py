"""ReportRecords as plain tuples, for the pipe from a parser child to its worker.

Pickling the records themselves costs ≈ 1 ms a document (a class lookup and a
state per object, ~130 Facts a report); the same content as plain tuples of
strings and numbers costs a fraction of that both ways.
"""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter
from typing import Any

from transforms.document import Fact, Issue, Metadata, ParsedReport, ReportRecord

_FACT = Fact._fields
_ISSUE = tuple(f.name for f in fields(Issue))
_META = tuple(f.name for f in fields(Metadata))
_fact_row = attrgetter(*_FACT)
_issue_row = attrgetter(*_ISSUE)
_meta_row = attrgetter(*_META)

Packed = tuple[Any, ...]


def pack_record(record: ReportRecord) -> Packed:
    p = record.parsed
    parsed = None if p is None else (
        p.format, p.template, _meta_row(p.metadata), list(map(_fact_row, p.facts)),
        list(map(_issue_row, p.issues)), p.encoding)
    return (record.report_id, record.source, record.content_sha256, record.size_bytes,
            record.parse_status, record.error, parsed, record.raw_path)


def unpack_record(packed: Packed) -> ReportRecord:
    rid, source, sha, size, status, error, parsed, raw_path = packed
    report = None
    if parsed is not None:
        fmt, template, meta, facts, issues, encoding = parsed
        report = ParsedReport(fmt, template, Metadata(*meta), list(map(Fact._make, facts)),
                              [Issue(*i) for i in issues], encoding)
    return ReportRecord(rid, source, sha, size, status, error, report, raw_path)
