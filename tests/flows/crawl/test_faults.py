"""Network faults are bounded and recorded in `fetches`; the healthy page still comes in.

A raw socket server on 127.0.0.1 plays the faults the polite HTTP server of testsite.py
cannot: a connection reset with no answer, a redirect loop, a body far over the size
limit (declared and undeclared), a slow drip and a server that never answers.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.crawl import CrawlSettings, crawl, read_fetches

SETTINGS = CrawlSettings(connect_timeout=1.0, read_timeout=0.5, deadline=1.5, backoff=0.0,
                         delay=0.0, retries=1, workers=8, max_bytes=100_000,
                         max_redirects=4, respect_robots=False)
OK_BODY = "<html><body><p>某县人民政府2021年政府信息公开工作年度报告</p></body></html>".encode()


class _Faults(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stop = threading.Event()
        self.hits: list[str] = []


class _Handler(socketserver.StreamRequestHandler):
    server: _Faults

    def _send(self, head: str, body: bytes = b"") -> None:
        self.wfile.write(head.encode("latin-1") + b"\r\n" + body)

    def handle(self) -> None:
        line = self.rfile.readline(8192).decode("latin-1")
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass
        path = line.split(" ")[1] if line.count(" ") >= 2 else "/"
        self.server.hits.append(path)
        sock = self.connection
        if path == "/reset":  # RST instead of an answer
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            return
        if path.startswith("/loop"):
            n = int(path.removeprefix("/loop") or 0)
            self._send(f"HTTP/1.1 302 Found\r\nLocation: /loop{n + 1}\r\nContent-Length: 0\r\n")
            return
        if path == "/huge":  # no Content-Length; far more than max_bytes
            self._send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n")
            chunk = b"<p>" + b"x" * 65_536 + b"</p>"
            for _ in range(64):
                if self.server.stop.is_set():
                    return
                self.wfile.write(chunk)
            return
        if path == "/declared-huge":
            self._send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                       "Content-Length: 500000000\r\n", b"<p>")
            return
        if path == "/drip":  # a byte every 0.1 s: never slower than read_timeout, endless
            self._send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n")
            while not self.server.stop.wait(0.1):
                self.wfile.write(b"x")
                self.wfile.flush()
            return
        if path == "/away":
            self._send("HTTP/1.1 302 Found\r\nLocation: http://localhost:9/x\r\n"
                       "Content-Length: 0\r\n")
            return
        if path == "/silent":  # accepts, reads the request, never answers
            self.server.stop.wait(30)
            return
        self._send(f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                   f"Content-Length: {len(OK_BODY)}\r\n", OK_BODY)


@pytest.fixture()
def faults() -> Iterator[_Faults]:
    server = _Faults()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()


FAULTS = ("/reset", "/loop", "/huge", "/declared-huge", "/drip", "/silent")


def test_every_fault_is_bounded_recorded_and_the_run_goes_on(faults: _Faults,
                                                             tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{faults.server_address[1]}"
    urls = [base + p for p in (*FAULTS, "/ok.html")]
    t0 = time.monotonic()
    result = crawl(urls, tmp_path, SETTINGS)
    assert time.monotonic() - t0 < 20
    docs = [d.url.removeprefix(base) for d in result.documents]
    assert docs == ["/ok.html"]  # nothing lost: the healthy page came in
    fetches = {row["url"].removeprefix(base): row for row in read_fetches(tmp_path).to_dicts()}
    for path in FAULTS:
        assert path in fetches, f"no fetches row for {path}"
        assert fetches[path]["error"], fetches[path]
        assert fetches[path]["sha256"] is None, fetches[path]  # nothing half-kept
    errors = {p: fetches[p]["error"] for p in FAULTS}
    assert errors["/loop"] == f"more than {SETTINGS.max_redirects} redirects"
    assert errors["/huge"] == errors["/declared-huge"] == "body larger than 100000 bytes"
    assert errors["/drip"].startswith("deadline")
    assert errors["/silent"].startswith("timeout")
    assert errors["/reset"]  # the transport error, named
    assert fetches["/ok.html"]["error"] is None and fetches["/ok.html"]["status"] == 200
    assert faults.hits.count("/loop") == 1 and "/loop5" not in faults.hits  # loop cut at 4


def test_single_url_fetch_has_the_same_bounds(faults: _Faults) -> None:
    """flows/fetch_one.py (a URL reaching ingest without the crawler) is bounded too."""
    from flows.fetch_one import FetchError, fetch_bytes

    base = f"http://127.0.0.1:{faults.server_address[1]}"
    assert fetch_bytes(base + "/ok.html") == OK_BODY
    cases = {"/loop": "more than 5 redirects", "/huge": "body larger than 100000 bytes",
             "/away": "redirect to another host not followed: http://localhost:9/x",
             "/drip": "deadline of 1 s exceeded", "/silent": "ReadTimeout"}
    for path, message in cases.items():
        with pytest.raises(FetchError, match=message):
            fetch_bytes(base + path, timeout=0.5, max_bytes=100_000, deadline=1.0)
    assert "/x" not in faults.hits
