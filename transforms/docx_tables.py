"""Word .docx → text lines and expanded table grids, read straight from the XML.

python-docx hides vMerge continuation cells and gridBefore offsets, which are
exactly what decides where a value sits, so word/document.xml is walked here
with a hardened lxml parser (no entities, no DTD, no network) and size/ratio caps
(transforms/limits.py). A part that declares a DTD is refused outright: Word never
writes one, and refusing is simpler to trust than any entity setting.
Spanned copies carry their origin's ref and ``spanned=True``, as in
html_tables, so consumers can tell a number printed once from its copies.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from lxml import etree

from .document import Cell, Extracted, Grid
from .limits import DEFAULT_LIMITS, Limits, MiB, mib

_MAX_SPAN = 200
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WS = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u200b]+")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_comments=True, remove_pis=True)


def _read_member(zf: zipfile.ZipFile, name: str, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Read one part, refusing zip bombs: a size cap whatever the header claims, and a
    cap on the compression ratio of big parts."""
    cap = limits.max_docx_xml_bytes
    info = zf.getinfo(name)
    if info.file_size > cap:
        raise ValueError(f"{name} is {info.file_size} bytes uncompressed; limit {mib(cap)} "
                         "(a zip bomb?)")
    if info.file_size > MiB and info.file_size > limits.max_zip_ratio * max(1, info.compress_size):
        raise ValueError(f"{name} inflates {info.compress_size} → {info.file_size} bytes "
                         f"uncompressed, ratio above {limits.max_zip_ratio} (a zip bomb?)")
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise ValueError(f"{name} exceeds {mib(cap)} uncompressed (a zip bomb?)")
    return data


_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)


def _refuse_dtd(xml: bytes, name: str) -> None:
    """Entities are never resolved; a part that declares any is refused with the reason."""
    head = xml[:4096]
    if _DOCTYPE.search(head) or _DOCTYPE.search(head.replace(b"\x00", b"")):  # UTF-16 too
        raise ValueError(f"{name} declares a DTD (<!DOCTYPE>/<!ENTITY>): refused — Word never "
                         "writes one, and entities (external or expanding) are never resolved")


def _val(el: etree._Element | None, default: str | None = None) -> str | None:
    if el is None:
        return default
    v = el.get(f"{_W}val")
    return default if v is None else v


def _int(v: str | None, default: int = 1) -> int:
    try:
        return max(0, min(int(v or default), _MAX_SPAN))
    except ValueError:
        return default


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _para_text(p: etree._Element) -> str:
    parts: list[str] = []
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if el.tag == f"{_W}t":
            parts.append(el.text or "")
        else:
            parts.append(" ")
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    """A cell's paragraphs glued together: Word splits labels like 商业/企业 over lines."""
    return _clean("".join(_para_text(p) for p in tc.iter(f"{_W}p")))


def _row_cells(tr: etree._Element) -> list[etree._Element]:
    """<w:tc> of this row, looking through content-control wrappers."""
    cells: list[etree._Element] = []
    for child in tr:
        if child.tag == f"{_W}tc":
            cells.append(child)
        elif child.tag in (f"{_W}sdt", f"{_W}customXml"):
            cells.extend(c for c in child.iter(f"{_W}tc")
                         if c.getparent() is not None and c.getparent().tag != f"{_W}tr")
    return cells


def expand_table(tbl: etree._Element, index: int) -> Grid:
    """Expand gridSpan/vMerge/gridBefore so every row has one Cell per grid column."""
    rows: list[dict[int, Cell]] = []
    for r, tr in enumerate(tbl.findall(f"{_W}tr")):
        row: dict[int, Cell] = {}
        trpr = tr.find(f"{_W}trPr")
        c = _int(_val(trpr.find(f"{_W}gridBefore") if trpr is not None else None, "0"), 0)
        for tc in _row_cells(tr):
            tcpr = tc.find(f"{_W}tcPr")
            span = max(1, _int(_val(tcpr.find(f"{_W}gridSpan") if tcpr is not None else None)))
            vmerge = tcpr.find(f"{_W}vMerge") if tcpr is not None else None
            continues = vmerge is not None and _val(vmerge, "continue") != "restart"
            above = rows[-1].get(c) if rows else None
            if continues and above is not None:
                origin = Cell(above.text, above.ref, True)
                for dc in range(span):
                    up = rows[-1].get(c + dc)
                    row[c + dc] = Cell(up.text, up.ref, True) if up is not None else origin
            else:
                ref = f"table {index} row {r + 1} col {c + 1}"
                text = _cell_text(tc)
                for dc in range(span):
                    row[c + dc] = Cell(text, ref, spanned=bool(dc))
            c += span
        rows.append(row)
    if not rows or not any(rows):
        return []
    n_cols = max((max(row) + 1 for row in rows if row), default=0)
    return [[row.get(c, Cell("", f"table {index} row {r + 1} col {c + 1}", True))
             for c in range(n_cols)] for r, row in enumerate(rows)]


def _grid_lines(grid: Grid) -> list[str]:
    lines = []
    for row in grid:
        seen: set[str] = set()
        texts = []
        for cell in row:
            if cell.ref in seen:
                continue
            seen.add(cell.ref)
            texts.append(cell.text)
        if any(texts):
            lines.append(" | ".join(texts))
    return lines


def read_docx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    """Paragraphs become text lines; tables become grids (and ` | ` lines in the text)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError) as exc:  # e.g. "zip file version 14.8"
        raise ValueError(f"not a .docx (zip) file: {exc}") from exc
    with zf:
        if "word/document.xml" not in zf.namelist():
            raise ValueError("not a .docx: word/document.xml is missing")
        try:
            xml = _read_member(zf, "word/document.xml", limits)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError) as exc:
            raise ValueError(f"damaged .docx: word/document.xml cannot be unpacked: {exc}") \
                from exc
    _refuse_dtd(xml, "word/document.xml")
    try:
        root = etree.fromstring(xml, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"damaged .docx: word/document.xml is not well-formed: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        _refuse_dtd(b"<!DOCTYPE", "word/document.xml")
    body = root.find(f"{_W}body")
    lines: list[str] = []
    tables: list[Grid] = []
    for el in (body if body is not None else []):
        if el.tag == f"{_W}p":
            text = _clean(_para_text(el))
            if text:
                lines.append(text)
        elif el.tag == f"{_W}tbl":
            grid = expand_table(el, len(tables) + 1)
            if grid:
                tables.append(grid)
                lines.extend(_grid_lines(grid))
    title = lines[0] if lines else None
    return Extracted("docx", "\n".join(lines), tables, title=title, encoding="utf-8")
