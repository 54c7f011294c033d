"""read_docx: paragraphs and expanded tables straight from word/document.xml."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from transforms.docx_tables import read_docx
from transforms.limits import DEFAULT_LIMITS

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def make_docx(body: str, prolog: str = "", compression: int = zipfile.ZIP_STORED) -> bytes:
    xml = f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document {W}><w:body>{body}' \
          "</w:body></w:document>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        zf.writestr("word/document.xml", xml)
    return buf.getvalue()


def tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def test_grid_span_and_vertical_merge_are_expanded_as_flagged_copies() -> None:
    restart = '<w:vMerge w:val="restart"/>'
    span2 = '<w:gridSpan w:val="2"/>'
    body = ("<w:p><w:r><w:t>标题</w:t></w:r></w:p><w:tbl>"
            f"<w:tr>{tc('信息内容', restart)}{tc('本年处理决定数量', span2)}</w:tr>"
            f"<w:tr>{tc('', '<w:vMerge/>')}{tc('5')}{tc('')}</w:tr></w:tbl>")
    ex = read_docx(make_docx(body))
    assert ex.format == "docx"
    assert ex.text.splitlines()[0] == "标题"
    (g,) = ex.tables
    assert [(c.text, c.spanned) for c in g[0]] == [
        ("信息内容", False), ("本年处理决定数量", False), ("本年处理决定数量", True)]
    assert g[0][2].ref == g[0][1].ref == "table 1 row 1 col 2"
    assert (g[1][0].text, g[1][0].spanned, g[1][0].ref) == ("信息内容", True, g[0][0].ref)
    assert [c.text for c in g[1][1:]] == ["5", ""]


def test_a_part_declaring_a_dtd_is_refused_and_nothing_is_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    prolog = f'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{secret}">]>'
    with pytest.raises(ValueError, match=r"declares a DTD") as err:
        read_docx(make_docx("<w:p><w:r><w:t>a&x;b</w:t></w:r></w:p>", prolog))
    assert "TOP-SECRET" not in str(err.value)
    laughs = ('<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
              '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>')
    with pytest.raises(ValueError, match=r"declares a DTD"):
        read_docx(make_docx("<w:p><w:r><w:t>&b;</w:t></w:r></w:p>", laughs))


def test_size_cap_ratio_cap_and_bad_zip_raise_value_error() -> None:
    small = replace(DEFAULT_LIMITS, max_docx_xml_bytes=100)
    with pytest.raises(ValueError, match=r"limit 100 bytes \(a zip bomb\?\)"):
        read_docx(make_docx("<w:p><w:r><w:t>" + "x" * 500 + "</w:t></w:r></w:p>"), small)
    bomb = make_docx("<w:p><w:r><w:t>" + " " * (3 * 1024 * 1024) + "</w:t></w:r></w:p>",
                     compression=zipfile.ZIP_DEFLATED)
    with pytest.raises(ValueError, match=r"ratio above 200 \(a zip bomb\?\)"):
        read_docx(bomb)
    with pytest.raises(ValueError, match=r"not a \.docx"):
        read_docx(b"plain bytes")


def test_blank_national_form() -> None:
    path = SHARED / "corpus" / "fmt2021-blank-form.docx"
    if not path.exists():
        pytest.skip(f"{path} not present (../shared holds the real documents)")
    ex = read_docx(path.read_bytes())
    for anchor in ("本年制发件数", "本年收费金额（单位：万元）", "第二十条第（八）项", "3.其他"):
        assert anchor in ex.text
    assert len(ex.tables) == 3
    items, apps, appeals = ex.tables
    assert [c.text for c in items[2]] == ["规章", "", "", ""]
    assert len(apps) == 28 and len(apps[0]) == 10
    assert len(appeals[-1]) == 15 and all(c.text == "" for c in appeals[-1])
