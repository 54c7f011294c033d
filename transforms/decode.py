"""Bytes → text for pages that may be UTF-8, GBK or GB18030, declared or not."""

from __future__ import annotations

import codecs
import re
from itertools import compress
from operator import not_

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_DECL = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}


def declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_DECL.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").lower()
    if name in _GB_FAMILY:
        return "gb18030"  # superset: pages labelled gb2312 routinely use GBK characters
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding used): BOM, declared charset, strict UTF-8, then GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace"), "utf-16"
    declared = declared_charset(data)
    if declared:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass  # the declaration lies; fall through to detection
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), "utf-8-replace"


_PIECE = 4096  # bytes: pieces this long or a little longer


def _pieces(data: bytes) -> list[bytes]:
    """``data`` cut before a newline every few KB.

    A newline is never a byte inside a multi-byte character in UTF-8 or GB18030, so
    each piece decodes to the same characters it holds within the whole, and a
    strict decode fails on some piece exactly when it fails on the whole. Pieces of
    plain ASCII (a page's CSS, most of its markup) need no decoding at all.
    """
    out = []
    start, n = 0, len(data)
    while start < n:
        cut = data.find(b"\n", start + _PIECE)
        if cut < 0:
            cut = n
        out.append(data[start:cut])
        start = cut
    return out


def _is_utf8(pieces: list[bytes]) -> bool:
    try:
        for piece in pieces:
            if not piece.isascii():
                piece.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _gb18030_as_utf8(pieces: list[bytes]) -> bytes | None:
    """The pieces read as GB18030, in UTF-8; None if any is not GB18030.

    Even a piece with Chinese in it is mostly ASCII markup, and the codec is slow on
    every byte, so it is cut at '<' (never a byte inside a GB18030 character either)
    and only the parts that are not ASCII are decoded, all in one call, joined by '<'.
    """
    out = []
    try:
        for piece in pieces:
            if piece.isascii():
                out.append(piece)
                continue
            parts = piece.split(b"<")
            mixed = list(compress(range(len(parts)), map(not_, map(bytes.isascii, parts))))
            decoded = b"<".join([parts[i] for i in mixed]).decode("gb18030").encode("utf-8")
            for i, part in zip(mixed, decoded.split(b"<"), strict=True):
                parts[i] = part
            out.append(b"<".join(parts))
    except UnicodeDecodeError:
        return None
    return b"".join(out)


def utf8_of(data: bytes) -> tuple[bytes, str] | None:
    """(``decode_bytes(data)``'s text as UTF-8, its encoding) without making the text.

    For what an HTML parser is fed: pages read as UTF-8 are returned as they are and
    GB18030 pages are transcoded piece by piece, skipping the ASCII pieces, which
    costs a fraction of decoding the whole page. None when ``decode_bytes`` would
    read the page otherwise (BOM, another declared charset, undecodable bytes).
    """
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    declared = declared_charset(data)
    if declared not in (None, "utf-8", "gb18030"):
        return None
    pieces = _pieces(data)
    if declared == "gb18030":
        as_utf8 = _gb18030_as_utf8(pieces)
        if as_utf8 is not None:
            return as_utf8, "gb18030"
    if _is_utf8(pieces):
        return data, "utf-8"
    if declared != "gb18030":
        as_utf8 = _gb18030_as_utf8(pieces)
        if as_utf8 is not None:
            return as_utf8, "gb18030"
    return None
