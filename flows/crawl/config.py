"""What to crawl and how politely: the sources file and the crawl settings.

Domains: an allowed-domain entry without a port ("pingtan.gov.cn") allows that host and its
subdomains on any port; an entry with a port ("127.0.0.1:8001") allows exactly that host:port.
`ogi run URL` allows only the URL's own host:port, so a second server on another loopback port
is off-domain (that is how the tests model a foreign site).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

USER_AGENT = ("ogi-reports/0.1 (+open-government-information research; polite crawler; "
              "honours robots.txt)")
ROBOTS_AGENT = "ogi-reports"


class SourcesError(ValueError):
    """The sources file cannot be read or names nothing usable; the message says where."""


@dataclass(frozen=True)
class CrawlSettings:
    """Limits of one crawl. Defaults are for real sites; tests shrink the timeouts."""

    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 120.0  # whole response, headers to last byte (slow-drip bodies)
    max_bytes: int = 50 * 1024 * 1024
    retries: int = 3  # extra attempts after the first, on connect errors, 429 and 5xx
    backoff: float = 1.0  # first retry waits this long, doubling each time
    max_retry_after: float = 120.0  # a longer Retry-After gives up instead of waiting
    max_redirects: int = 5
    concurrency_per_host: int = 2
    delay: float = 1.0  # minimum seconds between request starts on one host
    workers: int = 8  # threads across all hosts
    max_pages: int = 2000  # requests per site (list pages, report pages, attachments)
    max_depth: int = 60  # link hops from the start page, pagination included
    respect_robots: bool = True
    follow_attachments: bool = True


@dataclass(frozen=True)
class SiteConfig:
    """One government site's 政府信息公开年报 column."""

    name: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    concurrency_per_host: int | None = None  # None: the crawl settings decide
    delay: float | None = None
    max_pages: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def settings(self, base: CrawlSettings) -> CrawlSettings:
        """The crawl settings with this site's politeness overrides applied."""
        out = base
        if self.concurrency_per_host is not None:
            out = replace(out, concurrency_per_host=self.concurrency_per_host)
        if self.delay is not None:
            out = replace(out, delay=self.delay)
        if self.max_pages is not None:
            out = replace(out, max_pages=self.max_pages)
        return out


def netloc_of(url: str) -> str:
    """host[:port] lower-cased, default ports dropped."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is None or (parts.scheme, port) in (("http", 80), ("https", 443)):
        return host
    return f"{host}:{port}"


def domain_allowed(url: str, allowed: tuple[str, ...]) -> bool:
    """See the module docstring for how entries match."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    netloc = netloc_of(url)
    for entry in allowed:
        entry = entry.lower().strip().lstrip(".")
        if ":" in entry:
            if netloc == entry:
                return True
        elif host == entry or host.endswith("." + entry):
            return True
    return False


def site_for_url(url: str, name: str | None = None) -> SiteConfig:
    """`ogi run URL`: a one-URL site whose only allowed domain is the URL's host:port."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise SourcesError(f"{url}: not an http(s) URL")
    return SiteConfig(name or netloc_of(url), (url,), (netloc_of(url),))


def _site(entry: dict[str, Any], where: str) -> SiteConfig:
    known = {"name", "start_urls", "start_url", "allowed_domains", "concurrency_per_host",
             "delay", "max_pages"}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise SourcesError(f"{where}: unknown keys {', '.join(unknown)} (known: "
                           f"{', '.join(sorted(known))})")
    starts = entry.get("start_urls", [])
    if "start_url" in entry:
        starts = [entry["start_url"], *starts]
    if isinstance(starts, str):
        starts = [starts]
    if not starts or not all(isinstance(s, str) and s.startswith(("http://", "https://"))
                             for s in starts):
        raise SourcesError(f"{where}: start_url(s) must be one or more http(s) URLs")
    domains = entry.get("allowed_domains") or sorted({netloc_of(s) for s in starts})
    if isinstance(domains, str):
        domains = [domains]
    for s in starts:
        if not domain_allowed(s, tuple(domains)):
            raise SourcesError(f"{where}: start URL {s} is outside allowed_domains {domains}")
    concurrency = entry.get("concurrency_per_host")
    if concurrency is not None and (not isinstance(concurrency, int) or concurrency < 1):
        raise SourcesError(f"{where}: concurrency_per_host must be a positive integer")
    delay = entry.get("delay")
    if delay is not None and (not isinstance(delay, int | float) or delay < 0):
        raise SourcesError(f"{where}: delay must be a non-negative number of seconds")
    max_pages = entry.get("max_pages")
    if max_pages is not None and (not isinstance(max_pages, int) or max_pages < 1):
        raise SourcesError(f"{where}: max_pages must be a positive integer")
    return SiteConfig(str(entry.get("name") or netloc_of(starts[0])), tuple(starts),
                      tuple(domains), concurrency, None if delay is None else float(delay),
                      max_pages)


def load_sources(path: Path) -> list[SiteConfig]:
    """Sites of a TOML sources file: `[[site]]` tables (see the repo's sources.toml)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from exc
    entries = data.get("site", [])
    if not isinstance(entries, list):
        raise SourcesError(f"{path}: `site` must be an array of tables ([[site]])")
    return [_site(e, f"{path}: site #{i + 1}") for i, e in enumerate(entries)]
