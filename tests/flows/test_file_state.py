"""Unchanged local files are skipped by the next run; changed or touched ones are not lost."""

from __future__ import annotations

import os
from pathlib import Path

from flows.crawl import record_parsed
from flows.file_state import remember, select_changed
from flows.sources import Source


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _parsed_once(tmp_path: Path) -> tuple[Path, list[Source]]:
    warehouse = tmp_path / "wh"
    files = []
    for i in range(3):
        p = tmp_path / f"r{i}.txt"
        p.write_text(f"report {i}", encoding="utf-8")
        files.append(p)
    sources = [Source(str(p)) for p in files]
    first = select_changed(sources, warehouse, "v1")
    assert first.to_parse == sources and first.unchanged == 0
    record_parsed(warehouse, [_digest(p) for p in files], "v1")
    remember(warehouse, first.seen, [(str(p), _digest(p)) for p in files])
    return warehouse, sources


def test_a_second_run_skips_every_unchanged_file(tmp_path: Path) -> None:
    warehouse, sources = _parsed_once(tmp_path)
    again = select_changed(sources, warehouse, "v1")
    assert again.to_parse == [] and again.unchanged == 3


def test_changed_content_and_a_new_parser_version_are_parsed_again(tmp_path: Path) -> None:
    warehouse, sources = _parsed_once(tmp_path)
    Path(sources[1].location).write_text("report 1, corrected", encoding="utf-8")
    again = select_changed(sources, warehouse, "v1")
    assert again.to_parse == [sources[1]] and again.unchanged == 2
    assert select_changed(sources, warehouse, "v2").to_parse == sources


def test_a_touched_file_with_the_same_bytes_is_skipped_and_its_new_stat_kept(
        tmp_path: Path) -> None:
    warehouse, sources = _parsed_once(tmp_path)
    path = Path(sources[0].location)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    touched = select_changed(sources, warehouse, "v1")
    assert touched.to_parse == [] and touched.refreshed == [(str(path), _digest(path))]
    remember(warehouse, touched.seen, touched.refreshed)
    assert select_changed(sources, warehouse, "v1").refreshed == []


def test_urls_are_left_to_the_crawler(tmp_path: Path) -> None:
    url = Source("https://example.org/r.html", is_url=True)
    assert select_changed([url], tmp_path / "wh", "v1").to_parse == [url]
