"""Is a label key in ``norm_label(text)``? Answered on the raw text, without folding it.

``norm_label`` is NFKC followed by deleting punctuation and whitespace (the
"dropped" characters). On text of the per-character NFKC path (transforms.nfkc)
every raw character ``c`` folds on its own, to ``nfkc(c)`` with the dropped
characters taken out, so a key ``k`` (itself a folded label: no dropped
character in it) is in the folded text exactly when the raw text holds

    class(k[0]) gap* class(k[1]) gap* … class(k[-1])

where ``class(x)`` holds the characters whose fold is ``x`` and ``gap`` those whose
fold is empty. A character whose fold has two or more kept characters (㈩ is
"(十)" → 十 alone is fine; ½ → "1⁄2" is not) is a barrier when none of its kept
characters occurs in any key (no occurrence can run through it), and otherwise
makes the search refuse: ``unsafe`` finds those, and every character outside the
per-character path, and the caller folds the text the ordinary way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from .catalog.labels import is_dropped
from .nfkc import char_class, plain_repertoire


@dataclass(frozen=True)
class FoldedFinder:
    keys: dict[str, re.Pattern[str]]  # key → its pattern over raw text
    unsafe: re.Pattern[str]  # raw text holding a match must be folded to be searched

    def contains(self, text: str, key: str) -> bool:
        """``key in norm_label(text)``, for text where ``unsafe`` finds nothing."""
        return key in text or self.keys[key].search(text) is not None


@cache
def _kept_parts() -> tuple[dict[str, str], frozenset[int]]:
    """Changing characters → their fold without dropped characters; the gap characters."""
    keep, fold = plain_repertoire()
    folds = {c: "".join(ch for ch in d if not is_dropped(ch)) for c, d in fold.items()}
    gaps = {ord(c) for c, kept in folds.items() if not kept}
    gaps.update(cp for cp in keep if not 0x3400 <= cp <= 0x9FFF and chr(cp) not in fold
                and is_dropped(chr(cp)))
    return folds, frozenset(gaps)


@cache
def finder(keys: tuple[str, ...]) -> FoldedFinder | None:
    """Patterns for the given folded keys; None if some key is not a plain folded label."""
    keep, fold = plain_repertoire()
    stable = frozenset(keep)
    folds, gaps = _kept_parts()
    chars = {ch for k in keys for ch in k}
    if any(not k for k in keys) or any(
            ord(ch) not in stable or ch in fold or is_dropped(ch) for ch in chars):
        return None
    by_fold: dict[str, set[int]] = {ch: {ord(ch)} for ch in chars}
    unsafe: set[int] = set()
    for c, kept in folds.items():
        if len(kept) == 1 and kept in by_fold:
            by_fold[kept].add(ord(c))
        elif len(kept) > 1 and chars.intersection(kept):
            unsafe.add(ord(c))
    gap = f"{char_class(gaps)}*+" if gaps else ""
    patterns = {k: re.compile(gap.join(char_class(by_fold[ch]) for ch in k)) for k in keys}
    return FoldedFinder(patterns, re.compile(char_class(_without(keep, unsafe), negate=True)))


def _without(cps: Iterable[int], drop: set[int]) -> list[int]:
    return [cp for cp in cps if cp not in drop]
