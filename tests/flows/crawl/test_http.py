"""The polite client against a real server on 127.0.0.1 (no sleeps: waits are recorded)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from flows.crawl.config import CrawlSettings, domain_allowed, netloc_of
from flows.crawl.http import PoliteClient, retry_after_seconds
from flows.crawl.testsite import Route, Site

FAST = CrawlSettings(connect_timeout=2.0, read_timeout=0.5, deadline=0.5, backoff=0.25,
                     delay=0.0, retries=2, max_bytes=10_000)


@pytest.fixture()
def site() -> Iterator[Site]:
    s = Site({
        "/robots.txt": Route(body=b"User-agent: *\nDisallow: /private/\n"),
        "/ok": Route(body=b"<html>ok</html>"),
        "/busy": Route("status", status=429, headers={"Retry-After": "7"}),
        "/down": Route("status", status=503),
        "/gone": Route("not_found"),
        "/big": Route(body=b"x" * 20_000),
        "/drip": Route("drip", delay=3.0),
        "/hop": Route("redirect", location="/ok"),
        "/away": Route("redirect", location="http://localhost:9/elsewhere"),
        "/private/x": Route(body=b"secret"),
    }).start()
    yield s
    s.stop()


def client_for(site: Site, settings: CrawlSettings = FAST) -> tuple[PoliteClient, list[float]]:
    waits: list[float] = []
    allowed = (netloc_of(site.base),)
    return PoliteClient(settings, lambda u: domain_allowed(u, allowed), waits.append), waits


def test_retry_after_reads_seconds_and_dates() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Mon, 01 Jan 2024 00:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None


def test_plain_fetch_sends_an_honest_user_agent(site: Site) -> None:
    client, _ = client_for(site)
    with client:
        resp = client.fetch(site.url("/ok"))
    assert resp.ok and resp.body == b"<html>ok</html>" and resp.etag
    ua = site.hits("/ok")[0].headers["user-agent"]
    assert ua.startswith("ogi-reports/") and "robots" in ua
    assert client.counters.requests == 2  # robots.txt + the page


def test_429_honours_retry_after_then_gives_up(site: Site) -> None:
    client, waits = client_for(site)
    with client:
        resp = client.fetch(site.url("/busy"))
    assert resp.status == 429 and resp.error == "HTTP 429" and resp.attempts == 3
    assert waits == [7.0, 7.0]
    assert len(site.hits("/busy")) == 3


def test_5xx_backs_off_exponentially(site: Site) -> None:
    client, waits = client_for(site)
    with client:
        resp = client.fetch(site.url("/down"))
    assert resp.status == 503 and resp.attempts == 3 and waits == [0.25, 0.5]


def test_retry_after_beyond_the_cap_is_not_waited_for(site: Site) -> None:
    from dataclasses import replace

    client, waits = client_for(site, replace(FAST, max_retry_after=5.0))
    with client:
        resp = client.fetch(site.url("/busy"))
    assert waits == [] and resp.error is not None and "exceeds" in resp.error
    assert len(site.hits("/busy")) == 1


def test_404_is_not_retried(site: Site) -> None:
    client, waits = client_for(site)
    with client:
        resp = client.fetch(site.url("/gone"))
    assert resp.status == 404 and resp.error == "HTTP 404" and waits == []
    assert len(site.hits("/gone")) == 1


def test_body_over_max_bytes_is_refused(site: Site) -> None:
    client, _ = client_for(site)
    with client:
        resp = client.fetch(site.url("/big"))
    assert resp.body is None and resp.error == "body larger than 10000 bytes"


def test_slow_drip_hits_the_whole_response_deadline(site: Site) -> None:
    client, _ = client_for(site)
    with client:
        resp = client.fetch(site.url("/drip"))
    assert resp.body is None and resp.error is not None and resp.error.startswith("deadline")
    assert len(site.hits("/drip")) == 1  # not retried


def test_redirects_inside_the_domain_only(site: Site) -> None:
    client, _ = client_for(site)
    with client:
        inside = client.fetch(site.url("/hop"))
        outside = client.fetch(site.url("/away"))
    assert inside.ok and inside.final_url == site.url("/ok")
    assert outside.status == 302 and outside.body is None
    assert outside.error == "redirect to off-domain URL not followed: http://localhost:9/elsewhere"


def test_robots_txt_is_respected_and_read_once(site: Site) -> None:
    client, _ = client_for(site)
    with client:
        blocked = client.fetch(site.url("/private/x"))
        client.fetch(site.url("/ok"))
    assert blocked.error == "disallowed by robots.txt" and site.hits("/private/x") == []
    assert len(site.hits("/robots.txt")) == 1


def test_unreachable_robots_txt_disallows_everything() -> None:
    s = Site({"/robots.txt": Route("status", status=500), "/ok": Route(body=b"ok")}).start()
    try:
        client, _ = client_for(s)
        with client:
            resp = client.fetch(s.url("/ok"))
        assert resp.error == "disallowed by robots.txt" and s.hits("/ok") == []
    finally:
        s.stop()


def test_conditional_request_gets_304(site: Site) -> None:
    client, _ = client_for(site)
    with client:
        first = client.fetch(site.url("/ok"))
        second = client.fetch(site.url("/ok"), first.etag, first.last_modified)
    assert second.not_modified and second.conditional and second.body is None
    assert client.counters.conditional_requests == 1 and client.counters.not_modified == 1
