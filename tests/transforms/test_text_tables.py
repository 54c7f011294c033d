"""read_text: decoded text plus grids rebuilt from ` | `-joined lines."""

from __future__ import annotations

from transforms.text_tables import read_text


def test_pipe_runs_become_grids_with_trailing_blanks_kept() -> None:
    data = "标题\r\n信息内容 | 本年处理决定数量 | ||\n行政许可 | 0 | ||\n正文\n一 | 1 |\n".encode()
    ex = read_text(data)
    assert ex.format == "text"
    assert "\r" not in ex.text
    assert len(ex.tables) == 2
    first = ex.tables[0]
    assert [c.text for c in first[1]] == ["行政许可", "0", "", ""]
    assert first[1][1].ref == "line 3 cell 2"
    assert [c.text for c in ex.tables[1][0]] == ["一", "1"]


def test_gb18030_text_is_decoded() -> None:
    ex = read_text("规章 | 0 | 0 | 0 |".encode("gb18030"))
    assert ex.encoding == "gb18030"
    assert [c.text for c in ex.tables[0][0]] == ["规章", "0", "0", "0"]


def test_cell_per_line_text_has_no_grids() -> None:
    ex = read_text("规章 |\n0 |\n0 |\n".encode())
    assert ex.tables == []
