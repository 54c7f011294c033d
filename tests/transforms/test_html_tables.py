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


def _grid(doc_tables: list, n: int = 0) -> list[list[tuple[str, bool]]]:
    return [[(c.text, c.spanned) for c in row] for row in doc_tables[n]]


def test_spans_overlap_and_widen_as_placed() -> None:
    page = ("<table><tr><td rowspan=2>A</td><td>B</td></tr><tr><td colspan=2>C</td></tr>"
            "<tr><td>D</td><td rowspan=5 colspan=2>E</td></tr></table>"
            "<table><tr><td>X</td><td rowspan=2>Y</td></tr><tr><td colspan=3>Z</td></tr></table>")
    doc = read_html(page.encode())
    assert _grid(doc.tables) == [[("A", False), ("B", False), ("", True)],
                                 [("A", True), ("C", False), ("C", True)],
                                 [("D", False), ("E", False), ("E", True)]]
    assert [c.ref for c in doc.tables[0][1]] == [
        "table 1 row 1 col 1", "table 1 row 2 col 2", "table 1 row 2 col 2"]
    assert doc.tables[0][0][2].ref == "table 1 row 1 col 3"
    # a later colspan writes over the copy a rowspan left
    assert _grid(doc.tables, 1) == [[("X", False), ("Y", False), ("", True)],
                                    [("Z", False), ("Z", True), ("Z", True)]]


def test_cell_texts_stop_at_the_cell() -> None:
    after = read_html(b"<table><tr><td>a</td><td>b</td></tr></table>tail<p>x</p>")
    assert _grid(after.tables) == [[("a", False), ("b", False)]]
    assert after.text.splitlines() == ["a | btail", "x"]
    caption = read_html(b"<table><tr><td>a</td><td>b</td></tr><caption>cap</caption>"
                        b"<tr><td>c</td><td>d</td></tr></table>")
    assert _grid(caption.tables) == [[("a", False), ("b", False)], [("c", False), ("d", False)]]
    script = read_html(b"<table><tr><td>a<script>var x=1</script>b</td><td>c</td></tr></table>"
                       b"<p>t<script>s</script>u</p>")
    assert _grid(script.tables) == [[("ab", False), ("c", False)]]
    assert script.text.splitlines() == ["ab | c", "tu"]


def test_svg_and_nested_tables_in_cells() -> None:
    svg = read_html(b"<table><tr><td>a<svg><tr><td>z</td></tr></svg></td><td>b</td></tr></table>")
    assert _grid(svg.tables) == [[("az", False), ("b", False)], [("z", False), ("", True)]]
    nested = read_html(b"<table><tr><td><table><tr><td>1</td><td>2</td></tr></table></td>"
                       b"<td>x</td></tr></table><table><tr><td>3</td></tr></table>")
    assert [_grid(nested.tables, i) for i in (0, 1)] == [[[("1", False), ("2", False)]],
                                                       [[("3", False)]]]
    assert nested.text.splitlines() == ["1 | 2 | x", "3"]


def test_pages_the_walk_does_not_cover_read_the_same_way() -> None:
    frameset = read_html(b"<html><head><title>T</title></head><frameset><frame src=a>"
                         b"</frameset></html>")
    assert (frameset.text, frameset.title, frameset.tables) == ("T", "T", [])
    noscript = read_html(b"<p>a</p><noscript><p>n</p><table><tr><td>q</td></tr></table>"
                         b"</noscript><p>b</p>")
    assert (noscript.text, noscript.tables) == ("a\nb", [])


def test_depth_guard_agrees_with_the_full_scan() -> None:
    import random

    from transforms.html_tables import nesting_depth, nests_deeper_than

    pieces = ["<div>", "</div>", "<p>", "<!--", "-->", "<script>", "</script>", "<", "<<",
              "<p<!---->x>", "<DIV/>", "<a", ">", "x", "<br/>", "<td>", "<o:p>", "</o:p>",
              "<P<script>s</script>aram>", "<Param>", "<b>", "</B>", "<b/ >", "<!x>"]
    rng = random.Random(3)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        for limit in (0, 1, 2, 4):
            assert nests_deeper_than(text, limit) == (nesting_depth(text) > limit), text
    # a comment cut out of a tag name makes a counted element of "<px>"
    assert nests_deeper_than("<p<!---->x>" * 30, 20)
    assert not nests_deeper_than("<p>x" * 30, 20)


def test_whitespace_collapse_matches_the_regex() -> None:
    import random

    from transforms.html_tables import _WS, _ws_to_space

    alphabet = " \t\r\n\f\v\u00a0\u3000\u2002\u2003\u200b\u2028a中|"
    rng = random.Random(4)
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert _ws_to_space(text) == _WS.sub(" ", text)


def test_truncation_check_ignores_case() -> None:
    from transforms.html_tables import looks_truncated

    assert looks_truncated("<HTML><body>x")
    assert looks_truncated("<Html><body>x</HTM")
    assert not looks_truncated("<Html><body>x</hTmL>")
    assert not looks_truncated("<body>x")


def test_marked_reading_matches_the_walk_on_random_pages() -> None:
    """The string-marked reading gives what the node-by-node walk gives, or declines."""
    import random

    from selectolax.lexbor import LexborHTMLParser

    from transforms.html_tables import _extracted, _read_marked, _read_tree

    pieces = ["<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th>", "</th>",
              "<td rowspan=2>", "<td colspan=3>", "<TD ROWSPAN='2' colspan=2>", "<td rowspan=x>",
              "<th colspan=2.7>", "<caption>", "</caption>", "<p>", "</p>", "<br>", "<span>",
              "</span>", "<div>", "</div>", "<script>x</script>", "<style>y</style>",
              "<template><td>t</td></template>", "<noscript>n</noscript>", "<title>T</title>",
              "<meta name=a content=b>", "<meta property=p content=' q '>", "<!--c-->", "a",
              "中", " ", "\n", "|", " | ", "&nbsp;", "&#2;", "\x00", "\x01",
              "<svg><td>s</td></svg>", "<head>", "<o:p>", "</o:p>", "<li>", "<h1>", "<tbody>",
              "<thead>", "<colgroup><col>",
              "<form>", "<input type=hidden rowspan=2>", "<textarea>q</textarea>", "%s", "%",
              "<select><option>o</select>", "\u3000", "\u2028", "||", "</body>", "<body>",
              "<table><tr><td>", "</td></tr></table>", "<script><p>s</p></script>", "&#xd800;"]
    heads = ["", "<html><head><title>H</title><meta name=h content=i></head><body>",
             "<html><head><script>s</script><style>t</style></head><body>"]
    rng = random.Random(11)
    covered = 0
    for _ in range(3000):
        page = rng.choice(heads) + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        marked = _read_marked(LexborHTMLParser(page))
        if marked is None:
            continue
        covered += 1
        walked = _read_tree(LexborHTMLParser(page))
        assert _extracted(marked, "utf-8", []) == _extracted(walked, "utf-8", []), page
    assert covered > 1000


def test_byte_checks_agree_with_the_text_checks() -> None:
    import random

    from transforms.html_tables import (
        _looks_truncated_utf8,
        _nests_deeper_utf8,
        looks_truncated,
        nests_deeper_than,
    )

    pieces = ["<div>", "</div>", "<p>", "<!--", "-->", "<", "</", "x", "中", "<html>", "</HTML>",
              "<Html>", "\u0130", "<b>", "</b>", "<!x>"]
    rng = random.Random(7)
    for i in range(1000):
        # long pages (past the 32 KB chunks the closes are counted by) without comments,
        # which the full scan would take quadratic time to cut out
        long = i % 25 == 0
        alphabet = pieces[:3] + pieces[5:] if long else pieces
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        text = text * (rng.choice([300, 1500]) if long else 1)
        data = text.encode()
        assert _looks_truncated_utf8(data) == looks_truncated(text), text[:80]
        for limit in (0, 3, 40, 2000):
            assert _nests_deeper_utf8(data, limit) == nests_deeper_than(text, limit), text[:80]

