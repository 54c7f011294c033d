"""Declarative shapes of the report layouts.

Everything downstream (parsers, wide tables, expectations, data dictionary,
sample generator) reads these objects; none of them hard-codes a label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["count", "delta", "money", "ratio"]
Strength = Literal["T", "I", "C"]


@dataclass(frozen=True)
class Row:
    """One printed row (or 统计指标) of a table."""

    code: str
    label: str
    aliases: tuple[str, ...] = ()
    group: str | None = None  # printed label of the rowspan group, e.g. （三）不予公开
    kind: Kind = "count"
    unit: str | None = None  # unit printed for this row (legacy forms)
    meaning: str = ""

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Column:
    """One value column."""

    code: str
    label: str
    aliases: tuple[str, ...] = ()
    kind: Kind = "count"
    unit: str | None = None
    meaning: str = ""
    # The row's own total. Forms often leave it blank on sub-rows: a blank here, on a row whose
    # other cells carry figures, means "not filled in" (null), not 0.
    row_total: bool = False

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Block:
    """A grid: rows × columns. Table 二 has one block per 第二十条 item."""

    code: str  # stable code, e.g. "item1", "applications", "appeals", "indicators"
    table: str  # warehouse-facing table family: disclosure | applications | appeals | legacy
    title: str  # printed caption, e.g. 第二十条第（一）项
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    title_aliases: tuple[str, ...] = ()
    # cells that the form leaves structurally empty (row_code, col_code)
    absent: frozenset[tuple[str, str]] = frozenset()

    def row(self, code: str) -> Row:
        for r in self.rows:
            if r.code == code:
                return r
        raise KeyError(f"{self.code}: no row {code!r}")

    def column(self, code: str) -> Column:
        for c in self.columns:
            if c.code == code:
                return c
        raise KeyError(f"{self.code}: no column {code!r}")


Op = Literal["eq", "ge", "le", "between_max_and_sum", "nonneg"]


@dataclass(frozen=True)
class Identity:
    """An arithmetic rule (勾稽关系) of report-formats.md §6, as data.

    ``lhs`` and ``rhs`` are row codes of ``block``. ``over`` says how the rule
    is instantiated: once per column ("columns"), once per row with column
    codes in lhs/rhs ("rows"), or once for the listed column ("column:<code>").

    ``over="previous_year"`` compares a body's report of year t with its
    report of t−1: lhs terms are read in year t; ``lags`` gives, per rhs term,
    how many years back it is read (empty: every rhs term is t−1) and
    ``signs`` its sign (empty: all +1). Terms that are row codes are checked
    per column, terms that are column codes per row.
    """

    id: str
    block: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    op: Op = "eq"
    over: str = "columns"
    strength: Strength = "I"
    description: str = ""
    # True: rhs rows the document does not print are left out of the sum ("channels present");
    # False: any missing term means the instance cannot be checked.
    partial: bool = False
    lags: tuple[int, ...] = ()  # previous_year only: years back, per rhs term
    signs: tuple[int, ...] = ()  # previous_year only: +1 / −1, per rhs term

    @property
    def severity(self) -> Literal["error", "warning"]:
        return "warning" if self.strength == "C" else "error"


@dataclass(frozen=True)
class Layout:
    code: str
    title: str
    years: tuple[int, int]
    basis: str
    blocks: tuple[Block, ...]
    identities: tuple[Identity, ...] = ()
    # label fragments whose presence identifies this layout (report-formats.md §1)
    anchors: tuple[str, ...] = ()
    meaning: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def block(self, code: str) -> Block:
        for b in self.blocks:
            if b.code == code:
                return b
        raise KeyError(f"{self.code}: no block {code!r}")
