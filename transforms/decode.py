"""Bytes → text for pages that may be UTF-8, GBK or GB18030, declared or not."""

from __future__ import annotations

import codecs
import re

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
