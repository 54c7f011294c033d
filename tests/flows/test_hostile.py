"""Hostile and broken documents: each costs one row with a clear error, never the run.

The documents come from tests/hostile.py (generated, never downloaded). The parser
isolation (flows/ingest.py) is tested with fake parsers that crash, hang in Python,
hang where no signal reaches them, and blow their memory.
"""

from __future__ import annotations

import faulthandler
import hashlib
import os
import resource
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from flows import ingest as ingest_mod
from flows.ingest import ingest_sources, parse_isolated
from flows.raw_archive import keep_raw
from flows.sources import iter_sources
from tests.hostile import EXPECTED, SECRET_TOKEN, Hostile, gbk_truth, write_hostile
from transforms.document import ReportRecord
from transforms.limits import DEFAULT_LIMITS, Limits
from transforms.parse import ingest

FAST = replace(DEFAULT_LIMITS, parse_seconds=1.0, parse_grace_seconds=1.0)


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile") / "docs"
    write_hostile(out)
    return out


@pytest.fixture(scope="module")
def hostile_records(hostile_dir: Path, tmp_path_factory: pytest.TempPathFactory
                    ) -> dict[str, ReportRecord]:
    warehouse = tmp_path_factory.mktemp("wh")
    sources = list(iter_sources([str(hostile_dir)]))
    t0 = time.monotonic()
    records = ingest_sources(sources, warehouse)
    assert time.monotonic() - t0 < 120
    return {Path(r.source).name: r for r in records}


def test_every_hostile_file_is_a_source_and_gets_a_record(
        hostile_dir: Path, hostile_records: dict[str, ReportRecord]) -> None:
    names = sorted(p.name for p in hostile_dir.iterdir())
    assert names == sorted(h.name for h in EXPECTED)
    assert sorted(hostile_records) == names
    for record in hostile_records.values():
        assert record.raw_path and Path(record.raw_path).is_file()  # raw bytes always kept


@pytest.mark.parametrize("case", EXPECTED, ids=[h.name for h in EXPECTED])
def test_hostile_file_status_and_error(case: Hostile,
                                       hostile_records: dict[str, ReportRecord]) -> None:
    record = hostile_records[case.name]
    assert record.parse_status in case.statuses, (record.parse_status, record.error)
    if record.parse_status in ("failed", "not_a_report"):
        assert record.error, record
    if case.error_has is not None:
        assert case.error_has.lower() in (record.error or "").lower(), record.error


def test_the_specific_errors_read_clearly(hostile_records: dict[str, ReportRecord]) -> None:
    r = hostile_records
    assert r["big-page.html"].error == (
        "document larger than the 16 MiB limit for an HTML/text document (31457414 bytes): "
        "raw bytes kept, not parsed")
    assert r["zip-bomb.docx"].error is not None and "zip bomb" in r["zip-bomb.docx"].error
    assert r["scanned.pdf"].error == "no text layer (scanned PDF?): 1 page(s), no characters"
    assert r["encrypted.pdf"].error == "PDF is encrypted: a password is required to read it"
    deep = r["deep-divs.html"]
    assert deep.parse_status == "not_a_report" and deep.error is not None
    assert "more than 2000 levels deep" in deep.error
    assert deep.parsed is not None and deep.parsed.issues[0].kind == "html_too_deep"
    trunc = r["truncated.html"]
    assert trunc.parsed is not None and trunc.parsed.template == "fmt2021"
    assert trunc.parsed.issues[0].kind == "html_truncated" and trunc.parsed.facts


def test_gbk_without_declaration_reads_its_figures(
        hostile_records: dict[str, ReportRecord]) -> None:
    record = hostile_records["gbk-undeclared.html"]
    assert record.parsed is not None and record.parsed.encoding == "gb18030"
    truth = gbk_truth()
    got = {(f.block, f.row_code, f.col_code): f.value for f in record.parsed.facts}
    tables = {(f.block, f.row_code, f.col_code): f.value
              for f in truth.facts() if f.block != "prose"}
    assert len(tables) > 150
    assert {k: got.get(k) for k in tables} == tables
    assert record.parsed.metadata.report_year == truth.meta.report_year


def test_no_entity_is_ever_resolved(hostile_records: dict[str, ReportRecord]) -> None:
    for record in hostile_records.values():
        blob = repr(record)
        assert SECRET_TOKEN not in blob
        assert "lollollol" not in blob  # no expansion either


def test_limits_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OGI_LIMIT_MAX_MARKUP_BYTES", "1000")
    monkeypatch.setenv("OGI_LIMIT_PARSE_SECONDS", "2.5")
    monkeypatch.setenv("OGI_LIMIT_ISOLATE", "false")
    limits = ingest_mod.current_limits()
    assert (limits.max_markup_bytes, limits.parse_seconds, limits.isolate) == (1000, 2.5, False)
    record = ingest(b"<html><body>" + b"<p>x</p>" * 200 + b"</body></html>", "a.html", limits)
    assert record.parse_status == "failed"
    assert record.error is not None and record.error.startswith("document larger than the 1000")
    monkeypatch.setenv("OGI_LIMIT_PARSE_SECONDS", "-1")
    with pytest.raises(ValueError, match="OGI_LIMIT_PARSE_SECONDS"):
        ingest_mod.current_limits()


def test_a_file_above_the_read_limit_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"x" * 5000 + b"</p>")
    limits = replace(DEFAULT_LIMITS, max_read_bytes=1000)
    (record,) = ingest_sources(list(iter_sources([str(big)])), tmp_path / "wh", limits=limits)
    assert record.parse_status == "failed"
    assert record.error is not None and "above the 1000 bytes read limit" in record.error


@pytest.mark.parametrize("location", [
    "http://evil.example/..%2F..%2Fetc%2Fpasswd", "http://evil.example/a/../../../x.html",
    "../../outside.html", "/tmp/x.ht/../../y", "http://e.example/r.%2e%2e%2fsh",
    "http://e.example/report.HTML?../../x", "C:\\windows\\evil.pdf"])
def test_raw_names_from_urls_stay_in_the_archive(location: str, tmp_path: Path) -> None:
    digest = "ab" * 32
    suffix = ingest_mod._suffix(location, location.startswith("http"))
    path = keep_raw(tmp_path, digest, suffix, b"x")
    assert path.resolve().parent.parent == (tmp_path / "raw").resolve()
    assert path.name.startswith(digest)


# --- isolation: fake parsers that misbehave, real ones around them ---------------------

GOOD = "<html><body><p>某县2021年政府信息公开工作年度报告</p></body></html>".encode()


def _fake_ingest(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS,
                 digest: str | None = None) -> ReportRecord:
    """Behaves by the document's name; anything else is the real parser."""
    if source == "segfault":
        faulthandler.disable()  # the crash is the point; no traceback dump in the test log
        os.kill(os.getpid(), signal.SIGSEGV)
    if source == "busy":
        while True:  # a Python-level endless loop: SIGALRM stops it
            pass
    if source == "stuck":  # stuck where no signal handler runs (as in C code)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        threading.Event().wait()
    if source == "hog":
        hog = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GiB > the memory cap
        return ingest(bytes(len(hog)), source, limits)
    return ingest(data, source, limits)


def test_crashes_hangs_and_memory_blowups_cost_one_document_each(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_mod, "ingest", _fake_ingest)
    limits = replace(FAST, parse_memory_bytes=512 * 1024 * 1024)
    names = ["a", "segfault", "b", "busy", "c", "stuck", "d", "hog", "e"]
    items = [(GOOD, name) for name in names]
    t0 = time.monotonic()
    records = parse_isolated(items, limits)
    elapsed = time.monotonic() - t0
    assert [r.source for r in records] == names
    by = {r.source: r for r in records}
    for ok in "abcde":
        assert by[ok].parse_status != "failed", by[ok].error
    assert by["segfault"].error == "parser process died (signal 11, SIGSEGV — a parser crash)"
    assert by["busy"].error == "parser exceeded 1 s (the parse time limit)"
    assert by["stuck"].error == ("parser exceeded 1 s (the parse time limit); "
                                 "the parser process was killed")
    assert by["hog"].parse_status == "failed"
    assert by["hog"].error is not None and by["hog"].error.startswith("parser ran out of memory")
    assert all(r.report_id == records[0].report_id for r in records)  # same bytes, same id
    assert elapsed < 15
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY  # parent free


def test_each_document_reaches_the_child_intact_through_buffer_or_inline(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Distinct documents, a shared buffer too small for all of them (the rest go inline),
    and a crash in the middle, after which a fresh child gets the remaining ones."""
    monkeypatch.setattr(ingest_mod, "ingest", _fake_ingest)
    monkeypatch.setattr(ingest_mod, "SHARED_BYTES", 4000)
    pages = [GOOD.replace(b"</p>", b"</p><p>" + b"x" * size + b"</p>")
             for size in (100, 1500, 3000, 10, 2500, 700, 5000, 40)]
    names = [f"p{k}.html" for k in range(len(pages))]
    names[3] = "segfault"
    records = parse_isolated(list(zip(pages, names, strict=True)), FAST)
    assert [r.source for r in records] == names
    for page, record in zip(pages, records, strict=True):
        if record.source != "segfault":
            assert record.parse_status != "failed", record.error
            assert record.content_sha256 == hashlib.sha256(page).hexdigest()
            assert record.size_bytes == len(page)
    assert records[3].error is not None and "SIGSEGV" in records[3].error


def test_in_process_parsing_when_isolation_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OGI_LIMIT_ISOLATE", "0")
    pid = os.getpid()
    seen: list[int] = []

    def spy(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS,
            digest: str | None = None) -> ReportRecord:
        seen.append(os.getpid())
        return ingest(data, source, limits)

    monkeypatch.setattr(ingest_mod, "ingest", spy)
    records = ingest_mod.parse_items([(GOOD, "x.html")])
    assert seen == [pid] and [r.source for r in records] == ["x.html"]


def test_hostile_run_end_to_end(hostile_dir: Path, tmp_path: Path,
                                prefect_harness: None) -> None:
    """The acceptance check: ``ogi run DIR`` over the hostile set, through Prefect and GX."""
    import polars as pl

    from flows.nightly import nightly
    from flows.warehouse import read_table

    warehouse = tmp_path / "wh"
    t0 = time.monotonic()
    nightly([str(hostile_dir)], str(warehouse), quiet=True, workers=2)
    assert time.monotonic() - t0 < 300
    reports = read_table(warehouse, "reports")
    names = {Path(s).name: row for s, row in zip(reports["source"], reports.iter_rows(named=True),
                                                 strict=True)}
    assert sorted(names) == sorted(h.name for h in EXPECTED)
    for case in EXPECTED:
        row = names[case.name]
        assert row["parse_status"] in case.statuses, (case.name, row)
        if row["parse_status"] in ("failed", "not_a_report"):
            assert row["error"], row
    gbk = reports.filter(pl.col("source").str.ends_with("gbk-undeclared.html"))
    facts = read_table(warehouse, "facts").filter(
        pl.col("report_id") == gbk["report_id"][0])
    assert facts.height > 150
    for path in warehouse.rglob("*"):
        if path.is_file() and "raw" not in path.relative_to(warehouse).parts:
            assert SECRET_TOKEN.encode() not in path.read_bytes(), path
