"""Truth → a .docx with real Word tables (gridSpan / vMerge merged cells).

The package parts (styles, theme, settings …) come once from python-docx's
default template; each document only writes its own ``word/document.xml`` and
core properties as WordprocessingML. Building tables through python-docx's
object model costs most of a second per report (cell lookups are quadratic),
too slow for a benchmark corpus. Zip entries carry a fixed timestamp so the
same truth always gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from functools import cache
from xml.sax.saxutils import escape

from docx import Document

from .body import Heading, Para, build_body
from .printed import PrintedCell, PrintedTable
from .truth import Truth

_FIXED_TIME = (2000, 1, 1, 0, 0, 0)
_TABLE_TWIPS = 8640  # text width of the template's page (Letter minus margins)
_SKIP = frozenset({"docProps/thumbnail.jpeg"})


@cache
def _template() -> tuple[tuple[tuple[str, bytes], ...], str, str]:
    """(package parts, document.xml head up to <w:body>, its tail from <w:sectPr>)."""
    buf = io.BytesIO()
    Document().save(buf)
    parts = []
    head = tail = ""
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        for name in z.namelist():
            data = z.read(name)
            if name == "word/document.xml":
                xml = data.decode("utf-8")
                body = xml.index("<w:body>") + len("<w:body>")
                head, tail = xml[:body], xml[xml.index("<w:sectPr"):]
            elif name == "[Content_Types].xml":
                parts.append((name, re.sub(rb'<Default Extension="jpeg"[^>]*/>', b"", data)))
            elif name == "_rels/.rels":
                parts.append((name, re.sub(rb'<Relationship [^>]*thumbnail[^>]*/>', b"", data)))
            elif name not in _SKIP and name != "docProps/core.xml":
                parts.append((name, data))
    return tuple(parts), head, tail


def _run(text: str, bold: bool = False, size_half_pt: int | None = None) -> str:
    props = ""
    if bold or size_half_pt:
        props = "<w:rPr>" + ("<w:b/>" if bold else "") + (
            f'<w:sz w:val="{size_half_pt}"/>' if size_half_pt else "") + "</w:rPr>"
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _paragraph(text: str, bold: bool = False, center: bool = False,
               size_half_pt: int | None = None) -> str:
    ppr = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
    return f"<w:p>{ppr}{_run(text, bold, size_half_pt)}</w:p>"


def _cell_xml(cell: PrintedCell | None, width: int, span: int, merge: str | None) -> str:
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if merge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif merge == "continue":
        props += "<w:vMerge/>"
    props += '<w:vAlign w:val="center"/>'
    if cell is None:
        return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p/></w:tc>"
    jc = '<w:pPr><w:jc w:val="center"/></w:pPr>' if cell.kind != "label" else ""
    if cell.wrap:  # the head Word breaks onto two lines: 商业 / 企业
        runs = (f'<w:r><w:t>{escape(cell.text[:2])}</w:t><w:br/></w:r>'
                f"<w:r><w:t>{escape(cell.text[2:])}</w:t></w:r>")
    else:
        runs = _run(cell.text, bold=cell.kind in ("caption", "head"))
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p>{jc}{runs}</w:p></w:tc>"


def _table_xml(table: PrintedTable) -> str:
    widths = table.widths or [1.0] * table.n_cols
    col_w = [round(w * _TABLE_TWIPS / sum(widths)) for w in widths]
    grid = table.grid()
    # where each position's owning cell starts, to emit vMerge continuations
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is not None:
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        owner[(r + dr, c + dc)] = (r, c)
    out = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/>'
           f'<w:tblW w:w="{sum(col_w)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
           '<w:tblLook w:val="04A0"/></w:tblPr><w:tblGrid>']
    out += [f'<w:gridCol w:w="{w}"/>' for w in col_w]
    out.append("</w:tblGrid>")
    for r in range(len(grid)):
        out.append("<w:tr>")
        c = 0
        while c < table.n_cols:
            r0, c0 = owner.get((r, c), (r, c))
            start = grid[r0][c0]
            span = start.colspan if start is not None else 1
            width = sum(col_w[c:c + span])
            if start is None:
                out.append(_cell_xml(None, width, 1, None))
            elif r0 == r:
                merge = "restart" if start.rowspan > 1 else None
                out.append(_cell_xml(start, width, span, merge))
            else:
                out.append(_cell_xml(None, width, span, "continue"))
            c += span
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _core_xml(truth: Truth) -> str:
    m = truth.meta
    stamp = f"{m.written_on.isoformat()}T01:00:00Z"
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(m.title)}</dc:title><dc:creator>{escape(m.agency)}</dc:creator>"
        f"<cp:lastModifiedBy>{escape(m.agency)}</cp:lastModifiedBy><cp:revision>3</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def render_docx(truth: Truth) -> bytes:
    """Title, body paragraphs and the tables as Word tables with merged cells."""
    parts, head, tail = _template()
    body = [_paragraph(truth.meta.title, bold=True, center=True, size_half_pt=36)]
    for part in build_body(truth):
        if isinstance(part, PrintedTable):
            body.append(_table_xml(part))
            body.append("<w:p/>")  # Word keeps a paragraph between consecutive tables
        elif isinstance(part, Heading):
            body.append(_paragraph(part.text, bold=True))
        elif isinstance(part, Para):
            body.append(_paragraph(part.text))
    document = head + "".join(body) + tail
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        entries = [*parts, ("word/document.xml", document.encode("utf-8")),
                   ("docProps/core.xml", _core_xml(truth).encode("utf-8"))]
        for name, data in sorted(entries, key=lambda e: (e[0] != "[Content_Types].xml", e[0])):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return out.getvalue()
