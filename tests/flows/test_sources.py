from pathlib import Path

import pytest

from flows.sources import SourceError, iter_sources


def test_directories_yield_documents_and_unknown_kinds_but_not_notes(tmp_path: Path) -> None:
    for name in ("a.html", "b.PDF", "c.txt", "d.docx", "old.doc", "noext", "notes.md",
                 "x.truth.json", "index.json", ".hidden.html", ".versions/r.html", "sub/e.htm"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    found = [Path(s.location).relative_to(tmp_path).as_posix()
             for s in iter_sources([str(tmp_path)])]
    assert found == ["a.html", "b.PDF", "c.txt", "d.docx", "noext", "old.doc", "sub/e.htm"]


def test_urls_pass_through_and_missing_paths_are_usage_errors(tmp_path: Path) -> None:
    (src,) = iter_sources(["https://example.gov.cn/zfxxgknb/index.html"])
    assert src.is_url
    with pytest.raises(SourceError, match="no such file"):
        list(iter_sources([str(tmp_path / "nope")]))
