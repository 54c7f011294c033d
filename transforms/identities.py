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
from functools import lru_cache, partial
from typing import Literal

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


def _layouts_of(templates: list[str], layouts: Mapping[str, Layout]) -> list[Layout]:
    return [layouts[t] for t in templates if t in layouts]


_REL = {"eq": "=", "ge": "≥", "le": "≤", "between_max_and_sum": "between max and sum of"}
# Terms that are whole numbers below this add up exactly in any order (an instance has far
# fewer than 2**7 terms), so polars' sums equal Python's left-to-right ``sum`` bit for bit;
# any other instance is summed in Python, in term order (``_exact_in_python``).
_EXACT = float(2 ** 46)

_TERM_SCHEMA: dict[str, pl.DataType] = {
    "template": pl.String(), "block": pl.String(), "row_code": pl.String(),
    "col_code": pl.String(), "_inst": pl.Int64(), "_side": pl.Int64(), "_pos": pl.Int64()}
_INST_SCHEMA: dict[str, pl.DataType] = {
    "_inst": pl.Int64(), "_ident": pl.Int32(), "_order": pl.Int32(), "template": pl.String(),
    "table": pl.String(), "block": pl.String(), "check": pl.String(), "op": pl.String(),
    "severity": pl.String(), "location": pl.String(), "description": pl.String(),
    "rel": pl.String(), "partial": pl.Boolean(), "n_lhs": pl.Int32(), "n_rhs": pl.Int32()}
_LABEL_SCHEMA: dict[str, pl.DataType] = {
    "block": pl.String(), "row_code": pl.String(), "col_code": pl.String(),
    "table": pl.String(), "location": pl.String()}


@dataclass
class _LayoutPlan:
    """One layout's sum/bound identities as frames, and its cell labels for A5 rows.

    ``terms``: one row per cell an instance reads (side 0 = lhs, 1 = rhs, in term
    order); ``insts``: one row per instance with what the check frame says about it.
    Built once per layout object: the catalog is data, the frames are its index.
    """

    layout: Layout
    terms: pl.DataFrame
    insts: pl.DataFrame
    labels: dict[tuple[str, str, str], tuple[str, str]]
    label_frame: pl.DataFrame | None = None


_PLANS: dict[int, _LayoutPlan] = {}


def _plan(layout: Layout) -> _LayoutPlan:
    hit = _PLANS.get(id(layout))
    if hit is not None and hit.layout is layout:
        return hit
    terms: list[tuple[object, ...]] = []
    insts: list[tuple[object, ...]] = []
    widest = 0  # most terms on one side of an instance
    for ident_no, identity in enumerate(layout.identities):
        if identity.op == "nonneg" or identity.over == "previous_year":
            continue
        block = layout.block(identity.block)
        for order, inst in enumerate(instances(block, identity)):
            n = len(insts)
            widest = max(widest, len(inst.lhs), len(inst.rhs))
            for side, cells in ((0, inst.lhs), (1, inst.rhs)):
                terms += [(layout.code, block.code, r, c, n, side, pos)
                          for pos, (r, c) in enumerate(cells)]
            insts.append((n, ident_no, order, layout.code, block.table, block.code, identity.id,
                          identity.op, identity.severity, inst.location, identity.description,
                          _REL.get(identity.op), identity.partial, len(inst.lhs),
                          len(inst.rhs)))
    if len(insts) > 0xFFFF or widest > 0xFFF:  # see _REP_SHIFT
        raise ValueError(f"{layout.code}: too many identity instances or terms to index")
    plan = _LayoutPlan(
        layout, pl.DataFrame(terms, schema=_TERM_SCHEMA, orient="row"),
        pl.DataFrame(insts, schema=_INST_SCHEMA, orient="row"), _catalog_labels(layout))
    if len(_PLANS) > 64:  # layouts are module constants; stay bounded for ad hoc ones
        _PLANS.clear()
    _PLANS[id(layout)] = plan
    return plan


def _catalog_labels(layout: Layout) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(table, location) of every catalog cell of the layout and of the prose block."""
    out: dict[tuple[str, str, str], tuple[str, str]] = {}
    for block in (*layout.blocks, PROSE):
        for row in block.rows:
            for col in block.columns:
                out.setdefault((block.code, row.code, col.code),
                               _cell_label(layout, block.code, row.code, col.code))
    return out


def _cell_label(layout: Layout, b: str, r: str, c: str) -> tuple[str, str]:
    """(table, location) of one cell, for A5 rows."""
    block = PROSE if b == PROSE.code else layout.block(b)
    return block.table, f"{block.title} {_label(block, row=r)} × {_label(block, col=c)}"


_CHECK_COLUMNS = tuple(CHECK_SCHEMA)
# The in-memory engine: a batch's frames are small (a few 10k rows), and the streaming
# engine's start-up per query costs more than it saves on them.
_ENGINE: Literal["in-memory", "streaming"] = "in-memory"
# An instance is one group keyed by one Int64: report * 2**24 + layout rank * 2**16 +
# instance; a term of it is that key * 2**13 + side * 2**12 + position (bounds: ``_plan``).
_REP_SHIFT, _RANK_SHIFT, _TERM_SHIFT = 24, 16, 13


@dataclass
class _Present:
    """The plans of the layouts a frame's reports use, concatenated with their rank."""

    layouts: tuple[Layout, ...]
    terms: pl.DataFrame
    insts: pl.DataFrame
    labels: pl.DataFrame | None = None  # per nonneg rule, see ``_rule_labels``


_PRESENT: dict[tuple[int, ...], _Present] = {}


def _present(layouts: list[Layout]) -> _Present:
    key = tuple(id(layout) for layout in layouts)
    hit = _PRESENT.get(key)
    if hit is not None and all(a is b for a, b in zip(hit.layouts, layouts, strict=True)):
        return hit
    plans = [_plan(layout) for layout in layouts]
    rank = [pl.lit(i, pl.Int64) for i in range(len(plans))]
    hit = _Present(
        tuple(layouts),
        pl.concat([p.terms.with_columns(_rank=r) for p, r in zip(plans, rank, strict=True)]),
        pl.concat([p.insts.with_columns(_rank=r) for p, r in zip(plans, rank, strict=True)]))
    if len(_PRESENT) > 64:
        _PRESENT.clear()
    _PRESENT[key] = hit
    return hit


def evaluate_identities(facts: pl.DataFrame, layouts: Mapping[str, Layout] = LAYOUTS, *,
                        held_messages: bool = True) -> pl.DataFrame:
    """The check frame for every within-report identity of every report in ``facts``.

    ``facts`` needs report_id, report_year, template, block, row_code, col_code,
    value (the warehouse ``facts`` table has them; ``kind`` is used for A5).
    ``held_messages=False`` leaves the message of an instance that holds null (what a
    batch worker ships, see ``flows.batches.compact_checks``).

    Rows: every instance of the sum/bound identities (layout, identity, report,
    instance order), then every count fact checked by a nonneg identity (A5),
    evaluated for the whole frame at once: every cell is joined to the instances
    that read it and each (report, instance) is one group. A few whole-frame
    queries, whatever the number of reports: a chunk of a batch pays little more
    than its rows.
    """
    if facts.height == 0:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    rid, tpl = pl.col("report_id"), pl.col("template")
    # a report's (year, template) is that of its first fact; its facts are usually adjacent
    start = rid.ne_missing(rid.shift()) | (pl.int_range(pl.len()) == 0)
    runs = facts.lazy().with_columns(_start=start).select(
        "report_id", "report_year", "template", "_start",
        _mixed=(tpl.ne_missing(tpl.shift()) & ~pl.col("_start")).any()).filter(
        "_start").collect(engine=_ENGINE)
    adjacent = runs.height == 0 or (not runs.get_column("_mixed")[0] and
                                    runs.get_column("report_id").n_unique() == runs.height)
    reports = runs.select("report_id", "report_year", "template")
    if not adjacent:
        reports = reports.unique("report_id", keep="first", maintain_order=True)
    reports = reports.with_row_index("_rep")
    templates = sorted(t for t in set(reports.get_column("template").to_list()) if t is not None)
    present = _layouts_of(templates, layouts)
    if not present:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    frames = [_sum_rows(facts, reports, present, layouts, adjacent, held_messages)]
    rules = [(rank, layout, identity) for rank, layout in enumerate(present)
             for identity in layout.identities if identity.op == "nonneg"]
    if rules:
        frames.append(_nonneg_rows(facts, rules, present, held_messages))
    frames = [f for f in frames if f.height]
    if not frames:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    return pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]


@dataclass(frozen=True)
class _SumExprs:
    """The expressions of the sum/bound query, built once (they do not depend on data)."""

    rep: pl.Expr
    group: pl.Expr
    first_term: pl.Expr
    terms: tuple[pl.Expr, ...]
    agg: tuple[pl.Expr, ...]
    decode: tuple[pl.Expr, ...]
    applies: tuple[pl.Expr, ...]
    sums: tuple[pl.Expr, ...]
    verdict: tuple[pl.Expr, ...]
    order: tuple[str, ...]
    shown: tuple[pl.Expr, ...]
    cast: tuple[pl.Expr, ...]


@lru_cache(maxsize=2)
def _sum_exprs(held_messages: bool) -> _SumExprs:
    v, lhs, k, op = pl.col("value"), pl.col("_side") == 0, pl.col("_k"), pl.col("op")
    exact = (v == v.floor()) & (v.abs() < _EXACT) & ~((v == 0) & (1.0 / v < 0))
    between = op == "between_max_and_sum"
    observed, expected, low = pl.col("observed"), pl.col("expected"), pl.col("low")
    g_obs, g_exp, g_low = _g_expr(observed), _g_expr(expected), _g_expr(low)
    shown = pl.when(between).then(pl.format("[{}, {}]", g_low, g_exp)).otherwise(g_exp)
    message = pl.format("{} {} at {}: stated {}, {} {} ({})", "check",
                        pl.when("holds").then(pl.lit("holds")).otherwise(pl.lit("fails")),
                        "location", g_obs, "rel", shown, "description")
    if not held_messages:
        message = pl.when(~pl.col("holds")).then(message)
    return _SumExprs(
        rep=(pl.col("report_id").ne_missing(pl.col("report_id").shift())
             | (pl.int_range(pl.len()) == 0)).cum_sum().cast(pl.Int64) - 1,
        group=(pl.col("_rep") * (1 << _REP_SHIFT) + pl.col("_rank") * (1 << _RANK_SHIFT)
               + pl.col("_inst")).alias("_k"),
        first_term=pl.col("_k").is_not_null() & (
            k * (1 << _TERM_SHIFT) + pl.col("_side") * (1 << 12) + pl.col("_pos")
        ).is_first_distinct(),
        terms=(pl.when(lhs).then(v).alias("_l"), pl.when(~lhs).then(v).alias("_r"),
               exact.alias("_x")),
        agg=(pl.len().alias("_n"), pl.col("_side").sum().alias("_rhs_n"),
             v.null_count().alias("_nulls"), pl.col("_l").sum().alias("_obs"),
             pl.col("_r").sum().alias("_tot"), pl.col("_r").max().alias("_max"),
             pl.col("_x").all().alias("_exact")),
        decode=((k // (1 << _REP_SHIFT)).alias("_rep"),
                (k // (1 << _RANK_SHIFT) % 0x100).alias("_rank"),
                (k % 0x10000).alias("_inst")),
        applies=(pl.col("_nulls") == 0, pl.col("_n") - pl.col("_rhs_n") == pl.col("n_lhs"),
                 pl.when("partial").then(pl.col("_rhs_n") > 0).otherwise(
                     (pl.col("n_rhs") > 0) & (pl.col("_rhs_n") == pl.col("n_rhs")))),
        # whole-number terms: polars' sums are Python's (+ 0.0: no −0 sum); others: _fix
        sums=((pl.col("_obs") + 0.0).alias("observed"), (pl.col("_tot") + 0.0).alias("expected"),
              pl.when(between).then(pl.col("_max")).alias("low")),
        verdict=(pl.when(between).then(expected).alias("high"),
                 pl.when(op == "eq").then(observed == expected)
                 .when(op == "ge").then(observed >= expected)
                 .when(op == "le").then(observed <= expected)
                 .otherwise((low <= observed) & (observed <= expected)).alias("holds")),
        order=("_rank", "_ident", "_rep", "_order"),
        shown=(message.alias("message"),
               (~pl.col("_exact") | g_obs.is_null() | g_exp.is_null()
                | (between & g_low.is_null())).alias("_fix")),
        cast=tuple(pl.col(c).cast(t) for c, t in CHECK_SCHEMA.items()))


def _sum_rows(facts: pl.DataFrame, reports: pl.DataFrame, present: list[Layout],
              layouts: Mapping[str, Layout], adjacent: bool,
              held_messages: bool) -> pl.DataFrame:
    """Instances of the sum/bound identities of the reports' layouts (empty if none)."""
    plans = _present(present)
    if plans.terms.height == 0:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    if reports.height >= 1 << (63 - _REP_SHIFT - _TERM_SHIFT) or len(present) > 0xFF:
        raise ValueError("too many reports or layouts in one facts frame to index")
    x = _sum_exprs(held_messages)
    needed = sorted({(layout.code, i.block) for layout in layouts.values()
                     for i in layout.identities
                     if i.op != "nonneg" and i.over != "previous_year"})
    read = pl.col("block").is_in(sorted({b for _, b in needed}))
    # each fact with its report's number and template
    if adjacent:  # one run of rows per report, one template a run: no join needed
        cells = facts.lazy().select(
            "report_id", "template", "block", "row_code", "col_code", "value").with_columns(
            _rep=x.rep, _tpl=pl.col("template")).filter(read)
        # (the join with the report's terms keeps exactly the (template, block) pairs read)
    else:
        cells = facts.lazy().filter(read).join(pl.LazyFrame(needed, orient="row", schema={
            "template": pl.String, "block": pl.String}), on=["template", "block"], how="semi"
        ).join(reports.lazy().select("report_id", pl.col("_rep").cast(pl.Int64),
                                     _tpl="template"),
               on="report_id", how="left", nulls_equal=True, maintain_order="left")
    cells = cells.select("_tpl", "block", "row_code", "col_code",
                         pl.col("value").cast(pl.Float64), "_rep").join(
        plans.terms.lazy(), left_on=["_tpl", "block", "row_code", "col_code"],
        right_on=["template", "block", "row_code", "col_code"], maintain_order="left").select(
        "_side", "_pos", "value", x.group).filter(x.first_term)  # a cell's first value counts
    done = (cells.with_columns(*x.terms).group_by("_k").agg(*x.agg)
            .with_columns(*x.decode).join(plans.insts.lazy(), on=["_rank", "_inst"])
            .filter(*x.applies).with_columns(*x.sums).with_columns(*x.verdict)
            .sort(*x.order)
            .join(reports.lazy().select(pl.col("_rep").cast(pl.Int64), "report_id",
                                        "report_year"), on="_rep", maintain_order="left")
            .with_columns(*x.shown).collect(engine=_ENGINE))
    if done.height == 0:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    if done.get_column("rel").null_count():
        bad = done.filter(pl.col("rel").is_null()).row(0, named=True)
        raise ValueError(f"{bad['check']}: op {bad['op']!r} has no comparison")
    if done.get_column("_fix").any():
        done = _fix_in_python(done, cells, held_messages)
    return done.lazy().select(*x.cast).collect(engine=_ENGINE)


def _g_expr(v: pl.Expr, signed_zero: bool = True) -> pl.Expr:
    """``f"{x:g}"`` of integers below 10**6 (null otherwise: ``_fmt`` in Python).

    ``signed_zero=False`` prints −0 as "0" (what A5 messages have always said).
    """
    fast = (v.round(0) == v) & (v.abs() < 1e6)
    if signed_zero:
        fast = fast & ~((v == 0) & (1.0 / v < 0))
    return pl.when(fast).then(v.cast(pl.Int64, strict=False).cast(pl.String))


def _fmt(x: float) -> str:
    return f"{x:g}"


def _fix_in_python(done: pl.DataFrame, cells: pl.LazyFrame, held_messages: bool
                   ) -> pl.DataFrame:
    """Rows polars cannot give as Python would: terms that are fractional, huge or −0
    (summed here, in term order, and rounded as ``round`` does) and numbers ``%g`` prints
    other than as an integer. Their values and messages are set from Python."""
    at = done.get_column("_fix").arg_true()
    sub = done.gather(at)
    inexact = sub.filter(~pl.col("_exact"))
    terms: dict[int, tuple[list[float], list[float]]] = {}
    if inexact.height:
        grouped = (cells.join(inexact.lazy().select("_k"), on="_k", how="semi")
                   .sort("_k", "_side", "_pos").group_by("_k", maintain_order=True)
                   .agg(lhs=pl.col("value").filter(pl.col("_side") == 0),
                        rhs=pl.col("value").filter(pl.col("_side") == 1)).collect(engine=_ENGINE))
        terms = {key: (lhs, rhs) for key, lhs, rhs in grouped.iter_rows()}
    fixed: dict[str, list[object]] = {c: [] for c in (
        "observed", "expected", "low", "high", "holds", "message")}
    for row in sub.iter_rows(named=True):
        observed, total, low, high, holds = (row[c] for c in (
            "observed", "expected", "low", "high", "holds"))
        op = row["op"]
        if row["_k"] in terms:
            lhs, rhs = terms[row["_k"]]
            observed = round(sum(lhs), _DIGITS)
            total = round(sum(rhs), _DIGITS)
            low = high = None
            if op == "eq":
                holds = observed == total
            elif op == "ge":
                holds = observed >= total
            elif op == "le":
                holds = observed <= total
            else:
                low, high = round(max(rhs), _DIGITS), total
                holds = low <= observed <= total
        shown = f"[{_fmt(low)}, {_fmt(total)}]" if low is not None else _fmt(total)
        verdict = "holds" if holds else "fails"
        message = None if holds and not held_messages else (
            f"{row['check']} {verdict} at {row['location']}: stated {_fmt(observed)}, "
            f"{row['rel']} {shown} ({row['description']})")
        for c, x in zip(fixed, (observed, total, low, high, holds, message), strict=True):
            fixed[c].append(x)
    return done.with_columns(_scatter(done, at, fixed))


def _scatter(frame: pl.DataFrame, at: pl.Series, values: dict[str, list[object]]
             ) -> list[pl.Series]:
    """Columns of ``frame`` with the rows ``at`` replaced by ``values``."""
    out = []
    for name, new in values.items():
        column = frame.get_column(name).clone()
        column.scatter(at, pl.Series(new, dtype=column.dtype))
        out.append(column)
    return out


def _is_count(template: str, cell: dict[str, str]) -> bool:
    from transforms.normalize import place

    return place(template, cell["block"], cell["row_code"], cell["col_code"]).kind == "count"


def _labels_frame(plan: _LayoutPlan) -> pl.DataFrame:
    if plan.label_frame is None:
        plan.label_frame = pl.DataFrame(
            [(*k, *v) for k, v in plan.labels.items()], schema=_LABEL_SCHEMA, orient="row")
    return plan.label_frame


def _nonneg_rows(facts: pl.DataFrame, rules: list[tuple[int, Layout, Identity]],
                 present: list[Layout], held_messages: bool) -> pl.DataFrame:
    """One instance per count fact with a value (kind from the catalog, via normalize).

    All (layout, nonneg identity) rules at once: rows come out rule by rule, each in
    the order of ``facts``.
    """
    has_kind = "kind" in facts.columns
    base = facts.lazy().select(
        "report_id", "report_year", "template", "block", "row_code", "col_code", "value",
        *(["kind"] if has_kind else [])).filter(
        pl.col("value").is_not_null(), *([pl.col("kind") == "count"] if has_kind else []),
        pl.col("template").is_in(sorted({layout.code for _, layout, _ in rules})))
    codes = [layout.code for _, layout, _ in rules]
    if has_kind and len(set(codes)) == len(codes) and all(i.block == "*" for *_, i in rules):
        # one rule a layout, over every block: the template names the rule
        sel = base.with_columns(_rule=pl.col("template").replace_strict(
            codes, list(range(len(codes))), return_dtype=pl.Int32))
    else:
        parts = []
        for rule, (_, layout, identity) in enumerate(rules):
            cond = pl.col("template") == layout.code
            if identity.block != "*":
                cond = cond & (pl.col("block") == identity.block)
            part = base.filter(cond)
            if not has_kind:
                part = part.filter(pl.struct("block", "row_code", "col_code").map_elements(
                    partial(_is_count, layout.code), return_dtype=pl.Boolean))
            parts.append(part.with_columns(_rule=pl.lit(rule, pl.Int32)))
        sel = pl.concat(parts, how="vertical") if len(parts) > 1 else parts[0]
    keys = ["_rule", "block", "row_code", "col_code"]
    plans = [_plan(layout) for _, layout, _ in rules]
    cached = _present(present)
    if cached.labels is None:
        cached.labels = _rule_labels(plans)
    placed = sel.join(cached.labels.lazy(), on=keys, how="left",
                      maintain_order="left").collect(engine=_ENGINE)
    if placed.height == 0:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    if placed.get_column("location").null_count():  # a count cell the catalog's rows ×
        unknown = placed.filter(pl.col("location").is_null())  # columns lack: label it once
        for rule, b, r, c in unknown.select(keys).unique(maintain_order=True).iter_rows():
            plan = plans[rule]
            if len(plan.labels) > 1 << 16:
                plan.labels = _catalog_labels(plan.layout)
            plan.labels[(b, r, c)] = _cell_label(plan.layout, b, r, c)
            plan.label_frame = None
        cached.labels = _rule_labels(plans)
        placed = placed.drop("table", "location").join(
            cached.labels, on=keys, how="left", maintain_order="left")
    lazy = placed.lazy()
    if len(rules) > 1:  # rule by rule, each in the order of ``facts``
        lazy = lazy.sort("_rule", maintain_order=True)
    out = lazy.select(*_nonneg_exprs(tuple((i.id, i.severity) for *_, i in rules),
                                     held_messages)).collect(engine=_ENGINE)
    if out.get_column("_fix").any():  # a count %g prints in Python's way
        at = out.get_column("_fix").arg_true()
        sub = out.gather(at)
        out = out.with_columns(_scatter(out, at, {"message": [
            f"{check} {'holds' if ok else 'fails'} at {location}: stated {_fmt(x)}, "
            "a count cannot be negative" for check, ok, location, x in zip(
                sub.get_column("check"), sub.get_column("holds"), sub.get_column("location"),
                sub.get_column("observed"), strict=True)]}))
    return out.drop("_fix")


@lru_cache(maxsize=16)
def _nonneg_exprs(rules: tuple[tuple[str, str], ...], held_messages: bool
                  ) -> tuple[pl.Expr, ...]:
    """The check-frame columns of nonneg rows, typed; ``rules``: (id, severity) by _rule."""
    numbers = list(range(len(rules)))
    v = pl.col("value").cast(pl.Float64)
    holds = v >= 0
    shown = _g_expr(v, signed_zero=False)
    check = pl.col("_rule").replace_strict(numbers, [i for i, _ in rules],
                                           return_dtype=pl.String)
    message = pl.format("{} {} at {}: stated {}, a count cannot be negative", check,
                        pl.when(holds).then(pl.lit("holds")).otherwise(pl.lit("fails")),
                        "location", shown)
    if not held_messages:
        message = pl.when(~holds).then(message)
    columns = {
        "report_id": pl.col("report_id"), "report_year": pl.col("report_year"),
        "template": pl.col("template"), "table": pl.col("table"), "block": pl.col("block"),
        "check": check, "op": pl.lit("nonneg"),
        "severity": pl.col("_rule").replace_strict(numbers, [s for _, s in rules],
                                                   return_dtype=pl.String),
        "observed": v, "expected": pl.lit(0.0), "low": pl.lit(0.0), "high": pl.lit(None),
        "holds": holds, "location": pl.col("location"), "message": message}
    return (*(columns[c].cast(t).alias(c) for c, t in CHECK_SCHEMA.items()),
            (shown.is_null() & (held_messages | ~holds)).alias("_fix"))


def _rule_labels(plans: list[_LayoutPlan]) -> pl.DataFrame:
    """(table, location) per rule (its index in ``plans``) and catalog cell."""
    return pl.concat([_labels_frame(p).with_columns(_rule=pl.lit(i, pl.Int32))
                      for i, p in enumerate(plans)], how="vertical")


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


def _prepare(layouts: list[Layout]) -> None:
    """The catalog's indexes and the query expressions, built at import, not in a batch."""
    present = _present(layouts)
    rules = [(rank, layout, identity) for rank, layout in enumerate(layouts)
             for identity in layout.identities if identity.op == "nonneg"]
    present.labels = _rule_labels([_plan(layout) for _, layout, _ in rules])
    for held in (True, False):
        _sum_exprs(held)
        _nonneg_exprs(tuple((i.id, i.severity) for *_, i in rules), held)


_prepare([LAYOUTS[code] for code in sorted(LAYOUTS)])
