"""Links of a government page, read as a crawler needs them: pure functions on HTML text.

A 政府信息公开年报 column is a list page (links to one page per report, pagination
下一页 / index_1.html / a TRS `createPageHTML(...)` call); a report page carries the
report's text and tables, or only links its attachments (PDF, Word, images).
Nothing here fetches: the crawler in flows/crawl/ decides what to request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from .decode import decode_bytes

PageKind = Literal["list", "report"]

ATTACHMENT_SUFFIXES = frozenset({
    ".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et",
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff",
})
# A report title: 2023年度政府信息公开工作年度报告, …年报, 政府信息公开…报告.
_REPORT_TITLE = re.compile(r"年度报告|年报|政府信息公开.{0,20}报告")
# Titles about reports that are not reports: notices, plans, readings, tables of contents.
_NOT_A_REPORT = re.compile(r"(通知|通告|公告|的函|意见|方案|办法|解读|图解|目录|更正|说明)\s*$")
_NEXT_TEXT = re.compile(r"^\s*(下一页|下页|后一页|next\s*page|next|›|»|>)\s*$", re.I)
_PAGE_NUMBER = re.compile(r"^\s*\[?\s*\d{1,4}\s*\]?\s*$")
_INDEX_PAGE = re.compile(r"(^|/)(index|list|default)(_\d+)?\.(s?html?|jsp|aspx?|php)$", re.I)
# TRS WCM list pages build their pager in JavaScript: createPageHTML(count, current, "index", "htm")
_TRS_PAGER = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"](\w+)['\"]\s*,"
    r"\s*['\"](\w+)['\"]")
# Words that only appear in the body of a report (section headings and table labels).
_REPORT_BODY = re.compile(
    r"本年新收|主动公开政府信息情况|收到和处理政府信息公开申请|行政复议、行政诉讼|统计指标|"
    r"受理依申请公开|对申请的答复|总体情况|主动公开信息数")
_GB_CHARSETS = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn"}


@dataclass(frozen=True)
class Link:
    """An absolute http(s) URL (fragment removed) with the text a reader saw for it."""

    url: str
    text: str


@dataclass(frozen=True)
class PageLinks:
    """What a crawler follows from one page."""

    kind: PageKind
    report_links: tuple[Link, ...]  # pages whose title reads as an annual report
    pagination: tuple[str, ...]  # further list pages of the same column
    attachments: tuple[Link, ...]  # files the report is published as
    title: str  # the page's own title (<meta ArticleTitle>, <title>)
    has_report_body: bool  # the page text itself reads like a report


def decode_page(data: bytes, content_type: str | None = None) -> str:
    """Text of a page; an HTTP charset wins only when it decodes the bytes cleanly."""
    charset = _header_charset(content_type)
    if charset:
        try:
            return data.decode(charset)
        except (UnicodeDecodeError, LookupError):
            pass  # the header lies (common on old CMSs); detect from the bytes instead
    return decode_bytes(data)[0]


def _header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", content_type, re.I)
    if not m:
        return None
    name = m.group(1).lower()
    return "gb18030" if name in _GB_CHARSETS else name


def normalize_url(url: str) -> str:
    """Fragment dropped, scheme and host lower-cased, empty path as '/': one spelling per page."""
    url, _ = urldefrag(url.strip())
    parts = urlsplit(url)
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def url_suffix(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).suffix.lower()


def is_attachment(url: str) -> bool:
    return url_suffix(url) in ATTACHMENT_SUFFIXES


def is_report_title(text: str) -> bool:
    """…年度报告, …年报, 政府信息公开…报告 — but not a notice about reports."""
    text = re.sub(r"\s+", "", text)
    return bool(_REPORT_TITLE.search(text)) and not _NOT_A_REPORT.search(text)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_links(html: str, base_url: str) -> list[Link]:
    """Every <a href> as an absolute http(s) URL, in page order; javascript: and mailto: dropped."""
    tree = HTMLParser(html)
    base = base_url
    base_tag = tree.css_first("base[href]")
    if base_tag is not None and base_tag.attributes.get("href"):
        base = urljoin(base_url, base_tag.attributes["href"] or "")
    links: list[Link] = []
    for a in tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = normalize_url(urljoin(base, href))
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        text = _clean(a.text(deep=True, separator=""))
        title = _clean(a.attributes.get("title") or "")
        # list pages truncate long titles ("平潭…年度…") and keep the full one in title=""
        links.append(Link(url, title if len(title) > len(text) else text))
    return links


def page_title(html: str) -> str:
    tree = HTMLParser(html)
    for name in ("ArticleTitle", "articletitle", "title"):
        meta = tree.css_first(f'meta[name="{name}"]')
        if meta is not None and meta.attributes.get("content"):
            return _clean(meta.attributes["content"] or "")
    node = tree.css_first("title")
    return _clean(node.text()) if node is not None else ""


def trs_pages(html: str, page_url: str) -> list[str]:
    """The pages a TRS `createPageHTML(n, i, "index", "htm")` pager would link."""
    m = _TRS_PAGER.search(html)
    if not m:
        return []
    count, name, ext = int(m.group(1)), m.group(3), m.group(4)
    names = [f"{name}.{ext}" if i == 0 else f"{name}_{i}.{ext}" for i in range(min(count, 1000))]
    return [normalize_url(urljoin(page_url, n)) for n in names]


def _is_pagination(link: Link, page_url: str) -> bool:
    if _NEXT_TEXT.match(link.text) or link.text in ("尾页", "末页", "首页", "上一页", "上页"):
        return _same_directory(link.url, page_url)
    if _PAGE_NUMBER.match(link.text):
        return _same_directory(link.url, page_url)
    return bool(_INDEX_PAGE.search(urlsplit(link.url).path)) and _same_directory(
        link.url, page_url) and not is_report_title(link.text)


def _same_directory(url: str, page_url: str) -> bool:
    """Pagination stays in the column: same host, same directory (or the query string pages)."""
    a, b = urlsplit(url), urlsplit(page_url)
    return a.netloc == b.netloc and a.path.rsplit("/", 1)[0] == b.path.rsplit("/", 1)[0]


def read_page(html: str, page_url: str) -> PageLinks:
    """Report links, pagination and attachments of one page, and whether it is a list or a report.

    A page that reads like a report (section headings, table labels) is a report even when it
    links its neighbours (上一篇/下一篇); otherwise several report links or a pager make a list.
    A page with at most one report link and no pager is a report (e.g. one that only links its
    PDF).
    """
    page_url = normalize_url(page_url)
    links = read_links(html, page_url)
    reports: dict[str, Link] = {}
    attachments: dict[str, Link] = {}
    pages: dict[str, None] = {}
    for link in links:
        if link.url == page_url:
            continue
        if is_attachment(link.url):
            attachments.setdefault(link.url, link)
        elif is_report_title(link.text):
            reports.setdefault(link.url, link)
        elif _is_pagination(link, page_url):
            pages.setdefault(link.url, None)
    for url in trs_pages(html, page_url):
        if url != page_url:
            pages.setdefault(url, None)
    body_text = HTMLParser(html).text(deep=True, separator=" ") if html else ""
    has_body = bool(_REPORT_BODY.search(body_text))
    kind: PageKind = "list" if not has_body and (len(reports) >= 2 or pages) else "report"
    return PageLinks(kind, tuple(reports.values()), tuple(pages), tuple(attachments.values()),
                     page_title(html), has_body)
