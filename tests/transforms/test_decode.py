from transforms.decode import declared_charset, decode_bytes

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
