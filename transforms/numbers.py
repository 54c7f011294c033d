"""Cell text → number, following design.md §3: blank is 0, '/' and '—' are null."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from transforms.memo import ShortTextMemo

_NOT_APPLICABLE = frozenset({"/", "／", "—", "——", "－", "-", "--", "─", "无", "\\", "×"})
_NUMBER = re.compile(
    r"^(?P<sign>[+\-−－]?)\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*"
    r"(?P<unit>万元|元|亿元|件|条|个|次|项|人|人次|份|起|%)?$"
)


@dataclass(frozen=True)
class CellValue:
    value: float | None
    unit: str | None
    ok: bool  # False: the text is not a number the strict reader accepts


_BLANK = CellValue(0.0, None, True)
_NULL = CellValue(None, None, True)
_UNREADABLE = CellValue(None, None, False)
# A table repeats the same cell texts ("0", "", "/") hundreds of times per document;
# CellValue is immutable, so one instance per distinct short text is shared. Bounded.


def _read(text: str) -> CellValue:
    if text.isdigit() and text.isascii():  # plain digits: the regex would read them the same
        return CellValue(float(text), None, True)
    t = unicodedata.normalize("NFKC", text).strip()
    if t == "":
        return _BLANK
    if t.replace(" ", "") in _NOT_APPLICABLE:
        return _NULL
    m = _NUMBER.match(t)
    if not m:
        return _UNREADABLE
    value = float(m.group("num").replace(",", ""))
    if m.group("sign") in ("-", "−", "－"):
        value = -value
    return CellValue(value, m.group("unit"), True)


def read_number(text: str) -> CellValue:
    """Read one cell. Blank → 0; not-applicable marks → None; otherwise strict."""
    return _CACHE(text)


def is_number_like(text: str) -> bool:
    t = unicodedata.normalize("NFKC", text).strip()
    return bool(t) and read_number(t).ok and t not in _NOT_APPLICABLE


_CACHE: ShortTextMemo[CellValue] = ShortTextMemo(_read, max_len=64)

# The memo's own lookup (None when the text was not read yet), for loops over many cells:
# a hit then costs one C call instead of two Python ones.
remembered: Callable[[str], CellValue | None] = _CACHE.get
