from __future__ import annotations

import time
from pathlib import Path

import pytest

from transforms.classify import anchor_hits, classify_layout
from transforms.document import Cell, Extracted, Grid
from transforms.html_tables import read_html

from ..conftest import seed, shared_file


def load(path: Path) -> Extracted:
    data = path.read_bytes()
    if path.suffix == ".html":
        return read_html(data)
    return Extracted("text", data.decode("utf-8"))


def grid(rows: list[list[str]]) -> Grid:
    return [[Cell(t, f"table 1 row {r} col {c}") for c, t in enumerate(row, 1)]
            for r, row in enumerate(rows, 1)]


REPORT = ("某局2019年政府信息公开工作年度报告\n一、总体情况\n主动公开信息。\n"
          "三、收到和处理政府信息公开申请情况\n")


def test_fmt2021_anchor_wins_over_the_year() -> None:
    # a 2019 report printed on the revised form is read as fmt2021
    doc = Extracted("text", REPORT + "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |")
    assert classify_layout(doc) == "fmt2021"


def test_anchors_match_through_spacing_and_punctuation() -> None:
    doc = Extracted("text", REPORT + "第二十条第(九)项 |\n本年新 制作数量 |\n对外公开 总数量 |")
    assert classify_layout(doc) == "fmt2019"
    assert anchor_hits(doc) == {
        "fmt2019": ["本年新制作数量", "第二十条第（九）项", "对外公开总数量"]}


def test_anchors_in_table_cells() -> None:
    doc = Extracted("html", "政府信息公开年度报告",
                    tables=[grid([["统 计 指 标", "单位", "统计数"],
                                  ["(三)申请答复数", "件", "0"]])])
    assert classify_layout(doc) == "stat2014"


def test_local_form_used_in_2014_is_local2008() -> None:
    doc = Extracted("text", "2014年政府信息公开工作年度报告\n受理依申请公开信息总数 条 1 1\n")
    assert classify_layout(doc) == "local2008"


def test_report_without_tables_is_narrative() -> None:
    doc = Extracted("text", REPORT + "向社会公布各类政府信息42条。详见下表：\n\\\n四、行政复议")
    assert classify_layout(doc) == "narrative"


def test_unlabelled_tables_fall_back_on_the_data_year() -> None:
    numbers = grid([["甲", "1", "2"], ["乙", "3", "4"], ["丙", "5", "6"], ["丁", "7", "8"]])
    doc = Extracted("html", REPORT, tables=[numbers])
    assert classify_layout(doc) == "fmt2019"
    doc = Extracted("html", REPORT.replace("2019", "2022"), tables=[numbers])
    assert classify_layout(doc) == "fmt2021"
    doc = Extracted("html", REPORT.replace("2019", "2016"), tables=[numbers])
    assert classify_layout(doc) == "stat2014"


def test_not_a_report() -> None:
    missing = Extracted("html", "首页 | 新闻动态 | 联系我们\n页面不存在")
    assert classify_layout(missing) == "not_a_report"
    # a list page names reports but carries none of their content
    listing = Extracted("html", "政府信息公开年报\n2019年政府信息公开工作年度报告\n"
                                "2018年政府信息公开工作年度报告")
    assert classify_layout(listing) == "not_a_report"


def test_fast_on_a_large_page() -> None:
    filler = "网站导航 政务公开 政务服务 互动交流 " * 12_000  # ~300 KB of chrome
    doc = Extracted("html", filler + REPORT + "本年制发件数 本年废止件数")
    start = time.perf_counter()
    for _ in range(10):
        assert classify_layout(doc) == "fmt2021"
    assert time.perf_counter() - start < 2.0


SEEDS = {"000": "narrative", "001": "fmt2021", "002": "fmt2019", "003": "stat2014",
         "004": "narrative"}
CORPUS = {
    "shanghai-2019.html": "fmt2019",
    "pingtan-2021.html": "fmt2021",
    "pingtan-2023-page.html": "fmt2021",
    "pingtan-2023-tables.html": "fmt2021",
    "pingtan-2023-glued.txt": "fmt2021",
    "pingtan-county-2012-page.html": "local2008",
    "pingtan-county-2012-tables.html": "local2008",
    "pingtan-county-2012-glued.txt": "local2008",
    "pingtan-2014-page.html": "local2008",
    "pingtan-2014-spaced.txt": "local2008",
    "pingtan-2011-page.html": "local2008",
    "pingtan-2011-spaced.txt": "local2008",
}


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_seed_layouts(prefix: str) -> None:
    assert classify_layout(load(seed(prefix))) == SEEDS[prefix]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_layouts(name: str) -> None:
    assert classify_layout(load(shared_file("corpus", name))) == CORPUS[name]


def test_huaian_pdf_layout() -> None:
    pdf_text = pytest.importorskip("transforms.pdf_text", reason="PDF extractor not present")
    doc = pdf_text.read_pdf(shared_file("corpus", "huaian-2024.pdf").read_bytes())
    assert classify_layout(doc) == "fmt2021"


@pytest.mark.parametrize("text", [
    REPORT + "信息内容 | 本年制发件数 |\n（一）予以公开　１２件",
    REPORT + "Cafe\u0301 e\n\u0301 ｶﾞ",  # characters that compose: the slow, general path
])
def test_searchable_key_is_norm_label_of_all_text(text: str) -> None:
    from transforms.catalog.labels import norm_label
    from transforms.classify import _searchable

    doc = Extracted("text", text, [grid([["本年新收", "５"], ["合 计", "7"]])])
    doc.tables[0][1].append(Cell("copy", "table 1 row 2 col 3", spanned=True))
    assert _searchable(doc) == norm_label(text + "\n" + "本年新收\n５\n合 计\n7")


def test_anchors_in_the_text_decide_only_when_the_cells_cannot_change_the_winner() -> None:
    text = REPORT + "本年新制作数量 | 第二十条第（九）项 | 对外公开总数量 |"
    cells = grid([["本年制发件数", "本年废止件数"], ["现行有效件数", "本年收费金额"]])
    assert classify_layout(Extracted("html", text)) == "fmt2019"
    assert classify_layout(Extracted("html", text, tables=[cells])) == "fmt2021"
    # four fmt2021 anchors in the text outnumber every other layout's anchors
    text = REPORT + "本年制发件数 本年废止件数 现行有效件数 本年收费金额"
    assert classify_layout(Extracted("html", text, tables=[grid([["统计指标", "申请答复数"]])])) \
        == "fmt2021"
