"""Crawl 政府信息公开年报 columns: list pages → report pages → attachments, incrementally.

The shell around transforms/links.py: it fetches (flows/crawl/http.py), keeps every body in
the raw archive by sha256, updates the fetch ledger, and returns the report documents it saw,
new or unchanged, so the caller parses only what it has not parsed with the current parser.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from flows.crawl.config import CrawlSettings, SiteConfig, domain_allowed, netloc_of, site_for_url
from flows.crawl.http import Counters, PoliteClient, Response, Sleep
from flows.crawl.ledger import FetchRow, Ledger
from flows.raw_archive import keep_raw
from transforms.links import PageLinks, decode_page, normalize_url, read_page, url_suffix

Role = Literal["start", "list", "report", "attachment"]

_CONTENT_TYPES = {
    "text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "text/plain": ".txt",
}
_KEEP_SUFFIXES = {".html", ".htm", ".shtml", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps",
                  ".jpg", ".jpeg", ".png", ".gif", ".txt"}


@dataclass(frozen=True)
class FetchedDocument:
    """A report page or an attachment this crawl saw (fetched anew or confirmed by a 304)."""

    url: str
    final_url: str
    sha256: str
    raw_path: Path
    content_type: str | None
    role: Literal["report", "attachment"]
    status: int  # 200, or 304 when the ledger's copy is still current
    is_new_content: bool  # sha256 differs from what the ledger had for this URL (or first time)
    previous_sha256: str | None  # the URL's former content when it changed: its report is stale
    needs_parse: bool  # not yet parsed with the parser version given to crawl()
    referrer: str | None  # the list page (or report page, for attachments) that linked it
    title: str | None  # link text on the referrer; the page title for a start URL
    site: str
    attachments: tuple[str, ...] = ()  # for report pages: URLs of the files it links
    content_in_attachments: bool = False  # page body has no report text, only attachment links


@dataclass
class CrawlResult:
    documents: list[FetchedDocument] = field(default_factory=list)
    list_pages: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, error)
    counters: Counters = field(default_factory=Counters)
    skipped_limits: int = 0  # links not followed because of max_pages / max_depth

    @property
    def requests(self) -> int:
        return self.counters.requests

    @property
    def conditional_requests(self) -> int:
        return self.counters.conditional_requests

    @property
    def not_modified(self) -> int:
        return self.counters.not_modified

    @property
    def errors(self) -> int:
        return len(self.failures)

    def to_parse(self) -> list[FetchedDocument]:
        """Documents whose content the current parser has not read yet."""
        return [d for d in self.documents if d.needs_parse]


@dataclass(frozen=True)
class _Task:
    site: SiteConfig
    url: str
    role: Role
    depth: int
    referrer: str | None = None
    title: str | None = None


@dataclass
class _Outcome:
    task: _Task
    resp: Response
    row: FetchRow
    body: bytes | None = None
    page: PageLinks | None = None
    is_new: bool = False
    previous_sha: str | None = None


def raw_suffix(url: str, content_type: str | None, body: bytes) -> str:
    """Archive suffix: the declared type, else the URL's suffix, else what the bytes look like."""
    if content_type:
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime in _CONTENT_TYPES:
            return _CONTENT_TYPES[mime]
    suffix = url_suffix(url)
    if suffix in _KEEP_SUFFIXES:
        return suffix
    head = body[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith(b"<"):
        return ".html"
    return ".bin"


def _looks_html(content_type: str | None, body: bytes) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    if content_type and not content_type.lower().startswith(("text/", "application/octet")):
        return False
    return body[:1024].lstrip().startswith(b"<") and b"%PDF" not in body[:8]


class _SiteCrawler:
    """One crawl over several sites sharing a thread pool; one polite client per site."""

    def __init__(self, warehouse: Path, settings: CrawlSettings, parser_version: str | None,
                 sleep: Sleep) -> None:
        self.warehouse = Path(warehouse)
        self.settings = settings
        self.parser_version = parser_version
        self.sleep = sleep
        self.ledger = Ledger.load(self.warehouse)
        self.clients: dict[str, PoliteClient] = {}
        self.result = CrawlResult()
        self.seen: set[tuple[str, str]] = set()
        self.pages_per_site: dict[str, int] = {}
        self._clients_lock = threading.Lock()

    def client(self, site: SiteConfig) -> PoliteClient:
        with self._clients_lock:
            return self._client(site)

    def _client(self, site: SiteConfig) -> PoliteClient:
        if site.name not in self.clients:
            allowed = site.allowed_domains
            self.clients[site.name] = PoliteClient(
                site.settings(self.settings), lambda u: domain_allowed(u, allowed), self.sleep)
        return self.clients[site.name]

    # --- worker side (threads) ---

    def fetch(self, task: _Task) -> _Outcome:
        client = self.client(task.site)
        prev = self.ledger.get(task.url)
        etag = prev.etag if prev and prev.sha256 else None
        modified = prev.last_modified if prev and prev.sha256 else None
        if prev and prev.raw_path and not Path(prev.raw_path).exists():
            etag = modified = None  # the archived copy is gone: ask for the body again
        resp = client.fetch(task.url, etag, modified)
        now = datetime.now(UTC)
        role = "list" if task.role == "start" else task.role
        base = prev or FetchRow(task.url)
        row = replace(base, status=resp.status, final_url=resp.final_url, role=role,
                      referrer=task.referrer or base.referrer, title=task.title or base.title,
                      site=task.site.name, conditional=resp.conditional,
                      attempts=resp.attempts, fetched_at=now, error=resp.error)
        out = _Outcome(task, resp, row)
        if resp.ok and resp.body is not None:
            body = resp.body
            sha = hashlib.sha256(body).hexdigest()
            path = keep_raw(self.warehouse, sha, raw_suffix(resp.final_url, resp.content_type,
                                                            body), body)
            changed = prev is None or prev.sha256 != sha
            out.is_new, out.previous_sha = changed, (prev.sha256 if prev and changed else None)
            row = replace(row, etag=resp.etag, last_modified=resp.last_modified, sha256=sha,
                          raw_path=str(path), content_type=resp.content_type,
                          changed_at=now if changed else base.changed_at)
            out.body = body
        elif resp.not_modified:
            if prev is None or not prev.raw_path:
                row = replace(row, error="HTTP 304 for a URL with no archived copy")
                out.resp.error = row.error
            else:
                out.body = Path(prev.raw_path).read_bytes()
                row = replace(row, etag=resp.etag or prev.etag,
                              last_modified=resp.last_modified or prev.last_modified)
        out.row = row
        if out.body is not None and task.role != "attachment" and _looks_html(
                row.content_type, out.body):
            out.page = read_page(decode_page(out.body, row.content_type), resp.final_url)
        self.ledger.put(row)
        return out

    # --- coordinator side (main thread) ---

    def admit(self, task: _Task) -> bool:
        key = (task.site.name, task.url)
        if key in self.seen:
            return False
        if not domain_allowed(task.url, task.site.allowed_domains):
            self.seen.add(key)
            self.client(task.site).count(off_domain_skipped=1)
            return False
        limit = task.site.settings(self.settings)
        count = self.pages_per_site.get(task.site.name, 0)
        if count >= limit.max_pages or task.depth > limit.max_depth:
            self.result.skipped_limits += 1
            return False
        self.seen.add(key)
        self.pages_per_site[task.site.name] = count + 1
        return True

    def follow(self, out: _Outcome) -> list[_Task]:
        task, page = out.task, out.page
        if out.body is None:
            self.result.failures.append((task.url, out.resp.error or f"HTTP {out.resp.status}"))
            return []
        if task.role == "attachment":
            self._document(out, "attachment")
            return []
        if page is None:  # a report link that turned out to be a PDF or another file
            self._document(out, "report")
            return []
        next_depth = task.depth + 1
        if self._is_list(task, page):
            self.result.list_pages.append(task.url)
            self.ledger.put(replace(out.row, role="list"))
            tasks = [_Task(task.site, link.url, "report", next_depth, task.url, link.text)
                     for link in page.report_links]
            tasks += [_Task(task.site, url, "list", next_depth, task.url) for url in
                      page.pagination]
            return tasks
        if task.role != "report":
            self.ledger.put(replace(out.row, role="report",
                                    title=out.row.title or page.title or None))
        self._document(out, "report", page)
        if not self.settings.follow_attachments:
            return []
        return [_Task(task.site, link.url, "attachment", next_depth, task.url, link.text)
                for link in page.attachments]

    @staticmethod
    def _is_list(task: _Task, page: PageLinks) -> bool:
        """Pagination targets are lists; a report link is a list only when it looks like a nested
        column (a pager, or three or more report links and no report text), so that a report
        page linking 上一篇/下一篇 and its PDF stays a report."""
        if task.role == "list":
            return True
        if task.role == "start":
            return page.kind == "list"
        return not page.has_report_body and (bool(page.pagination) or
                                             len(page.report_links) >= 3)

    def _document(self, out: _Outcome, role: Literal["report", "attachment"],
                  page: PageLinks | None = None) -> None:
        row = out.row
        assert row.sha256 is not None and row.raw_path is not None
        needs = (self.ledger.parsed_version(row.sha256) is None if self.parser_version is None
                 else self.ledger.needs_parse(row.sha256, self.parser_version))
        title = out.task.title or (page.title if page else None) or None
        self.result.documents.append(FetchedDocument(
            url=out.task.url, final_url=row.final_url or out.task.url, sha256=row.sha256,
            raw_path=Path(row.raw_path), content_type=row.content_type, role=role,
            status=row.status or 0, is_new_content=out.is_new, previous_sha256=out.previous_sha,
            needs_parse=needs, referrer=out.task.referrer, title=title, site=out.task.site.name,
            attachments=tuple(a.url for a in page.attachments) if page else (),
            content_in_attachments=bool(page and page.attachments and not page.has_report_body)))

    def run(self, sites: Iterable[SiteConfig]) -> CrawlResult:
        pending: dict[Future[_Outcome], _Task] = {}
        try:
            with ThreadPoolExecutor(max_workers=max(1, self.settings.workers),
                                    thread_name_prefix="ogi-crawl") as pool:
                for site in sites:
                    for url in site.start_urls:
                        task = _Task(site, normalize_url(url), "start", 0)
                        if self.admit(task):
                            pending[pool.submit(self.fetch, task)] = task
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in done:
                        pending.pop(fut)
                        for nxt in self.follow(fut.result()):
                            if self.admit(nxt):
                                pending[pool.submit(self.fetch, nxt)] = nxt
        finally:
            self.ledger.save()
            for client in self.clients.values():
                client.__exit__()
        self._sum_counters()
        self.result.documents.sort(key=lambda d: d.url)
        self.result.list_pages.sort()
        self.result.failures.sort()
        return self.result

    def _sum_counters(self) -> None:
        total = self.result.counters
        for client in self.clients.values():
            c = client.counters
            for name in ("requests", "conditional_requests", "not_modified", "retries", "errors",
                         "robots_requests", "robots_blocked", "off_domain_skipped"):
                setattr(total, name, getattr(total, name) + getattr(c, name))
            for status, n in c.by_status.items():
                total.by_status[status] = total.by_status.get(status, 0) + n


def crawl_sites(sites: Iterable[SiteConfig], warehouse: Path, settings: CrawlSettings,
                parser_version: str | None = None, sleep: Sleep = time.sleep) -> CrawlResult:
    """Crawl configured sites (from `load_sources`). `parser_version` decides `needs_parse`."""
    return _SiteCrawler(warehouse, settings, parser_version, sleep).run(sites)


def crawl(start_urls: list[str], warehouse: Path, settings: CrawlSettings | None = None,
          parser_version: str | None = None, sleep: Sleep = time.sleep) -> CrawlResult:
    """`ogi run URL…`: each URL is a list page or a single report page (told apart by its
    content); only its own host:port is allowed."""
    by_host: dict[str, list[str]] = {}
    for url in start_urls:
        by_host.setdefault(netloc_of(url), []).append(url)
    sites = [replace(site_for_url(urls[0]), start_urls=tuple(urls)) for urls in by_host.values()]
    return crawl_sites(sites, warehouse, settings or CrawlSettings(), parser_version, sleep)
