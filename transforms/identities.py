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


def evaluate_identities(facts: pl.DataFrame,
                        layouts: Mapping[str, Layout] = LAYOUTS) -> pl.DataFrame:
    """The check frame for every within-report identity of every report in ``facts``.

    ``facts`` needs report_id, report_year, template, block, row_code, col_code,
    value (the warehouse ``facts`` table has them; ``kind`` is used for A5).
    """
    rows: list[dict[str, object]] = []
    frames: list[pl.DataFrame] = []
    if facts.height == 0:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    reports: dict[str, tuple[int | None, str]] = {}
    cells: dict[str, dict[tuple[str, str, str], float | None]] = {}
    for rid, year, template, block_code, row_code, col_code, value in facts.select(
            "report_id", "report_year", "template", "block", "row_code", "col_code",
            "value").iter_rows():
        reports.setdefault(rid, (year, template))
        cells.setdefault(rid, {}).setdefault((block_code, row_code, col_code), value)
    templates = sorted({t for _, t in reports.values()})
    for layout in _layouts_of(templates, layouts):
        mine = [rid for rid, (_, t) in reports.items() if t == layout.code]
        for identity in layout.identities:
            if identity.op == "nonneg":
                frames.append(_nonneg_rows(facts, layout, identity))
                continue
            if identity.over == "previous_year":
                continue
            block = layout.block(identity.block)
            insts = instances(block, identity)
            for rid in mine:
                year = reports[rid][0]
                got = cells[rid]
                for inst in insts:
                    lhs = [got.get((block.code, r, c)) for r, c in inst.lhs]
                    rhs_keys = [(block.code, r, c) for r, c in inst.rhs]
                    if identity.partial:  # terms the document does not print drop out
                        rhs_keys = [k for k in rhs_keys if k in got]
                    rhs = [got.get(k) for k in rhs_keys]
                    if any(v is None for v in lhs) or any(v is None for v in rhs) or not rhs:
                        continue
                    observed = round(sum(v for v in lhs if v is not None), _DIGITS)
                    terms = [v for v in rhs if v is not None]
                    expected, low, high, holds, rel = _compare(identity, observed, terms)
                    shown = (f"[{_fmt(low)}, {_fmt(expected)}]" if low is not None
                             else _fmt(expected))
                    verdict = "holds" if holds else "fails"
                    rows.append({
                        "report_id": rid, "report_year": year, "template": layout.code,
                        "table": block.table, "block": block.code, "check": identity.id,
                        "op": identity.op, "severity": identity.severity,
                        "observed": observed, "expected": expected, "low": low, "high": high,
                        "holds": holds, "location": inst.location,
                        "message": (f"{identity.id} {verdict} at {inst.location}: stated "
                                    f"{_fmt(observed)}, {rel} {shown} "
                                    f"({identity.description})")})
    if rows:
        frames.insert(0, pl.DataFrame(rows, schema=CHECK_SCHEMA, strict=False))
    if not frames:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    return pl.concat(frames, how="vertical")


def _nonneg_rows(facts: pl.DataFrame, layout: Layout, identity: Identity) -> pl.DataFrame:
    """One instance per count fact with a value (kind from the catalog, via normalize)."""
    sel = facts.filter(pl.col("template") == layout.code, pl.col("value").is_not_null())
    if identity.block != "*":
        sel = sel.filter(pl.col("block") == identity.block)
    if "kind" in sel.columns:
        sel = sel.filter(pl.col("kind") == "count")
    else:
        from transforms.normalize import place
        sel = sel.filter(pl.struct("block", "row_code", "col_code").map_elements(
            lambda s: place(layout.code, s["block"], s["row_code"], s["col_code"]).kind
            == "count", return_dtype=pl.Boolean))
    if sel.height == 0:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    # labels once per distinct cell, not once per fact (a batch has ~100 count facts a report)
    places = sel.select("block", "row_code", "col_code").unique()
    tables, locations = [], []
    for b, r, c in places.iter_rows():
        block = PROSE if b == PROSE.code else layout.block(b)
        tables.append(block.table)
        locations.append(f"{block.title} {_label(block, row=r)} × {_label(block, col=c)}")
    places = places.with_columns(table=pl.Series(tables, dtype=pl.String),
                                 location=pl.Series(locations, dtype=pl.String))
    v = pl.col("value").cast(pl.Float64)
    holds = v >= 0
    return sel.join(places, on=["block", "row_code", "col_code"], how="left").select(
        "report_id", pl.col("report_year").cast(pl.Int32), template=pl.lit(layout.code),
        table="table", block="block", check=pl.lit(identity.id), op=pl.lit("nonneg"),
        severity=pl.lit(identity.severity), observed=v, expected=pl.lit(0.0),
        low=pl.lit(0.0), high=pl.lit(None, pl.Float64), holds=holds, location="location",
        message=pl.format("{} {} at {}: stated {}, a count cannot be negative",
                          pl.lit(identity.id),
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
