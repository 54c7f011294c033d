"""Fetch a single report page over HTTP (the crawler builds on this)."""

from __future__ import annotations

import httpx

USER_AGENT = "ogi-reports/0.1 (+open-government-information research; polite crawler)"
MAX_BYTES = 50 * 1024 * 1024


class FetchError(RuntimeError):
    """The URL could not be fetched; the message says why."""


def fetch_bytes(url: str, timeout: float = 30.0, max_bytes: int = MAX_BYTES) -> bytes:
    headers = {"User-Agent": USER_AGENT}
    try:
        with httpx.stream("GET", url, headers=headers, timeout=timeout,
                          follow_redirects=True) as resp:
            if resp.status_code >= 400:
                raise FetchError(f"{url}: HTTP {resp.status_code}")
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{url}: body larger than {max_bytes} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
