"""NFKC for report text, fast: the same result as ``unicodedata.normalize("NFKC", text)``.

CPython normalizes a whole string the slow way as soon as one character is not
already normalized, and every Chinese sentence has one (，：（ are full-width
forms). Report text is drawn from a small repertoire — ASCII, Latin-1, general
punctuation, CJK symbols, kana, ideographs, full-width forms — in which no
character's decomposition holds a combining mark or a character that composes
with the one before it. For such text NFKC is a per-character mapping, applied
here with two regex scans; any other character sends the whole text to
``unicodedata``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Blocks whose characters are candidates for the per-character path; each character
# is kept only if its decomposition passes _plain below.
_BLOCKS = (
    (0x0000, 0x00FF),  # ASCII, Latin-1
    (0x2000, 0x206F),  # general punctuation
    (0x2100, 0x218F),  # letterlike symbols, number forms (℃ № Ⅰ Ⅱ)
    (0x2190, 0x22FF),  # arrows, mathematical operators (→ ≥)
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ⑴ ⒈)
    (0x2500, 0x25FF),  # box drawing, geometric shapes (─ ○ ■)
    (0x2E80, 0x2FDF),  # CJK and Kangxi radicals
    (0x3000, 0x30FF),  # CJK symbols and punctuation, kana
    (0x3200, 0x33FF),  # enclosed CJK, CJK compatibility (㈠ ㎡)
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms (︵)
    (0xFF00, 0xFFEF),  # half-width and full-width forms
)
# Ideographs: no decomposition, no combining class (checked by the tests).
_IDEOGRAPHS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))
# Where a decomposition may lead: characters that never compose with the character
# before them (Unicode's NFC_Quick_Check=Maybe set lies outside these ranges, apart
# from the kana sound marks U+3099/309A, which are non-starters and fail ccc == 0).
_TARGETS = (
    (0x0000, 0x00FF), (0x2000, 0x206F), (0x2190, 0x22FF), (0x2500, 0x25FF),
    (0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF),
)


def _plain(target: str) -> bool:
    return all(unicodedata.combining(t) == 0 and any(lo <= ord(t) <= hi for lo, hi in _TARGETS)
               for t in target)


@cache
def plain_repertoire() -> tuple[tuple[int, ...], dict[str, str]]:
    """(code points of the per-character path, those that change → their NFKC), once per process."""
    keep = [cp for lo, hi in _IDEOGRAPHS for cp in range(lo, hi + 1)]
    fold: dict[str, str] = {}
    for lo, hi in _BLOCKS:
        for cp in range(lo, hi + 1):
            c = chr(cp)
            d = unicodedata.normalize("NFKD", c)
            if not _plain(d) or unicodedata.normalize("NFKC", c) != d:
                continue
            keep.append(cp)
            if d != c:
                fold[c] = d
    return tuple(keep), fold


@cache
def _tables() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """(other characters, characters that change, their NFKC), built once per process."""
    keep, fold = plain_repertoire()
    return (re.compile(f"[^{_ranges(keep)}]"), re.compile(f"[{_ranges(map(ord, fold))}]"), fold)


def char_class(cps: object, negate: bool = False) -> str:
    """A regex character class of the given code points (as ranges)."""
    return f"[{'^' if negate else ''}{_ranges(cps)}]"


def _ranges(cps: object) -> str:
    """A character class body for the given code points, as ranges."""
    out: list[str] = []
    run: list[int] = []
    for cp in sorted(cps):  # type: ignore[call-overload]
        if run and cp == run[-1] + 1:
            run.append(cp)
            continue
        if run:
            out.append(_span(run[0], run[-1]))
        run = [cp]
    if run:
        out.append(_span(run[0], run[-1]))
    return "".join(out)


def _span(lo: int, hi: int) -> str:
    return re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"


# The full-width punctuation of nearly every sentence: replaced by str.replace first,
# which is cheaper than a regex callback per character.
_COMMON = tuple((c, unicodedata.normalize("NFKC", c)) for c in "，：（）；　")


# The last text a caller found to hold only characters of the per-character path
# (classify scans each document for a superset of the others): spares a second scan.
_KNOWN_PLAIN = [""]


def note_plain(text: str) -> None:
    """Record that every character of ``text`` is on the per-character path."""
    _KNOWN_PLAIN[0] = text


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, without its slow path for common CJK text."""
    folded = nfkc_plain(text)
    return unicodedata.normalize("NFKC", text) if folded is None else folded


def nfkc_plain(text: str) -> str | None:
    """NFKC of ``text`` if it maps character by character, else None.

    When it does, the result is NFKC-normal with any characters taken out of it
    too (no character in it composes with another), which lets callers drop
    characters before a normalizing step instead of after it.
    """
    other, changing, fold = _tables()
    if text is not _KNOWN_PLAIN[0] and other.search(text) is not None:
        return None
    for c, folded in _COMMON:
        if c in text:
            text = text.replace(c, folded)
    get = fold.__getitem__
    return changing.sub(lambda m: get(m.group()), text)
