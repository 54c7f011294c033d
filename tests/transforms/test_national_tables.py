"""read_national_tables: unit tests on small strings, golden tests on ../shared documents."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from transforms.catalog import get_layout
from transforms.document import Cell, Extracted, Fact, Issue
from transforms.html_tables import read_html
from transforms.national_tables import read_national_tables, split_glued
from transforms.text_tables import read_text

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
FMT2019 = get_layout("fmt2019")
FMT2021 = get_layout("fmt2021")
APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution",
              "social_welfare_org", "legal_service_agency", "other_org", "total")
RESULTS = ("upheld", "corrected", "other", "pending", "total")

Cells = dict[tuple[str, str, str], Fact]


def by_cell(facts: list[Fact]) -> Cells:
    out: Cells = {}
    for f in facts:
        key = (f.block, f.row_code, f.col_code)
        assert key not in out, f"cell read twice: {key}"
        out[key] = f
    return out


def values(cells: Cells, block: str, row: str, cols: tuple[str, ...]) -> list[float | None]:
    return [cells[(block, row, c)].value for c in cols]


def kinds(issues: list[Issue]) -> list[str]:
    return [i.kind for i in issues]


def shared_file(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (../shared holds the real documents)")
    return path


# ---------------------------------------------------------------------------
# units: grids


def grid(rows: Sequence[Sequence[object]], table: int = 1) -> list[list[Cell]]:
    """Rows of cell texts; ("*", "") style tuples mark a copy of the cell to the left."""
    out = []
    for r, row in enumerate(rows, 1):
        cells: list[Cell] = []
        for c, item in enumerate(row, 1):
            if isinstance(item, tuple):  # colspan copy of the previous cell
                prev = cells[-1]
                cells.append(Cell(prev.text, prev.ref, True))
            else:
                cells.append(Cell(str(item), f"table {table} row {r} col {c}"))
        out.append(cells)
    return out


COPY = ("copy", "")


def item5_2019(data_row: list[str | tuple[str, str]]) -> Extracted:
    g = grid([["第二十条第（五）项", COPY, COPY, COPY, COPY],
              ["信息内容", "上一年项目数量", "本年增/减", COPY, "处理决定数量"],
              data_row])
    return Extracted("html", "", [g])


def test_colspan_copy_of_a_value_is_read_once_by_its_own_header() -> None:
    # the data row merges columns 2-3 while the header merges 3-4 (shanghai's item5)
    facts, issues = read_national_tables(item5_2019(["行政许可", "4", COPY, "-2", "7"]), FMT2019)
    cells = by_cell(facts)
    assert values(cells, "item5", "licensing", ("prior_count", "change", "decisions")) == [
        4.0, -2.0, 7.0]
    assert "unplaced_cell" not in kinds(issues)


def test_blank_is_zero_with_empty_raw_and_slash_is_null_with_raw_kept() -> None:
    facts, issues = read_national_tables(item5_2019(["行政许可", "", COPY, "/", "—"]), FMT2019)
    cells = by_cell(facts)
    blank = cells[("item5", "licensing", "prior_count")]
    assert (blank.value, blank.raw) == (0.0, "")
    slash = cells[("item5", "licensing", "change")]
    assert (slash.value, slash.raw) == (None, "/")
    assert cells[("item5", "licensing", "decisions")].raw == "—"
    assert "unreadable_number" not in kinds(issues)


def test_unreadable_number_is_an_issue_and_a_null_fact() -> None:
    facts, issues = read_national_tables(item5_2019(["行政许可", "12件左右", COPY, "0", "0"]),
                                         FMT2019)
    cell = by_cell(facts)[("item5", "licensing", "prior_count")]
    assert (cell.value, cell.raw) == (None, "12件左右")
    assert [i.where for i in issues if i.kind == "unreadable_number"] == ["table 1 row 3 col 2"]


def test_amount_with_unit_in_the_cell() -> None:
    g = grid([["第二十条第（九）项", COPY, COPY, COPY, COPY],
              ["信息内容", "采购项目数量", COPY, "采购总金额", COPY],
              ["政府集中采购", "6", COPY, "251000元", COPY]])
    facts, _ = read_national_tables(Extracted("html", "", [g]), FMT2019)
    amount = by_cell(facts)[("item9", "procurement", "procurement_amount")]
    assert (amount.value, amount.unit, amount.raw) == (251000.0, "元", "251000元")


def test_absent_blocks_and_rows_are_issues() -> None:
    facts, issues = read_national_tables(item5_2019(["行政许可", "1", COPY, "0", "1"]), FMT2019)
    missing = [i.message for i in issues if i.kind == "missing_block"]
    assert any(m.startswith("item1 ") for m in missing)
    assert any(m.startswith("applications ") for m in missing)
    assert any("other_services" in i.message for i in issues if i.kind == "missing_row")
    assert {f.block for f in facts} == {"item5"}


def test_unmatched_label_inside_a_table_is_reported_where_it_was() -> None:
    g = grid([["信息内容", "本年处理决定数量"], ["行政许可", "3"], ["行政确认", "9"]])
    _, issues = read_national_tables(Extracted("html", "", [g]), FMT2021)
    assert [i.where for i in issues if i.kind == "unmatched_label"] == ["table 1 row 3 col 1"]


def test_other_row_versus_other_column_in_table_three() -> None:
    rule = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    header: list[list[object]] = [
              [rule, COPY, "申请人情况", COPY, COPY, COPY, COPY, COPY, COPY],
              ["规则", COPY, "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构",
               "其他", "总计"]]
    rows: list[list[object]] = [["（六）其他处理", "3.其他", "1", "", "", "", "", "2", "3"],
            ["三、本年度办理结果", "（七）总计", "1", "", "", "", "", "2", "3"]]
    facts, _ = read_national_tables(Extracted("html", "", [grid(header + rows)]), FMT2021)
    cells = by_cell(facts)
    assert values(cells, "applications", "other_other", APPLICANTS) == [
        1.0, 0.0, 0.0, 0.0, 0.0, 2.0, 3.0]
    assert cells[("applications", "results_total", "total")].value == 3.0


# ---------------------------------------------------------------------------
# units: text streams and glued digits


def test_split_glued_unique_by_row_identity() -> None:
    def a3(v: list[int]) -> bool:
        return v[6] == sum(v[:6])

    assert split_glued("801000081", [7], [a3]) == [["80", "1", "0", "0", "0", "0", "81"]]
    # 22·0·0·0·0·0·22 and 2·20·0·0·0·0·22 both satisfy A3: the row alone cannot decide
    assert len(split_glued("220000022", [7], [a3]) or []) == 2


def text_doc(text: str) -> Extracted:
    return read_text(text.encode("utf-8"))


def test_glued_item_row_without_identity_is_ambiguous_and_null() -> None:
    doc = text_doc("第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000"
                   "行政规范性文件77132470第二十条第（五）项")
    facts, issues = read_national_tables(doc, FMT2021)
    cells = by_cell(facts)
    assert values(cells, "item1", "regulations", ("issued", "repealed", "in_force")) == [
        0.0, 0.0, 0.0]
    normative = [cells[("item1", "normative_docs", c)] for c in ("issued", "repealed", "in_force")]
    assert [(f.value, f.raw) for f in normative] == [(None, "77132470")] * 3
    assert "ambiguous_glue" in kinds(issues)


def test_glued_appeals_split_when_forced_by_count() -> None:
    doc = text_doc("四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼"
                   "结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正"
                   "其他结果尚未审结总计110024001510102五、存在的主要问题及改进情况")
    cells = by_cell(read_national_tables(doc, FMT2021)[0])
    assert values(cells, "appeals", "review", RESULTS) == [1.0, 1.0, 0.0, 0.0, 2.0]
    assert values(cells, "appeals", "lawsuit_after_review", RESULTS) == [1.0, 0.0, 1.0, 0.0, 2.0]


def test_cell_per_line_rows_are_padded_with_blanks() -> None:
    doc = text_doc("第二十条第(八)项 |\n||||\n信息内容 |\n上一年 项目数量 |\n本年增/减 |\n||\n"
                   "行政事业性收费 |\n-3 |\n第二十条第(九)项 |\n||||\n信息内容 |\n采购项目数量 |\n"
                   "采购总金额 |\n||\n政府集中采购 |\n10 |\n三、收到和处理政府信息公开申请情况\n")
    cells = by_cell(read_national_tables(doc, FMT2019)[0])
    assert cells[("item8", "admin_fees", "prior_count")].value == -3.0
    assert (cells[("item8", "admin_fees", "change")].value,
            cells[("item8", "admin_fees", "change")].raw) == (0.0, "")
    assert cells[("item9", "procurement", "procurement_count")].source_ref == "line 16 cell 1"
    assert cells[("item9", "procurement", "procurement_amount")].raw == ""


def test_labels_in_prose_do_not_open_a_table() -> None:
    doc = text_doc("今年共有自然人申请，其中部分公开42件，行政许可3件。信息内容丰富。")
    facts, issues = read_national_tables(doc, FMT2021)
    assert facts == []
    assert "ambiguous_glue" not in kinds(issues)


# ---------------------------------------------------------------------------
# golden documents (figures from ../shared/corpus/EXPECTED.md)


def read_doc(path: Path) -> Extracted:
    data = path.read_bytes()
    return read_html(data) if path.suffix == ".html" else read_text(data)


def test_shanghai_2019() -> None:
    facts, issues = read_national_tables(read_doc(shared_file("corpus", "shanghai-2019.html")),
                                         FMT2019)
    c = by_cell(facts)
    assert len(facts) == 22 + 23 * 7 + 15
    assert values(c, "item1", "regulations", ("made", "published", "total_public")) == [
        13, 13, 524]
    assert values(c, "item1", "normative_docs", ("made", "published", "total_public")) == [
        60, 60, 368]
    for block, row in (("item5", "licensing"), ("item5", "other_services"),
                       ("item6", "penalty"), ("item6", "enforcement")):
        assert values(c, block, row, ("prior_count", "change", "decisions")) == [0, 0, 0]
    assert values(c, "item8", "admin_fees", ("prior_count", "change")) == [0, 0]
    assert c[("item9", "procurement", "procurement_count")].value == 6
    amount = c[("item9", "procurement", "procurement_amount")]
    assert (amount.value, amount.unit) == (251000, "元")
    assert values(c, "applications", "new_received", APPLICANTS) == [821, 35, 0, 0, 2, 1, 859]
    assert c[("applications", "new_received", "research_institution")].raw == ""
    assert values(c, "applications", "carried_over", APPLICANTS) == [18, 0, 0, 0, 0, 0, 18]
    assert values(c, "applications", "granted", APPLICANTS) == [258, 12, 0, 0, 1, 1, None]
    # 总计 left blank on a filled sub-row is "not filled in": null, raw kept blank
    assert c[("applications", "granted", "total")].raw == ""
    assert c[("applications", "withheld_prohibited_by_law", "total")].value == 0  # all-blank row
    assert c[("applications", "partly_granted", "natural_person")].value == 3
    assert c[("applications", "withheld_state_secret", "natural_person")].value == 14
    assert c[("applications", "withheld_internal_affairs", "natural_person")].value == 5
    assert values(c, "applications", "withheld_process_info", APPLICANTS[:2]) == [3, 1]
    assert values(c, "applications", "withheld_admin_query", APPLICANTS[:2]) == [10, 2]
    assert values(c, "applications", "unavailable_not_held", APPLICANTS[:5]) == [252, 12, 0, 0, 1]
    assert values(c, "applications", "unavailable_needs_creation", APPLICANTS[:2]) == [44, 3]
    assert c[("applications", "unavailable_unclear", "natural_person")].value == 25
    assert values(c, "applications", "not_processed_petition", APPLICANTS[:2]) == [148, 1]
    assert values(c, "applications", "not_processed_repeat", APPLICANTS[:2]) == [5, 4]
    assert values(c, "applications", "results_total", APPLICANTS) == [767, 35, 0, 0, 2, 1, 805]
    assert values(c, "applications", "carried_forward", APPLICANTS) == [72, 0, 0, 0, 0, 0, 72]
    assert values(c, "appeals", "review", RESULTS) == [5, 0, 0, 2, 7]
    assert values(c, "appeals", "lawsuit_direct", RESULTS) == [8, 0, 0, 1, 9]
    assert [c[("appeals", "lawsuit_after_review", k)].raw for k in RESULTS] == [""] * 5
    assert issues == []


def test_pingtan_2021() -> None:
    facts, issues = read_national_tables(read_doc(shared_file("corpus", "pingtan-2021.html")),
                                         FMT2021)
    c = by_cell(facts)
    assert len(facts) == 10 + 25 * 7 + 15
    assert values(c, "item1", "regulations", ("issued", "repealed", "in_force")) == [0, 0, 0]
    assert values(c, "item1", "normative_docs", ("issued", "repealed", "in_force")) == [
        69, 3, 665]
    assert c[("item5", "licensing", "decisions")].value == 2293
    assert c[("item6", "penalty", "decisions")].value == 1282
    assert c[("item6", "enforcement", "decisions")].value == 42
    fee = c[("item8", "admin_fees", "fee_amount")]
    assert (fee.value, fee.unit) == (24252.311082, "万元")
    assert values(c, "applications", "new_received", APPLICANTS) == [64, 0, 0, 2, 0, 4, 70]
    assert values(c, "applications", "carried_over", APPLICANTS) == [0] * 7
    assert c[("applications", "granted", "total")].value == 30
    assert c[("applications", "partly_granted", "total")].value == 5
    assert c[("applications", "withheld_internal_affairs", "total")].value == 1
    assert c[("applications", "withheld_enforcement_file", "total")].value == 6
    assert c[("applications", "withheld_admin_query", "total")].value == 1
    assert c[("applications", "unavailable_not_held", "total")].value == 25
    assert c[("applications", "other_other", "total")].value == 1
    assert values(c, "applications", "results_total", APPLICANTS) == [63, 0, 0, 2, 0, 4, 69]
    assert values(c, "applications", "carried_forward", APPLICANTS) == [1, 0, 0, 0, 0, 0, 1]
    assert values(c, "appeals", "review", RESULTS) == [1, 0, 2, 0, 3]
    assert values(c, "appeals", "lawsuit_direct", RESULTS) == [12, 0, 0, 0, 12]
    assert values(c, "appeals", "lawsuit_after_review", RESULTS) == [0] * 5
    assert issues == []


def assert_pingtan_2023_tables(c: Cells, *, item1_glued: bool = False) -> None:
    assert values(c, "item1", "regulations", ("issued", "repealed", "in_force")) == [0, 0, 0]
    normative = values(c, "item1", "normative_docs", ("issued", "repealed", "in_force"))
    assert normative == ([None] * 3 if item1_glued else [77, 132, 470])
    assert c[("item5", "licensing", "decisions")].value == 2629
    assert c[("item6", "penalty", "decisions")].value == 1330
    assert c[("item6", "enforcement", "decisions")].value == 54
    assert c[("item8", "admin_fees", "fee_amount")].value == 5949.088667
    assert values(c, "applications", "new_received", APPLICANTS) == [80, 1, 0, 0, 0, 0, 81]
    assert values(c, "applications", "carried_over", APPLICANTS) == [0] * 7
    assert c[("applications", "granted", "total")].value == 22
    assert values(c, "applications", "partly_granted", APPLICANTS) == [19, 1, 0, 0, 0, 0, 20]
    for row in ("withheld_third_party", "withheld_process_info", "withheld_enforcement_file",
                "not_processed_repeat", "other_no_correction", "other_other"):
        assert c[("applications", row, "total")].value == 1, row
    assert c[("applications", "withheld_admin_query", "total")].value == 2
    assert c[("applications", "unavailable_not_held", "total")].value == 31
    assert values(c, "applications", "results_total", APPLICANTS) == [80, 1, 0, 0, 0, 0, 81]
    assert values(c, "applications", "carried_forward", APPLICANTS) == [0] * 7
    assert values(c, "appeals", "review", RESULTS) == [1, 1, 0, 0, 2]
    assert values(c, "appeals", "lawsuit_direct", RESULTS) == [4, 0, 0, 1, 5]
    assert values(c, "appeals", "lawsuit_after_review", RESULTS) == [1, 0, 1, 0, 2]


@pytest.mark.parametrize("name", ["pingtan-2023-tables.html", "pingtan-2023-page.html"])
def test_pingtan_2023_html(name: str) -> None:
    facts, issues = read_national_tables(read_doc(shared_file("corpus", name)), FMT2021)
    assert len(facts) == 200
    assert_pingtan_2023_tables(by_cell(facts))
    assert issues == []


def test_pingtan_2023_glued_text() -> None:
    facts, issues = read_national_tables(read_doc(shared_file("corpus", "pingtan-2023-glued.txt")),
                                         FMT2021)
    c = by_cell(facts)
    assert len(facts) == 200
    # 77132470 into 制发·废止·现行有效 has 21 cuts and no identity to choose: left null
    assert_pingtan_2023_tables(c, item1_glued=True)
    assert c[("item1", "normative_docs", "issued")].raw == "77132470"
    assert [(i.kind, i.where) for i in issues] == [("ambiguous_glue", issues[0].where)]
    # 220000022 and 191000020 are settled only by A1/A2 across rows
    assert c[("applications", "granted", "natural_person")].value == 22


def test_seed_001_pipes() -> None:
    facts, issues = read_national_tables(
        read_doc(shared_file("seeds", "001_f1db75d64b6a785a.txt")), FMT2021)
    c = by_cell(facts)
    assert len(facts) == 200
    assert values(c, "item1", "regulations", ("issued", "repealed", "in_force")) == [0, 0, 0]
    assert values(c, "item1", "normative_docs", ("issued", "repealed", "in_force")) == [0, 3, 0]
    assert c[("item8", "admin_fees", "fee_amount")].unit == "万元"
    assert all(f.value == 0 and f.raw == "0" for f in facts if f.block != "item1"
               or f.row_code == "regulations")
    assert issues == []


def test_seed_002_cell_per_line() -> None:
    facts, issues = read_national_tables(
        read_doc(shared_file("seeds", "002_1185ee4c741c8fc5.txt")), FMT2019)
    c = by_cell(facts)
    assert len(facts) == 198
    assert values(c, "item1", "normative_docs", ("made", "published", "total_public")) == [2, 2, 2]
    assert values(c, "item6", "penalty", ("prior_count", "change", "decisions")) == [1, 5, 5]
    assert values(c, "item8", "admin_fees", ("prior_count", "change")) == [0, 0]
    assert c[("item9", "procurement", "procurement_count")].value == 10
    amount = c[("item9", "procurement", "procurement_amount")]
    assert (amount.value, amount.raw) == (0, "")
    # table 三 rows print a single 0 followed by empty cells: all figures 0
    assert all(f.value == 0 for f in facts if f.block in ("applications", "appeals"))
    assert c[("applications", "new_received", "natural_person")].raw == "0"
    assert c[("applications", "new_received", "total")].raw == ""
    assert issues == []


def test_blank_docx_form_reads_every_cell_as_blank() -> None:
    from transforms.docx_tables import read_docx

    doc = read_docx(shared_file("corpus", "fmt2021-blank-form.docx").read_bytes())
    facts, issues = read_national_tables(doc, FMT2021)
    assert len(facts) == 200
    assert all(f.value == 0 and f.raw == "" for f in facts)
    assert issues == []


def test_label_wrapped_over_two_grid_rows_pdf_style() -> None:
    header: list[list[object]] = [
        ["申请人情况", COPY, COPY, COPY, COPY, COPY, COPY, COPY],
        ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]]
    rows: list[list[object]] = [
        ["（二）部分公开（区分处理的，只", "447", "7", "0", "0", "0", "0", "454"],
        ["计这一情形，不计其他情形）", "", "", "", "", "", "", ""]]
    facts, issues = read_national_tables(Extracted("pdf", "", [grid(header + rows)]), FMT2021)
    cells = by_cell(facts)
    assert values(cells, "applications", "partly_granted", APPLICANTS) == [
        447, 7, 0, 0, 0, 0, 454]
    assert "unmatched_label" not in kinds(issues)


def test_blank_row_total_beside_filled_cells_is_null_not_zero() -> None:
    from transforms.document import Fact
    from transforms.national_tables import unfilled_totals_as_null

    facts = [Fact("applications", "granted", "natural_person", 3.0, "3", "r1c1"),
             Fact("applications", "granted", "total", 0.0, "", "r1c7"),
             Fact("applications", "carried_over", "natural_person", 0.0, "", "r2c1"),
             Fact("applications", "carried_over", "total", 0.0, "", "r2c7"),
             Fact("appeals", "review", "upheld", 2.0, "2", "r3c1"),
             Fact("appeals", "review", "total", 0.0, "", "r3c5")]
    out = {(f.block, f.row_code, f.col_code): f.value
           for f in unfilled_totals_as_null(facts, FMT2021)}
    assert out[("applications", "granted", "total")] is None
    assert out[("applications", "carried_over", "total")] == 0.0  # whole row blank: 0
    assert out[("appeals", "review", "total")] is None


# ---------------------------------------------------------------------------
# table 四 printed blank in text dumps; colspan copies under their own refs (PDF)

RESULT_HEADS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
APPEALS_HEAD = ("四、政府信息公开行政复议、行政诉讼情况",
                "行政复议 | 行政诉讼 ||||||||||||||",
                "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 "
                "|||||||||",
                " | ".join(RESULT_HEADS * 3) + " ||||||")
APPEAL_KEYS = [("appeals", r, c) for r in ("review", "lawsuit_direct", "lawsuit_after_review")
               for c in RESULTS]


def appeals_cells(text: str) -> tuple[Cells, list[Issue]]:
    facts, issues = read_national_tables(text_doc(text), FMT2021)
    return by_cell([f for f in facts if f.block == "appeals"]), issues


def test_all_blank_table_4_in_pipes_is_fifteen_blank_zeros() -> None:
    data = " | ".join([""] * 15) + " |"
    c, issues = appeals_cells("\n".join([*APPEALS_HEAD, data, "五、存在的主要问题及改进情况"]))
    assert [(c[k].value, c[k].raw) for k in APPEAL_KEYS] == [(0.0, "")] * 15
    assert c[APPEAL_KEYS[0]].source_ref == "line 5 cell 1"
    assert not [i for i in issues if i.kind == "missing_block" and "appeals" in i.message]


def cell_lines(rows: Sequence[Sequence[str]], closers: Sequence[str]) -> list[str]:
    """One cell per line ending in ' |', each row closed by a flush-left run of pipes."""
    out: list[str] = []
    for row, closer in zip(rows, closers, strict=True):
        out += [f"{t} |" for t in row]
        out.append(closer)
    return out


HEAD_ROWS = (("行政复议", "行政诉讼"), ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计",
                                   "未经复议直接起诉", "复议后起诉"),
             ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 2)


def test_all_blank_table_4_one_cell_per_line_is_fifteen_blank_zeros() -> None:
    lines = cell_lines([*HEAD_ROWS, [""] * 15], ["||||||||||||||", "|||||||||", "|", "|"])
    c, issues = appeals_cells("\n".join(["四、政府信息公开行政复议、行政诉讼情况", *lines,
                                         "五、存在的主要问题及改进情况"]))
    assert [(c[k].value, c[k].raw) for k in APPEAL_KEYS] == [(0.0, "")] * 15
    assert not [i for i in issues if i.kind == "missing_block" and "appeals" in i.message]


def test_leading_blank_cells_of_table_4_one_cell_per_line_keep_their_place() -> None:
    data = ["", "2", "", "", "2", "", "", "", "", "", "1", "", "", "", "1"]
    lines = cell_lines([*HEAD_ROWS, data], ["||||||||||||||", "|||||||||", "|", "|"])
    c, _ = appeals_cells("\n".join(["四、政府信息公开行政复议、行政诉讼情况", *lines]))
    assert values(c, "appeals", "review", RESULTS) == [0, 2, 0, 0, 2]
    assert values(c, "appeals", "lawsuit_direct", RESULTS) == [0] * 5
    assert values(c, "appeals", "lawsuit_after_review", RESULTS) == [1, 0, 0, 0, 1]
    assert c[("appeals", "review", "upheld")].raw == ""


def test_table_4_header_without_a_data_row_reads_nothing() -> None:
    c, issues = appeals_cells("\n".join([*APPEALS_HEAD, "五、存在的主要问题及改进情况"]))
    assert c == {}
    assert [i for i in issues if i.kind == "missing_block" and "appeals" in i.message]


def pdf_grid(rows: Sequence[Sequence[object]]) -> list[list[Cell]]:
    """Like ``grid`` but a colspan copy gets a ref of its own, as pdf_text gives it."""
    out = []
    for r, row in enumerate(rows, 1):
        cells: list[Cell] = []
        for c, item in enumerate(row, 1):
            ref = f"page 1 line {r} col {c}"
            cells.append(Cell(cells[-1].text, ref, True) if isinstance(item, tuple)
                         else Cell(str(item), ref))
        out.append(cells)
    return out


def test_pdf_colspan_copy_with_its_own_ref_is_one_cell() -> None:
    g = pdf_grid([["第二十条第（五）项", COPY, COPY, COPY],
                  ["信息内容", "本年处理决定数量", COPY, COPY],
                  ["行政许可", "447228", COPY, COPY]])
    facts, issues = read_national_tables(Extracted("pdf", "", [g]), FMT2021)
    cells = by_cell(facts)
    f = cells[("item5", "licensing", "decisions")]
    assert (f.value, f.source_ref) == (447228, "page 1 line 3 col 2")
    assert "ambiguous_cell" not in kinds(issues)


def test_two_different_cells_under_one_header_stay_ambiguous() -> None:
    g = pdf_grid([["第二十条第（五）项", COPY, COPY, COPY],
                  ["信息内容", "本年处理决定数量", COPY, COPY],
                  ["行政许可", "447228", "5", COPY]])
    _, issues = read_national_tables(Extracted("pdf", "", [g]), FMT2021)
    assert "ambiguous_cell" in kinds(issues)


def test_huaian_pdf_has_no_spurious_issues() -> None:
    from transforms.pdf_text import read_pdf
    doc = read_pdf(shared_file("corpus", "huaian-2024.pdf").read_bytes())
    facts, issues = read_national_tables(doc, FMT2021)
    c = by_cell(facts)
    assert issues == []
    assert c[("item5", "licensing", "decisions")].value == 447228
    assert c[("item6", "penalty", "decisions")].value == 3985758
    assert c[("item6", "enforcement", "decisions")].value == 88283
    assert c[("item8", "admin_fees", "fee_amount")].value == 96171.6
    assert values(c, "appeals", "review", RESULTS) == [72, 64, 178, 37, 351]
