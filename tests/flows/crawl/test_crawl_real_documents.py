"""The generated column serving real reports from ../shared: crawled, archived, then parsed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.crawl import CrawlSettings, crawl
from flows.crawl.testsite import serve_site
from tests.conftest import shared_file

SETTINGS = CrawlSettings(read_timeout=0.5, deadline=2.0, backoff=0.0, delay=0.0, workers=4)


def _gbk(html: bytes, charset: str | None) -> bytes:
    text = html.decode("utf-8")
    text = re.sub(r"<meta[^>]+charset[^>]*>", "", text, flags=re.I)
    if charset:
        text = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' + text
    return text.encode("gb18030")


def test_real_reports_keep_their_expected_figures(tmp_path: Path) -> None:
    try:
        from transforms.parse import ingest
    except ImportError as exc:
        pytest.skip(f"transforms.parse not importable yet: {exc}")
    docs = {
        "fail_once": shared_file("corpus", "pingtan-2021.html").read_bytes(),
        "gbk": _gbk(shared_file("corpus", "shanghai-2019.html").read_bytes(), "gb2312"),
        "charsetless": _gbk(shared_file("corpus", "pingtan-2023-tables.html").read_bytes(), None),
        "pdf": shared_file("corpus", "huaian-2024.pdf").read_bytes(),
    }
    # EXPECTED.md: 一、本年新收 总计 of each document
    expected = {"fail_once": 70, "gbk": 859, "charsetless": 81, "pdf": 3119}
    with serve_site() as (site, other, plan):
        for key, body in docs.items():
            route = site.routes[getattr(plan, key)]
            route.body = body
        result = crawl([site.url(plan.list1)], tmp_path, SETTINGS)
        assert other.requests == []
        by_url = {d.url: d for d in result.documents}
        for key, total in expected.items():
            doc = by_url[site.url(getattr(plan, key))]
            assert doc.raw_path.read_bytes() == docs[key]
            record = ingest(doc.raw_path.read_bytes(), doc.url)
            assert record.parsed is not None, (key, record.error)
            got = {(f.block, f.row_code, f.col_code): f.value for f in record.parsed.facts}
            assert got[("applications", "new_received", "total")] == total, key


