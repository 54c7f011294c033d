"""The crawler's HTTP client: honest, slow when asked, bounded in time and size, and robots-aware.

One httpx.Client shared by a small thread pool. Per host: at most `concurrency_per_host`
requests in flight and at least `delay` seconds between request starts. Retries with
exponential backoff on connection errors, 429 and 5xx (Retry-After honoured up to a cap);
never on 4xx. Read timeouts and the whole-response deadline are not retried: a page that slow
is slow again, and retrying multiplies the crawl's duration. Redirects are followed by hand so
that every hop is checked against the allowed domains and robots.txt.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

import httpx

from flows.crawl.config import ROBOTS_AGENT, CrawlSettings, netloc_of

Sleep = Callable[[float], None]
_RETRY_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError,
                 httpx.ReadError, httpx.WriteError, httpx.PoolTimeout)
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass
class Response:
    """The outcome of one logical fetch (after redirects and retries). Never raised: `error`
    says what went wrong, `status` is the last HTTP status seen (None if none came back)."""

    url: str
    final_url: str
    status: int | None = None
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    error: str | None = None
    attempts: int = 0
    conditional: bool = False
    retry_after: str | None = None
    transient: bool = False  # a connection-level failure worth another attempt

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304


@dataclass
class Counters:
    """What the crawl cost: every HTTP request sent, robots.txt and retries included."""

    requests: int = 0
    conditional_requests: int = 0
    not_modified: int = 0
    retries: int = 0
    errors: int = 0
    robots_requests: int = 0
    robots_blocked: int = 0
    off_domain_skipped: int = 0
    by_status: dict[int, int] = field(default_factory=dict)


class _Deadline(Exception):
    pass


class _TooLarge(Exception):
    pass


class _HostGate:
    """Per-host concurrency limit and minimum interval between request starts."""

    def __init__(self, concurrency: int, delay: float, sleep: Sleep) -> None:
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._delay = max(0.0, delay)
        self._sleep = sleep

    def __enter__(self) -> None:
        self._slots.acquire()
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self._delay
        if start > now:
            self._sleep(start - now)

    def __exit__(self, *exc: object) -> None:
        self._slots.release()


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PoliteClient:
    """Fetch URLs within `allowed(url)`; thread-safe; use as a context manager."""

    def __init__(self, settings: CrawlSettings, allowed: Callable[[str], bool],
                 sleep: Sleep = time.sleep, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.allowed = allowed
        self.counters = Counters()
        self._sleep = sleep
        self._lock = threading.Lock()
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, RobotFileParser | bool] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        timeout = httpx.Timeout(connect=settings.connect_timeout,
                                read=min(settings.read_timeout, settings.deadline),
                                write=settings.read_timeout, pool=settings.deadline)
        self._client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=timeout, follow_redirects=False, transport=transport,
            limits=httpx.Limits(max_connections=max(1, settings.workers) * 2))

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def count(self, **deltas: int) -> None:
        with self._lock:
            for name, n in deltas.items():
                setattr(self.counters, name, getattr(self.counters, name) + n)

    def _gate(self, url: str) -> _HostGate:
        host = netloc_of(url)
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = _HostGate(self.settings.concurrency_per_host, self.settings.delay,
                                 self._sleep)
                self._gates[host] = gate
            return gate

    # --- robots.txt (RFC 9309: 4xx allows everything, 5xx or unreachable disallows) ---

    def robots_allows(self, url: str) -> bool:
        if not self.settings.respect_robots:
            return True
        host = netloc_of(url)
        with self._lock:
            lock = self._robots_locks.setdefault(host, threading.Lock())
        with lock:
            rules = self._robots.get(host)
            if rules is None:
                rules = self._load_robots(url)
                self._robots[host] = rules
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(ROBOTS_AGENT, url)

    def _load_robots(self, url: str) -> RobotFileParser | bool:
        robots_url = urljoin(url, "/robots.txt")
        self.count(robots_requests=1)
        resp = self._fetch_hops(robots_url, {}, check_robots=False)
        if resp.ok and resp.body is not None:
            parser = RobotFileParser(robots_url)
            parser.parse(resp.body.decode("utf-8", "replace").splitlines())
            return parser
        return resp.status is not None and 400 <= resp.status < 500

    # --- fetching ---

    def fetch(self, url: str, etag: str | None = None,
              last_modified: str | None = None) -> Response:
        """GET `url`, conditionally when a validator is given. Never raises for HTTP trouble."""
        if not self.allowed(url):
            self.count(off_domain_skipped=1)
            return Response(url, url, error=f"off-domain URL not fetched: {url}")
        if not self.robots_allows(url):
            self.count(robots_blocked=1)
            return Response(url, url, error="disallowed by robots.txt")
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        resp = self._fetch_hops(url, headers, check_robots=True)
        resp.conditional = bool(headers)
        if resp.error:
            self.count(errors=1)
        return resp

    def _fetch_hops(self, url: str, headers: dict[str, str], check_robots: bool) -> Response:
        current = url
        for _ in range(self.settings.max_redirects + 1):
            resp = self._fetch_with_retries(current, headers)
            resp.url = url
            if resp.error or resp.status not in _REDIRECTS:
                return resp
            location = resp.final_url
            if not self.allowed(location):
                self.count(off_domain_skipped=1)
                resp.error = f"redirect to off-domain URL not followed: {location}"
                return resp
            if check_robots and not self.robots_allows(location):
                self.count(robots_blocked=1)
                resp.error = f"redirect to {location} disallowed by robots.txt"
                return resp
            current = location
        return Response(url, current, error=f"more than {self.settings.max_redirects} redirects")

    def _fetch_with_retries(self, url: str, headers: dict[str, str]) -> Response:
        s = self.settings
        attempt = 0
        while True:
            attempt += 1
            resp = self._attempt(url, headers)
            resp.attempts = attempt
            retryable, wait = self._should_retry(resp, attempt)
            if not retryable:
                return resp
            self.count(retries=1)
            if wait > s.max_retry_after:
                resp.error = (f"HTTP {resp.status}: Retry-After {wait:.0f}s exceeds the "
                              f"{s.max_retry_after:.0f}s cap; not retried")
                return resp
            if wait > 0:
                self._sleep(wait)

    def _should_retry(self, resp: Response, attempt: int) -> tuple[bool, float]:
        s = self.settings
        if attempt > s.retries:
            return False, 0.0
        backoff = s.backoff * (2 ** (attempt - 1))
        if resp.status == 429 or (resp.status is not None and resp.status >= 500):
            after = retry_after_seconds(resp.retry_after)
            return True, backoff if after is None else after
        if resp.transient:
            return True, backoff
        return False, 0.0

    def _attempt(self, url: str, headers: dict[str, str]) -> Response:
        s = self.settings
        out = Response(url, url)
        with self._gate(url):
            self.count(requests=1, conditional_requests=1 if headers else 0)
            started = time.monotonic()
            try:
                with self._client.stream("GET", url, headers=headers) as r:
                    out.status = r.status_code
                    with self._lock:
                        self.counters.by_status[r.status_code] = (
                            self.counters.by_status.get(r.status_code, 0) + 1)
                    out.etag = r.headers.get("etag")
                    out.last_modified = r.headers.get("last-modified")
                    out.content_type = r.headers.get("content-type")
                    out.retry_after = r.headers.get("retry-after")
                    if r.status_code in _REDIRECTS:
                        loc = r.headers.get("location")
                        if not loc:
                            out.error = f"HTTP {r.status_code} without a Location header"
                        else:
                            out.final_url = urljoin(url, loc)
                        return out
                    if r.status_code == 304:
                        self.count(not_modified=1)
                        return out
                    if r.status_code >= 400:
                        out.error = f"HTTP {r.status_code}"
                        return out
                    out.body = self._read_body(r, started)
            except _Deadline:
                out.error = f"deadline: response not complete within {s.deadline}s"
            except _TooLarge:
                out.error = f"body larger than {s.max_bytes} bytes"
            except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
                out.error = f"timeout: {type(exc).__name__}: {exc}"
            except _RETRY_ERRORS as exc:
                out.error = f"{type(exc).__name__}: {exc}"
                out.transient = True
            except httpx.HTTPError as exc:
                out.error = f"{type(exc).__name__}: {exc}"
        return out

    def _read_body(self, r: httpx.Response, started: float) -> bytes:
        s = self.settings
        declared = r.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > s.max_bytes:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        for chunk in r.iter_bytes():
            size += len(chunk)
            if size > s.max_bytes:
                raise _TooLarge
            if time.monotonic() - started > s.deadline:
                raise _Deadline
            chunks.append(chunk)
        if time.monotonic() - started > s.deadline:
            raise _Deadline
        return b"".join(chunks)
