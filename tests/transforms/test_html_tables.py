from transforms.html_tables import read_html

from ..conftest import shared_file

WORD_TABLE = """<html><head><meta name="ArticleTitle" content="某局2021年度报告"></head><body>
<p>一、总体情况</p>
<table border="0"><tr><td rowspan="2"><p><span>信息</span></p><p><span>内容</span></p></td>
<td colspan="2"><p>结果<br/>纠正</p></td></tr>
<tr><td>&nbsp;</td><td>7</td></tr></table></body></html>"""


def test_rowspan_colspan_expand_and_mark_copies() -> None:
    doc = read_html(WORD_TABLE.encode())
    (grid,) = doc.tables
    assert [c.text for c in grid[0]] == ["信息内容", "结果纠正", "结果纠正"]
    assert [c.spanned for c in grid[0]] == [False, False, True]
    assert [c.text for c in grid[1]] == ["信息内容", "", "7"]
    assert grid[1][0].spanned and not grid[1][1].spanned
    assert grid[1][2].ref == "table 1 row 2 col 3"
    assert doc.meta["ArticleTitle"] == "某局2021年度报告"


def test_text_keeps_blocks_on_lines_and_cells_joined() -> None:
    doc = read_html(WORD_TABLE.encode())
    lines = doc.text.splitlines()
    assert lines[0] == "一、总体情况"
    assert "7" in lines[-1] and "|" in lines[-1]


def test_gbk_page_without_charset() -> None:
    page = "<html><body><table><tr><td>收到申请数</td><td>5</td></tr></table></body></html>"
    doc = read_html(page.encode("gbk"))
    assert doc.encoding == "gb18030"
    assert [c.text for c in doc.tables[0][0]] == ["收到申请数", "5"]


def test_layout_tables_wrapping_content_are_skipped() -> None:
    page = ("<table><tr><td>nav<table><tr><td>规章</td><td>1</td></tr></table></td></tr></table>")
    doc = read_html(page.encode())
    assert len(doc.tables) == 1 and doc.tables[0][0][0].text == "规章"


def test_real_word_export_has_three_grids() -> None:
    doc = read_html(shared_file("corpus", "pingtan-2021.html").read_bytes())
    assert len(doc.tables) == 3
    assert doc.meta.get("ArticleTitle", "").startswith("平潭综合实验区2021")


def test_nesting_depth_counts_real_nesting_only() -> None:
    from transforms.html_tables import nesting_depth

    assert nesting_depth("<div><div><p>a<p>b<br><img src=x></div></div>") == 2
    assert nesting_depth("<table><tr><td>1<tr><td>2</table>") == 1
    assert nesting_depth("<!-- <div><div><div> -->" + "<span>x</span>" * 5) == 1
    assert nesting_depth("<div>" * 50, stop_at=10) == 11


def test_too_deep_a_page_is_read_as_flat_text_with_an_issue() -> None:
    from dataclasses import replace

    from transforms.limits import DEFAULT_LIMITS

    page = ("<html><body>" + "<div>" * 30 + "<p>某县2021年报告</p><table><tr><td>申请</td>"
            "<td>5</td></tr></table>" + "</div>" * 30 + "</body></html>").encode()
    doc = read_html(page, replace(DEFAULT_LIMITS, max_html_depth=20))
    assert doc.tables == [] and [i.kind for i in doc.issues] == ["html_too_deep"]
    assert doc.text.splitlines() == ["某县2021年报告", "申请 | 5"]
    assert read_html(page).tables  # within the default limit: a normal parse


def test_a_cut_short_page_says_so() -> None:
    doc = read_html("<html><body><table><tr><td>申请</td><td>5".encode())
    assert [i.kind for i in doc.issues] == ["html_truncated"]
    assert [c.text for c in doc.tables[0][0]] == ["申请", "5"]
    assert read_html(b"<p>fragment without html</p>").issues == []
