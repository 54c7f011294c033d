from __future__ import annotations

import random
from pathlib import Path

import pytest

from transforms import prose
from transforms.catalog import PROSE, find_block, get_layout
from transforms.document import Fact
from transforms.html_tables import read_html
from transforms.prose import read_prose_figures

from ..conftest import CORPUS as CORPUS_DIR
from ..conftest import seed, shared_file


def figures(text: str) -> dict[str, float | None]:
    facts, issues = read_prose_figures(text)
    assert issues == []
    return {f.row_code: f.value for f in facts}


def fact(text: str, row: str) -> Fact:
    facts, _ = read_prose_figures(text)
    return next(f for f in facts if f.row_code == row)


def text_of(path: Path) -> str:
    data = path.read_bytes()
    return read_html(data).text if path.suffix == ".html" else data.decode("utf-8")


# ── unit tests on short strings ──────────────────────────────────────────────

def test_total_by_channel_sentence_not_its_parts() -> None:
    text = ("2019年，我局通过县政府网站、微信公众号等方式向社会公布各类政府信息42条，"
            "主要包括政务信息30条、政府采购信息8条。")
    assert figures(text) == {"proactive_total": 42}
    f = fact(text, "proactive_total")
    assert f.block == "prose" and f.col_code == "value"
    assert f.raw == "公布各类政府信息42条" and f.unit == "条" and f.source_ref == "line 1"


def test_proactive_total_forms() -> None:
    assert figures("详细说明，主动公开信息共78件。") == {"proactive_total": 78}
    assert figures("2023年全区共主动公开政府信息13561条。") == {"proactive_total": 13561}
    assert figures("全年主动公开我区各级单位政府信息2645条。") == {"proactive_total": 2645}


def test_sub_counts_and_approximations_are_not_totals() -> None:
    assert figures("各乡镇主动公开政府信息122条，占28.7%。") == {}
    assert figures("其中，区直各部门主动公开政府信息1687条。") == {}
    assert figures("2011年县政府公开办主动公开信息数为62条。") == {}
    assert figures("我局在局门户网站发布信息542条。") == {}
    assert figures("市政府网站主动公开各类政府信息 5500 余条。") == {}
    assert figures("主动公开规章13件，行政规范性文件60件。") == {}


def test_no_applications() -> None:
    f = fact("2019年度，我局未收到公民或者法人依申请公开申请。", "applications_received")
    assert f.value == 0 and f.unit is None
    assert f.raw == "未收到公民或者法人依申请公开申请"


def test_applications_counted() -> None:
    assert figures("全市共受理政府信息公开申请 3119 件，答复 3050 件。") == {
        "applications_received": 3119}
    assert figures("(二)依申请公开方面。我区重视办理。本年度全区共收到70件申请，办结69件。") == {
        "applications_received": 70}


def test_applications_need_the_disclosure_context() -> None:
    # a service hall's applications are not information requests
    assert figures("(一)行政服务。已入驻审批服务部门13个，共受理申请121510件。") == {}
    # a channel sub-count is not the total
    assert figures("三、依申请公开情况 2014年全区收到有关政府信息公开的信函申请1条。") == {}


def test_review_request_is_not_an_application() -> None:
    assert figures("我局未收到因政府信息公开申请提起的行政复议申请。") == {"reviews": 0}


def test_reviews_and_lawsuits_none() -> None:
    assert figures("全年也没有发生针对政府信息公开工作提起的行政诉讼案件。") == {"lawsuits": 0}
    assert figures("2019年我局未发生行政复议和行政诉讼事项。") == {"reviews": 0, "lawsuits": 0}
    assert figures("2017年，我局无行政复议申请和行政诉讼。") == {"reviews": 0, "lawsuits": 0}


def test_reviews_and_lawsuits_counted_not_their_outcomes() -> None:
    text = ("政府信息公开行政复议 351 件，其中结果维持 72 件，结果纠正 64 件；"
            "政府信息公开行政诉讼 46 件，其中结果维持 25 件。")
    assert figures(text) == {"reviews": 351, "lawsuits": 46}
    assert figures("因政府信息公开引起的行政复议案件2件、行政诉讼案件7件。") == {
        "reviews": 2, "lawsuits": 7}
    assert figures("信息公开类行政复议7件，诉讼9件，均获维持。") == {"reviews": 7, "lawsuits": 9}


def test_table_labels_are_not_statements() -> None:
    assert figures("未经复议直接起诉 | 复议后起诉\n行政复议 | 0 | 0\n") == {}
    assert figures("行政复议数 |\n件 |\n0 |\n") == {}


def test_procurement() -> None:
    text = "共进行了8次政府集中采购，采购项目为办公用品等，采购总金额 21.57万元。"
    assert figures(text) == {"procurement_count": 8, "procurement_amount": 21.57}
    assert fact(text, "procurement_amount").unit == "万元"
    assert fact(text, "procurement_count").unit == "次"


def test_fees_keep_the_stated_unit() -> None:
    f = fact("全年收取政府信息公开信息处理费 3940 元。", "fees")
    assert (f.value, f.unit) == (3940, "元")
    assert figures("2021年我局无收取信息处理费情况。") == {"fees": 0}
    assert figures("我局政府信息公开无收费情况。") == {"fees": 0}
    # 行政事业性收费 is a different figure (第二十条第（八）项)
    assert figures("本年未新增行政事业性收费项目，不收费。") == {}
    # a fee rule is not a figure
    assert figures("严格落实《政府信息公开信息处理费管理办法》。") == {}


def test_other_services() -> None:
    text = "2019年度，我乡新增对外管理服务事项1项，为公民和法人办理其他对外管理服务事项1750件。"
    assert figures(text) == {"other_services_new": 1, "other_services_handled": 1750}


def test_wrapped_pdf_lines_are_joined_and_the_line_is_where_the_clause_starts() -> None:
    text = ("（二）依申请公开情况。定期研判申请集中的领域和热点问题，\n"
            "提高答复的及时性。2024 年，全市共受理政府信息公开申请 3119 件，答\n"
            "复 3050 件。\n")
    assert fact(text, "applications_received").source_ref == "line 2"


def test_conflicting_statements_are_an_issue_and_the_first_is_kept() -> None:
    facts, issues = read_prose_figures("主动公开信息共78件。\n全年主动公开政府信息80条。")
    assert [f.value for f in facts] == [78]
    assert [i.kind for i in issues] == ["prose_conflict"]
    assert issues[0].where == "line 2"


def test_repeated_identical_statement_is_one_fact() -> None:
    facts, issues = read_prose_figures("我局未收到依申请公开申请。\n"
                                       "我局未收到依申请公开政府信息申请。")
    assert len(facts) == 1 and issues == []


def test_every_row_is_in_the_catalog() -> None:
    text = ("向社会公布各类政府信息42条。我局未收到依申请公开申请。未发生行政复议和行政诉讼。"
            "新增对外管理服务事项1项，办理其他对外管理服务事项5件。3次政府集中采购，采购总金额2万元。"
            "收取信息处理费10元。")
    facts, _ = read_prose_figures(text)
    assert {f.row_code for f in facts} == {r.code for r in PROSE.rows}
    for f in facts:
        assert find_block("narrative", f.block).row(f.row_code).label


def test_narrative_layout() -> None:
    layout = get_layout("narrative")
    assert layout.blocks == (PROSE,) and layout.anchors == ()


# ── golden: EXPECTED.md prose figures ───────────────────────────────────────

SEED_FIGURES = {
    "000": {"proactive_total": 42, "applications_received": 0, "reviews": 0, "lawsuits": 0,
            "procurement_count": 8, "procurement_amount": 21.57},
    "001": {"proactive_total": 78, "fees": 0},
    "002": {"applications_received": 0, "reviews": 0, "lawsuits": 0},
    "003": {"applications_received": 0, "reviews": 0, "lawsuits": 0, "fees": 0},
    "004": {"proactive_total": 21, "applications_received": 0, "procurement_count": 12,
            "procurement_amount": 13, "other_services_new": 1, "other_services_handled": 1750},
}


@pytest.mark.parametrize("prefix", sorted(SEED_FIGURES))
def test_seed_prose_figures(prefix: str) -> None:
    assert figures(text_of(seed(prefix))) == SEED_FIGURES[prefix]


def test_seed_000_units_and_refs() -> None:
    text = text_of(seed("000"))
    assert fact(text, "procurement_amount").unit == "万元"
    assert fact(text, "proactive_total").source_ref == "line 5"


CORPUS_FIGURES = {
    # what the prose states; the tables are read elsewhere (C4 compares the two)
    "shanghai-2019.html": {"applications_received": 859, "reviews": 7, "lawsuits": 9},
    "pingtan-2021.html": {"proactive_total": 2645, "applications_received": 70, "fees": 0},
    "pingtan-2023-page.html": {"proactive_total": 13561, "reviews": 2, "lawsuits": 7, "fees": 0},
    "pingtan-2023-glued.txt": {"proactive_total": 13561, "reviews": 2, "lawsuits": 7, "fees": 0},
    "pingtan-county-2012-glued.txt": {"applications_received": 21, "reviews": 0},
    "pingtan-2014-spaced.txt": {"proactive_total": 2543, "reviews": 0, "fees": 0},
    "pingtan-2011-spaced.txt": {"applications_received": 0, "reviews": 0},
    "pingtan-county-2012-tables.html": {},
}


@pytest.mark.parametrize("name", sorted(CORPUS_FIGURES))
def test_corpus_prose_figures(name: str) -> None:
    assert figures(text_of(shared_file("corpus", name))) == CORPUS_FIGURES[name]


def test_huaian_fee_in_yuan() -> None:
    pdf_text = pytest.importorskip("transforms.pdf_text", reason="PDF extractor not present")
    doc = pdf_text.read_pdf(shared_file("corpus", "huaian-2024.pdf").read_bytes())
    assert figures(doc.text) == {"applications_received": 3119, "reviews": 351, "lawsuits": 46,
                                 "fees": 3940}
    assert fact(doc.text, "fees").unit == "元"


# ── phrasings the sample generator writes (transforms/samples/body.py) ───────

def test_no_fees_charged_to_the_applicant() -> None:
    assert figures("本年度未向申请人收取信息处理费。") == {"fees": 0}
    assert fact("本年度未向申请人收取信息处理费。", "fees").raw == "未向申请人收取信息处理费"
    # the form's row about unpaid fees is no statement that none were charged
    assert figures("申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请") == {}


def test_no_disclosure_reviews_or_lawsuits() -> None:
    assert figures("全年无政府信息公开行政复议、行政诉讼案件。") == {"reviews": 0, "lawsuits": 0}
    assert figures("本年度无因政府信息公开引起的行政诉讼。") == {"lawsuits": 0}
    # 无 far from the appeal words is not a negation of them
    assert figures("全年无重大舆情事件，依法应对政府信息公开行政复议3件。") == {"reviews": 3}


def test_heading_run_into_its_first_sentence() -> None:
    text = "二、主动公开政府信息情况 全年共主动公开政府信息173条，包括工作动态55条。"
    assert figures(text) == {"proactive_total": 173}
    assert fact(text, "proactive_total").raw == "主动公开政府信息173条"


def test_body_glued_onto_a_pipe_joined_header_strip() -> None:
    text = ("索 引 号: 1/2016-0001 | 发文机关: 某局 | 成文日期: 2016-03-18 | "
            "按照《条例》要求，现向社会公布本局2015年度报告，统计期限为全年。"
            " 二、主动公开政府信息情况 2015年，本机关通过门户网站等渠道主动公开政府信息644条，"
            "其中政策解读49条。 四、政府信息公开的收费及减免情况"
            " 本年度未收取政府信息公开相关费用。\n")
    assert figures(text) == {"proactive_total": 644, "fees": 0}
    assert fact(text, "proactive_total").source_ref == "line 1"


def test_short_table_cells_with_full_stops_are_not_prose() -> None:
    assert figures("主动公开政府信息10条。 | 10 |\n") == {}


# ── paragraphs rebuilt only around trigger words (the fast path) ────────────

def test_trigger_wrapped_across_lines_and_a_page_mark() -> None:
    text = ("全年我局通过门户网站、政务新媒体等渠道主动\n\n- 3 -\n公开政府信息128条。\n"
            "全年共收到公民、法人和其他组织提出的政府信息公开申请\n7件。\n")
    assert figures(text) == {"proactive_total": 128, "applications_received": 7}
    assert fact(text, "proactive_total").source_ref == "line 1"
    assert fact(text, "applications_received").source_ref == "line 5"


def test_wrapped_line_does_not_join_a_table_row_or_a_heading() -> None:
    text = "本机关全年共计主动公开了各类政府信息\n| 42 | 条 |\n(二)依申请公开情况\n"
    assert figures(text) == {}
    text = "本机关全年共计主动公开了各类政府信息\n42条。\n"
    assert figures(text) == {"proactive_total": 42}


def _reference_paragraphs(text: str) -> list[tuple[str, list[int], list[int]]]:
    """The line-by-line reading the fast path replaces: every paragraph of the text."""
    out: list[tuple[str, list[int], list[int]]] = []
    buf: list[str] = []
    starts: list[int] = []
    numbers: list[int] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if prose._is_table_line(raw):
            if buf:
                out.append(("".join(buf), starts, numbers))
            buf, starts, numbers = [], [], []
            out.extend((prose._norm(c), [0], [number]) for c in prose._prose_cells(raw))
            continue
        line = prose._norm(raw)
        if not line or prose._PAGE_MARK.match(line):
            continue
        if buf and prose._HEADING.match(line):
            out.append(("".join(buf), starts, numbers))
            buf, starts, numbers = [], [], []
        starts.append(sum(map(len, buf)))
        buf.append(line)
        numbers.append(number)
        if line.endswith(prose._LINE_END) or len(line) < prose._WRAP_MIN:
            out.append(("".join(buf), starts, numbers))
            buf, starts, numbers = [], [], []
    if buf:
        out.append(("".join(buf), starts, numbers))
    return out


def _readable(paragraphs: list[tuple[str, list[int], list[int]]]) -> list[tuple[str, ...]]:
    return [(p, repr(s), repr(n)) for p, s, n in paragraphs
            if prose._TRIGGER.search(p) and prose._STATABLE.search(p)]


def _rewrapped(text: str, rng: random.Random) -> str:
    out = []
    for line in text.split("\n"):
        while line:
            width = rng.randint(5, 45)
            out.append(line[:width])
            line = line[width:]
            if rng.random() < 0.08:
                out.append(rng.choice(["- 3 -", "", "  ", "12", "a | b", "|x", "(二)依申请公开",
                                       "三、收费情况", "本年度未收取任何费用。 | 备注 |"]))
    return "\n".join(out)


def test_fast_paragraphs_are_the_line_by_line_ones_that_can_state_a_figure() -> None:
    rng = random.Random(11)
    sentences = ["全年共主动公开政府信息94条，其中政策文件15条。", "收到政府信息公开申请5件。",
                 "未发生政府信息公开行政复议、行政诉讼。", "本年度未收取信息处理费。",
                 "政府集中采购项目12个，采购金额3.5万元。", "新增对外管理服务事项2项。",
                 "一、总体情况", "(一)主动公开", "| 申请 | 3 |",
                 "２０２３年，我局（办）依法公开信息。"]
    texts = ["".join(rng.choice(sentences) for _ in range(rng.randint(1, 12)))
             for _ in range(200)]
    if CORPUS_DIR.is_dir():
        texts += [text_of(p) for p in sorted(CORPUS_DIR.glob("*.html"))]
    for text in texts:
        for variant in (text, _rewrapped(text, rng)):
            assert _readable(list(prose._paragraphs(variant))) == \
                _readable(_reference_paragraphs(variant))
