"""Fetch a single report page over HTTP, bounded (the crawler, flows/crawl/, does real crawls).

Used only when a URL reaches ingest without the crawler; the same rules hold: redirects
are followed only on the URL's own host, at most ``MAX_REDIRECTS`` of them, the body is
capped at ``max_bytes`` and the whole response at ``deadline`` seconds.
"""

from __future__ import annotations

import time
from urllib.parse import urljoin, urlsplit

import httpx

USER_AGENT = "ogi-reports/0.1 (+open-government-information research; polite crawler)"
MAX_BYTES = 50 * 1024 * 1024
MAX_REDIRECTS = 5


class FetchError(RuntimeError):
    """The URL could not be fetched; the message says why."""


def _host(url: str) -> str:
    return (urlsplit(url).netloc or "").lower()


def fetch_bytes(url: str, timeout: float = 30.0, max_bytes: int = MAX_BYTES,
                deadline: float = 120.0) -> bytes:
    headers = {"User-Agent": USER_AGENT}
    start = time.monotonic()
    current = url
    try:
        with httpx.Client(headers=headers, timeout=timeout, follow_redirects=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                with client.stream("GET", current) as resp:
                    if resp.is_redirect:
                        target = urljoin(current, resp.headers.get("location", ""))
                        if urlsplit(target).scheme not in ("http", "https") or \
                                _host(target) != _host(url):
                            raise FetchError(f"{url}: redirect to another host not followed: "
                                             f"{target}")
                        current = target
                        continue
                    if resp.status_code >= 400:
                        raise FetchError(f"{url}: HTTP {resp.status_code}")
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise FetchError(f"{url}: body larger than {max_bytes} bytes")
                        if time.monotonic() - start > deadline:
                            raise FetchError(f"{url}: deadline of {deadline:g} s exceeded")
                        chunks.append(chunk)
                    return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")
