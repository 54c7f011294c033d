"""Cell text → number, following design.md §3: blank is 0, '/' and '—' are null."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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


def read_number(text: str) -> CellValue:
    """Read one cell. Blank → 0; not-applicable marks → None; otherwise strict."""
    t = unicodedata.normalize("NFKC", text).strip()
    if t == "":
        return CellValue(0.0, None, True)
    if t.replace(" ", "") in _NOT_APPLICABLE:
        return CellValue(None, None, True)
    m = _NUMBER.match(t)
    if not m:
        return CellValue(None, None, False)
    value = float(m.group("num").replace(",", ""))
    if m.group("sign") in ("-", "−", "－"):
        value = -value
    return CellValue(value, m.group("unit"), True)


def is_number_like(text: str) -> bool:
    t = unicodedata.normalize("NFKC", text).strip()
    return bool(t) and read_number(t).ok and t not in _NOT_APPLICABLE
