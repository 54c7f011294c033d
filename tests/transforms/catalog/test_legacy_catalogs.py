"""The pre-2019 catalogs (stat2014, local2008) are consistent data."""

from __future__ import annotations

import pytest

from transforms.catalog import get_layout
from transforms.catalog.labels import norm_label
from transforms.catalog.model import Layout
from transforms.catalog.stat2014 import SECTIONS

REQUIRED = ("proactive_total", "applications_received", "replies_total", "replies_granted",
            "reviews", "lawsuits", "fees")


@pytest.fixture(params=["stat2014", "local2008"])
def layout(request: pytest.FixtureRequest) -> Layout:
    return get_layout(request.param)


def test_one_legacy_block_with_unique_codes(layout: Layout) -> None:
    (block,) = layout.blocks
    assert (block.code, block.table) == ("indicators", "legacy")
    codes = [r.code for r in block.rows]
    assert len(codes) == len(set(codes))
    assert all(c.isascii() and c == c.lower() and " " not in c for c in codes)
    assert all(r.meaning and r.kind in ("count", "money") for r in block.rows)
    for code in REQUIRED:
        assert block.row(code)


def test_groups_name_a_row_or_a_section(layout: Layout) -> None:
    block = layout.block("indicators")
    parents = {norm_label(r.label) for r in block.rows} | {norm_label(s) for s in SECTIONS}
    for row in block.rows:
        if row.group:
            assert norm_label(row.group) in parents, row.code


def test_identities_name_rows_of_the_block(layout: Layout) -> None:
    block = layout.block("indicators")
    rows = {r.code for r in block.rows}
    cols = {c.code for c in block.columns}
    for ident in layout.identities:
        if ident.block == "*":
            continue
        names = rows if ident.over == "columns" else cols
        assert set(ident.lhs) | set(ident.rhs) <= names, ident


def test_stat2014_columns_units_and_identities() -> None:
    layout = get_layout("stat2014")
    block = layout.block("indicators")
    assert [c.code for c in block.columns] == ["value"]
    assert block.row("fees").unit == "万元" and block.row("fees").kind == "money"
    assert block.row("completed_total").label == "（二）申请办结数"
    ids = {i.id for i in layout.identities}
    assert {"B1", "B2", "B3", "B4", "B5", "B6", "B7"} <= ids
    (b7,) = [i for i in layout.identities if i.id == "B7"]
    assert b7.op == "between_max_and_sum" and b7.lhs == ("proactive_total",)
    assert len([i for i in layout.identities if i.id == "B5"]) == 2
    assert layout.anchors == ("统计指标", "申请答复数")


def test_local2008_columns_and_c3() -> None:
    layout = get_layout("local2008")
    block = layout.block("indicators")
    assert [c.code for c in block.columns] == ["value", "cumulative"]
    assert "本年累计" in block.column("cumulative").aliases
    assert "本期实际" in block.column("value").aliases
    (c3,) = [i for i in layout.identities if i.id == "C3"]
    assert (c3.over, c3.strength, c3.severity) == ("previous_year", "C", "warning")
    assert "主动公开文件数" in block.row("proactive_total").aliases
    assert "对申请的答复总数" in block.row("replies_total").aliases
    assert set(layout.anchors) == {"受理依申请公开信息总数", "对申请的答复数", "否决公开答复数"}
