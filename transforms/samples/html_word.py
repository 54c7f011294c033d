"""Truth → an HTML page as government CMSs serve Word-exported reports.

What real pages do and this reproduces (report-formats.md §7): site chrome
around the article, CMS ``<meta>`` tags (ArticleTitle, PubDate, Author, Url),
a metadata box (索引号, 发布机构, 成文日期 …), Word tables with ``border="0"``
and inline CSS borders, every cell in ``<p><span>``, header words split across
``<p>``/``<br/>``, runs split across spans, ``&nbsp;`` for blanks, bloated
mso-styles (pages of 100–300 KB), and three encodings: UTF-8 declared, GBK
declared as gb2312, GBK undeclared.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass
from functools import cache
from typing import Literal

from .body import Heading, Para, Part, build_body
from .printed import PrintedCell, PrintedTable
from .truth import Truth

Encoding = Literal["utf-8", "gbk", "gbk-undeclared"]
ENCODINGS: tuple[Encoding, ...] = ("utf-8", "gbk", "gbk-undeclared")

_FONTS = ("仿宋_GB2312", "宋体", "仿宋", "方正仿宋_GBK")
_NAV = ("首页", "政务公开", "政府信息公开", "政务服务", "互动交流", "走进本地", "专题专栏")
_CLASSIFY = ("信息公开年报", "政府信息公开年报", "年度报告", "政务公开/年报")


@dataclass(frozen=True)
class _Look:
    """Per-document choices of how Word and the CMS dressed the page."""

    theme: int
    font: str
    size_pt: float
    bloat: int  # how many redundant mso-style declarations each cell carries
    split_heads: str  # "br" | "p" | "none": how 商业企业 / 结果维持 are broken
    split_runs: bool
    meta_box: str  # "table" | "list"
    doctype_old: bool


def _look(rng: random.Random) -> _Look:
    return _Look(
        theme=rng.randrange(4),
        font=rng.choice(_FONTS),
        size_pt=rng.choice((10.5, 12.0, 14.0)),
        bloat=rng.choices((0, 1, 2), weights=(45, 40, 15))[0],
        split_heads=rng.choices(("br", "p", "none"), weights=(40, 35, 25))[0],
        split_runs=rng.random() < 0.5,
        meta_box=rng.choices(("list", "table"), weights=(70, 30))[0],
        doctype_old=rng.random() < 0.3,
    )


# ---------------------------------------------------------------------------
# static parts, cached: site CSS, scripts, header and footer skeletons


@cache
def _site_css(theme: int) -> str:
    """A plausible site stylesheet (tens of KB), the same for every page of a theme."""
    rng = random.Random(f"css:{theme}")
    blocks = ("header", "nav", "banner", "xxgk", "zfxxgk_nav", "article", "footer", "sidebar",
              "list", "search", "bread", "share", "print", "qrcode", "links", "menu")
    props = ("margin:0 auto", "padding:0", "color:#333", "font-size:14px", "line-height:28px",
             "background:#fff", "border-bottom:1px solid #e5e5e5", "overflow:hidden",
             "text-align:center", "float:left", "display:block", "width:1200px", "height:40px",
             "position:relative", "cursor:pointer", "font-family:'Microsoft YaHei'")
    lines = []
    for i in range(620 + theme * 60):
        b = blocks[i % len(blocks)]
        sel = f".{b}_{rng.choice(('box', 'con', 'item', 'tit', 'txt', 'wrap'))}{i}"
        if rng.random() < 0.5:
            sel += f" {rng.choice(('li', 'a', 'span', 'p', 'ul', 'h3'))}"
        body = ";".join(rng.sample(props, rng.randint(3, 7)))
        lines.append(f"{sel}{{{body}}}")
    return "\n".join(lines)


@cache
def _site_script(theme: int) -> str:
    rng = random.Random(f"js:{theme}")
    funcs = []
    for i in range(60 + theme * 10):
        funcs.append(
            f"function fn_{i}_{rng.randrange(10**6)}(el){{var n=document.getElementById(el);"
            f"if(!n){{return false;}}n.style.display=n.style.display=='none'?'block':'none';"
            f"return {rng.randrange(100)};}}")
    return "\n".join(funcs)


@cache
def _nav_html(theme: int) -> str:
    rng = random.Random(f"nav:{theme}")
    items = []
    for top in _NAV:
        subs = "".join(
            f'<li><a href="/{top_i}/{j}/index.html" target="_blank">{name}</a></li>'
            for j, (top_i, name) in enumerate(
                (rng.randrange(100), n) for n in ("工作动态", "通知公告", "政策文件", "政策解读",
                                                   "人事信息", "财政信息", "规划计划")))
        items.append(f'<li class="nav_item"><a href="/{rng.randrange(1000)}/">{top}</a>'
                     f'<ul class="nav_sub">{subs}</ul></li>')
    return f'<div class="nav_box"><ul class="nav_list">{"".join(items)}</ul></div>'


def _header(truth: Truth, look: _Look) -> str:
    site = html.escape(truth.meta.site_name)
    crumbs = " &gt; ".join(f'<a href="#">{c}</a>' for c in (
        "首页", "政府信息公开", random.Random(truth.seed).choice(_CLASSIFY)))
    return (
        f'<div class="header_box"><div class="logo"><a href="/"><img src="/images/logo.png" '
        f'alt="{site}"/></a><span class="site_name">{site}</span></div>'
        f'<div class="search_box"><form action="/search" method="get"><input type="text" '
        f'name="q" placeholder="请输入关键字"/><button type="submit">搜索</button></form></div>'
        f"</div>{_nav_html(look.theme)}"
        f'<div class="bread_box">当前位置：{crumbs}</div>'
    )


def _footer(truth: Truth, rng: random.Random) -> str:
    site = html.escape(truth.meta.site_name)
    return (
        '<div class="footer_box"><div class="footer_links"><a href="#">网站地图</a> | '
        '<a href="#">联系我们</a> | <a href="#">使用帮助</a> | <a href="#">隐私声明</a></div>'
        f"<p>主办单位：{site}　网站标识码：{rng.randrange(10**9, 10**10)}</p>"
        f"<p>ICP备{rng.randrange(10**7, 10**8)}号　公网安备 {rng.randrange(10**13, 10**14)}号</p>"
        "<p>建议使用1366×768以上分辨率浏览本网站</p></div>"
    )


# ---------------------------------------------------------------------------
# Word-export markup


def _span_style(look: _Look, bold: bool = False) -> str:
    parts = [f"font-family:{look.font}", f"font-size:{look.size_pt:.4f}pt"]
    if bold:
        parts.append("font-weight:bold")
    if look.bloat >= 1:
        parts += ["mso-hansi-font-family:Calibri", "color:rgb(51,51,51)",
                  "letter-spacing:0.0000pt", "mso-font-kerning:0.0000pt"]
    return ";".join(parts) + ";"


def _p_style(look: _Look, align: str, indent: bool) -> str:
    parts = [f"text-align:{align}", f"line-height:{look.size_pt * 1.5:.4f}pt"]
    if indent:
        parts.append("text-indent:24.0000pt")
    if look.bloat >= 1:
        parts += ["margin-top:1.5000pt", "mso-pagination:widow-orphan"]
    if look.bloat >= 2:
        parts += ["text-justify:inter-ideograph"]
    return ";".join(parts) + ";"


def _td_style(look: _Look, width_pt: float, top: bool, left: bool) -> str:
    border = "1.0000pt solid windowtext"
    if look.bloat == 0:
        return (f"width:{width_pt:.4f}pt;border:solid windowtext 1.0pt;"
                "padding:0cm 5.4pt 0cm 5.4pt;")
    parts = [f"width:{width_pt:.4f}pt", "padding:0.0000pt 5.4000pt 0.0000pt 5.4000pt",
             f"border-left:{border if left else 'none'}", f"border-right:{border}",
             f"border-top:{border if top else 'none'}", f"border-bottom:{border}"]
    if look.bloat >= 2:
        parts += [f"mso-border-left-alt:{border if left else 'none'}",
                  f"mso-border-top-alt:{border if top else 'none'}"]
    return ";".join(parts) + ";"


def _split_head(cell: PrintedCell, look: _Look) -> list[str]:
    """商业企业 → [商业, 企业]: Word wraps short column heads onto two lines."""
    if look.split_heads == "none" or not cell.wrap:
        return [cell.text]
    return [cell.text[:2], cell.text[2:]]


def _runs(text: str, look: _Look, rng: random.Random) -> list[str]:
    if not look.split_runs or len(text) < 8 or rng.random() < 0.5:
        return [text]
    cut = rng.randint(2, len(text) - 2)
    return [text[:cut], text[cut:]]


def _cell_paragraphs(cell: PrintedCell, look: _Look, rng: random.Random) -> str:
    span_style = _span_style(look, bold=cell.kind in ("caption", "head"))
    align = "center" if cell.kind != "label" else "left"
    p_style = _p_style(look, align, indent=False)
    tail = "" if look.bloat < 2 else (
        '<span style="font-family:Calibri;mso-fareast-font-family:宋体;"><o:p></o:p></span>')
    if cell.text == "":
        return (f'<p class="MsoNormal" align="{align}" style="{p_style}">'
                f'<span style="{span_style}">&nbsp;</span>{tail}</p>')
    lines = _split_head(cell, look)
    if len(lines) > 1 and look.split_heads == "br":
        inner = "<br/>".join(html.escape(x) for x in lines)
        return (f'<p class="MsoNormal" align="{align}" style="{p_style}">'
                f'<span style="{span_style}">{inner}</span>{tail}</p>')
    out = []
    for line in lines:
        spans = "".join(f'<span style="{span_style}">{html.escape(run)}</span>'
                        for run in _runs(line, look, rng))
        out.append(f'<p class="MsoNormal" align="{align}" style="{p_style}">{spans}{tail}</p>')
    return "".join(out)


def _table_html(table: PrintedTable, look: _Look, rng: random.Random) -> str:
    widths = table.widths or [1.0] * table.n_cols
    scale = 420.0 / sum(widths)
    col_pt = [w * scale for w in widths]
    grid = table.grid()
    out = [
        '<div align="center"><table class="MsoNormalTable" border="0" cellspacing="0" '
        'cellpadding="0" style="border-collapse:collapse;width:420.0000pt;'
        'mso-table-layout-alt:fixed;border:none;mso-border-left-alt:0.5000pt solid windowtext;'
        'mso-border-top-alt:0.5000pt solid windowtext;mso-border-right-alt:0.5000pt solid '
        'windowtext;mso-border-bottom-alt:0.5000pt solid windowtext;mso-yfti-tbllook:1184;'
        'mso-padding-alt:0.0000pt 5.4000pt 0.0000pt 5.4000pt;"><tbody>'
    ]
    for r, row in enumerate(table.rows):
        flags = ";mso-yfti-firstrow:yes" if r == 0 else (
            ";mso-yfti-lastrow:yes" if r == len(table.rows) - 1 else "")
        out.append(f'<tr style="mso-yfti-irow:{r}{flags};height:20.2500pt;">')
        col_positions = [c for c, cell in enumerate(grid[r]) if cell is not None]
        for cell, c in zip(row, col_positions, strict=True):
            width = sum(col_pt[c:c + cell.colspan])
            attrs = f' width="{round(width * 4 / 3)}" valign="center"'
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            style = _td_style(look, width, top=r == 0, left=c == 0)
            out.append(f'<td{attrs} style="{style}">{_cell_paragraphs(cell, look, rng)}</td>')
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _para_html(part: Heading | Para, look: _Look) -> str:
    bold = isinstance(part, Heading)
    font = "黑体" if bold else look.font
    style = _span_style(look, bold).replace(f"font-family:{look.font}", f"font-family:{font}")
    p_style = _p_style(look, "justify", indent=True)
    return (f'<p class="MsoNormal" style="{p_style}"><span style="{style}">'
            f"{html.escape(part.text)}</span></p>")


def _body_html(parts: list[Part], look: _Look, rng: random.Random) -> str:
    out = ['<div class="WordSection1" style="layout-grid:15.6000pt;">']
    for part in parts:
        if isinstance(part, PrintedTable):
            out.append(_table_html(part, look, rng))
        else:
            out.append(_para_html(part, look))
    out.append("</div>")
    return "".join(out)


def _meta_box(truth: Truth, look: _Look) -> str:
    m = truth.meta
    items = [("索引号", m.index_no), ("发布机构", m.agency), ("成文日期", m.written_on.isoformat()),
             ("发布日期", m.published_on.isoformat()), ("文号", m.doc_no or ""),
             ("主题分类", "政府信息公开年报")]
    if look.meta_box == "table":
        cells = "".join(f"<tr><th>{k}：</th><td>{html.escape(v)}</td></tr>" for k, v in items)
        return f'<table class="xxgk_meta">{cells}</table>'
    lis = "".join(f"<li><span>{k}：</span>{html.escape(v)}</li>" for k, v in items)
    return f'<div class="xxgk_meta"><ul>{lis}</ul></div>'


def _head(truth: Truth, look: _Look, charset: str | None) -> str:
    m = truth.meta
    title = html.escape(m.title)
    decl = ""
    if charset == "utf-8":
        decl = '<meta charset="utf-8"/>'
    elif charset == "gb2312":
        decl = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"/>'
    metas = {
        "SiteName": m.site_name, "SiteDomain": m.url.split("/")[2],
        "ColumnName": "政府信息公开年报",
        "ArticleTitle": m.title, "PubDate": m.published_at, "ContentSource": m.agency,
        "Author": m.agency if look.theme % 2 == 0 else "办公室", "Url": m.url,
    }
    meta_html = "".join(f'<meta name="{k}" content="{html.escape(v)}"/>' for k, v in metas.items())
    return (f"<head>{decl}"
            '<meta name="viewport" content="width=device-width, initial-scale=1.0"/>'
            f"{meta_html}<title>{title}_{html.escape(m.site_name)}</title>"
            f'<link rel="stylesheet" type="text/css" href="/images/theme{look.theme}.css"/>'
            f"<style type=\"text/css\">{_site_css(look.theme)}</style>"
            f'<script type="text/javascript">{_site_script(look.theme)}</script></head>')


def render_html(truth: Truth, encoding: Encoding = "utf-8") -> bytes:
    """The full page; ``encoding`` picks UTF-8, declared GBK or undeclared GBK."""
    rng = random.Random(f"html:{truth.layout}:{truth.seed}")
    look = _look(rng)
    charset = {"utf-8": "utf-8", "gbk": "gb2312", "gbk-undeclared": None}[encoding]
    doctype = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
               '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
               if look.doctype_old else "<!DOCTYPE html>")
    page = (
        f'{doctype}\n<html xmlns:o="urn:schemas-microsoft-com:office:office">'
        f"{_head(truth, look, charset)}\n<body>{_header(truth, look)}"
        f'<div class="article_box"><h1 class="article_title">{html.escape(truth.meta.title)}</h1>'
        f"{_meta_box(truth, look)}"
        f'<div class="article_con" id="zoom">{_body_html(build_body(truth), look, rng)}</div>'
        '<div class="article_tools"><a href="javascript:window.print()">打印本页</a> '
        '<a href="javascript:window.close()">关闭窗口</a></div></div>'
        f"{_footer(truth, rng)}</body></html>\n"
    )
    if encoding == "utf-8":
        return page.encode("utf-8")
    return page.encode("gbk")
