"""A generated government-style site on 127.0.0.1, for the crawler's tests and demos.

`serve_site()` starts a real HTTP server (stdlib http.server in a thread, port 0) serving a
政府信息公开年报 column with every trouble the crawler must handle: two list pages (the second
GBK without a charset), a GBK report page, a charset-less GBK report page, a report page whose
body only links its PDF, a page that fails once with 500, a 404, a page slower than any test
timeout, an off-domain link and an off-domain redirect, a robots.txt-disallowed link and a
notice that is not a report. Bodies carry ETag/Last-Modified and answer conditional requests
with 304. Every request is logged. `python -m flows.crawl.testsite` serves it until Ctrl-C.

Report figures are generated from the fmt2021 catalog (table 三 only, known truth in
`SiteReport.truth`); callers may swap in other bodies (e.g. real documents) by path.
"""

from __future__ import annotations

import hashlib
import html
import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from transforms.catalog import get_layout

COLUMN = "/zwgk/zfxxgk/zfxxgknb/"
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


@dataclass
class Route:
    """How one path answers. `kind`: page | fail_once (`status`, then the page) | status
    (always `status`) | not_found | slow | drip | redirect."""

    kind: str = "page"
    body: bytes = b""
    content_type: str = "text/html"
    location: str = ""  # redirect target
    status: int = 500  # for fail_once
    delay: float = 5.0  # slow/drip: how long the server holds the response (bounded)
    validators: bool = True  # send ETag/Last-Modified and answer 304
    headers: dict[str, str] = field(default_factory=dict)  # extra headers for errors
    hits: int = 0


@dataclass
class LoggedRequest:
    path: str
    headers: dict[str, str]
    status: int = 0  # 0 while the answer is still being sent (slow pages)

    @property
    def conditional(self) -> bool:
        return "if-none-match" in self.headers or "if-modified-since" in self.headers


@dataclass
class SiteReport:
    """A generated report: where it is served and what it says."""

    path: str
    title: str
    year: int
    truth: dict[str, dict[str, float]]  # row_code → col_code → value (table 三)


class Site:
    """A running server: `url(path)`, `requests` (log), `routes` (editable between runs)."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[LoggedRequest] = []
        self.reports: list[SiteReport] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> Site:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # releases slow and dripping handlers at once
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def hits(self, path: str) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test reads `site.requests` instead."""

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                headers = {k.lower(): v for k, v in self.headers.items()}
                entry = LoggedRequest(path, headers)
                with site._lock:
                    site.requests.append(entry)  # logged on arrival: slow pages count too
                    route = site.routes.get(path)
                    if route is not None:
                        route.hits += 1
                try:
                    entry.status = site._answer(self, route)
                except (BrokenPipeError, ConnectionResetError):
                    entry.status = -1  # the client gave up (timeout, deadline): expected here

        return Handler

    def _answer(self, h: BaseHTTPRequestHandler, route: Route | None) -> int:
        def send(status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
                 extra: dict[str, str] | None = None) -> int:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(body)
            return status

        if route is None or route.kind == "not_found":
            return send(404, "<html><body>404 页面不存在</body></html>".encode())
        if (route.kind == "fail_once" and route.hits == 1) or route.kind == "status":
            return send(route.status, b"<html><body>Server Error</body></html>",
                        extra=route.headers)
        if route.kind == "redirect":
            return send(302, b"", extra={"Location": route.location})
        if route.kind == "slow":
            self._stop.wait(route.delay)
            return send(200, route.body or b"<html><body>slow</body></html>")
        if route.kind == "drip":
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Connection", "close")  # no length: the body runs until close
            h.end_headers()
            steps = 0
            while not self._stop.wait(0.05) and steps * 0.05 < route.delay:
                steps += 1
                try:
                    h.wfile.write(b" ")
                    h.wfile.flush()
                except OSError:
                    break
            h.close_connection = True
            return 200
        etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
        extra = {"ETag": etag, "Last-Modified": LAST_MODIFIED} if route.validators else {}
        if route.validators:
            inm = h.headers.get("If-None-Match")
            ims = h.headers.get("If-Modified-Since")
            if (inm and inm == etag) or (not inm and ims == LAST_MODIFIED):
                h.send_response(304)
                for k, v in extra.items():
                    h.send_header(k, v)
                h.end_headers()
                return 304
        return send(200, route.body, route.content_type, extra)


# --- the generated column ---

def _values(seed: int) -> dict[str, dict[str, float]]:
    """Table 三 with A1/A2/A3 holding: 一 received, 二 carried over, granted + not held, 四."""
    cols = ("natural_person", "commercial_enterprise", "research_institution",
            "social_welfare_org", "legal_service_agency", "other_org")
    block = get_layout("fmt2021").block("applications")
    v: dict[str, dict[str, float]] = {r.code: dict.fromkeys((*cols, "total"), 0.0)
                                      for r in block.rows}
    received = {"natural_person": 10.0 + seed * 7, "commercial_enterprise": float(seed + 1)}
    for col, n in received.items():
        v["new_received"][col] = n
        v["granted"][col] = n - 2
        v["unavailable_not_held"][col] = 1
        v["results_total"][col] = n - 1
        v["carried_forward"][col] = 1
    for row in v.values():
        row["total"] = sum(row[c] for c in cols)
    return v


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _disclosure_grids(seed: int) -> list[list[list[str]]]:
    """Table 二 blocks of fmt2021: caption row, header row (信息内容 …), one row per item."""
    grids = []
    for block in get_layout("fmt2021").blocks:
        if block.table != "disclosure":
            continue
        rows = [[block.title], ["信息内容", *(c.label for c in block.columns)]]
        rows += [[r.label, *(str(seed + i) for i, _ in enumerate(block.columns))]
                 for r in block.rows]
        grids.append(rows)
    return grids


def _applications_grid(values: dict[str, dict[str, float]]) -> list[list[str]]:
    block = get_layout("fmt2021").block("applications")
    rows = [["", "", *(col.label for col in block.columns)]]
    rows += [[r.group or "", r.label, *(_num(values[r.code][col.code]) for col in block.columns)]
             for r in block.rows]
    return rows


def _html_table(grid: list[list[str]]) -> str:
    width = max(len(r) for r in grid)
    out = []
    for row in grid:
        span = f" colspan='{width}'" if len(row) == 1 else ""
        out.append("<tr>" + "".join(f"<td{span}>{html.escape(c)}</td>" for c in row) + "</tr>")
    return "<table border='1'>" + "".join(out) + "</table>"


def report_html(title: str, agency: str, values: dict[str, dict[str, float]],
                charset: str | None, seed: int = 0) -> str:
    """A report page: metadata, the six headings, tables 二 and 三 as plain grids."""
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' \
        if charset else ""
    return (f"<html><head>{meta}<title>{html.escape(title)}</title>"
            f'<meta name="ArticleTitle" content="{html.escape(title)}"></head><body>'
            f"<h1>{html.escape(title)}</h1><p>发布机构：{html.escape(agency)}</p>"
            "<p>一、总体情况</p><p>本机关认真贯彻落实《中华人民共和国政府信息公开条例》。</p>"
            "<p>二、主动公开政府信息情况</p>"
            + "".join(_html_table(g) for g in _disclosure_grids(seed))
            + "<p>三、收到和处理政府信息公开申请情况</p>"
            + _html_table(_applications_grid(values))
            + "<p>四、政府信息公开行政复议、行政诉讼情况</p><p>五、存在的主要问题及改进情况</p>"
            "<p>六、其他需要报告的事项</p></body></html>")


def report_pdf(title: str, values: dict[str, dict[str, float]], seed: int = 0) -> bytes:
    """The same tables as ruled PDF tables with a text layer (reportlab, built-in CJK font)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buf, pagesize=(width, height), invariant=True)  # stable bytes and sha256
    y = height - 30

    def text(line: str) -> None:
        nonlocal y
        c.setFont("STSong-Light", 10)
        c.drawString(30, y, line)
        y -= 16

    def table(grid: list[list[str]], widths: list[float]) -> None:
        nonlocal y
        row_h = 15.0
        c.setFont("STSong-Light", 7)
        for cells in grid:
            if y - row_h < 30:
                c.showPage()
                c.setFont("STSong-Light", 7)
                y = height - 30
            x = 30.0
            spans = [sum(widths)] if len(cells) == 1 else widths
            for w, cell in zip(spans, cells, strict=False):
                c.rect(x, y - row_h, w, row_h)
                c.drawString(x + 2, y - row_h + 4, cell)
                x += w
            y -= row_h
        y -= 12

    text(title)
    text("一、总体情况")
    text("二、主动公开政府信息情况")
    for grid in _disclosure_grids(seed):
        table(grid, [200.0] + [110.0] * (len(grid[1]) - 1))
    text("三、收到和处理政府信息公开申请情况")
    grid = _applications_grid(values)
    table(grid, [70.0, 330.0] + [50.0] * (len(grid[0]) - 2))
    text("四、政府信息公开行政复议、行政诉讼情况")
    c.save()
    return buf.getvalue()


def _link(href: str, text: str) -> str:
    return f'<li><a href="{href}" title="{html.escape(text)}">{html.escape(text)}</a></li>'


def _list_page(items: list[str], pager: str, charset: str | None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (f"<html><head>{meta}<title>政府信息公开年报</title></head><body>"
            "<div class='nav'><a href='/'>首页</a> <a href='/zwgk/'>政务公开</a></div>"
            f"<ul class='list'>{''.join(items)}</ul><div class='page'>{pager}</div></body></html>")


@dataclass
class SitePlan:
    """Paths of the generated column, so tests name what they assert on."""

    list1: str = COLUMN + "index.html"
    list2: str = COLUMN + "index_1.html"
    fail_once: str = COLUMN + "202403/t20240308_101.htm"  # 2023 report, UTF-8, 500 then 200
    gbk: str = COLUMN + "202302/t20230210_102.htm"  # 2022 report, GBK, charset declared
    charsetless: str = COLUMN + "202202/t20220208_103.htm"  # 2021 report, GBK, no charset
    pdf_page: str = COLUMN + "202101/t20210125_104.htm"  # 2020 report: body only links a PDF
    pdf: str = COLUMN + "202101/P020210125_104.pdf"
    notice: str = COLUMN + "202312/t20231201_105.htm"  # a notice about reports: not followed
    missing: str = COLUMN + "202001/t20200120_106.htm"  # 404
    slow: str = COLUMN + "201801/t20180120_107.htm"  # never answers within the test timeout
    redirect: str = COLUMN + "201701/t20170120_108.htm"  # 302 to the off-domain server
    private: str = "/private/t20160120_109.htm"  # disallowed by robots.txt
    off_domain_page: str = "/zfxxgknb/off.htm"  # on the *other* server
    report_paths: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        self.report_paths = (self.fail_once, self.gbk, self.charsetless, self.pdf)


def build_routes(plan: SitePlan, off_domain_base: str) -> tuple[dict[str, Route],
                                                                 list[SiteReport]]:
    """The column's routes and the truth of its four reports (the PDF is the fourth)."""
    agency = "示范县人民政府"
    titles = {plan.fail_once: f"{agency}2023年政府信息公开工作年度报告",
              plan.gbk: f"{agency}2022年政府信息公开工作年度报告",
              plan.charsetless: f"{agency}2021年政府信息公开工作年度报告",
              plan.pdf: f"{agency}2020年政府信息公开工作年度报告"}
    years = {plan.fail_once: 2023, plan.gbk: 2022, plan.charsetless: 2021, plan.pdf: 2020}
    reports = [SiteReport(p, titles[p], years[p], _values(i))
               for i, p in enumerate(plan.report_paths)]
    truth = {r.path: r.truth for r in reports}
    pdf_title = titles[plan.pdf]
    routes: dict[str, Route] = {
        "/robots.txt": Route(body=b"User-agent: *\nDisallow: /private/\n",
                             content_type="text/plain"),
        plan.fail_once: Route("fail_once", headers={"Retry-After": "0"}, body=report_html(
            titles[plan.fail_once], agency, truth[plan.fail_once], "utf-8", 0).encode()),
        plan.gbk: Route(body=report_html(titles[plan.gbk], agency, truth[plan.gbk],
                                         "gb2312", 1).encode("gbk")),
        plan.charsetless: Route(body=report_html(titles[plan.charsetless], agency,
                                                 truth[plan.charsetless], None, 2).encode("gbk")),
        plan.pdf_page: Route(body=(
            f"<html><head><meta charset='utf-8'><title>{pdf_title}</title></head><body>"
            f"<h1>{pdf_title}</h1><p>附件：<a href='P020210125_104.pdf'>{pdf_title}.pdf</a>"
            "</p></body></html>").encode()),
        plan.pdf: Route(body=report_pdf(pdf_title, truth[plan.pdf], 3),
                        content_type="application/pdf"),
        plan.notice: Route(body="<html><body>关于做好年度报告编制工作的通知</body></html>"
                           .encode()),
        plan.missing: Route("not_found"),
        plan.slow: Route("slow"),
        plan.redirect: Route("redirect", location=off_domain_base + plan.off_domain_page),
        plan.private: Route(body=b"<html><body>private</body></html>"),
    }
    items1 = [
        _link("202403/t20240308_101.htm", titles[plan.fail_once]),
        _link("202312/t20231201_105.htm", "关于做好2023年政府信息公开工作年度报告编制工作的通知"),
        _link("202302/t20230210_102.htm", titles[plan.gbk]),
        _link(off_domain_base + plan.off_domain_page, "福建省2023年政府信息公开工作年度报告"),
        _link("202001/t20200120_106.htm", f"{agency}2019年政府信息公开工作年度报告"),
        _link(plan.private, f"{agency}2016年政府信息公开工作年度报告"),
        '<li><a href="/zwgk/tzgg/">通知公告</a></li>',
    ]
    pager1 = "<a href='index.html'>1</a> <a href='index_1.html'>2</a> " \
             "<a href='index_1.html'>下一页</a> <a href='index_1.html'>尾页</a>"
    items2 = [
        _link("202202/t20220208_103.htm", titles[plan.charsetless]),
        _link("202101/t20210125_104.htm", titles[plan.pdf]),
        _link("201801/t20180120_107.htm", f"{agency}2017年政府信息公开工作年度报告"),
        _link("201701/t20170120_108.htm", f"{agency}2016年度政府信息公开年报"),
    ]
    pager2 = "<a href='index.html'>首页</a> <a href='index.html'>上一页</a> " \
             "<a href='index.html'>1</a> <a href='index_1.html'>2</a>"
    routes[plan.list1] = Route(body=_list_page(items1, pager1, "utf-8").encode())
    routes[plan.list2] = Route(body=_list_page(items2, pager2, None).encode("gbk"))
    return routes, reports


@contextmanager
def serve_site(plan: SitePlan | None = None,
               customize: Callable[[dict[str, Route]], None] | None = None
               ) -> Iterator[tuple[Site, Site, SitePlan]]:
    """Start the column server and an off-domain server; yield (site, other, plan)."""
    plan = plan or SitePlan()
    other = Site({plan.off_domain_page: Route(body="<html><body>elsewhere 年度报告</body></html>"
                                              .encode())}).start()
    site = Site({})
    routes, reports = build_routes(plan, other.base)
    if customize:
        customize(routes)
    site.routes.update(routes)
    site.reports = reports
    site.start()
    try:
        yield site, other, plan
    finally:
        site.stop()
        other.stop()


if __name__ == "__main__":
    import time

    with serve_site() as (s, o, p):
        print(f"column: {s.url(p.list1)}   off-domain server: {o.base}   (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
