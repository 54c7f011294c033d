"""Parsed reports → the typed warehouse tables of design.md §3.

Every table has an explicit polars schema (``SCHEMAS``) so a column's type
never depends on the batch: an empty batch gives typed empty frames, and a
partition written tonight has the same types as one written last year.
``COLUMN_DOCS`` describes every column (meaning, unit, Chinese label); the
warehouse writer puts it into the Parquet field metadata and it is the source
of the data dictionary.

Partitioning: every table carries ``report_year`` (Int32). A report whose data
year could not be read has ``report_year`` null; the writer stores it in the
Hive default partition ``report_year=__HIVE_DEFAULT_PARTITION__``, which
readers give back as null (``NULL_YEAR_PARTITION``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, partial
from itertools import chain, repeat
from operator import attrgetter

import polars as pl

from transforms.catalog import LAYOUTS, PROSE, find_block
from transforms.catalog.model import Block, Column, Row
from transforms.document import Fact, Issue, ParsedReport, ReportRecord

NULL_YEAR_PARTITION = "__HIVE_DEFAULT_PARTITION__"
PARTITION_COLUMN = "report_year"

TABLES = ("reports", "facts", "applications", "appeals", "disclosure", "legacy_stats",
          "metrics", "validation_results")


@dataclass(frozen=True)
class ColumnDoc:
    meaning: str
    unit: str | None = None
    label_zh: str | None = None


def _applications_rows() -> tuple[Row, ...]:
    """Union of the table-三 rows of every layout, in printed order.

    A row new in a later layout is placed before the next row of that layout
    already known, so fmt2021's three （六） rows follow fmt2019's single （六） row.
    """
    order: list[Row] = []
    for layout in LAYOUTS.values():
        for block in layout.blocks:
            if block.table != "applications":
                continue
            for i, row in enumerate(block.rows):
                codes = [r.code for r in order]
                if row.code in codes:
                    continue
                later = [codes.index(r.code) for r in block.rows[i + 1:] if r.code in codes]
                order.insert(later[0] if later else len(order), row)
    return tuple(order)


APPLICATION_ROWS: tuple[Row, ...] = _applications_rows()
APPEAL_PARTS = ("upheld", "corrected", "other", "pending", "total")
APPEAL_GROUPS = ("review", "lawsuit_direct", "lawsuit_after_review")
METRICS = ("proactive_items", "applications_received", "applications_carried_over",
           "applications_completed", "applications_granted", "reviews", "lawsuits", "fees",
           "admin_fees_wan", "procurement_count", "procurement_amount_wan")

_YEAR = pl.Int32
_TS = pl.Datetime("us", "UTC")

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "reports": {
        "report_id": pl.String(), "source": pl.String(), "content_sha256": pl.String(),
        "size_bytes": pl.Int64(), "raw_path": pl.String(), "format": pl.String(),
        "template": pl.String(), "encoding": pl.String(), "title": pl.String(),
        "agency": pl.String(), "province": pl.String(), "city": pl.String(),
        "county": pl.String(), "region_code": pl.String(), "region_confidence": pl.Float64(),
        "region_evidence": pl.String(), "index_no": pl.String(), "doc_no": pl.String(),
        "report_year": _YEAR(), "published_on": pl.Date(), "parse_status": pl.String(),
        "error": pl.String(), "n_facts": pl.Int32(), "n_issues": pl.Int32(),
        "issues": pl.String(), "parser_version": pl.String(), "run_id": pl.String(),
        "ingested_at": _TS, "validation_status": pl.String(),
    },
    "facts": {
        "report_id": pl.String(), "report_year": _YEAR(), "template": pl.String(),
        "table": pl.String(), "block": pl.String(), "row_code": pl.String(),
        "row_label": pl.String(), "row_group": pl.String(), "col_code": pl.String(),
        "col_label": pl.String(), "value": pl.Float64(), "raw": pl.String(),
        "unit": pl.String(), "kind": pl.String(), "source_ref": pl.String(),
    },
    "applications": {
        "report_id": pl.String(), "report_year": _YEAR(), "template": pl.String(),
        "applicant": pl.String(), "applicant_label": pl.String(),
        **{r.code: pl.Float64() for r in APPLICATION_ROWS},
    },
    "appeals": {
        "report_id": pl.String(), "report_year": _YEAR(), "template": pl.String(),
        "group": pl.String(), "group_label": pl.String(),
        **{c: pl.Float64() for c in APPEAL_PARTS},
    },
    "disclosure": {
        "report_id": pl.String(), "report_year": _YEAR(), "template": pl.String(),
        "item": pl.String(), "item_label": pl.String(), "category": pl.String(),
        "category_label": pl.String(), "metric": pl.String(), "metric_label": pl.String(),
        "value": pl.Float64(), "raw": pl.String(), "unit": pl.String(),
    },
    "legacy_stats": {
        "report_id": pl.String(), "report_year": _YEAR(), "template": pl.String(),
        "indicator_code": pl.String(), "indicator_label": pl.String(),
        "indicator_group": pl.String(), "unit": pl.String(), "value": pl.Float64(),
        "value_cumulative": pl.Float64(),
    },
    "metrics": {
        "report_id": pl.String(), "agency": pl.String(), "province": pl.String(),
        "city": pl.String(), "county": pl.String(), "region_code": pl.String(),
        "report_year": _YEAR(), "template": pl.String(),
        **{m: pl.Float64() for m in METRICS},
        "metric_sources": pl.String(),
    },
    "validation_results": {
        "run_id": pl.String(), "report_id": pl.String(), "report_year": _YEAR(),
        "table": pl.String(), "check": pl.String(), "severity": pl.String(),
        "success": pl.Boolean(), "observed": pl.Float64(), "expected": pl.Float64(),
        "location": pl.String(), "instances": pl.Int32(), "failed": pl.Int32(),
        "message": pl.String(),
    },
}


def _count(meaning: str) -> ColumnDoc:
    return ColumnDoc(meaning, "件")


_RID = ColumnDoc("stable id of the source document: first 16 hex digits of its sha256")
_YEAR_DOC = ColumnDoc("data year the report covers (null: unknown, stored in the Hive default "
                      "partition)", "年", "年度")
_TEMPLATE = ColumnDoc("layout code: local2008 | stat2014 | fmt2019 | fmt2021 | narrative | unknown")

COLUMN_DOCS: dict[str, dict[str, ColumnDoc]] = {
    "reports": {
        "report_id": _RID,
        "source": ColumnDoc("path or URL the document was read from"),
        "content_sha256": ColumnDoc("sha256 of the raw bytes"),
        "size_bytes": ColumnDoc("size of the raw bytes", "bytes"),
        "raw_path": ColumnDoc("where the raw bytes are kept in the raw archive"),
        "format": ColumnDoc("document format: html | text | pdf | docx | unknown"),
        "template": _TEMPLATE,
        "encoding": ColumnDoc("character encoding the text was decoded with"),
        "title": ColumnDoc("document title", label_zh="标题"),
        "agency": ColumnDoc("reporting body", label_zh="发文机关"),
        "province": ColumnDoc("province of the reporting body", label_zh="省"),
        "city": ColumnDoc("prefecture-level city", label_zh="市"),
        "county": ColumnDoc("county-level division", label_zh="县"),
        "region_code": ColumnDoc("administrative division code of the body's region"),
        "region_confidence": ColumnDoc("how sure the region match is, 0–1"),
        "region_evidence": ColumnDoc("what the region match rests on"),
        "index_no": ColumnDoc("索引号 (not stable across site rebuilds)", label_zh="索引号"),
        "doc_no": ColumnDoc("document number", label_zh="文号"),
        "report_year": _YEAR_DOC,
        "published_on": ColumnDoc("publication date", label_zh="发布日期"),
        "parse_status": ColumnDoc("ok | partial | empty | failed | not_a_report"),
        "error": ColumnDoc("why the document was not read: the error (failed) or the reason "
                           "(not_a_report); null otherwise"),
        "n_facts": ColumnDoc("numbers read from the document"),
        "n_issues": ColumnDoc("parse issues recorded"),
        "issues": ColumnDoc("parse issues as JSON: [{kind, message, where}]"),
        "parser_version": ColumnDoc("version of the parser that read the document"),
        "run_id": ColumnDoc("run that produced this row"),
        "ingested_at": ColumnDoc("when the run normalized the document (UTC)"),
        "validation_status": ColumnDoc(
            "passed | warnings (only warning-severity checks failed) | failed (an error-"
            "severity check failed) | not_validated (nothing could be checked)"),
    },
    "facts": {
        "report_id": _RID, "report_year": _YEAR_DOC, "template": _TEMPLATE,
        "table": ColumnDoc("table family: disclosure | applications | appeals | legacy | prose"),
        "block": ColumnDoc("catalog block: item1…item9, applications, appeals, indicators, prose"),
        "row_code": ColumnDoc("catalog row code"),
        "row_label": ColumnDoc("canonical printed row label (null: code not in the catalog)"),
        "row_group": ColumnDoc("printed label of the row's group, e.g. （三）不予公开"),
        "col_code": ColumnDoc("catalog column code"),
        "col_label": ColumnDoc("canonical printed column label"),
        "value": ColumnDoc("the number; blank cells are 0 (raw ''), '/' and '—' are null"),
        "raw": ColumnDoc("cell text as read"),
        "unit": ColumnDoc("unit printed in the cell, else the catalog's unit for the row/column"),
        "kind": ColumnDoc("count | delta | money | ratio (from the catalog)"),
        "source_ref": ColumnDoc("where in the document the number was read"),
    },
    "applications": {
        "report_id": _RID, "report_year": _YEAR_DOC, "template": _TEMPLATE,
        "applicant": ColumnDoc("applicant column code (total = 总计)"),
        "applicant_label": ColumnDoc("printed applicant column label", label_zh="申请人情况"),
        **{r.code: ColumnDoc(r.meaning + " (null: not in this layout or not read)", "件",
                             r.label) for r in APPLICATION_ROWS},
    },
    "appeals": {
        "report_id": _RID, "report_year": _YEAR_DOC, "template": _TEMPLATE,
        "group": ColumnDoc("review | lawsuit_direct | lawsuit_after_review"),
        "group_label": ColumnDoc("printed group label"),
        "upheld": ColumnDoc("original decision upheld", "件", "结果维持"),
        "corrected": ColumnDoc("original decision corrected", "件", "结果纠正"),
        "other": ColumnDoc("other outcome", "件", "其他结果"),
        "pending": ColumnDoc("not yet concluded", "件", "尚未审结"),
        "total": ColumnDoc("all cases", "件", "总计"),
    },
    "disclosure": {
        "report_id": _RID, "report_year": _YEAR_DOC, "template": _TEMPLATE,
        "item": ColumnDoc("第二十条 item block code (item1…item9)"),
        "item_label": ColumnDoc("printed item caption, e.g. 第二十条第（一）项"),
        "category": ColumnDoc("row code, e.g. regulations"),
        "category_label": ColumnDoc("printed row label, e.g. 规章"),
        "metric": ColumnDoc("column code, e.g. made, issued, fee_amount"),
        "metric_label": ColumnDoc("printed column label"),
        "value": ColumnDoc("the number (blank → 0, '/' → null)"),
        "raw": ColumnDoc("cell text as read"),
        "unit": ColumnDoc("unit printed in the cell, else the catalog's"),
    },
    "legacy_stats": {
        "report_id": _RID, "report_year": _YEAR_DOC, "template": _TEMPLATE,
        "indicator_code": ColumnDoc("catalog indicator code"),
        "indicator_label": ColumnDoc("printed indicator label", label_zh="统计指标"),
        "indicator_group": ColumnDoc("printed section the indicator sits under"),
        "unit": ColumnDoc("unit printed for the indicator", label_zh="单位"),
        "value": ColumnDoc("figure for the year", label_zh="统计数 / 本年度"),
        "value_cumulative": ColumnDoc("cumulative figure (local2008)", label_zh="历年累计"),
    },
    "metrics": {
        "report_id": _RID, "agency": ColumnDoc("reporting body"),
        "province": ColumnDoc("province"), "city": ColumnDoc("city"),
        "county": ColumnDoc("county"), "region_code": ColumnDoc("division code"),
        "report_year": _YEAR_DOC, "template": _TEMPLATE,
        "proactive_items": _count("items proactively disclosed (null: not stated)"),
        "applications_received": _count("applications received this year"),
        "applications_carried_over": _count("applications carried over from the previous year"),
        "applications_completed": _count("applications completed / replied to this year"),
        "applications_granted": _count("applications granted in full (予以公开 / 同意公开)"),
        "reviews": _count("administrative reconsiderations (行政复议)"),
        "lawsuits": _count("administrative lawsuits (行政诉讼), direct + after review"),
        "fees": ColumnDoc("fees charged for OGI applications", "万元"),
        "admin_fees_wan": ColumnDoc("行政事业性收费 the body charged (第二十条第（八）项, fmt2021)",
                                    "万元", "行政事业性收费"),
        "procurement_count": _count("government procurement projects"),
        "procurement_amount_wan": ColumnDoc("government procurement amount", "万元",
                                            "采购总金额"),
        "metric_sources": ColumnDoc("JSON: metric → catalog block it was taken from"),
    },
    "validation_results": {
        "run_id": ColumnDoc("run that validated"),
        "report_id": ColumnDoc("report checked (null: a table-wide check)"),
        "report_year": _YEAR_DOC,
        "table": ColumnDoc("table the check is about"),
        "check": ColumnDoc("identity id (A1…, B7…) or schema check name"),
        "severity": ColumnDoc("error | warning"),
        "success": ColumnDoc("whether the check held"),
        "observed": ColumnDoc("left-hand side as stated (failing instance)"),
        "expected": ColumnDoc("what the identity implies (failing instance)"),
        "location": ColumnDoc("row × column of the failing instance, in printed labels; null "
                              "on the summary row of a check that held everywhere"),
        "instances": ColumnDoc("instances of the check evaluated for this report"),
        "failed": ColumnDoc("instances that failed for this report"),
        "message": ColumnDoc("human-readable finding naming the row and column"),
    },
}


_EMPTY: dict[str, pl.DataFrame] = {}


def empty_frame(table: str) -> pl.DataFrame:
    """A typed frame without rows (a fresh frame each call; the typed template is kept)."""
    frame = _EMPTY.get(table)
    if frame is None:
        frame = _EMPTY[table] = pl.DataFrame(schema=SCHEMAS[table])
    return frame.clear()


def _frame(table: str, columns: dict[str, list[object]]) -> pl.DataFrame:
    """A typed frame from one list per column (far cheaper than a dict per row)."""
    if not columns or not next(iter(columns.values())):
        return empty_frame(table)
    return pl.DataFrame(columns, schema=SCHEMAS[table], strict=False)


def _columns(table: str) -> dict[str, list[object]]:
    return {c: [] for c in SCHEMAS[table]}


# ---------------------------------------------------------------- catalog lookups


@dataclass(frozen=True)
class FactPlace:
    """What the catalog says about one (template, block, row, column)."""

    table: str | None
    row_label: str | None
    row_group: str | None
    col_label: str | None
    kind: str | None
    unit: str | None
    block_title: str | None


@lru_cache(maxsize=4096)
def place(template: str, block: str, row_code: str, col_code: str) -> FactPlace:
    """Catalog labels for a fact; None fields where the catalog has no entry."""
    try:
        b: Block | None = find_block(template, block)
    except KeyError:
        b = None
    if b is None:
        return FactPlace(None, None, None, None, None, None, None)
    row = next((r for r in b.rows if r.code == row_code), None)
    col = next((c for c in b.columns if c.code == col_code), None)
    kinds = [k for k in (row.kind if row else None, col.kind if col else None) if k]
    kind = next((k for k in kinds if k != "count"), kinds[0] if kinds else None)
    return FactPlace(
        table=b.table,
        row_label=row.label if row else None,
        row_group=row.group if row else None,
        col_label=col.label if col else None,
        kind=kind,
        unit=(col.unit if col else None) or (row.unit if row else None),
        block_title=b.title,
    )


# ---------------------------------------------------------------- tables


CellKey = tuple[str, str, str]  # block, row_code, col_code
_fact_key = attrgetter("block", "row_code", "col_code")
_PLACE_COLUMNS: dict[str, pl.DataType] = {
    "block": pl.String(), "row_code": pl.String(), "col_code": pl.String(),
    "table": pl.String(), "row_label": pl.String(), "row_group": pl.String(),
    "col_label": pl.String(), "kind": pl.String(), "_unit": pl.String(),
    "block_title": pl.String()}


class _Places:
    """Every (template, block, row, column) seen, numbered, with its catalog place.

    A fact's label columns come from ``frame()`` by its number: one gather per
    batch instead of a lookup per fact and column.
    """

    def __init__(self) -> None:
        self.numbers: dict[str, dict[CellKey, int]] = {}
        self.rows: list[tuple[str | None, ...]] = []
        self._frame: pl.DataFrame | None = None
        # numbers of the cells a derived table reads, per template (see ``cells_of``)
        self._cells: dict[tuple[str, str], list[int]] = {}
        self.in_block: dict[str, set[int]] = {}  # block code → numbers of its cells

    def trim(self) -> None:
        """Stay bounded (codes come from the catalog, but stay safe); between batches only."""
        if len(self.rows) > 1 << 16:
            self.numbers.clear()
            self.rows.clear()
            self._cells.clear()
            self.in_block.clear()
            self._frame = None

    def number(self, template: str, keys: list[CellKey]) -> list[int]:
        known = self.numbers.get(template)
        if known is None:
            known = self.numbers[template] = {}
        found = list(map(known.get, keys))
        if None in found:
            for i, key in enumerate(keys):
                if found[i] is None:
                    no = known.get(key)
                    if no is None:
                        p = place(template, *key)
                        no = known[key] = len(self.rows)
                        self.rows.append((*key, p.table, p.row_label, p.row_group, p.col_label,
                                          p.kind, p.unit, p.block_title))
                        self.in_block.setdefault(key[0], set()).add(no)
                    found[i] = no
        return found  # type: ignore[return-value]

    def cells_of(self, template: str, what: str, keys: Callable[[], list[CellKey]]
                 ) -> list[int]:
        """Numbers of ``keys()`` (the cells ``what`` reads in ``template``), made once."""
        hit = self._cells.get((template, what))
        if hit is None:
            hit = self._cells[(template, what)] = self.number(template, keys())
        return hit

    def preload(self) -> None:
        """Number every catalog cell of every layout now (import time), not in a batch."""
        for code, layout in LAYOUTS.items():
            self.number(code, [(b.code, r.code, c.code) for b in (*layout.blocks, PROSE)
                               for r in b.rows for c in b.columns])
            for b in layout.blocks:
                if b.code == "applications":
                    self.cells_of(code, "applications", partial(_application_keys, b))
                elif b.code == "appeals":
                    self.cells_of(code, "appeals", partial(_appeal_keys, b))
            self.cells_of(code, "metrics", _METRIC_KEYS.copy)
        self.frame()

    def unit(self, no: int) -> str | None:
        return self.rows[no][8]

    def frame(self) -> pl.DataFrame:
        if self._frame is None or self._frame.height != len(self.rows):
            self._frame = pl.DataFrame(self.rows, schema=_PLACE_COLUMNS, orient="row")
        return self._frame


_PLACES = _Places()


def build_tables(records: Sequence[ReportRecord], run_id: str, ingested_at: datetime,
                 parser_version: str | None = None) -> dict[str, pl.DataFrame]:
    """All tables of design.md §3 for one batch (validation_results empty, filled later).

    Built column-wise for the whole batch: the facts' own fields are read once into
    lists, their catalog labels are gathered from a numbered place table, and the
    derived tables are filters, group-bys and gathers over those columns; Python
    works per report (a dict of its cells), never per fact and column.
    """
    if ingested_at.tzinfo is None:
        ingested_at = ingested_at.replace(tzinfo=UTC)
    _PLACES.trim()
    tables = {"reports": _reports(records, run_id, ingested_at, parser_version)}
    tables.update(_fact_tables([rec for rec in records if rec.parsed is not None]))
    tables["validation_results"] = empty_frame("validation_results")
    return {t: tables[t] for t in TABLES}


def _issues_json(issues: Sequence[Issue]) -> str:
    if not issues:
        return "[]"
    return json.dumps([{"kind": i.kind, "message": i.message, "where": i.where}
                       for i in issues], ensure_ascii=False)


_NO_PARSE = (None,) * 15  # format … published_on of a record that was not parsed


def _reports(records: Sequence[ReportRecord], run_id: str, ingested_at: datetime,
             parser_version: str | None) -> pl.DataFrame:
    """One row per record, parsed or not (columns in SCHEMAS["reports"] order)."""
    rows: list[tuple[object, ...]] = []
    for rec in records:
        p = rec.parsed
        head = (rec.report_id, rec.source, rec.content_sha256, rec.size_bytes, rec.raw_path)
        tail = (parser_version, run_id, ingested_at, None)
        if p is None:
            rows.append((*head, *_NO_PARSE, rec.parse_status, rec.error, 0, 0, "[]", *tail))
            continue
        m = p.metadata
        rows.append((*head, p.format, p.template, p.encoding, m.title, m.agency, m.province,
                     m.city, m.county, m.region_code, m.region_confidence, m.region_evidence,
                     m.index_no, m.doc_no, m.report_year, m.published_on, rec.parse_status,
                     rec.error, len(p.facts), len(p.issues), _issues_json(p.issues), *tail))
    return _frame_of_rows("reports", rows)


def _frame_of_rows(table: str, rows: list[tuple[object, ...]]) -> pl.DataFrame:
    if not rows:
        return empty_frame(table)
    return pl.DataFrame(rows, schema=SCHEMAS[table], orient="row", strict=False)


_APPLICATION_IDS = dict(list(SCHEMAS["applications"].items())[:5])
_APPEAL_IDS = dict(list(SCHEMAS["appeals"].items())[:5])


def _application_keys(block: Block) -> list[CellKey]:
    """Cells of one applications block in output order: per applicant column, every row."""
    return [("applications", r.code, c.code) for c in block.columns for r in APPLICATION_ROWS]


def _appeal_keys(block: Block) -> list[CellKey]:
    """Cells of one appeals block in output order: per group, every part."""
    return [("appeals", r.code, c) for r in block.rows for c in APPEAL_PARTS]


def _fact_tables(parsed: list[ReportRecord]) -> dict[str, pl.DataFrame]:
    """facts, applications, appeals, disclosure, legacy_stats, metrics of parsed records."""
    reports = [rec.parsed for rec in parsed]
    lens = [len(p.facts) for p in reports]  # type: ignore[union-attr]
    facts: list[Fact] = list(chain.from_iterable(p.facts for p in reports))  # type: ignore[union-attr]
    keys: list[CellKey] = list(map(_fact_key, facts))
    values = [f.value for f in facts]
    numbers: list[int] = []
    cells: list[dict[int, int]] = []  # per report: cell number → index of its last fact
    metric_rows: list[tuple[object, ...]] = []
    start = 0
    for rec, p, n in zip(parsed, reports, lens, strict=True):
        assert p is not None
        end = start + n
        mine = _PLACES.number(p.template, keys[start:end])
        numbers += mine
        last = dict(zip(mine, range(start, end), strict=True))
        cells.append(last)
        first = last if len(last) == n else dict(  # a cell stated twice: its first fact
            zip(reversed(mine), range(end - 1, start - 1, -1), strict=True))
        metric_rows.append(_metrics_row(rec, p, first, facts, values, numbers))
        start = end
    rep = pl.Series("_rep", list(chain.from_iterable(repeat(i, n) for i, n in enumerate(lens))),
                    dtype=pl.UInt32)
    per_report = pl.DataFrame({
        "report_id": [rec.report_id for rec in parsed],
        "report_year": [p.metadata.report_year for p in reports],  # type: ignore[union-attr]
        "template": [p.template for p in reports]},  # type: ignore[union-attr]
        schema={"report_id": pl.String, "report_year": _YEAR, "template": pl.String},
        strict=False)
    own = pl.DataFrame({
        "value": values, "raw": [f.raw for f in facts],
        "source_ref": [f.source_ref for f in facts], "_funit": [f.unit for f in facts]},
        schema={"value": pl.Float64, "raw": pl.String, "source_ref": pl.String,
                "_funit": pl.String}, strict=False)
    wide = pl.concat([per_report[rep], _PLACES.frame()[pl.Series(numbers, dtype=pl.UInt32)],
                      own], how="horizontal").with_columns(
        rep, unit=pl.when(pl.col("_funit").is_null() | (pl.col("_funit") == ""))
        .then(pl.col("_unit")).otherwise(pl.col("_funit")))
    out = {"facts": wide.select(list(SCHEMAS["facts"]))}
    value_series = out["facts"].get_column("value")
    out["applications"] = _applications(parsed, cells, value_series)
    out["appeals"] = _appeals(parsed, cells, value_series)
    out["disclosure"] = wide.filter(pl.col("table") == "disclosure").select(
        "report_id", "report_year", "template", item="block", item_label="block_title",
        category="row_code", category_label="row_label", metric="col_code",
        metric_label="col_label", value="value", raw="raw", unit="unit")
    out["legacy_stats"] = _legacy(wide)
    out["metrics"] = _frame_of_rows("metrics", metric_rows)
    return {t: frame if frame.height else empty_frame(t) for t, frame in out.items()}


def _reports_with(cells: list[dict[int, int]], block: str) -> list[int]:
    """The reports (by position) with at least one fact in ``block``."""
    mine = _PLACES.in_block.get(block, set())
    return [i for i, got in enumerate(cells) if not mine.isdisjoint(got)]


def _applications(parsed: list[ReportRecord],
                  cells: list[dict[int, int]], values: pl.Series) -> pl.DataFrame:
    """One row per applicant column of the layout, when the report has table 三 at all."""
    return _rows_per_member(parsed, cells, values, "applications", lambda b: b.columns,
                            _application_keys, _APPLICATION_IDS,
                            [r.code for r in APPLICATION_ROWS])


def _appeals(parsed: list[ReportRecord],
             cells: list[dict[int, int]], values: pl.Series) -> pl.DataFrame:
    """One row per appeal group of the layout, when the report has table 四 at all."""
    return _rows_per_member(parsed, cells, values, "appeals", lambda b: b.rows,
                            _appeal_keys, _APPEAL_IDS, list(APPEAL_PARTS))


def _rows_per_member(parsed: list[ReportRecord], cells: list[dict[int, int]],
                     values: pl.Series, block_code: str,
                     members: Callable[[Block], Sequence[Row] | Sequence[Column]],
                     keys: Callable[[Block], list[CellKey]], ids: dict[str, pl.DataType],
                     value_columns: list[str]) -> pl.DataFrame:
    """A wide table with one row per member (column or row) of ``block_code`` in each
    report that has the block: its ids (report, year, template, member code and label,
    named as ``ids``) and the values of its cells spread over ``value_columns``."""
    id_lists: list[list[object]] = [[] for _ in ids]
    at: list[int | None] = []
    for i in _reports_with(cells, block_code):
        rec = parsed[i]
        assert rec.parsed is not None
        template = rec.parsed.template
        block = find_block(template, block_code)
        group = members(block)
        k = len(group)
        parts: list[list[object]] = [
            [rec.report_id] * k, [rec.parsed.metadata.report_year] * k, [template] * k,
            [m.code for m in group], [m.label for m in group]]
        for column, part in zip(id_lists, parts, strict=True):
            column += part
        at += map(cells[i].get, _PLACES.cells_of(template, block_code, partial(keys, block)))
    if not id_lists[0]:
        return empty_frame(block_code)
    return pl.concat([pl.DataFrame(dict(zip(ids, id_lists, strict=True)), schema=ids,
                                   strict=False),
                      _spread(values, at, value_columns)], how="horizontal")


def _spread(values: pl.Series, at: list[int | None], columns: list[str]) -> pl.DataFrame:
    """Values by fact index (None: not stated), cell after cell of each output row, as
    one Float64 column per cell of a row."""
    n = len(columns)
    got = pl.DataFrame({"v": values.gather(pl.Series(at, dtype=pl.UInt32))})
    return got.select(pl.col("v").gather_every(n, offset=j).alias(c)
                      for j, c in enumerate(columns))


def _legacy(wide: pl.DataFrame) -> pl.DataFrame:
    """One row per indicator and report, in first-read order; value / cumulative side by
    side (the last fact of each wins), unit the first one stated."""
    cumulative = pl.col("col_code") == "cumulative"
    unit = pl.col("unit")
    return wide.filter((pl.col("table") == "legacy") | (pl.col("block") == "indicators")
                       ).group_by("_rep", "row_code", maintain_order=True).agg(
        pl.first("report_id"), pl.first("report_year"), pl.first("template"),
        indicator_label=pl.first("row_label"), indicator_group=pl.first("row_group"),
        unit=pl.coalesce(unit.filter(unit.is_not_null() & (unit != "")).first(), unit.last()),
        value=pl.col("value").filter(~cumulative).last(),
        value_cumulative=pl.col("value").filter(cumulative).last(),
    ).rename({"row_code": "indicator_code"}).select(list(SCHEMAS["legacy_stats"]))


# ---------------------------------------------------------------- metrics

_TO_WAN = {"万元": 1.0, "元": 1e-4, "亿元": 1e4}


def to_wan(value: float | None, unit: str | None) -> float | None:
    """Money in 万元; None when the value or its unit is unknown (never guessed)."""
    if value is None or unit not in _TO_WAN:
        return None
    return value * _TO_WAN[unit]


# A metric's candidates in order of preference: (source, cells added up, money in 万元?)
_Candidate = tuple[str, tuple[CellKey, ...], bool]


def _cand(source: str, *cells: str, money: bool = False) -> _Candidate:
    return source, tuple(_split_cell(c) for c in cells), money


def _split_cell(cell: str) -> CellKey:
    block, row, col = cell.split("/")
    return block, row, col


_METRIC_SOURCES: dict[str, tuple[_Candidate, ...]] = {
    "applications_received": (_cand("applications", "applications/new_received/total"),
                              _cand("indicators", "indicators/applications_received/value"),
                              _cand("prose", "prose/applications_received/value")),
    "applications_carried_over": (_cand("applications", "applications/carried_over/total"),),
    "applications_completed": (_cand("applications", "applications/results_total/total"),
                               _cand("indicators", "indicators/replies_total/value")),
    "applications_granted": (_cand("applications", "applications/granted/total"),
                             _cand("indicators", "indicators/replies_granted/value")),
    "reviews": (_cand("appeals", "appeals/review/total"),
                _cand("indicators", "indicators/reviews/value"),
                _cand("prose", "prose/reviews/value")),
    "lawsuits": (_cand("appeals", "appeals/lawsuit_direct/total",
                       "appeals/lawsuit_after_review/total"),
                 _cand("indicators", "indicators/lawsuits/value"),
                 _cand("prose", "prose/lawsuits/value")),
    "proactive_items": (_cand("indicators", "indicators/proactive_total/value"),
                        _cand("prose", "prose/proactive_total/value")),
    "fees": (_cand("indicators", "indicators/fees/value", money=True),
             _cand("prose", "prose/fees/value", money=True)),
    "admin_fees_wan": (_cand("item8", "item8/admin_fees/fee_amount", money=True),),
    "procurement_count": (_cand("item9", "item9/procurement/procurement_count"),
                          _cand("prose", "prose/procurement_count/value")),
    "procurement_amount_wan": (_cand("item9", "item9/procurement/procurement_amount",
                                     money=True),
                               _cand("prose", "prose/procurement_amount/value", money=True)),
}
_METRIC_KEYS: list[CellKey] = list(dict.fromkeys(
    cell for m in METRICS for _, cells, _ in _METRIC_SOURCES[m] for cell in cells))
# per metric, its candidates with each cell as a position in _METRIC_KEYS
_METRIC_PLAN = tuple(
    (metric, tuple((source, tuple(_METRIC_KEYS.index(c) for c in cells), money)
                   for source, cells, money in _METRIC_SOURCES[metric]))
    for metric in METRICS)
_SOURCE_ORDER = sorted(METRICS)  # metric_sources is JSON with sorted keys


def _metrics_row(rec: ReportRecord, p: ParsedReport, first: dict[int, int],
                 facts: list[Fact], values: list[float | None], numbers: list[int]
                 ) -> tuple[object, ...]:
    """Harmonized figures: table first, then legacy indicators, then prose; null if none.

    ``first`` maps each cell (by number) of the report to its first fact; a candidate
    whose cells are not all stated (or not numbers, or money without a known unit)
    gives way to the next.
    """
    m = p.metadata
    cell_no = _PLACES.cells_of(p.template, "metrics", _METRIC_KEYS.copy)
    chosen: list[float | None] = []
    sources: dict[str, str] = {}
    for metric, candidates in _METRIC_PLAN:
        got: float | None = None
        for source, cells, money in candidates:
            terms: list[float] = []
            for cell in cells:
                i = first.get(cell_no[cell])
                if i is None:
                    break
                value = values[i]
                if not isinstance(value, int | float):
                    break
                v: float | None = float(value)
                if money:
                    unit = facts[i].unit or _PLACES.unit(numbers[i])
                    v = to_wan(v, unit if isinstance(unit, str) else None)
                    if v is None:
                        break
                terms.append(v)  # type: ignore[arg-type]
            else:
                got = terms[0] if len(terms) == 1 else terms[0] + terms[1]
                sources[metric] = source
                break
        chosen.append(got)
    shown = ", ".join(f'"{k}": "{sources[k]}"' for k in _SOURCE_ORDER if k in sources)
    return (rec.report_id, m.agency, m.province, m.city, m.county, m.region_code,
            m.report_year, p.template, *chosen, "{" + shown + "}")


_PLACES.preload()
for _table in TABLES:
    empty_frame(_table)


def data_dictionary() -> str:
    """Markdown data dictionary of every table and column (for warehouse/README.md)."""
    lines: list[str] = []
    for table in TABLES:
        lines += [f"### `{table}`", "", "| column | type | meaning | unit | 中文 |",
                  "|---|---|---|---|---|"]
        for col, dtype in SCHEMAS[table].items():
            d = COLUMN_DOCS[table][col]
            lines.append(f"| {col} | {dtype} | {d.meaning} | {d.unit or ''} | "
                         f"{d.label_zh or ''} |")
        lines.append("")
    return "\n".join(lines)
