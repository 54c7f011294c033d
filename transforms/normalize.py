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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import polars as pl

from transforms.catalog import LAYOUTS, find_block
from transforms.catalog.model import Block, Row
from transforms.document import Fact, ReportRecord

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


def empty_frame(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[table])


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


_PLACES: dict[str, dict[tuple[str, str, str], FactPlace]] = {}


def _places(template: str) -> dict[tuple[str, str, str], FactPlace]:
    """``place`` per (block, row, col) of one template, as a plain dict (one lookup a fact)."""
    table = _PLACES.get(template)
    if table is None:
        table = _PLACES[template] = {}
    if len(table) > 8192:  # bounded: codes come from the catalog, but stay safe
        table.clear()
    return table


def build_tables(records: Sequence[ReportRecord], run_id: str, ingested_at: datetime,
                 parser_version: str | None = None) -> dict[str, pl.DataFrame]:
    """All tables of design.md §3 for one batch (validation_results empty, filled later).

    Built column by column: one list per column, filled per report in a single pass
    over its facts, so a batch costs a few list operations per fact and one typed
    frame per table.
    """
    if ingested_at.tzinfo is None:
        ingested_at = ingested_at.replace(tzinfo=UTC)
    cols = {t: _columns(t) for t in TABLES if t != "validation_results"}
    for rec in records:
        _add_report(cols["reports"], rec, run_id, ingested_at, parser_version)
        if rec.parsed is None:
            continue
        _add_facts(cols, rec)
    tables = {t: _frame(t, cols[t]) for t in cols}
    tables["validation_results"] = empty_frame("validation_results")
    return {t: tables[t] for t in TABLES}


def _add_report(out: dict[str, list[object]], rec: ReportRecord, run_id: str,
                ingested_at: datetime, parser_version: str | None) -> None:
    p = rec.parsed
    m = p.metadata if p else None
    issues = [{"kind": i.kind, "message": i.message, "where": i.where} for i in p.issues] \
        if p else []
    row = {
        "report_id": rec.report_id, "source": rec.source, "content_sha256": rec.content_sha256,
        "size_bytes": rec.size_bytes, "raw_path": rec.raw_path,
        "format": p.format if p else None, "template": p.template if p else None,
        "encoding": p.encoding if p else None,
        "title": m.title if m else None, "agency": m.agency if m else None,
        "province": m.province if m else None, "city": m.city if m else None,
        "county": m.county if m else None, "region_code": m.region_code if m else None,
        "region_confidence": m.region_confidence if m else None,
        "region_evidence": m.region_evidence if m else None,
        "index_no": m.index_no if m else None, "doc_no": m.doc_no if m else None,
        "report_year": m.report_year if m else None,
        "published_on": m.published_on if m else None,
        "parse_status": rec.parse_status, "error": rec.error,
        "n_facts": len(p.facts) if p else 0, "n_issues": len(issues),
        "issues": json.dumps(issues, ensure_ascii=False),
        "parser_version": parser_version, "run_id": run_id, "ingested_at": ingested_at,
        "validation_status": None,
    }
    for k, v in row.items():
        out[k].append(v)


# (block, row, col) of every cell a metric may be taken from (see _metrics_row)
_METRIC_CELLS = frozenset({
    ("applications", "new_received", "total"), ("indicators", "applications_received", "value"),
    ("prose", "applications_received", "value"), ("applications", "carried_over", "total"),
    ("applications", "results_total", "total"), ("indicators", "replies_total", "value"),
    ("applications", "granted", "total"), ("indicators", "replies_granted", "value"),
    ("appeals", "review", "total"), ("indicators", "reviews", "value"),
    ("prose", "reviews", "value"), ("appeals", "lawsuit_direct", "total"),
    ("appeals", "lawsuit_after_review", "total"), ("indicators", "lawsuits", "value"),
    ("prose", "lawsuits", "value"), ("indicators", "proactive_total", "value"),
    ("prose", "proactive_total", "value"), ("indicators", "fees", "value"),
    ("prose", "fees", "value"), ("item8", "admin_fees", "fee_amount"),
    ("item9", "procurement", "procurement_count"), ("prose", "procurement_count", "value"),
    ("item9", "procurement", "procurement_amount"), ("prose", "procurement_amount", "value"),
})


_METRIC_BLOCKS = frozenset(b for b, _, _ in _METRIC_CELLS)


def _add_facts(cols: dict[str, dict[str, list[object]]], rec: ReportRecord) -> None:
    """One report's facts and the tables derived from them, appended column by column."""
    assert rec.parsed is not None
    rid, template = rec.report_id, rec.parsed.template
    year = rec.parsed.metadata.report_year
    facts = rec.parsed.facts
    known = _places(template)
    ps: list[FactPlace] = []
    for f in facts:
        key = (f.block, f.row_code, f.col_code)
        p = known.get(key)
        if p is None:
            p = known[key] = place(template, f.block, f.row_code, f.col_code)
        ps.append(p)
    units = [f.unit or p.unit for f, p in zip(facts, ps, strict=True)]
    n = len(facts)
    out = cols["facts"]
    out["report_id"].extend([rid] * n)
    out["report_year"].extend([year] * n)
    out["template"].extend([template] * n)
    out["table"].extend([p.table for p in ps])
    out["block"].extend([f.block for f in facts])
    out["row_code"].extend([f.row_code for f in facts])
    out["row_label"].extend([p.row_label for p in ps])
    out["row_group"].extend([p.row_group for p in ps])
    out["col_code"].extend([f.col_code for f in facts])
    out["col_label"].extend([p.col_label for p in ps])
    out["value"].extend([f.value for f in facts])
    out["raw"].extend([f.raw for f in facts])
    out["unit"].extend(units)
    out["kind"].extend([p.kind for p in ps])
    out["source_ref"].extend([f.source_ref for f in facts])

    app = {(f.row_code, f.col_code): f.value for f in facts if f.block == "applications"}
    if app:
        _add_applications(cols["applications"], rid, year, template, app)
    appeal = {(f.row_code, f.col_code): f.value for f in facts if f.block == "appeals"}
    if appeal:
        _add_appeals(cols["appeals"], rid, year, template, appeal)
    disclosure = [i for i, p in enumerate(ps) if p.table == "disclosure"]
    if disclosure:
        d = cols["disclosure"]
        k = len(disclosure)
        d["report_id"].extend([rid] * k)
        d["report_year"].extend([year] * k)
        d["template"].extend([template] * k)
        d["item"].extend([facts[i].block for i in disclosure])
        d["item_label"].extend([ps[i].block_title for i in disclosure])
        d["category"].extend([facts[i].row_code for i in disclosure])
        d["category_label"].extend([ps[i].row_label for i in disclosure])
        d["metric"].extend([facts[i].col_code for i in disclosure])
        d["metric_label"].extend([ps[i].col_label for i in disclosure])
        d["value"].extend([facts[i].value for i in disclosure])
        d["raw"].extend([facts[i].raw for i in disclosure])
        d["unit"].extend([units[i] for i in disclosure])
    legacy_at = [i for i, (f, p) in enumerate(zip(facts, ps, strict=True))
                 if p.table == "legacy" or f.block == "indicators"]
    if legacy_at:
        _add_legacy(cols["legacy_stats"], rid, year, template,
                    [(facts[i], ps[i], units[i]) for i in legacy_at])
    metric: dict[tuple[str, str, str], Cell] = {}
    for i, f in enumerate(facts):
        if f.block not in _METRIC_BLOCKS:
            continue
        key = (f.block, f.row_code, f.col_code)
        if key in _METRIC_CELLS and key not in metric:
            value, unit = f.value, units[i]
            metric[key] = (float(value) if isinstance(value, int | float) else None,
                           unit if isinstance(unit, str) else None)
    for name, v in _metrics_row(rec, metric).items():
        cols["metrics"][name].append(v)


def _add_legacy(out: dict[str, list[object]], rid: str, year: int | None, template: str,
                facts: list[tuple[Fact, FactPlace, str | None]]) -> None:
    """One row per indicator; columns value / cumulative side by side."""
    by_code: dict[str, dict[str, object]] = {}
    for f, p, unit in facts:
        row = by_code.get(f.row_code)
        if row is None:
            row = by_code[f.row_code] = {
                "indicator_code": f.row_code, "indicator_label": p.row_label,
                "indicator_group": p.row_group, "unit": None, "value": None,
                "value_cumulative": None}
        row["value_cumulative" if f.col_code == "cumulative" else "value"] = f.value
        row["unit"] = row["unit"] or unit
    k = len(by_code)
    out["report_id"].extend([rid] * k)
    out["report_year"].extend([year] * k)
    out["template"].extend([template] * k)
    for row in by_code.values():
        for name, v in row.items():
            out[name].append(v)


def _add_applications(out: dict[str, list[object]], rid: str, year: int | None, template: str,
                      cells: dict[tuple[str, str], float | None]) -> None:
    """One row per applicant column of the layout, when the report has table 三 at all."""
    block = find_block(template, "applications")
    k = len(block.columns)
    out["report_id"].extend([rid] * k)
    out["report_year"].extend([year] * k)
    out["template"].extend([template] * k)
    out["applicant"].extend([c.code for c in block.columns])
    out["applicant_label"].extend([c.label for c in block.columns])
    for r in APPLICATION_ROWS:
        out[r.code].extend([cells.get((r.code, c.code)) for c in block.columns])


def _add_appeals(out: dict[str, list[object]], rid: str, year: int | None, template: str,
                 cells: dict[tuple[str, str], float | None]) -> None:
    block = find_block(template, "appeals")
    for r in block.rows:
        out["report_id"].append(rid)
        out["report_year"].append(year)
        out["template"].append(template)
        out["group"].append(r.code)
        out["group_label"].append(r.label)
        for c in APPEAL_PARTS:
            out[c].append(cells.get((r.code, c)))


# ---------------------------------------------------------------- metrics

_TO_WAN = {"万元": 1.0, "元": 1e-4, "亿元": 1e4}


def to_wan(value: float | None, unit: str | None) -> float | None:
    """Money in 万元; None when the value or its unit is unknown (never guessed)."""
    if value is None or unit not in _TO_WAN:
        return None
    return value * _TO_WAN[unit]


Cell = tuple[float | None, str | None]  # value, unit


def _metrics_row(rec: ReportRecord, cells: dict[tuple[str, str, str], Cell]
                 ) -> dict[str, object]:
    """Harmonized figures: table first, then legacy indicators, then prose; null if none.

    ``cells`` holds the first fact of each of ``_METRIC_CELLS`` the report states.
    """
    assert rec.parsed is not None
    m = rec.parsed.metadata

    def val(block: str, row: str, col: str) -> float | None:
        return cells.get((block, row, col), (None, None))[0]

    def money(block: str, row: str, col: str) -> float | None:
        v, unit = cells.get((block, row, col), (None, None))
        return to_wan(v, unit)

    def lawsuits_table() -> float | None:
        a, b = val("appeals", "lawsuit_direct", "total"), val("appeals", "lawsuit_after_review",
                                                              "total")
        return None if a is None or b is None else a + b

    candidates: dict[str, list[tuple[str, float | None]]] = {
        "applications_received": [("applications", val("applications", "new_received", "total")),
                                  ("indicators", val("indicators", "applications_received",
                                                     "value")),
                                  ("prose", val("prose", "applications_received", "value"))],
        "applications_carried_over": [("applications",
                                       val("applications", "carried_over", "total"))],
        "applications_completed": [("applications",
                                    val("applications", "results_total", "total")),
                                   ("indicators", val("indicators", "replies_total", "value"))],
        "applications_granted": [("applications", val("applications", "granted", "total")),
                                 ("indicators", val("indicators", "replies_granted", "value"))],
        "reviews": [("appeals", val("appeals", "review", "total")),
                    ("indicators", val("indicators", "reviews", "value")),
                    ("prose", val("prose", "reviews", "value"))],
        "lawsuits": [("appeals", lawsuits_table()),
                     ("indicators", val("indicators", "lawsuits", "value")),
                     ("prose", val("prose", "lawsuits", "value"))],
        "proactive_items": [("indicators", val("indicators", "proactive_total", "value")),
                            ("prose", val("prose", "proactive_total", "value"))],
        "fees": [("indicators", money("indicators", "fees", "value")),
                 ("prose", money("prose", "fees", "value"))],
        "admin_fees_wan": [("item8", money("item8", "admin_fees", "fee_amount"))],
        "procurement_count": [("item9", val("item9", "procurement", "procurement_count")),
                              ("prose", val("prose", "procurement_count", "value"))],
        "procurement_amount_wan": [("item9", money("item9", "procurement",
                                                   "procurement_amount")),
                                   ("prose", money("prose", "procurement_amount", "value"))],
    }
    row: dict[str, object] = {
        "report_id": rec.report_id, "agency": m.agency, "province": m.province, "city": m.city,
        "county": m.county, "region_code": m.region_code, "report_year": m.report_year,
        "template": rec.parsed.template}
    sources: dict[str, str] = {}
    for metric in METRICS:
        chosen = next(((src, v) for src, v in candidates[metric] if v is not None), None)
        row[metric] = chosen[1] if chosen else None
        if chosen:
            sources[metric] = chosen[0]
    row["metric_sources"] = json.dumps(sources, ensure_ascii=False, sort_keys=True)
    return row


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
