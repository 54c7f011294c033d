from transforms.decode import declared_charset, decode_bytes, utf8_of

REPORT = "2019年度政府信息公开工作年度报告：收到申请数 12 件"


def test_utf8_without_declaration() -> None:
    text, enc = decode_bytes(REPORT.encode("utf-8"))
    assert text == REPORT
    assert enc == "utf-8"


def test_gbk_without_declaration_falls_back_to_gb18030() -> None:
    text, enc = decode_bytes(REPORT.encode("gbk"))
    assert text == REPORT
    assert enc == "gb18030"


def test_declared_gb2312_is_read_as_gb18030_superset() -> None:
    page = f'<html><head><meta charset="gb2312"></head><body>{REPORT}镕</body></html>'
    data = page.encode("gb18030")  # 镕 is outside GB2312, common in names
    assert declared_charset(data) == "gb18030"
    text, _ = decode_bytes(data)
    assert "镕" in text and REPORT in text


def test_lying_declaration_is_overridden() -> None:
    page = f'<meta http-equiv="Content-Type" content="text/html; charset=utf-8">{REPORT}'
    text, enc = decode_bytes(page.encode("gbk"))
    assert REPORT in text
    assert enc == "gb18030"


def test_bom_wins() -> None:
    text, enc = decode_bytes(b"\xef\xbb\xbf" + REPORT.encode())
    assert text == REPORT and enc == "utf-8-sig"


def test_pages_read_as_utf8_bytes_match_the_text_route() -> None:
    """GB18030 and UTF-8 pages fed to lexbor as UTF-8 bytes, without making the text."""
    body = "<p>中文\n" + "x" * 5000 + "\n</p><table><tr><td>收到</td><td>5</td></tr></table>\n"
    for page, encoding in [((body * 3).encode("gbk"), "gb18030"),
                           ((body * 3).encode(), "utf-8"),
                           (('<meta charset="gbk">' + body).encode("gb18030"), "gb18030")]:
        got = utf8_of(page)
        text, enc = decode_bytes(page)
        assert got == (text.encode(), enc) and enc == encoding
    assert utf8_of(b"\xef\xbb\xbfabc") is None  # BOM: decode_bytes reads it
    assert utf8_of(b"\xff\xfe\x00") is None  # neither UTF-8 nor GB18030
    assert utf8_of(b'<meta charset="big5">abc') is None


def test_undecodable_gb18030_pieces_give_up_like_the_whole() -> None:
    """A stray lead byte before '<', a newline or the end fails the pieces as the whole."""
    page = "<p>中文</p>\n".encode("gbk") * 2000
    for stray in (b"\x81<", b"\xfe\n", b"\x80"):
        bad = page + stray
        assert utf8_of(bad) is None and decode_bytes(bad)[1] == "utf-8-replace"
    assert utf8_of(page[:3000] + b"\x81" + page[3000:]) is None
