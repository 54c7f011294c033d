"""transforms.pdf_text: PDFs drawn here with reportlab, plus the real huaian-2024.pdf."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from transforms.catalog.labels import norm_label
from transforms.document import Cell, Extracted, Grid
from transforms.pdf_text import read_pdf

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
HUAIAN = SHARED / "corpus" / "huaian-2024.pdf"

FONT = "STSong-Light"  # reportlab's built-in CID font: not embedded, pdfium maps it to Unicode
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
PAGE_H = 842.0
SIZE = 10.0


# ---------------------------------------------------------------- drawing helpers


@dataclass(frozen=True)
class Box:
    """One table cell to draw: grid position, spans and its printed lines."""

    row: int
    col: int
    lines: tuple[str, ...]
    rowspan: int = 1
    colspan: int = 1


def draw_table(c: canvas.Canvas, x0: float, top: float, widths: Sequence[float],
               heights: Sequence[float], boxes: Sequence[Box]) -> None:
    """Draw a Word-like ruled table: each cell's four borders as lines, text centred."""
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [top]
    for h in heights:
        ys.append(ys[-1] + h)
    c.setLineWidth(0.5)
    c.setFont(FONT, SIZE)
    for b in boxes:
        left, right = xs[b.col], xs[b.col + b.colspan]
        y_top, y_bottom = ys[b.row], ys[b.row + b.rowspan]
        for x1, y1, x2, y2 in ((left, y_top, right, y_top), (left, y_bottom, right, y_bottom),
                               (left, y_top, left, y_bottom), (right, y_top, right, y_bottom)):
            c.line(x1, PAGE_H - y1, x2, PAGE_H - y2)
        lead = SIZE * 1.3
        first = (y_top + y_bottom) / 2 - lead * (len(b.lines) - 1) / 2
        for k, text in enumerate(b.lines):
            baseline = first + k * lead + SIZE * 0.35
            c.drawCentredString((left + right) / 2, PAGE_H - baseline, one_char_safe(text))


def one_char_safe(text: str) -> str:
    """pdfium drops a text object of one CJK character in reportlab's non-embedded
    CID font (it extracts "业业" but not "业"); a trailing space keeps it."""
    return text + " " if len(text) == 1 and not text.isascii() else text


def put(c: canvas.Canvas, x: float, y: float, text: str) -> None:
    c.setFont(FONT, SIZE)
    c.drawString(x, y, text)


def new_canvas(buf: io.BytesIO, **kw: object) -> canvas.Canvas:
    c = canvas.Canvas(buf, pagesize=(595.0, PAGE_H), **kw)
    c.setFont(FONT, SIZE)
    return c


def finish_page(c: canvas.Canvas, number: int) -> None:
    c.setFont(FONT, SIZE)
    c.drawCentredString(297, 40, f"- {number} -")
    c.showPage()  # resets the font: every drawing helper sets it again


def texts(row: list[Cell]) -> list[str]:
    return [cell.text for cell in row]


def values(row: list[Cell]) -> list[str]:
    """A row's value cells as the mapper reads them: left to right, span copies skipped."""
    return [cell.text for cell in row[1:] if not cell.spanned]


def find_row(grid: Grid, label: str) -> list[Cell]:
    hits = [row for row in grid if norm_label(row[0].text) == norm_label(label)]
    assert len(hits) == 1, f"{label!r}: {len(hits)} rows"
    return hits[0]


# Table 三-like fragment: a vertical rowspan label, a group label, a wrapped label and a
# blank cell. Columns: 3 label bands then 3 value bands.
WIDTHS = (24, 50, 140, 50, 50, 50)
APPLICATIONS = (
    Box(0, 0, ("（本列数据的勾稽关系）",), rowspan=1, colspan=3),
    Box(0, 3, ("自然人",)), Box(0, 4, ("商 业 企", "业")), Box(0, 5, ("总计",)),
    Box(1, 0, ("一、本年新收申请数量",), colspan=3),
    Box(1, 3, ("7",)), Box(1, 4, ("2",)), Box(1, 5, ("9",)),
    Box(2, 0, tuple("三、本年度办理结果"[:2]) + tuple("本年度办理结果"), rowspan=4),
    Box(2, 1, ("（一）予以公开",), colspan=2),
    Box(2, 3, ("3",)), Box(2, 4, ("",)), Box(2, 5, ("3",)),
    Box(3, 1, ("（二）部分公开（区分处理的，", "只计这一情形）"), colspan=2),
    Box(3, 3, ("1",)), Box(3, 4, ("1",)), Box(3, 5, ("2",)),
    Box(4, 1, ("（三）不", "予公开"), rowspan=2),
    Box(4, 2, ("1.属于国家秘密",)), Box(4, 3, ("0",)), Box(4, 4, ("0",)), Box(4, 5, ("0",)),
    Box(5, 2, ("2.其他法律行政法规", "禁止公开")),
    Box(5, 3, ("3",)), Box(5, 4, ("1",)), Box(5, 5, ("4",)),
)
HEIGHTS = (30, 24, 24, 36, 24, 36)


def applications_pdf() -> bytes:
    buf = io.BytesIO()
    c = new_canvas(buf)
    put(c, 72, PAGE_H - 80, "三、收到和处理政府信息公开申请情况")
    draw_table(c, 72, 100, WIDTHS, HEIGHTS, APPLICATIONS)
    put(c, 72, PAGE_H - 330, "四、结转下年度继续办理情况见上表。")
    finish_page(c, 1)
    c.save()
    return buf.getvalue()


# ---------------------------------------------------------------- text


def test_cjk_from_reportlab_cid_font_reads_back_as_unicode() -> None:
    buf = io.BytesIO()
    c = new_canvas(buf)
    put(c, 72, 700, "3.危及“三安全一稳定”，共 3119 件")
    finish_page(c, 1)
    c.save()
    doc = read_pdf(buf.getvalue())
    assert doc.format == "pdf"
    assert doc.text == "3.危及“三安全一稳定”，共 3119 件"


def test_text_is_in_reading_order_one_line_per_visual_line_without_page_numbers() -> None:
    buf = io.BytesIO()
    c = new_canvas(buf)
    put(c, 72, 700, "第二行 共收到申请 12 件")  # drawn first, printed lower
    put(c, 72, 720, "第一行")
    put(c, 300, 720, "右侧")  # same visual line, further right
    finish_page(c, 1)
    put(c, 72, 760, "第二页")
    finish_page(c, 2)
    c.save()
    doc = read_pdf(buf.getvalue())
    assert doc.text.split("\n") == ["第一行 右侧", "第二行 共收到申请 12 件", "第二页"]
    assert doc.tables == []
    assert doc.issues == []


# ---------------------------------------------------------------- ruled tables


def test_ruled_table_rows_are_label_then_values() -> None:
    doc = read_pdf(applications_pdf())
    assert len(doc.tables) == 1
    grid = doc.tables[0]
    assert values(find_row(grid, "一、本年新收申请数量")) == ["7", "2", "9"]
    assert values(find_row(grid, "（一）予以公开")) == ["3", "", "3"]  # blank stays blank
    assert values(find_row(grid, "1.属于国家秘密")) == ["0", "0", "0"]


def test_wrapped_labels_are_joined_into_one_row_label() -> None:
    grid = read_pdf(applications_pdf()).tables[0]
    assert values(find_row(grid, "（二）部分公开（区分处理的，只计这一情形）")) == ["1", "1", "2"]
    assert values(find_row(grid, "2.其他法律行政法规禁止公开")) == ["3", "1", "4"]


def test_rowspan_group_labels_are_rows_of_their_own_not_part_of_labels() -> None:
    grid = read_pdf(applications_pdf()).tables[0]
    labels = [row[0].text for row in grid]
    assert ["三、本年度办理结果"] in [texts(row) for row in grid]
    assert ["（三）不予公开"] in [texts(row) for row in grid]
    # each group row sits just before the first row it covers
    assert labels.index("三、本年度办理结果") + 1 == labels.index("（一）予以公开")
    assert labels.index("（三）不予公开") + 1 == labels.index("1.属于国家秘密")
    for label in labels:
        if label not in ("三、本年度办理结果", "（三）不予公开"):
            assert not label.startswith(("三", "（三）"))


def test_header_keeps_letter_spaced_words_and_span_copies() -> None:
    grid = read_pdf(applications_pdf()).tables[0]
    header = grid[0]
    assert texts(header) == ["（本列数据的勾稽关系）", "自然人", "商业企业", "总计"]
    assert not any(cell.spanned for cell in header)


def test_cell_refs_name_page_line_and_column() -> None:
    doc = read_pdf(applications_pdf())
    row = find_row(doc.tables[0], "一、本年新收申请数量")
    lines = doc.text.split("\n")
    line_no = int(row[1].ref.split()[3])
    assert row[1].ref == f"page 1 line {line_no} col 2"
    assert row[3].ref == f"page 1 line {line_no} col 4"
    assert lines[line_no - 1].startswith("一、本年新收申请数量")


def test_table_without_label_column_is_values_only() -> None:
    buf = io.BytesIO()
    c = new_canvas(buf)
    boxes = [Box(0, 0, ("行政复议",), colspan=3), Box(0, 3, ("行政诉讼",), colspan=2)]
    heads = ("结果维持", "结果纠正", "总计", "维持", "总计")
    boxes += [Box(1, k, (h,)) for k, h in enumerate(heads)]
    boxes += [Box(2, k, (v,)) for k, v in enumerate(("72", "64", "136", "", "0"))]
    draw_table(c, 72, 100, (60,) * 5, (24, 24, 24), boxes)
    finish_page(c, 1)
    c.save()
    grid = read_pdf(buf.getvalue()).tables[0]
    assert texts(grid[0]) == ["行政复议", "行政复议", "行政复议", "行政诉讼", "行政诉讼"]
    assert [cell.spanned for cell in grid[0]] == [False, True, True, False, True]
    assert texts(grid[2]) == ["72", "64", "136", "", "0"]


def appeals_like_pdf(cells: Sequence[str]) -> bytes:
    buf = io.BytesIO()
    c = new_canvas(buf)
    boxes = [Box(0, k, (h,)) for k, h in enumerate(("结果维持", "结果纠正", "尚未审结", "总计"))]
    boxes += [Box(1, k, (v,)) for k, v in enumerate(cells)]
    draw_table(c, 72, 100, (60,) * 4, (24, 24), boxes)
    finish_page(c, 1)
    c.save()
    return buf.getvalue()


def test_blank_leading_value_columns_are_not_taken_for_label_columns() -> None:
    grid = read_pdf(appeals_like_pdf(("", "", "1", "1"))).tables[0]
    assert texts(grid[1]) == ["", "", "1", "1"]


def test_an_all_blank_row_is_kept_because_blank_reads_as_zero() -> None:
    grid = read_pdf(appeals_like_pdf(("", "", "", ""))).tables[0]
    assert [texts(row) for row in grid] == [["结果维持", "结果纠正", "尚未审结", "总计"],
                                            ["", "", "", ""]]


def test_table_continued_on_next_page_is_one_grid_and_split_group_label_is_joined() -> None:
    buf = io.BytesIO()
    c = new_canvas(buf)
    put(c, 72, PAGE_H - 600, "表格如下：")
    widths = (60, 150, 50, 50)
    draw_table(c, 72, 620, widths, (24, 24, 24), (
        Box(0, 0, ("",), colspan=2), Box(0, 2, ("自然人",)), Box(0, 3, ("总计",)),
        Box(1, 0, ("一、本年新收",), colspan=2), Box(1, 2, ("5",)), Box(1, 3, ("5",)),
        Box(2, 0, ("（四）无",)), Box(2, 1, ("1.本机关不掌握",)), Box(2, 2, ("4",)),
        Box(2, 3, ("4",)),
    ))
    finish_page(c, 1)
    draw_table(c, 72, 60, widths, (24, 24, 24), (
        Box(0, 0, ("法提供",), rowspan=2),
        Box(0, 1, ("2.没有现成信息",)), Box(0, 2, ("1",)), Box(0, 3, ("1",)),
        Box(1, 1, ("3.补正后仍不明确",)), Box(1, 2, ("0",)), Box(1, 3, ("0",)),
        Box(2, 0, ("四、结转下年度",), colspan=2), Box(2, 2, ("2",)), Box(2, 3, ("2",)),
    ))
    put(c, 72, PAGE_H - 160, "五、存在的主要问题及改进情况")
    finish_page(c, 2)
    c.save()
    doc = read_pdf(buf.getvalue())
    assert len(doc.tables) == 1
    grid = doc.tables[0]
    assert [texts(row) for row in grid if len(row) == 1] == [["（四）无法提供"]]
    assert values(find_row(grid, "1.本机关不掌握")) == ["4", "4"]
    assert values(find_row(grid, "2.没有现成信息")) == ["1", "1"]
    assert find_row(grid, "2.没有现成信息")[1].ref.startswith("page 2 line ")
    assert values(find_row(grid, "四、结转下年度")) == ["2", "2"]
    assert "- 1 -" not in doc.text and "- 2 -" not in doc.text


def test_numbers_in_columns_without_rulings_are_reported() -> None:
    buf = io.BytesIO()
    c = new_canvas(buf)
    for k, text in enumerate(("予以公开", "12", "3", "15")):
        put(c, 72 + 90 * k, 700, text)
    finish_page(c, 1)
    c.save()
    doc = read_pdf(buf.getvalue())
    assert doc.tables == []
    assert [i.kind for i in doc.issues] == ["pdf_unruled_table"]
    assert doc.issues[0].where == "page 1 line 1"


# ---------------------------------------------------------------- errors and bounds


def test_not_a_pdf() -> None:
    with pytest.raises(ValueError, match="not a PDF"):
        read_pdf(b"<html><body>hello</body></html>")


def test_broken_pdf_says_why() -> None:
    with pytest.raises(ValueError, match=r"broken PDF: .*format"):
        read_pdf(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF")


def test_encrypted_pdf() -> None:
    buf = io.BytesIO()
    c = new_canvas(buf, encrypt=StandardEncryption("secret"))
    put(c, 72, 700, "内部")
    c.save()
    with pytest.raises(ValueError, match="encrypted"):
        read_pdf(buf.getvalue())


def test_owner_password_only_pdf_is_read() -> None:
    buf = io.BytesIO()
    c = new_canvas(buf, encrypt=StandardEncryption("", ownerPassword="owner"))
    put(c, 72, 700, "可读")
    c.save()
    assert read_pdf(buf.getvalue()).text == "可读"


def test_pdf_without_text_layer() -> None:
    buf = io.BytesIO()
    c = new_canvas(buf)
    c.rect(72, 400, 300, 200, fill=1)  # stands in for a scanned page image
    c.showPage()
    c.save()
    with pytest.raises(ValueError, match=r"no text layer \(scanned PDF\?\)"):
        read_pdf(buf.getvalue())


def test_pages_past_the_limit_are_not_read_and_say_so() -> None:
    buf = io.BytesIO()
    c = new_canvas(buf)
    for n in range(1, 4):
        put(c, 72, 700, f"第{n}页正文")
        finish_page(c, n)
    c.save()
    doc = read_pdf(buf.getvalue(), max_pages=2)
    assert doc.text.split("\n") == ["第1页正文", "第2页正文"]
    assert [(i.kind, i.where) for i in doc.issues] == [("pdf_truncated", "page 3")]


def test_a_page_that_cannot_be_loaded_is_an_issue_and_the_others_are_read() -> None:
    # found by mutating real PDFs (tests/transforms/test_properties.py): pdfium's
    # "Failed to load page" used to escape read_pdf and ingest
    buf = io.BytesIO()
    c = new_canvas(buf)
    for n in range(1, 4):
        put(c, 72, 700, f"第{n}页正文")
        finish_page(c, n)
    c.save()
    data = buf.getvalue()
    kids = data[data.index(b"/Kids ["):data.index(b"]", data.index(b"/Kids ["))]
    last = kids.split(b" 0 R")[-2].split()[-1]  # the third page's object number
    broken = data.replace(kids, kids.replace(last + b" 0 R", b"9999 0 R"))
    doc = read_pdf(broken)
    assert doc.text.split("\n") == ["第1页正文", "第2页正文"]
    assert [(i.kind, i.where) for i in doc.issues] == [("pdf_page_unreadable", "page 3")]


def test_a_page_without_text_among_text_pages_is_an_issue() -> None:
    buf = io.BytesIO()
    c = new_canvas(buf)
    put(c, 72, 700, "正文")
    c.showPage()
    c.rect(72, 400, 300, 200, fill=1)
    c.showPage()
    c.save()
    doc = read_pdf(buf.getvalue())
    assert [(i.kind, i.where) for i in doc.issues] == [("pdf_page_without_text", "page 2")]


# ---------------------------------------------------------------- golden: huaian-2024.pdf


@pytest.fixture(scope="module")
def huaian() -> Extracted:
    if not HUAIAN.exists():
        pytest.skip(f"real corpus not present at {HUAIAN}")
    return read_pdf(HUAIAN.read_bytes())


def _grid_with(doc: Extracted, label: str) -> Grid:
    hits = [g for g in doc.tables if any(norm_label(r[0].text) == norm_label(label) for r in g)]
    assert len(hits) == 1, label
    return hits[0]


APPLICATION_ROWS = {
    "一、本年新收政府信息公开申请数量": "3001 53 0 0 61 4 3119",
    "二、上年结转政府信息公开申请数量": "34 0 0 0 0 0 34",
    "（一）予以公开": "1288 21 0 0 50 3 1362",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": "447 7 0 0 0 0 454",
    "1.本机关不掌握相关政府信息": "746 12 0 0 10 1 769",
    "2.没有现成信息需要另行制作": "11 0 0 0 0 0 11",
    "1.信访举报投诉类申请": "56 6 0 0 0 0 62",
    "5.要求行政机关确认或重新出具已获取信息": "1 0 0 0 0 0 1",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": "67 3 0 0 1 0 71",
    "3.其他": "108 2 0 0 0 0 110",
    "（七）总计": "2932 53 0 0 61 4 3050",
    "四、结转下年度继续办理": "103 0 0 0 0 0 103",
}


def test_huaian_table_3_rows(huaian: Extracted) -> None:
    grid = _grid_with(huaian, "（七）总计")
    for label, expected in APPLICATION_ROWS.items():
        assert values(find_row(grid, label)) == expected.split(), label
    value_rows = [row for row in grid if len(row) == 8 and row[1].text.isdigit()]
    assert len(value_rows) == 25  # fmt2021: 25 rows × 7 columns, none lost or split


def test_huaian_table_3_group_labels_stay_out_of_row_labels(huaian: Extracted) -> None:
    grid = _grid_with(huaian, "（七）总计")
    groups = [row[0].text for row in grid if len(row) == 1]
    assert groups == ["三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理",
                      "（六）其他处理"]
    for row in grid:
        if len(row) == 8 and row[1].text.isdigit():
            assert not row[0].text.startswith(("三、", "本", "（三）", "（四）", "（五）",
                                               "（六）"))


def test_huaian_table_3_header(huaian: Extracted) -> None:
    grid = _grid_with(huaian, "（七）总计")
    assert texts(grid[2])[1:] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构",
                                  "其他", "总计"]


def test_huaian_table_4(huaian: Extracted) -> None:
    rows = [row for g in huaian.tables for row in g
            if len(row) == 15 and all(cell.text.isdigit() for cell in row)]
    assert [texts(row) for row in rows] == [
        ["72", "64", "178", "37", "351", "13", "4", "8", "1", "26", "12", "1", "1", "6", "20"]]
    assert rows[0][0].ref.startswith("page 5 line ")


def test_huaian_table_2_across_pages_3_and_4(huaian: Extracted) -> None:
    grid = _grid_with(huaian, "规章")
    assert values(find_row(grid, "规章")) == ["1", "0", "11"]
    assert values(find_row(grid, "行政规范性文件")) == ["8", "26", "66"]
    assert values(find_row(grid, "行政许可")) == ["447228"]
    assert values(find_row(grid, "行政处罚")) == ["3985758"]
    assert values(find_row(grid, "行政强制")) == ["88283"]
    assert values(find_row(grid, "行政事业性收费")) == ["96171.6"]
    assert find_row(grid, "行政处罚")[1].ref.startswith("page 4 ")


def test_huaian_text(huaian: Extracted) -> None:
    lines = huaian.text.split("\n")
    assert lines[:2] == ["淮安市人民政府", "2024 年政府信息公开工作年度报告"]
    assert "全年收取政府信息公开信息处理费 3940 元。" in lines[-1]
    assert not [ln for ln in lines if ln.strip(" -").isdigit()]  # page numbers dropped
    assert huaian.issues == []


def test_huaian_through_national_tables(huaian: Extracted) -> None:
    try:
        from transforms.catalog import get_layout
        from transforms.national_tables import read_national_tables
    except ImportError as exc:
        pytest.skip(f"transforms.national_tables not importable yet ({exc})")
    facts, issues = read_national_tables(huaian, get_layout("fmt2021"))
    assert issues == []  # merged value cells (item5/6 span three columns) are one cell each
    got = {(f.block, f.row_code, f.col_code): f.value for f in facts}
    applicants = ("natural_person", "commercial_enterprise", "research_institution",
                  "social_welfare_org", "legal_service_agency", "other_org", "total")
    expected_rows = {
        "new_received": (3001, 53, 0, 0, 61, 4, 3119),
        "carried_over": (34, 0, 0, 0, 0, 0, 34),
        "granted": (1288, 21, 0, 0, 50, 3, 1362),
        "unavailable_not_held": (746, 12, 0, 0, 10, 1, 769),
        "results_total": (2932, 53, 0, 0, 61, 4, 3050),
        "carried_forward": (103, 0, 0, 0, 0, 0, 103),
    }
    for row, nums in expected_rows.items():
        for col, num in zip(applicants, nums, strict=True):
            assert got.get(("applications", row, col)) == num, (row, col)
    appeals = (72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20)
    keys = [(r, c) for r in ("review", "lawsuit_direct", "lawsuit_after_review")
            for c in ("upheld", "corrected", "other", "pending", "total")]
    for (row, col), num in zip(keys, appeals, strict=True):
        assert got.get(("appeals", row, col)) == num, (row, col)
    disclosure: dict[tuple[str, str, str], float] = {
        ("item1", "regulations", "issued"): 1, ("item1", "regulations", "repealed"): 0,
        ("item1", "regulations", "in_force"): 11, ("item1", "normative_docs", "issued"): 8,
        ("item1", "normative_docs", "repealed"): 26, ("item1", "normative_docs", "in_force"): 66,
        ("item5", "licensing", "decisions"): 447228, ("item6", "penalty", "decisions"): 3985758,
        ("item6", "enforcement", "decisions"): 88283,
        ("item8", "admin_fees", "fee_amount"): 96171.6,
    }
    for key, amount in disclosure.items():
        assert got.get(key) == amount, key
