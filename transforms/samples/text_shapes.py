"""Truth → the plain-text dumps scrapers leave behind (report-formats.md §7).

Three shapes: ``pipes`` (one line per table row, cells joined by `` | ``),
``cell_lines`` (one cell per line ending in `` |``, a run of pipes closing each
row), ``spaced`` (cells separated by single spaces, as legacy-table dumps come;
optionally the whole body on one line). A scraper header (标题/发布时间/索引号
or the 索 引 号 | 发文机关 strip) comes first. Value cells are printed exactly
as the truth says; labels may be folded to half-width punctuation (NFKC) the
way some scrapers store them.
"""

from __future__ import annotations

import random
import unicodedata
from typing import Literal

from .body import Heading, Para, build_body
from .printed import PrintedCell, PrintedTable
from .truth import Truth

Shape = Literal["pipes", "cell_lines", "spaced"]
SHAPES: tuple[Shape, ...] = ("pipes", "cell_lines", "spaced")


def _fold(text: str, on: bool) -> str:
    return unicodedata.normalize("NFKC", text) if on else text


def _cell_text(cell: PrintedCell, fold: bool, split_heads: bool) -> str:
    if cell.kind == "value":
        return cell.text  # values stay as printed: the truth's raw text
    text = _fold(cell.text, fold)
    if split_heads and cell.wrap:
        text = f"{text[:2]} {text[2:]}"  # a <br/> inside the head became a space
    return text


def _table_pipes(table: PrintedTable, fold: bool, split_heads: bool) -> list[str]:
    """Cells of each printed row joined by `` | ``, padded with pipes to the grid width."""
    lines = []
    for row in table.rows:
        texts = [_cell_text(c, fold, split_heads) for c in row]
        lines.append(" | ".join(texts) + " |" + "|" * (table.n_cols - len(row)))
    return lines


def _table_cell_lines(table: PrintedTable, fold: bool, split_heads: bool) -> list[str]:
    lines = []
    for row in table.rows:
        for c in row:
            lines.append(f"{_cell_text(c, fold, split_heads)} |")
        lines.append("|" * (1 + sum(c.colspan - 1 for c in row)))
    return lines


def _table_spaced(table: PrintedTable, fold: bool, split_heads: bool) -> list[str]:
    lines = []
    for row in table.rows:
        texts = [_cell_text(c, fold, split_heads) for c in row]
        lines.append(" ".join(t for t in texts if t))  # a blank cell leaves no trace
    return lines


def _header(truth: Truth, rng: random.Random, fold: bool) -> list[str]:
    m = truth.meta
    style = rng.randrange(3)
    if style == 0:
        return [
            f"索 引 号: {m.index_no} | 发文机关: {m.agency} | 文 号: {m.doc_no or ''} |",
            f"组配分类: 信息公开年报 | 成文日期: {m.written_on.isoformat()} |",
        ]
    if style == 1:
        return [
            f"标题: {m.title}",
            f"发布时间: {m.published_at}",
            f"文号: {m.doc_no or ''}",
            f"发布机构: {m.agency}",
            "栏目: 政府信息公开年报",
            f"原文链接: {m.url}",
            "==================== 正文 ====================",
            _fold(f"当前位置： 首页 > 政务公开 > 政府信息公开 > 政府信息公开年报 {m.title} "
                  f"来源：{m.agency} 时间：{m.published_at} 打印本页 关闭窗口", fold),
        ]
    return [
        _fold("首页 政务公开 政务服务 互动交流 专题专栏", fold),
        _fold("您当前的位置：首页 > 政府信息公开 > 年度报告", fold),
        f"索引号：{m.index_no}",
        f"发布机构：{m.agency}",
        f"发布时间：{m.published_at}",
        m.title,
    ]


def render_text(truth: Truth, shape: Shape = "pipes") -> bytes:
    """A UTF-8 text dump of the report in the given shape."""
    rng = random.Random(f"text:{truth.layout}:{truth.seed}:{shape}")
    fold = rng.random() < 0.5
    split_heads = rng.random() < 0.5
    one_line = shape == "spaced" and rng.random() < 0.5
    lines = _header(truth, rng, fold)
    for part in build_body(truth):
        if isinstance(part, PrintedTable):
            if shape == "pipes":
                lines += _table_pipes(part, fold, split_heads)
            elif shape == "cell_lines":
                lines += _table_cell_lines(part, fold, split_heads)
            else:
                lines += _table_spaced(part, fold, split_heads)
        elif isinstance(part, Heading | Para):
            lines.append(_fold(part.text, fold))
    if one_line:  # the whole body on one line, as some scrapers store it
        marker = next((i + 1 for i, line in enumerate(lines) if "正文" in line), 0)
        lines = [*lines[:marker], " ".join(lines[marker:])]
    return ("\n".join(lines) + "\n").encode("utf-8")
