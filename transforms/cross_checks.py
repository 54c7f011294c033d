"""Checks across reports and within a report's prose: C1–C4 and the year-over-year jump.

All of them are warnings (strength C): real bodies break them for honest
reasons (a re-organised body, a prose figure that counts something else).
They return the same check frame as ``transforms.identities`` so the results
land in ``validation_results`` like every other check.

- C1–C3 come from the catalog: identities with ``over="previous_year"``. Terms
  carry a lag (years back) and a sign (``Identity.lags``/``signs``), so
  "现行有效件数(t) = 现行有效件数(t−1) + 本年制发件数(t) − 本年废止件数(t)" is data.
  Terms that are row codes are checked per column (C1), column codes per row
  (C2, C3).
- C4 compares a prose figure with the table cells that state the same thing
  (``PROSE_EQUIVALENTS``), money in 万元.
- J1 flags a harmonized metric that grew or shrank by ``JUMP_FACTOR`` or more
  from one year to the next (``JUMP_METRICS``).

A body is the normalized agency name within its region (``body_key``). Of two
reports of one body for one year, each is checked against the first (by
report_id) of the year before. Everything is joins on frames, not Python
loops over facts: the nightly run checks the whole warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from transforms.catalog import LAYOUTS, PROSE
from transforms.catalog.labels import norm_label
from transforms.catalog.model import Block, Identity, Layout
from transforms.identities import CHECK_SCHEMA
from transforms.normalize import COLUMN_DOCS, SCHEMAS

_DIGITS = 6
RESULT_SCHEMA = SCHEMAS["validation_results"]
JUMP_FACTOR = 5.0
JUMP_FLOOR = 50.0  # the larger of the two years must reach this: 2 → 10 is not a finding
JUMP_METRICS = ("applications_received", "applications_completed", "proactive_items")
JUMP_ID = "J1"
PROSE_ID = "C4"
_TO_WAN = {"万元": 1.0, "元": 1e-4, "亿元": 1e4}
_LEVELS = frozenset("省市县区")
# Names one body goes by from year to year (the report of a government is often issued
# by its 办公室; a zone is named with or without its 管委会): suffix → what it folds to.
BODY_SUFFIX_FOLDS: tuple[tuple[str, str], ...] = (
    ("人民政府办公室", "人民政府"), ("人民政府办公厅", "人民政府"),
    ("管理委员会", ""), ("管委会", ""),
)


def cross_check_ids(layouts: Mapping[str, Layout] = LAYOUTS) -> tuple[str, ...]:
    """Every check id this module produces (the catalog's previous-year ones, C4, J1)."""
    ids = {i.id for lay in layouts.values() for i in lay.identities if i.over == "previous_year"}
    return (*sorted(ids), PROSE_ID, JUMP_ID)


# ---------------------------------------------------------------- bodies


def body_key(agency: str | None, province: str | None = None, city: str | None = None,
             county: str | None = None, region_code: str | None = None) -> str | None:
    """Who reports: the agency name, normalized, with its region's names stripped, in its region.

    "石家庄市商务局" and "市商务局" of the same city are one body; 上海市人民政府 and
    北京市人民政府 are not; ``BODY_SUFFIX_FOLDS`` joins the names one body goes by.
    The region is the division code when known, else the names.
    """
    if not agency or not agency.strip():
        return None
    name = norm_label(agency)
    names = [norm_label(n) for n in (province, city, county) if n]
    stripped, any_stripped = True, False
    while stripped:
        stripped = False
        for n in names:
            if n and name.startswith(n) and len(name) > len(n):
                name, stripped, any_stripped = name[len(n):], True, True
    if not any_stripped and names and name[:1] in _LEVELS and len(name) > 2:
        name = name[1:]  # "市商务局": this city's 商务局
    for suffix, folded in BODY_SUFFIX_FOLDS:
        if name.endswith(suffix) and (folded or len(name) > len(suffix)):
            name = name[: -len(suffix)] + folded
            break
    region = region_code or "/".join(norm_label(n) for n in (province, city, county) if n)
    return f"{region}|{name}"


def with_body(reports: pl.DataFrame) -> pl.DataFrame:
    """report_id, report_year, template, body for every report with an agency and a year."""
    cols = ["agency", "province", "city", "county", "region_code"]
    rows = reports.select("report_id", "report_year", "template", *cols)
    return rows.with_columns(
        body=pl.struct(cols).map_elements(
            lambda s: body_key(s["agency"], s["province"], s["city"], s["county"],
                               s["region_code"]), return_dtype=pl.String)
    ).filter(pl.col("body").is_not_null(), pl.col("report_year").is_not_null()).select(
        "report_id", "report_year", "template", "body")


# ---------------------------------------------------------------- C1–C3


@dataclass(frozen=True)
class _Term:
    side: str  # lhs | rhs
    lag: int
    sign: int
    row: str
    col: str
    label: str


def _label(block: Block, code: str) -> str:
    for r in block.rows:
        if r.code == code:
            return r.label
    for c in block.columns:
        if c.code == code:
            return c.label
    return code


def year_instances(block: Block, identity: Identity) -> list[tuple[str, list[_Term]]]:
    """(location, terms) for each place a previous-year identity applies in ``block``."""
    lags = identity.lags or (1,) * len(identity.rhs)
    signs = identity.signs or (1,) * len(identity.rhs)
    if len(lags) != len(identity.rhs) or len(signs) != len(identity.rhs):
        raise ValueError(f"{identity.id}: lags/signs must have one entry per rhs term")
    rows = {r.code for r in block.rows}
    cols = {c.code for c in block.columns}
    terms = set(identity.lhs) | set(identity.rhs)
    if terms <= rows:
        axis = [(c.code, c.label) for c in block.columns]
        cell = lambda term, other: (term, other)  # noqa: E731
    elif terms <= cols:
        axis = [(r.code, r.label) for r in block.rows]
        cell = lambda term, other: (other, term)  # noqa: E731
    else:
        raise ValueError(f"{identity.id}: terms {sorted(terms)} are neither all rows nor all "
                         f"columns of block {block.code}")
    lhs_names = " + ".join(_label(block, t) for t in identity.lhs)
    out: list[tuple[str, list[_Term]]] = []
    for other, other_label in axis:
        items = [_Term("lhs", 0, 1, *cell(t, other), _label(block, t)) for t in identity.lhs]
        items += [_Term("rhs", lag, sign, *cell(t, other), _label(block, t))
                  for t, lag, sign in zip(identity.rhs, lags, signs, strict=True)]
        if any((t.row, t.col) in block.absent for t in items):
            continue
        loc = (f"{other_label} × {lhs_names}" if terms <= cols
               else f"{lhs_names} × {other_label}")
        out.append((loc, items))
    return out


def _term_frame(layouts: Mapping[str, Layout]) -> pl.DataFrame:
    rows: list[dict[str, object]] = []
    for layout in layouts.values():
        for identity in layout.identities:
            if identity.over != "previous_year":
                continue
            block = layout.block(identity.block)
            for loc, terms in year_instances(block, identity):
                for i, t in enumerate(terms):
                    rows.append({"template": layout.code, "check": identity.id,
                                 "severity": identity.severity, "table": block.table,
                                 "block": block.code, "location": loc, "term": i,
                                 "side": t.side, "lag": t.lag, "sign": t.sign,
                                 "row_code": t.row, "col_code": t.col, "term_label": t.label,
                                 "description": identity.description})
    schema = {"template": pl.String, "check": pl.String, "severity": pl.String,
              "table": pl.String, "block": pl.String, "location": pl.String, "term": pl.Int32,
              "side": pl.String, "lag": pl.Int32, "sign": pl.Int32, "row_code": pl.String,
              "col_code": pl.String, "term_label": pl.String, "description": pl.String}
    return pl.DataFrame(rows, schema=schema)


def _num(expr: pl.Expr) -> pl.Expr:
    """A number as text the way the reports print it: 72, not 72.0."""
    return (pl.when(expr == expr.round(0)).then(expr.cast(pl.Int64).cast(pl.String))
            .otherwise(expr.round(_DIGITS).cast(pl.String)))


def _empty_checks() -> pl.DataFrame:
    return pl.DataFrame(schema=CHECK_SCHEMA)


def _canonical(bodies: pl.DataFrame) -> pl.DataFrame:
    """One report per (body, year): the first by report_id."""
    return (bodies.sort("report_id").unique(["body", "report_year"], keep="first")
            .select("body", "report_year", pl.col("report_id").alias("term_report")))


def previous_year_checks(facts: pl.DataFrame, bodies: pl.DataFrame,
                         layouts: Mapping[str, Layout] = LAYOUTS) -> pl.DataFrame:
    """C1–C3: every previous-year identity of the catalog over every body's reports.

    ``facts``: report_id, block, row_code, col_code, value. ``bodies``: report_id,
    report_year, template, body (``with_body``). An instance is skipped when a
    year it needs has no report or a term was not read (never a zero invented).
    """
    terms = _term_frame(layouts)
    if terms.height == 0 or bodies.height == 0 or facts.height == 0:
        return _empty_checks()
    cells = facts.select("report_id", "block", "row_code", "col_code", "value").unique(
        ["report_id", "block", "row_code", "col_code"], keep="first")
    need = bodies.join(terms, on="template").with_columns(
        term_year=pl.col("report_year") - pl.col("lag"))
    resolved = need.join(_canonical(bodies), left_on=["body", "term_year"],
                         right_on=["body", "report_year"], how="left")
    # lhs terms are read in the report itself, not the body's canonical report of that year
    resolved = resolved.with_columns(term_report=pl.when(pl.col("side") == "lhs")
                                     .then(pl.col("report_id"))
                                     .otherwise(pl.col("term_report")))
    valued = resolved.join(cells, left_on=["term_report", "block", "row_code", "col_code"],
                           right_on=["report_id", "block", "row_code", "col_code"], how="left")
    n_terms = terms.group_by("check", "template", "location").agg(pl.len().alias("n"))
    shown = pl.format("{}({}) {}", pl.col("term_label"), pl.col("term_year"),
                      _num(pl.col("value")))
    grouped = valued.sort("term").group_by(
        "report_id", "report_year", "template", "check", "location", maintain_order=True).agg(
        pl.first("severity"), pl.first("table"), pl.first("block"), pl.first("description"),
        pl.col("value").is_not_null().sum().alias("present"),
        (pl.col("value") * pl.col("sign")).filter(pl.col("side") == "lhs").sum()
        .round(_DIGITS).alias("observed"),
        (pl.col("value") * pl.col("sign")).filter(pl.col("side") == "rhs").sum()
        .round(_DIGITS).alias("expected"),
        pl.when(pl.col("sign") < 0).then(pl.lit("− ")).otherwise(pl.lit("+ "))
        .filter(pl.col("side") == "rhs").alias("signs"),
        shown.filter(pl.col("side") == "rhs").alias("rhs_text"))
    complete = grouped.join(n_terms, on=["check", "template", "location"]).filter(
        pl.col("present") == pl.col("n"))
    if complete.height == 0:
        return _empty_checks()
    rhs_text = pl.struct("signs", "rhs_text").map_elements(
        lambda s: " ".join(f"{sg}{tx}" for sg, tx in zip(s["signs"], s["rhs_text"],
                                                        strict=True)).removeprefix("+ "),
        return_dtype=pl.String)
    holds = pl.col("observed") == pl.col("expected")
    out = complete.with_columns(
        op=pl.lit("eq"), low=pl.lit(None, pl.Float64), high=pl.lit(None, pl.Float64),
        holds=holds, rhs=rhs_text)
    out = out.with_columns(message=pl.format(
        "{} {} at {}: stated {}, expected {} = {} ({})", pl.col("check"),
        pl.when(pl.col("holds")).then(pl.lit("holds")).otherwise(pl.lit("fails")),
        pl.col("location"), _num(pl.col("observed")), _num(pl.col("expected")),
        pl.col("rhs"), pl.col("description")))
    return out.select(list(CHECK_SCHEMA)).cast(CHECK_SCHEMA)  # type: ignore[arg-type]


# ---------------------------------------------------------------- C4


@dataclass(frozen=True)
class ProseEquivalent:
    """A prose figure and the table cells (summed) that state the same thing in a layout."""

    prose_row: str
    template: str
    cells: tuple[tuple[str, str, str], ...]  # (block, row_code, col_code)
    money: bool = False


def _eq(prose_row: str, templates: Iterable[str], *cells: tuple[str, str, str],
        money: bool = False) -> list[ProseEquivalent]:
    return [ProseEquivalent(prose_row, t, cells, money) for t in templates]


_NATIONAL = ("fmt2019", "fmt2021")
_LEGACY = ("stat2014", "local2008")
PROSE_EQUIVALENTS: tuple[ProseEquivalent, ...] = (
    *_eq("applications_received", _NATIONAL, ("applications", "new_received", "total")),
    *_eq("applications_received", _LEGACY, ("indicators", "applications_received", "value")),
    *_eq("reviews", _NATIONAL, ("appeals", "review", "total")),
    *_eq("reviews", _LEGACY, ("indicators", "reviews", "value")),
    *_eq("lawsuits", _NATIONAL, ("appeals", "lawsuit_direct", "total"),
         ("appeals", "lawsuit_after_review", "total")),
    *_eq("lawsuits", _LEGACY, ("indicators", "lawsuits", "value")),
    *_eq("proactive_total", _LEGACY, ("indicators", "proactive_total", "value")),
    *_eq("procurement_count", ("fmt2019",), ("item9", "procurement", "procurement_count")),
    *_eq("procurement_amount", ("fmt2019",), ("item9", "procurement", "procurement_amount"),
         money=True),
    *_eq("fees", _LEGACY, ("indicators", "fees", "value"), money=True),
)


def _wan(value: pl.Expr, unit: pl.Expr) -> pl.Expr:
    factor = unit.replace_strict(_TO_WAN, default=None, return_dtype=pl.Float64)
    return value * factor


def prose_table_checks(facts: pl.DataFrame,
                       equivalents: Iterable[ProseEquivalent] = PROSE_EQUIVALENTS
                       ) -> pl.DataFrame:
    """C4: a figure stated in the prose = the table's figure for the same thing.

    Money is compared in 万元; a money figure whose unit is unknown is not compared.
    """
    eqs = list(equivalents)
    if facts.height == 0 or not eqs:
        return _empty_checks()
    term_rows = [{"template": e.template, "prose_row": e.prose_row, "term": i,
                  "block": b, "row_code": r, "col_code": c, "money": e.money,
                  "n": len(e.cells)}
                 for e in eqs for i, (b, r, c) in enumerate(e.cells)]
    terms = pl.DataFrame(term_rows, schema={
        "template": pl.String, "prose_row": pl.String, "term": pl.Int32, "block": pl.String,
        "row_code": pl.String, "col_code": pl.String, "money": pl.Boolean, "n": pl.Int32})
    prose = (facts.filter(pl.col("block") == PROSE.code, pl.col("value").is_not_null())
             .unique(["report_id", "row_code"], keep="first")
             .select("report_id", "report_year", "template",
                     pl.col("row_code").alias("prose_row"),
                     pl.col("value").alias("prose_value"), pl.col("unit").alias("prose_unit")))
    if prose.height == 0:
        return _empty_checks()
    table = facts.filter(pl.col("block") != PROSE.code).unique(
        ["report_id", "block", "row_code", "col_code"], keep="first").select(
        "report_id", "block", "row_code", "col_code", "value", "unit")
    joined = (prose.join(terms, on=["template", "prose_row"])
              .join(table, on=["report_id", "block", "row_code", "col_code"], how="left")
              .with_columns(value=pl.when(pl.col("money"))
                            .then(_wan(pl.col("value"), pl.col("unit")))
                            .otherwise(pl.col("value")),
                            prose_value=pl.when(pl.col("money"))
                            .then(_wan(pl.col("prose_value"), pl.col("prose_unit")))
                            .otherwise(pl.col("prose_value"))))
    grouped = joined.group_by("report_id", "report_year", "template", "prose_row",
                              maintain_order=True).agg(
        pl.first("prose_value"), pl.first("n"), pl.first("money"),
        pl.col("value").is_not_null().sum().alias("present"),
        pl.col("value").sum().round(_DIGITS).alias("expected"))
    complete = grouped.filter(pl.col("present") == pl.col("n"),
                              pl.col("prose_value").is_not_null())
    if complete.height == 0:
        return _empty_checks()
    labels = {r.code: r.label for r in PROSE.rows}
    out = complete.with_columns(
        observed=pl.col("prose_value").round(_DIGITS),
        location=pl.format("{} {}", pl.lit(PROSE.title),
                           pl.col("prose_row").replace_strict(labels, default=pl.col(
                               "prose_row"))),
    ).with_columns(holds=pl.col("observed") == pl.col("expected"))
    unit = pl.when(pl.col("money")).then(pl.lit(" 万元")).otherwise(pl.lit(""))
    out = out.with_columns(
        table=pl.lit(PROSE.table), block=pl.lit(PROSE.code), check=pl.lit(PROSE_ID),
        op=pl.lit("eq"), severity=pl.lit("warning"), low=pl.lit(None, pl.Float64),
        high=pl.lit(None, pl.Float64),
        message=pl.format("{} {} at {}: the prose states {}{}, the table {}{} "
                          "(figures stated in prose = the table's figures)",
                          pl.lit(PROSE_ID),
                          pl.when(pl.col("holds")).then(pl.lit("holds"))
                          .otherwise(pl.lit("fails")),
                          pl.col("location"), _num(pl.col("observed")), unit,
                          _num(pl.col("expected")), unit))
    return out.select(list(CHECK_SCHEMA)).cast(CHECK_SCHEMA)  # type: ignore[arg-type]


# ---------------------------------------------------------------- J1


def jump_checks(metrics: pl.DataFrame, bodies: pl.DataFrame,
                metrics_checked: Iterable[str] = JUMP_METRICS, factor: float = JUMP_FACTOR,
                floor: float = JUMP_FLOOR) -> pl.DataFrame:
    """J1: a metric ×factor or ÷factor against the body's previous year (larger ≥ floor)."""
    names = [m for m in metrics_checked if m in metrics.columns]
    if metrics.height == 0 or bodies.height == 0 or not names:
        return _empty_checks()
    long = (metrics.select("report_id", *names)
            .unpivot(index="report_id", on=names, variable_name="metric", value_name="value")
            .filter(pl.col("value").is_not_null())
            .join(bodies, on="report_id"))
    prev = long.join(_canonical(bodies), left_on="report_id", right_on="term_report").select(
        pl.col("body"), pl.col("report_year").alias("prev_year"), "metric",
        pl.col("value").alias("prev_value"))
    pairs = long.with_columns(prev_year=pl.col("report_year") - 1).join(
        prev, on=["body", "prev_year", "metric"])
    if pairs.height == 0:
        return _empty_checks()
    big = pl.max_horizontal("value", "prev_value")
    small = pl.min_horizontal("value", "prev_value")
    holds = (big < floor) | (small * factor > big)
    docs = COLUMN_DOCS["metrics"]
    meaning = {m: docs[m].meaning.split(" (")[0] for m in names}
    out = pairs.with_columns(
        observed=pl.col("value"), expected=pl.col("prev_value"),
        low=pl.col("prev_value") / factor, high=pl.col("prev_value") * factor,
        holds=holds, check=pl.lit(JUMP_ID), op=pl.lit("jump"), severity=pl.lit("warning"),
        table=pl.lit("metrics"), block=pl.lit(None, pl.String),
        location=pl.format("metrics.{} {}→{}", pl.col("metric"), pl.col("prev_year"),
                           pl.col("report_year")))
    fmt_factor = f"{factor:g}"
    out = out.with_columns(message=pl.format(
        "{} {} at {}: {} went from {} to {} (flagged at ×{} or ÷{} when the larger is ≥ {})",
        pl.col("check"),
        pl.when(pl.col("holds")).then(pl.lit("holds")).otherwise(pl.lit("fails")),
        pl.col("location"), pl.col("metric").replace_strict(meaning, default=pl.col("metric")),
        _num(pl.col("prev_value")), _num(pl.col("value")), pl.lit(fmt_factor), pl.lit(fmt_factor),
        pl.lit(f"{floor:g}")))
    return out.select(list(CHECK_SCHEMA)).cast(CHECK_SCHEMA)  # type: ignore[arg-type]


# ---------------------------------------------------------------- all of them


# the facts columns the checks read: a run loads only these (the table has 15)
FACT_COLUMNS = ("report_id", "report_year", "template", "block", "row_code", "col_code",
                "value", "unit")


def facts_needed(layouts: Mapping[str, Layout] = LAYOUTS,
                 equivalents: Iterable[ProseEquivalent] = PROSE_EQUIVALENTS) -> pl.Expr:
    """The facts rows the checks can read: prose figures and the cells named by a
    previous-year identity or a prose equivalent. A filter for the warehouse scan, so
    the checks over a national warehouse hold a few cells per report, not all ~130."""
    terms = _term_frame(layouts)
    cells = {(b, r, c) for b, r, c in terms.select("block", "row_code", "col_code").iter_rows()}
    cells |= {cell for e in equivalents for cell in e.cells}
    keys = sorted(f"{b}\x1f{r}\x1f{c}" for b, r, c in cells)
    key = pl.concat_str("block", "row_code", "col_code", separator="\x1f")
    return (pl.col("block") == PROSE.code) | key.is_in(keys)


def cross_checks(reports: pl.DataFrame, facts: pl.DataFrame, metrics: pl.DataFrame,
                 layouts: Mapping[str, Layout] = LAYOUTS) -> pl.DataFrame:
    """The check frame of C1–C4 and J1 over the given warehouse tables."""
    bodies = with_body(reports)
    parts = [previous_year_checks(facts, bodies, layouts), prose_table_checks(facts),
             jump_checks(metrics, bodies)]
    return pl.concat([p for p in parts if p.height] or [_empty_checks()])


def affected_reports(reports: pl.DataFrame, run_id: str) -> set[str]:
    """Reports whose cross-checks a run can change: its own, and the next year's of its bodies."""
    bodies = with_body(reports)
    mine = reports.filter(pl.col("run_id") == run_id)["report_id"].to_list()
    nxt = (bodies.filter(pl.col("report_id").is_in(mine))
           .select("body", (pl.col("report_year") + 1).alias("report_year"))
           .join(bodies, on=["body", "report_year"])["report_id"].to_list())
    return set(mine) | set(nxt)


def check_results(checks: pl.DataFrame, run_id: str) -> pl.DataFrame:
    """Check frame → validation_results rows: one per failing instance, one per held check."""
    if checks.height == 0:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    per = checks.group_by("report_id", "check").agg(
        pl.len().cast(pl.Int32).alias("instances"),
        (~pl.col("holds")).sum().cast(pl.Int32).alias("failed"))
    fails = checks.filter(~pl.col("holds")).join(per, on=["report_id", "check"]).with_columns(
        success=pl.lit(False))
    passes = (checks.group_by("report_id", "check", maintain_order=True)
              .agg(pl.first("report_year"), pl.first("table"), pl.first("severity"))
              .join(per, on=["report_id", "check"]).filter(pl.col("failed") == 0)
              .with_columns(success=pl.lit(True), observed=pl.lit(None, pl.Float64),
                            expected=pl.lit(None, pl.Float64),
                            location=pl.lit(None, pl.String),
                            message=pl.format("{} holds on all {} instances", pl.col("check"),
                                              pl.col("instances"))))
    cols = [c for c in RESULT_SCHEMA if c != "run_id"]
    rows = pl.concat([fails.select(cols), passes.select(cols)])
    return (rows.with_columns(run_id=pl.lit(run_id)).select(list(RESULT_SCHEMA))
            .cast(RESULT_SCHEMA)  # type: ignore[arg-type]
            .sort("report_id", "check", "location", nulls_last=True))
