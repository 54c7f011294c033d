from transforms.links import (
    decode_page,
    is_report_title,
    normalize_url,
    read_links,
    read_page,
    trs_pages,
)

BASE = "http://gov.example/zwgk/zfxxgknb/index.html"


def test_report_titles_are_reports_and_notices_are_not() -> None:
    assert is_report_title("平潭综合实验区2023年政府信息公开工作年度报告")
    assert is_report_title("2016年度政府信息公开年报")
    assert is_report_title("市商务局政府信息公开工作报告（2012）")
    assert not is_report_title("关于做好2023年政府信息公开工作年度报告编制工作的通知")
    assert not is_report_title("2023年政府信息公开工作年度报告解读")
    assert not is_report_title("通知公告")


def test_links_are_absolute_without_fragments_and_prefer_the_full_title() -> None:
    html = ('<a href="202403/t1.htm#top" title="平潭2023年政府信息公开工作年度报告">平潭2023…</a>'
            '<a href="javascript:void(0)">x</a><a href="mailto:a@b">m</a>'
            '<a href="HTTP://GOV.EXAMPLE/a">A</a>')
    links = read_links(html, BASE)
    assert [(lk.url, lk.text) for lk in links] == [
        ("http://gov.example/zwgk/zfxxgknb/202403/t1.htm", "平潭2023年政府信息公开工作年度报告"),
        ("http://gov.example/a", "A"),
    ]


def test_list_page_yields_reports_pagination_and_skips_notices() -> None:
    html = """<ul>
      <li><a href="t1.htm">2023年政府信息公开工作年度报告</a></li>
      <li><a href="t2.htm">2022年政府信息公开工作年度报告</a></li>
      <li><a href="t3.htm">关于报送年度报告的通知</a></li>
    </ul><a href="index.html">1</a><a href="index_1.html">2</a><a href="index_1.html">下一页</a>
    <a href="/other/index_3.html">3</a>"""
    page = read_page(html, BASE)
    assert page.kind == "list"
    assert [lk.url.rsplit("/", 1)[1] for lk in page.report_links] == ["t1.htm", "t2.htm"]
    assert page.pagination == ("http://gov.example/zwgk/zfxxgknb/index_1.html",)


def test_trs_javascript_pager_expands_to_index_pages() -> None:
    html = '<script>createPageHTML(3, 0, "index", "htm");</script>'
    assert trs_pages(html, BASE) == [
        "http://gov.example/zwgk/zfxxgknb/index.htm",
        "http://gov.example/zwgk/zfxxgknb/index_1.htm",
        "http://gov.example/zwgk/zfxxgknb/index_2.htm",
    ]
    assert read_page(html, BASE).kind == "list"


def test_report_page_with_neighbour_links_stays_a_report() -> None:
    html = """<h1>2023年政府信息公开工作年度报告</h1><p>一、总体情况</p><table><tr><td>一、本年新收
    政府信息公开申请数量</td><td>3</td></tr></table>
    <a href="t0.htm">上一篇：2022年政府信息公开工作年度报告</a>
    <a href="t9.htm">下一篇：2024年政府信息公开工作年度报告</a>"""
    page = read_page(html, "http://gov.example/zwgk/zfxxgknb/t1.htm")
    assert page.kind == "report" and page.has_report_body


def test_page_that_only_links_its_pdf_is_a_report_with_an_attachment() -> None:
    html = ('<title>2020年政府信息公开工作年度报告</title><p>附件：<a href="P1.pdf">'
            '2020年政府信息公开工作年度报告.pdf</a></p>')
    page = read_page(html, "http://gov.example/zwgk/zfxxgknb/t1.htm")
    assert page.kind == "report" and not page.has_report_body
    assert [a.url for a in page.attachments] == ["http://gov.example/zwgk/zfxxgknb/P1.pdf"]
    assert page.report_links == ()
    assert page.title == "2020年政府信息公开工作年度报告"


def test_decode_page_gbk_with_and_without_charset() -> None:
    text = "<html><body>政府信息公开工作年度报告</body></html>"
    assert "年度报告" in decode_page(text.encode("gbk"))
    assert "年度报告" in decode_page(text.encode("gbk"), "text/html; charset=GB2312")
    # a header that lies loses to the bytes
    assert "年度报告" in decode_page(text.encode("gbk"), "text/html; charset=utf-8")


def test_normalize_url_gives_one_spelling() -> None:
    assert normalize_url("HTTP://Gov.Example#x") == "http://gov.example/"
