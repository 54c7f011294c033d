"""Tables as the forms print them: cells with text, rowspan and colspan.

Built from the catalog and a truth once; every renderer (HTML, text, PDF,
DOCX) draws the same printed tables, so a layout's merges live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from transforms.catalog import get_layout
from transforms.catalog.model import Block

from .truth import Truth

CellKind = Literal["caption", "head", "label", "value"]

RULE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS_GROUP = "三、本年度办理结果"
APPLICANTS = "申请人情况"
ORGANIZATIONS = "法人或其他组织"
LAWSUIT = "行政诉讼"
CONTENT = "信息内容"


@dataclass(frozen=True)
class PrintedCell:
    text: str
    kind: CellKind = "value"
    rowspan: int = 1
    colspan: int = 1
    wrap: bool = False  # a short column head Word breaks onto two lines (商业/企业, 结果/维持)


@dataclass
class PrintedTable:
    rows: list[list[PrintedCell]]
    n_cols: int
    title: str | None = None  # heading printed above the table
    widths: list[float] = field(default_factory=list)  # relative column widths

    def grid(self) -> list[list[PrintedCell | None]]:
        """Rows × n_cols with spans expanded: None where a span covers the position."""
        out: list[list[PrintedCell | None]] = [[None] * self.n_cols for _ in self.rows]
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                out[r][c] = cell
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, c + dc))
                c += cell.colspan
        return out


def _v(truth: Truth, block: str, row: str, col: str) -> PrintedCell:
    return PrintedCell(truth.cells[(block, row, col)].raw)


# ---------------------------------------------------------------------------
# table 二: one caption row and one header row per 第二十条 item


def disclosure_rows(truth: Truth, block: Block, width: int = 4) -> list[list[PrintedCell]]:
    rows = [[PrintedCell(block.title, "caption", colspan=width)]]
    n = len(block.columns)
    head = [PrintedCell(CONTENT, "head")]
    for i, col in enumerate(block.columns):
        span = width - n if i == n - 1 else 1
        head.append(PrintedCell(col.label, "head", colspan=span))
    rows.append(head)
    for row in block.rows:
        line = [PrintedCell(row.label, "label")]
        for i, col in enumerate(block.columns):
            span = width - n if i == n - 1 else 1
            cell = truth.cells[(block.code, row.code, col.code)]
            line.append(PrintedCell(cell.raw, colspan=span))
        rows.append(line)
    return rows


def disclosure_tables(truth: Truth, split: bool = False) -> list[PrintedTable]:
    """Table 二 as one 4-column table (most reports) or one table per item."""
    blocks = [b for b in get_layout(truth.layout).blocks if b.table == "disclosure"]
    if split:
        return [PrintedTable(disclosure_rows(truth, b), 4, widths=[3, 2, 2, 2]) for b in blocks]
    rows: list[list[PrintedCell]] = []
    for b in blocks:
        rows += disclosure_rows(truth, b)
    return [PrintedTable(rows, 4, widths=[3, 2, 2, 2])]


# ---------------------------------------------------------------------------
# table 三


def applications_table(truth: Truth) -> PrintedTable:
    block = get_layout(truth.layout).block("applications")
    cols = block.columns
    orgs = [c for c in cols if c.code not in ("natural_person", "total")]
    rows: list[list[PrintedCell]] = [
        [PrintedCell(RULE_NOTE, "head", rowspan=3, colspan=3),
         PrintedCell(APPLICANTS, "head", colspan=len(cols))],
        [PrintedCell(cols[0].label, "head", rowspan=2),
         PrintedCell(ORGANIZATIONS, "head", colspan=len(orgs)),
         PrintedCell(cols[-1].label, "head", rowspan=2)],
        [PrintedCell(c.label, "head", wrap=len(c.label) == 4) for c in orgs],
    ]
    in_results = [r for r in block.rows if r.group is not None]
    group_sizes: dict[str, int] = {}
    for r in in_results:
        if r.group != RESULTS_GROUP and r.group is not None:
            group_sizes[r.group] = group_sizes.get(r.group, 0) + 1
    seen_results = False
    seen_groups: set[str] = set()
    for r in block.rows:
        line: list[PrintedCell] = []
        if r.group is None:
            line.append(PrintedCell(r.label, "label", colspan=3))
        else:
            if not seen_results:
                line.append(PrintedCell(RESULTS_GROUP, "label", rowspan=len(in_results)))
                seen_results = True
            if r.group == RESULTS_GROUP:
                line.append(PrintedCell(r.label, "label", colspan=2))
            else:
                if r.group not in seen_groups:
                    line.append(PrintedCell(r.group, "label", rowspan=group_sizes[r.group]))
                    seen_groups.add(r.group)
                line.append(PrintedCell(r.label, "label"))
        line += [_v(truth, block.code, r.code, c.code) for c in cols]
        rows.append(line)
    return PrintedTable(rows, 3 + len(cols), title=block.title,
                        widths=[0.85, 1.5, 4.4] + [1.0] * len(cols))


# ---------------------------------------------------------------------------
# table 四


def appeals_table(truth: Truth) -> PrintedTable:
    block = get_layout(truth.layout).block("appeals")
    review, *lawsuits = block.rows
    cols = block.columns
    n = len(cols)
    rows: list[list[PrintedCell]] = [
        [PrintedCell(review.label, "head", colspan=n),
         PrintedCell(LAWSUIT, "head", colspan=n * len(lawsuits))],
        [*(PrintedCell(c.label, "head", rowspan=2, wrap=len(c.label) == 4) for c in cols),
         *(PrintedCell(r.label, "head", colspan=n) for r in lawsuits)],
        [PrintedCell(c.label, "head", wrap=len(c.label) == 4) for _ in lawsuits for c in cols],
        [_v(truth, block.code, r.code, c.code) for r in block.rows for c in cols],
    ]
    return PrintedTable(rows, n * len(block.rows), title=block.title,
                        widths=[1.0] * (n * len(block.rows)))


# ---------------------------------------------------------------------------
# legacy lists: 指标 | 单位 | values


def legacy_tables(truth: Truth, indicator_head: str, unit_head: str,
                  first_column: str | None = None) -> list[PrintedTable]:
    """One table per legacy block: the indicator, its unit, then the value columns.

    A row whose group is a section header rather than another row gets that
    header printed above it, with "——" where a figure would be. ``first_column``
    replaces the first value column's label (local forms print "2012年度").
    """
    from .truth import legacy_unit

    out = []
    for block in get_layout(truth.layout).blocks:
        head = [PrintedCell(indicator_head, "head"), PrintedCell(unit_head, "head")]
        for i, col in enumerate(block.columns):
            label = first_column if i == 0 and first_column else col.label
            head.append(PrintedCell(label, "head"))
        rows = [head]
        row_labels = {r.label for r in block.rows}
        printed_headers: set[str] = set()
        for r in block.rows:
            if r.group and r.group not in row_labels and r.group not in printed_headers:
                rows.append([PrintedCell(r.group, "label"), PrintedCell("", "label"),
                             *(PrintedCell("——", "label") for _ in block.columns)])
                printed_headers.add(r.group)
            line = [PrintedCell(r.label, "label"), PrintedCell(legacy_unit(r) or "", "label")]
            line += [_v(truth, block.code, r.code, c.code) for c in block.columns]
            rows.append(line)
        out.append(PrintedTable(rows, 2 + len(block.columns), title=block.title,
                                widths=[6, 1.2] + [1.6] * len(block.columns)))
    return out
