"""Evaluate the catalog's identities (勾稽关系) on facts: the check frame.

Each identity of a layout is instantiated from data alone (``Identity.over``):
once per column ("columns"), once per row ("rows"), once for one column
("column:<code>"), once per count fact ("nonneg"). Every instance becomes one
row of the check frame with what was stated (``observed``), what the identity
implies (``expected``; ``low``/``high`` for between), where (printed labels)
and a message. An instance with a missing or null term is skipped: no zero is
invented for a number the report did not give. Identities marked ``partial``
("sum of the channels present") leave out the rows the document does not print.

``over="previous_year"`` identities (C1–C3) compare a body's report with its
report of the year before: ``transforms.cross_checks`` evaluates them
(``cross_report_checks`` here delegates to it).

Why polars in, polars out: the expectations layer hands this frame to Great
Expectations as is, and the same frame answers "which reports break A1?".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

import polars as pl

from transforms.catalog import LAYOUTS, PROSE
from transforms.catalog.model import Block, Identity, Layout

CHECK_SCHEMA: dict[str, pl.DataType] = {
    "report_id": pl.String(), "report_year": pl.Int32(), "template": pl.String(),
    "table": pl.String(), "block": pl.String(), "check": pl.String(), "op": pl.String(),
    "severity": pl.String(), "observed": pl.Float64(), "expected": pl.Float64(),
    "low": pl.Float64(), "high": pl.Float64(), "holds": pl.Boolean(),
    "location": pl.String(), "message": pl.String(),
}

_DIGITS = 6  # sums of decimals are compared after rounding, so 0.1 + 0.2 = 0.3

Cell = tuple[str, str]  # row_code, col_code


@dataclass(frozen=True)
class Instance:
    """One place an identity applies: the cells on each side and where it is."""

    location: str
    lhs: tuple[Cell, ...]
    rhs: tuple[Cell, ...]


def _label(block: Block, row: str | None = None, col: str | None = None) -> str:
    try:
        if row is not None:
            return block.row(row).label
        assert col is not None
        return block.column(col).label
    except KeyError:
        return row or col or "?"


def instances(block: Block, identity: Identity) -> list[Instance]:
    """Where ``identity`` applies in ``block``; cells the form leaves empty are left out."""
    def keep(cells: list[Cell]) -> tuple[Cell, ...]:
        return tuple(c for c in cells if c not in block.absent)

    out: list[Instance] = []
    if identity.over == "rows":
        lhs_names = " + ".join(_label(block, col=c) for c in identity.lhs)
        for row in block.rows:
            lhs = keep([(row.code, c) for c in identity.lhs])
            if lhs:
                out.append(Instance(f"{row.label} × {lhs_names}", lhs,
                                    keep([(row.code, c) for c in identity.rhs])))
        return out
    if identity.over == "columns":
        cols = [c.code for c in block.columns]
    elif identity.over.startswith("column:"):
        cols = [identity.over.removeprefix("column:")]
    else:
        raise ValueError(f"{identity.id}: over={identity.over!r} is not a within-report rule")
    lhs_names = " + ".join(_label(block, row=r) for r in identity.lhs)
    for col in cols:
        lhs = keep([(r, col) for r in identity.lhs])
        if lhs:
            out.append(Instance(f"{lhs_names} × {_label(block, col=col)}", lhs,
                                keep([(r, col) for r in identity.rhs])))
    return out


def _fmt(x: float) -> str:
    return f"{x:g}"


def _compare(identity: Identity, observed: float, terms: list[float]
             ) -> tuple[float, float | None, float | None, bool, str]:
    """expected, low, high, holds, relation text."""
    total = round(sum(terms), _DIGITS)
    if identity.op == "eq":
        return total, None, None, observed == total, "="
    if identity.op == "ge":
        return total, None, None, observed >= total, "≥"
    if identity.op == "le":
        return total, None, None, observed <= total, "≤"
    if identity.op == "between_max_and_sum":
        low = round(max(terms), _DIGITS)
        return total, low, total, low <= observed <= total, "between max and sum of"
    raise ValueError(f"{identity.id}: op {identity.op!r} has no comparison")


def _layouts_of(templates: list[str], layouts: Mapping[str, Layout]) -> list[Layout]:
    return [layouts[t] for t in templates if t in layouts]


Key = tuple[str, str, str]  # block, row_code, col_code
# an instance ready to evaluate: lhs keys, rhs keys, location
_Prepared = tuple[tuple[Key, ...], tuple[Key, ...], str]
_PREPARED: dict[tuple[int, int], tuple[Identity, Block, list[_Prepared]]] = {}


def _prepared(layout: Layout, identity: Identity) -> tuple[Block, list[_Prepared]]:
    """The identity's instances with full cell keys, built once per (layout, identity)."""
    hit = _PREPARED.get((id(layout), id(identity)))
    if hit is not None and hit[0] is identity and hit[1] is layout.block(identity.block):
        return hit[1], hit[2]
    block = layout.block(identity.block)
    prepared = [(tuple((block.code, r, c) for r, c in inst.lhs),
                 tuple((block.code, r, c) for r, c in inst.rhs), inst.location)
                for inst in instances(block, identity)]
    _PREPARED[(id(layout), id(identity))] = (identity, block, prepared)
    return block, prepared


_CHECK_COLUMNS = tuple(CHECK_SCHEMA)


def evaluate_identities(facts: pl.DataFrame,
                        layouts: Mapping[str, Layout] = LAYOUTS) -> pl.DataFrame:
    """The check frame for every within-report identity of every report in ``facts``.

    ``facts`` needs report_id, report_year, template, block, row_code, col_code,
    value (the warehouse ``facts`` table has them; ``kind`` is used for A5).

    Rows: every instance of the sum/bound identities (layout, identity, report,
    instance order), then every count fact checked by a nonneg identity (A5),
    evaluated for the whole frame at once.
    """
    if facts.height == 0:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    reports: dict[str, tuple[int | None, str]] = {}
    needed = {(layout.code, i.block) for layout in layouts.values() for i in layout.identities
              if i.op != "nonneg" and i.over != "previous_year"}
    last: str | None = None
    for rid, year, template in zip(*(facts.get_column(c).to_list() for c in (
            "report_id", "report_year", "template")), strict=True):
        if rid != last:  # a report's facts are usually adjacent: one lookup per report
            reports.setdefault(rid, (year, template))
            last = rid
    # only the cells some identity reads (tables 三/四, indicators), first value per cell
    cells: dict[str, dict[Key, float | None]] = {}
    blocks = sorted({b for _, b in needed})
    sub = facts.filter(pl.col("block").is_in(blocks)) if blocks else facts.clear()
    for rid, template, block_code, row_code, col_code, value in zip(
            *(sub.get_column(c).to_list() for c in (
                "report_id", "template", "block", "row_code", "col_code", "value")),
            strict=True):
        if (template, block_code) in needed:
            got = cells.get(rid)
            if got is None:
                got = cells[rid] = {}
            got.setdefault((block_code, row_code, col_code), value)
    rows: list[tuple[object, ...]] = []
    templates = sorted({t for _, t in reports.values()})
    nonneg: list[tuple[Layout, Identity]] = []
    empty: dict[Key, float | None] = {}
    for layout in _layouts_of(templates, layouts):
        mine = [rid for rid, (_, t) in reports.items() if t == layout.code]
        for identity in layout.identities:
            if identity.op == "nonneg":
                nonneg.append((layout, identity))
                continue
            if identity.over == "previous_year":
                continue
            block, prepared = _prepared(layout, identity)
            for rid in mine:
                got = cells.get(rid, empty)
                if not got:
                    continue
                for lhs_keys, rhs_keys, location in prepared:
                    lhs = [got.get(k) for k in lhs_keys]
                    if None in lhs:
                        continue
                    if identity.partial:  # terms the document does not print drop out
                        rhs_keys = tuple(k for k in rhs_keys if k in got)
                    terms = [got.get(k) for k in rhs_keys]
                    if None in terms or not terms:
                        continue
                    rows.append(_instance_row(rid, reports[rid][0], layout, block, identity,
                                              location, lhs, terms))  # type: ignore[arg-type]
    frames: list[pl.DataFrame] = []
    if rows:
        columns = [list(c) for c in zip(*rows, strict=True)]  # rows → one list per column
        frames.append(pl.DataFrame(dict(zip(_CHECK_COLUMNS, columns, strict=True)),
                                   schema=CHECK_SCHEMA, strict=False))
    if nonneg:
        frames.append(_nonneg_rows(facts, nonneg))
    if not frames:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    return pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]


def _instance_row(rid: str, year: int | None, layout: Layout, block: Block, identity: Identity,
                  location: str, lhs: list[float], terms: list[float]) -> tuple[object, ...]:
    """One check-frame row, in CHECK_SCHEMA order."""
    observed = round(sum(lhs), _DIGITS)
    expected, low, high, holds, rel = _compare(identity, observed, terms)
    shown = f"[{_fmt(low)}, {_fmt(expected)}]" if low is not None else _fmt(expected)
    verdict = "holds" if holds else "fails"
    return (rid, year, layout.code, block.table, block.code, identity.id, identity.op,
            identity.severity, observed, expected, low, high, holds, location,
            f"{identity.id} {verdict} at {location}: stated {_fmt(observed)}, {rel} {shown} "
            f"({identity.description})")


_LOCATIONS: dict[tuple[str, str, str, str], tuple[str, str]] = {}


def _place_labels(layout: Layout, b: str, r: str, c: str) -> tuple[str, str]:
    """(table, location) of one cell, for A5 rows; memoized (labels come from the catalog)."""
    key = (layout.code, b, r, c)
    hit = _LOCATIONS.get(key)
    if hit is None:
        block = PROSE if b == PROSE.code else layout.block(b)
        hit = (block.table, f"{block.title} {_label(block, row=r)} × {_label(block, col=c)}")
        if len(_LOCATIONS) < 1 << 16:
            _LOCATIONS[key] = hit
    return hit


def _is_count(template: str, cell: dict[str, str]) -> bool:
    from transforms.normalize import place

    return place(template, cell["block"], cell["row_code"], cell["col_code"]).kind == "count"


def _nonneg_rows(facts: pl.DataFrame, rules: list[tuple[Layout, Identity]]) -> pl.DataFrame:
    """One instance per count fact with a value (kind from the catalog, via normalize).

    All (layout, nonneg identity) rules at once: rows come out rule by rule, each in
    the order of ``facts``.
    """
    indexed = facts.with_row_index("_row")
    parts = []
    for rank, (layout, identity) in enumerate(rules):
        cond = (pl.col("template") == layout.code) & pl.col("value").is_not_null()
        if identity.block != "*":
            cond = cond & (pl.col("block") == identity.block)
        if "kind" in facts.columns:
            cond = cond & (pl.col("kind") == "count")
        sel = indexed.filter(cond)
        if "kind" not in facts.columns:
            sel = sel.filter(pl.struct("block", "row_code", "col_code").map_elements(
                partial(_is_count, layout.code), return_dtype=pl.Boolean))
        parts.append(sel.select("_row", "report_id", "report_year", "template", "block",
                                "row_code", "col_code", "value").with_columns(
            _rank=pl.lit(rank, pl.Int32), check=pl.lit(identity.id),
            severity=pl.lit(identity.severity)))
    sel = pl.concat(parts, how="vertical") if len(parts) > 1 else parts[0]
    if sel.height == 0:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    # labels once per distinct cell, not once per fact (a batch has ~100 count facts a report)
    places = sel.select("_rank", "block", "row_code", "col_code").unique(maintain_order=True)
    tables, locations = [], []
    for rank, b, r, c in places.iter_rows():
        table, location = _place_labels(rules[rank][0], b, r, c)
        tables.append(table)
        locations.append(location)
    places = places.with_columns(table=pl.Series(tables, dtype=pl.String),
                                 location=pl.Series(locations, dtype=pl.String))
    v = pl.col("value").cast(pl.Float64)
    holds = v >= 0
    return sel.join(places, on=["_rank", "block", "row_code", "col_code"], how="left",
                    maintain_order="left").sort("_rank", "_row").select(
        "report_id", pl.col("report_year").cast(pl.Int32), template="template",
        table="table", block="block", check="check", op=pl.lit("nonneg"),
        severity="severity", observed=v, expected=pl.lit(0.0),
        low=pl.lit(0.0), high=pl.lit(None, pl.Float64), holds=holds, location="location",
        message=pl.format("{} {} at {}: stated {}, a count cannot be negative",
                          "check",
                          pl.when(holds).then(pl.lit("holds")).otherwise(pl.lit("fails")),
                          "location", _g_format(v)),
    ).cast(CHECK_SCHEMA)  # type: ignore[arg-type]


def _g_format(v: pl.Expr) -> pl.Expr:
    """``f"{x:g}"`` for the values counts take: integers print without a decimal point."""
    whole = v.round(0) == v
    return (pl.when(whole & (v.abs() < 1e6)).then(v.cast(pl.Int64).cast(pl.String))
            .otherwise(v.map_elements(lambda x: f"{x:g}", return_dtype=pl.String)))


def cross_report_checks(history: pl.DataFrame,
                        layouts: Mapping[str, Layout] = LAYOUTS) -> pl.DataFrame:
    """Year-over-year identities (C1–C3) across a body's reports.

    ``history`` is facts (report_id, report_year, template, block, row_code,
    col_code, value) plus ``body``, a key naming the reporting body. Kept for
    callers of this module; the checks live in ``transforms.cross_checks``.
    """
    from transforms.cross_checks import previous_year_checks

    bodies = history.select("report_id", "report_year", "template", "body").unique().filter(
        pl.col("body").is_not_null(), pl.col("report_year").is_not_null())
    return previous_year_checks(history, bodies, layouts)
