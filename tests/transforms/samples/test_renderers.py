"""Each renderer's output looks like the real thing and carries the truth's cells."""

from __future__ import annotations

import io
import re
import unicodedata

import docx
import pypdfium2 as pdfium
import pytest

from transforms.catalog import get_layout
from transforms.decode import decode_bytes
from transforms.html_tables import read_html
from transforms.samples import generate_truth, render
from transforms.samples.html_word import render_html
from transforms.samples.pdf_doc import render_pdf, wrap_lines
from transforms.samples.printed import RULE_NOTE, applications_table
from transforms.samples.text_shapes import render_text
from transforms.samples.truth import Truth


def _app_rows(truth: Truth) -> list[tuple[str, list[str]]]:
    block = get_layout(truth.layout).block("applications")
    return [(r.label, [truth.cells[("applications", r.code, c.code)].raw for c in block.columns])
            for r in block.rows]


@pytest.mark.parametrize("kind", ["html-utf8", "html-gbk", "html-gbk-undeclared", "text-pipes",
                                  "text-cells", "pdf", "docx"])
def test_same_truth_same_bytes(kind: str) -> None:
    truth = generate_truth("fmt2021", 21)
    assert render(truth, kind) == render(generate_truth("fmt2021", 21), kind)


# --------------------------------------------------------------------- HTML


def test_html_page_has_cms_metadata_and_word_tables() -> None:
    truth = generate_truth("fmt2021", 4)
    page = render_html(truth, "utf-8").decode("utf-8")
    assert f'<meta name="ArticleTitle" content="{truth.meta.title}"/>' in page
    assert f'<meta name="PubDate" content="{truth.meta.published_at}"/>' in page
    assert '<meta name="Author"' in page and '<meta charset="utf-8"/>' in page
    assert 'border="0"' in page and "windowtext" in page  # Word's CSS borders
    assert 'rowspan="22"' in page  # 三、本年度办理结果 in fmt2021
    assert 'colspan="5"' in page  # 法人或其他组织
    assert truth.meta.index_no in page


def test_fmt2019_result_group_spans_twenty_rows() -> None:
    assert 'rowspan="20"' in render_html(generate_truth("fmt2019", 4)).decode("utf-8")


def test_html_size_is_that_of_real_pages() -> None:
    for seed in range(12):
        for layout in ("fmt2019", "fmt2021"):
            assert 140_000 < len(render_html(generate_truth(layout, seed))) < 340_000
        assert 70_000 < len(render_html(generate_truth("stat2014", seed))) < 340_000
        assert 70_000 < len(render_html(generate_truth("narrative", seed))) < 130_000


def test_gbk_variants_decode_to_the_same_page() -> None:
    truth = generate_truth("fmt2021", 9)
    utf8 = render_html(truth, "utf-8").decode("utf-8")
    declared, undeclared = render_html(truth, "gbk"), render_html(truth, "gbk-undeclared")
    with pytest.raises(UnicodeDecodeError):
        declared.decode("utf-8")
    assert b"charset=gb2312" in declared and b"charset" not in undeclared
    for data in (declared, undeclared):
        text, encoding = decode_bytes(data)
        assert encoding == "gb18030"
        assert text.replace('<meta http-equiv="Content-Type" content="text/html; '
                            'charset=gb2312"/>', "") == utf8.replace('<meta charset="utf-8"/>', "")


def test_html_grids_carry_every_cell_of_table_three() -> None:
    for seed in range(6):
        truth = generate_truth("fmt2021", seed)
        extracted = read_html(render_html(truth, "gbk-undeclared"))
        grid = next(g for g in extracted.tables if g[0][0].text == RULE_NOTE)
        assert len(grid) == 3 + 25 and len(grid[0]) == 10
        for (label, raws), row in zip(_app_rows(truth), grid[3:], strict=True):
            assert row[2].text == label
            assert [c.text for c in row[3:]] == raws


def test_short_heads_are_split_like_word_does() -> None:
    pages = [render_html(generate_truth("fmt2021", s)).decode("utf-8") for s in range(12)]
    assert any("结果<br/>维持" in p or "商业<br/>企业" in p for p in pages)
    assert any(re.search(r">商业</span></p><p[^>]*><span[^>]*>企业<", p) for p in pages)
    assert any("&nbsp;" in p for p in pages)


# --------------------------------------------------------------------- text


def test_pipes_rows_hold_label_and_values() -> None:
    truth = generate_truth("fmt2019", 11)
    lines = render_text(truth, "pipes").decode("utf-8").splitlines()
    for label, raws in _app_rows(truth):
        folded = unicodedata.normalize("NFKC", label)
        line = next(x for x in lines if x.startswith((label + " |", folded + " |"))
                    or f"| {label} |" in x or f"| {folded} |" in x)
        cells = [c.strip() for c in line.rstrip("|").split(" | ")]
        assert cells[-7:] == raws


def test_cell_lines_end_each_cell_with_a_pipe() -> None:
    truth = generate_truth("fmt2021", 3)
    lines = render_text(truth, "cell_lines").decode("utf-8").splitlines()
    i = lines.index("一、本年新收政府信息公开申请数量 |")
    raws = [truth.cells[("applications", "new_received", c)].raw for c in
            ("natural_person", "commercial_enterprise", "research_institution",
             "social_welfare_org", "legal_service_agency", "other_org", "total")]
    assert lines[i + 1:i + 8] == [f"{r} |" for r in raws]
    assert set(lines[i + 8]) == {"|"}


def test_spaced_legacy_rows() -> None:
    truth = generate_truth("local2008", 2)
    text = render_text(truth, "spaced").decode("utf-8")
    value = truth.cells[("indicators", "applications_received", "value")].raw
    cumulative = truth.cells[("indicators", "applications_received", "cumulative")].raw
    assert f"受理依申请公开信息总数 条 {value} {cumulative}" in text
    assert "指标名称 计量单位" in text


# --------------------------------------------------------------------- PDF


def _pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


def test_pdf_text_layer_gives_back_labels_and_numbers() -> None:
    truth = generate_truth("fmt2021", 11)
    text = _pdf_text(render_pdf(truth))
    flat = re.sub(r"\s+", "", text)
    for label, raws in _app_rows(truth):
        assert re.sub(r"\s+", "", label) in flat
        if len(label) < 20:  # unwrapped rows read as label then the seven values
            assert f"{label} {' '.join(raws)}" in text
    assert "三、本" in text and "理结果" in text  # the narrow rowspan label survives, wrapped
    assert truth.meta.title in text


def test_pdf_lines_never_leave_one_cjk_character_alone() -> None:
    texts = ("三、本年度办理结果", "（三）不予公开", "行政事业性收费", "数据期限为2021年12月31日")
    for text in texts:
        for width in (8.0, 16.0, 23.0, 40.0):
            lines = wrap_lines(text, 7.5, width)
            assert "".join(lines).rstrip("\u3000") == text
            assert not any(len(x) == 1 and ord(x) >= 0x2E80 for x in lines)
    # numbers stay whole
    assert any("2021" in line for line in wrap_lines("统计期限为2021年", 11, 40))


# --------------------------------------------------------------------- DOCX


def test_docx_has_word_tables_with_merged_cells() -> None:
    truth = generate_truth("fmt2021", 5)
    data = render(truth, "docx")
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.title == truth.meta.title
    app = next(t for t in document.tables if t.cell(0, 0).text == RULE_NOTE)
    assert len(app.rows) == 28 and len(app.columns) == 10
    for (label, raws), row in zip(_app_rows(truth), app.rows[3:], strict=True):
        cells = [c.text for c in row.cells]
        assert cells[2] == label and cells[3:] == raws
    # 三、本年度办理结果: one cell restarted, continued over 21 more rows
    xml = app._tbl.xml
    assert xml.count('w:vMerge w:val="restart"') >= 1
    assert app.cell(5, 0).text == app.cell(26, 0).text == "三、本年度办理结果"
    assert app.cell(5, 0)._tc is app.cell(26, 0)._tc
    assert len(applications_table(truth).rows) == 28


def test_narrative_has_prose_and_no_table() -> None:
    truth = generate_truth("narrative", 2)
    page = render_html(truth).decode("utf-8")
    assert RULE_NOTE not in page
    count = int(truth.prose["procurement_count"].value or 0)
    assert f"主动公开政府信息{int(truth.prose['proactive_total'].value or 0)}条" in page
    assert f"政府集中采购{count}" in page or f"政府集中采购项目{count}" in page
    assert "申请" in page and truth.prose["procurement_amount"].raw + "万元" in page
    text = render_text(truth, "pipes").decode("utf-8")
    assert "采购总金额" in text and " | " not in text.split("\n", 2)[-1]
