"""Two crawls of the generated column on 127.0.0.1: what is fetched, kept, skipped and re-asked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from flows.crawl import CrawlSettings, crawl, crawl_sites, read_fetches, record_parsed
from flows.crawl.config import SiteConfig, netloc_of
from flows.crawl.crawl import CrawlResult
from flows.crawl.testsite import Site, SitePlan, report_html, serve_site

SETTINGS = CrawlSettings(connect_timeout=2.0, read_timeout=0.5, deadline=2.0, backoff=0.0,
                         delay=0.0, retries=2, workers=4)

Served = tuple[Site, Site, SitePlan]


@pytest.fixture()
def served() -> Iterator[Served]:
    with serve_site() as s:
        yield s


def paths(result: CrawlResult, site: Site) -> list[str]:
    return [d.url.removeprefix(site.base) for d in result.documents]


def test_first_run_finds_the_four_reports_and_never_leaves_the_domain(
        served: Served, tmp_path: Path) -> None:
    site, other, plan = served
    result = crawl([site.url(plan.list1)], tmp_path, SETTINGS)
    assert sorted(paths(result, site)) == sorted(
        [plan.fail_once, plan.gbk, plan.charsetless, plan.pdf_page, plan.pdf])
    # robots, 2 list pages, 500 + 200, GBK, charset-less, PDF page, PDF, 404, slow, redirect
    assert result.requests == 12 and len(site.requests) == 12
    assert result.conditional_requests == 0 and result.not_modified == 0
    assert other.requests == []  # the off-domain link and the off-domain redirect
    assert site.hits(plan.notice) == [] and site.hits(plan.private) == []
    assert [r.status for r in site.hits(plan.fail_once)] == [500, 200]
    failures = {url.removeprefix(site.base): err for url, err in result.failures}
    assert failures[plan.missing] == "HTTP 404"
    assert failures[plan.slow].startswith("timeout")
    assert failures[plan.redirect].startswith("redirect to off-domain URL not followed")
    assert failures[plan.private] == "disallowed by robots.txt"
    assert len(failures) == 4
    assert result.list_pages == [site.url(plan.list1), site.url(plan.list2)]
    docs = {d.url.removeprefix(site.base): d for d in result.documents}
    pdf_page, pdf = docs[plan.pdf_page], docs[plan.pdf]
    assert pdf_page.content_in_attachments and pdf_page.attachments == (site.url(plan.pdf),)
    assert pdf.role == "attachment" and pdf.referrer == site.url(plan.pdf_page)
    assert pdf.raw_path.suffix == ".pdf" and pdf.raw_path.read_bytes().startswith(b"%PDF-")
    gbk = docs[plan.gbk]
    assert gbk.title == "示范县人民政府2022年政府信息公开工作年度报告"
    assert gbk.referrer == site.url(plan.list1)
    assert all(d.is_new_content and d.needs_parse and d.status == 200 for d in docs.values())
    assert not any(d.content_in_attachments for p, d in docs.items() if p != plan.pdf_page)


def test_raw_bytes_are_archived_once_by_sha256(served: Served, tmp_path: Path) -> None:
    site, _, plan = served
    result = crawl([site.url(plan.list1)], tmp_path, SETTINGS)
    for doc in result.documents:
        rel = doc.raw_path.relative_to(tmp_path)
        assert rel.parts[:2] == ("raw", doc.sha256[:2]) and rel.stem == doc.sha256
        assert doc.raw_path.read_bytes() == site.routes[doc.url.removeprefix(site.base)].body


def test_fetch_ledger_records_every_url_with_its_outcome(served: Served, tmp_path: Path) -> None:
    site, _, plan = served
    crawl([site.url(plan.list1)], tmp_path, SETTINGS)
    fetches = read_fetches(tmp_path)
    assert (tmp_path / "ledger" / "fetches.parquet").exists()
    by_path = {row["url"].removeprefix(site.base): row for row in fetches.to_dicts()}
    assert set(by_path) == {plan.list1, plan.list2, plan.fail_once, plan.gbk, plan.charsetless,
                            plan.pdf_page, plan.pdf, plan.missing, plan.slow, plan.redirect,
                            plan.private}
    assert by_path[plan.missing]["status"] == 404 and by_path[plan.missing]["sha256"] is None
    assert by_path[plan.fail_once]["attempts"] == 2 and by_path[plan.fail_once]["error"] is None
    assert by_path[plan.slow]["status"] is None and by_path[plan.slow]["error"]
    assert by_path[plan.gbk]["etag"] and by_path[plan.gbk]["last_modified"]
    assert by_path[plan.list2]["role"] == "list" and by_path[plan.pdf]["role"] == "attachment"
    assert fetches.schema["fetched_at"] == pl.Datetime("us", "UTC")


def test_second_run_asks_conditionally_and_finds_nothing_new(
        served: Served, tmp_path: Path) -> None:
    site, other, plan = served
    first = crawl([site.url(plan.list1)], tmp_path, SETTINGS, parser_version="v1")
    record_parsed(tmp_path, [d.sha256 for d in first.documents], "v1")
    site.clear_log()
    second = crawl([site.url(plan.list1)], tmp_path, SETTINGS, parser_version="v1")
    known = [plan.list1, plan.list2, plan.fail_once, plan.gbk, plan.charsetless, plan.pdf_page,
             plan.pdf]
    for path in known:
        (hit,) = site.hits(path)
        assert hit.conditional and hit.status == 304, path
        assert hit.headers["if-none-match"].startswith('"')
    assert second.conditional_requests == 7 and second.not_modified == 7
    # unconditional: robots.txt, the 404, the slow page, the redirect (nothing was stored)
    assert second.requests == 11
    assert sorted(paths(second, site)) == sorted(paths(first, site))
    assert not any(d.is_new_content or d.needs_parse for d in second.documents)
    assert {d.sha256 for d in second.documents} == {d.sha256 for d in first.documents}
    assert second.to_parse() == []
    assert other.requests == []
    assert read_fetches(tmp_path).height == 11  # one row per URL, not one per run


def test_new_parser_version_reparses_unchanged_content(served: Served, tmp_path: Path) -> None:
    site, _, plan = served
    first = crawl([site.url(plan.list1)], tmp_path, SETTINGS, parser_version="v1")
    record_parsed(tmp_path, [d.sha256 for d in first.documents], "v1")
    second = crawl([site.url(plan.list1)], tmp_path, SETTINGS, parser_version="v2")
    assert len(second.to_parse()) == 5 and not any(d.is_new_content for d in second.documents)


def test_changed_page_is_fetched_whole_and_names_its_previous_content(
        served: Served, tmp_path: Path) -> None:
    site, _, plan = served
    first = crawl([site.url(plan.list1)], tmp_path, SETTINGS, parser_version="v1")
    record_parsed(tmp_path, [d.sha256 for d in first.documents], "v1")
    old = next(d for d in first.documents if d.url == site.url(plan.gbk))
    values = site.reports[1].truth
    site.routes[plan.gbk].body = report_html("示范县人民政府2022年政府信息公开工作年度报告（更正）",
                                             "示范县人民政府", values, "gbk").encode("gbk")
    second = crawl([site.url(plan.list1)], tmp_path, SETTINGS, parser_version="v1")
    (changed,) = [d for d in second.documents if d.is_new_content]
    assert changed.url == site.url(plan.gbk) and changed.status == 200
    assert changed.previous_sha256 == old.sha256 and changed.sha256 != old.sha256
    assert changed.needs_parse and [d.url for d in second.to_parse()] == [changed.url]
    row = read_fetches(tmp_path).filter(pl.col("url") == changed.url).row(0, named=True)
    assert row["sha256"] == changed.sha256


def test_single_report_url_is_fetched_with_its_attachment(served: Served, tmp_path: Path) -> None:
    site, _, plan = served
    result = crawl([site.url(plan.pdf_page)], tmp_path, SETTINGS)
    assert paths(result, site) == [plan.pdf, plan.pdf_page]
    assert result.list_pages == [] and site.hits(plan.list1) == []
    page = next(d for d in result.documents if d.role == "report")
    assert page.title == "示范县人民政府2020年政府信息公开工作年度报告"


def test_max_pages_bounds_a_site(served: Served, tmp_path: Path) -> None:
    site, _, plan = served
    result = crawl([site.url(plan.list1)], tmp_path, replace(SETTINGS, max_pages=3))
    pages = {r.path for r in site.requests} - {"/robots.txt"}
    assert len(pages) == 3  # max_pages counts URLs (a retry is the same page)
    assert result.skipped_limits > 0


def test_configured_site_with_politeness(served: Served, tmp_path: Path) -> None:
    site, other, plan = served
    waits: list[float] = []
    cfg = SiteConfig("demo", (site.url(plan.list1),), (netloc_of(site.base),),
                     concurrency_per_host=1, delay=0.25)
    result = crawl_sites([cfg], tmp_path, SETTINGS, sleep=waits.append)
    assert len(result.documents) == 5 and other.requests == []
    assert waits and all(0 < w <= 0.25 * 12 for w in waits)  # one host, one at a time, spaced


def test_figures_come_back_through_ingest(served: Served, tmp_path: Path) -> None:
    try:
        from transforms.parse import ingest
    except ImportError as exc:  # the parsers are written alongside; say so instead of failing
        pytest.skip(f"transforms.parse not importable yet: {exc}")
    site, _, plan = served
    result = crawl([site.url(plan.list1)], tmp_path, SETTINGS)
    truth = {site.url(r.path): r.truth for r in site.reports}
    reports = [d for d in result.documents if not d.content_in_attachments]
    assert sorted(d.url for d in reports) == sorted(truth)
    for doc in reports:
        record = ingest(doc.raw_path.read_bytes(), doc.url)
        assert record.parsed is not None and record.parsed.template == "fmt2021", doc.url
        got = {(f.row_code, f.col_code): f.value for f in record.parsed.facts
               if f.block == "applications"}
        for row in ("new_received", "granted", "results_total", "carried_forward"):
            for col, value in truth[doc.url][row].items():
                assert got[(row, col)] == value, (doc.url, row, col)
