"""The fetch stage of a run: crawl URLs and configured sites, hand back what needs parsing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from flows.crawl import CrawlResult, CrawlSettings, crawl, crawl_sites, load_sources
from flows.sources import Source
from transforms.parse import PARSER_VERSION


@dataclass
class FetchOutcome:
    to_parse: list[Source]
    superseded_report_ids: list[str]
    requests: int = 0
    conditional_requests: int = 0
    not_modified: int = 0
    errors: int = 0
    unchanged: int = 0


def crawl_settings(delay: float | None = None, timeout: float | None = None) -> CrawlSettings:
    base = CrawlSettings()
    if delay is not None:
        base = replace(base, delay=delay)
    if timeout is not None:
        base = replace(base, read_timeout=timeout, connect_timeout=timeout,
                       deadline=max(timeout * 4, timeout))
    return base


def fetch(urls: Sequence[str], sources_file: Path | None, warehouse: Path,
          settings: CrawlSettings) -> FetchOutcome:
    """Crawl; report pages whose content lives in an attachment are left to the attachment."""
    results: list[CrawlResult] = []
    if urls:
        results.append(crawl(list(urls), warehouse, settings, parser_version=PARSER_VERSION))
    if sources_file is not None:
        sites = load_sources(sources_file)
        if sites:
            results.append(crawl_sites(sites, warehouse, settings, PARSER_VERSION))
    out = FetchOutcome([], [])
    for result in results:
        out.requests += result.requests
        out.conditional_requests += result.conditional_requests
        out.not_modified += result.not_modified
        out.errors += result.errors
        pending = result.to_parse()
        out.unchanged += len(result.documents) - len(pending)
        for doc in pending:
            if doc.content_in_attachments:
                continue
            out.to_parse.append(Source(doc.url, is_url=True, raw_path=str(doc.raw_path),
                                       supersedes=doc.previous_sha256))
            if doc.previous_sha256:
                out.superseded_report_ids.append(doc.previous_sha256[:16])
    return out
